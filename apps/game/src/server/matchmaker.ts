// Matchmaking: puts a player asking to play into a match with a free seat, or creates a room
// (capacity, tick rate, metadata) through the relay's server API and a match for it. The
// registry lives in this process; after a restart `adopt()` rebuilds it from the API's room list.
import { randomBytes } from 'node:crypto';
import { mintToken, RoomcastApi, RoomcastApiError } from '@roomcast/server';
import type { Logger } from 'pino';
import { BACKEND_USER_ID, type Ticket } from '../shared/wire.js';
import type { GameConfig } from './config.js';
import { Match, type MatchMetadata } from './match.js';

export class Matchmaker {
  readonly matches = new Map<string, Match>();
  readonly api: RoomcastApi;
  /** /play calls run one at a time, so two callers never both create a room for one free seat. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly config: GameConfig, private readonly log: Logger) {
    this.api = new RoomcastApi({ url: config.relayHttpUrl, key: config.apiKey });
  }

  play(name: string): Promise<Ticket> {
    const next = this.#queue.then(() => this.#play(name));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Takes over the rooms a previous backend process left (their metadata holds the scores). */
  async adopt(): Promise<number> {
    let adopted = 0;
    for await (const summary of this.api.allRooms({ prefix: this.config.roomPrefix, includePrivate: true })) {
      const metadata = summary.settings.metadata as Partial<MatchMetadata> | null;
      const restored = metadata?.game === 'tag' ? { game: 'tag' as const, round: metadata.round ?? 0, totals: metadata.totals ?? {} } : undefined;
      // The previous backend's member may still hold its seat (RELAY_SEAT_GRACE_MS): it would
      // take the seat this process needs in a full room, and it will never come back.
      const detail = await this.api.getRoom(summary.name);
      for (const m of detail.memberList) {
        if (m.userId === BACKEND_USER_ID) await this.api.removeMember(summary.name, m.id, 'replaced by a new backend');
      }
      const match = this.#register(summary.name, restored);
      await match.start();
      adopted++;
      this.log.info({ room: summary.name, players: match.sim.players.size }, 'adopted a match');
    }
    return adopted;
  }

  /** Stops every match without closing its room (a restart picks them up). */
  stop(): void {
    for (const match of this.matches.values()) match.stop();
    this.matches.clear();
  }

  async #play(name: string): Promise<Ticket> {
    let match = [...this.matches.values()].find((m) => !m.ended && m.seatsTaken() < this.config.maxPlayers);
    if (match === undefined) match = await this.#create();
    const userId = `p-${randomBytes(6).toString('hex')}`;
    match.reserve(userId);
    const token = await mintToken({ secret: this.config.jwtSecret }, {
      userId,
      rooms: { [match.name]: ['join', 'send', 'direct'] },
      info: { name },
      expiresIn: '1h',
    });
    return { relayUrl: this.config.relayWsUrl, token, room: match.name, userId, name };
  }

  async #create(): Promise<Match> {
    const name = `${this.config.roomPrefix}${randomBytes(4).toString('hex')}`;
    try {
      await this.api.createRoom(name, {
        tickHz: this.config.roomTickHz,
        // +1: the backend's own member sits in the room too.
        settings: { capacity: this.config.maxPlayers + 1, metadata: { game: 'tag', round: 0, totals: {} } satisfies MatchMetadata },
      });
    } catch (err) {
      if (err instanceof RoomcastApiError) this.log.error({ room: name, code: err.code }, 'creating a room failed');
      throw err;
    }
    const match = this.#register(name, undefined);
    try {
      await match.start();
    } catch (err) {
      await match.close('backend could not join');
      throw err;
    }
    this.log.info({ room: name }, 'created a match');
    return match;
  }

  #register(name: string, restored: MatchMetadata | undefined): Match {
    const match = new Match(name, {
      config: this.config,
      api: this.api,
      log: this.log,
      token: () => mintToken({ secret: this.config.jwtSecret }, { userId: BACKEND_USER_ID, role: 'server', expiresIn: '1h' }),
      onEnd: (m) => {
        if (this.matches.get(m.name) === m) this.matches.delete(m.name);
      },
    }, restored);
    this.matches.set(name, match);
    return match;
  }
}
