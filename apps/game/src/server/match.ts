// One match: a relay room the backend sits in as a server-role member (its own connection), the
// simulation it owns, and the rules about who plays. Inputs arrive as `latest` values; every
// fixed step the match sends the state as `latest`, events as `reliable`, effects as `droppable`.
import { RoomcastClient, type Room, type RoomMember, type RoomMessage } from '@roomcast/client';
import type { RoomcastApi } from '@roomcast/server';
import type { Logger } from 'pino';
import {
  BACKEND_USER_ID, STATE_KEY, encodeDash, encodeEvent, encodeState, type GameEvent,
} from '../shared/wire.js';
import type { GameConfig } from './config.js';
import { PlayerGuard } from './guard.js';
import { Simulation } from './sim.js';

export interface MatchDeps {
  config: GameConfig;
  api: RoomcastApi;
  log: Logger;
  /** A fresh server-role token (called at connect and every reconnect). */
  token: () => Promise<string>;
  /** The match has been empty for GAME_EMPTY_CLOSE_MS, or its room was closed. */
  onEnd: (match: Match) => void;
}

/** What the room's metadata keeps, so a restarted backend can pick the match up. */
// A type alias, not an interface: the API's metadata type is JSON, and only an alias is assignable to it.
export type MatchMetadata = {
  game: 'tag';
  round: number;
  /** Total score by userId. */
  totals: Record<string, number>;
};

export class Match {
  readonly sim: Simulation;
  readonly #guards = new Map<number, PlayerGuard>();
  /** userId → until when a seat handed out by /play is held for it. */
  readonly #reservations = new Map<string, number>();
  readonly #client: RoomcastClient;
  #room: Room | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #emptySince: number | undefined;
  #ended = false;
  /** False from a dropped connection until the room is rejoined: the clock stands still meanwhile. */
  #live = false;

  constructor(readonly name: string, private readonly deps: MatchDeps, restored?: MatchMetadata) {
    this.sim = new Simulation({ roundMs: deps.config.roundMs, pauseMs: deps.config.pauseMs });
    for (const [userId, score] of Object.entries(restored?.totals ?? {})) this.sim.totals.set(userId, score);
    if (restored !== undefined) this.sim.round = restored.round;
    this.#client = new RoomcastClient(deps.config.relayWsUrl, { getToken: deps.token });
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Joins the room (created beforehand through the API, or found after a restart) and starts the clock. */
  async start(): Promise<void> {
    await this.#client.connect({ retry: true, maxAttempts: 5 });
    const room = await this.#client.join(this.name, null);
    this.#room = room;
    this.#live = true;
    this.#client.on('status', (status) => {
      if (status !== 'open') this.#live = false;
    });
    room.on('resync', () => {
      // Rejoined after a reconnect: the member list may have changed under us (new ids after a
      // relay restart, players gone meanwhile). Totals are kept by userId, so scores survive.
      // Ids are reused, so a player is the same only if its id still carries the same userId.
      for (const [id, p] of [...this.sim.players]) if (room.members.get(id)?.userId !== p.userId) this.#left(id);
      for (const m of room.members.values()) if (m.id !== room.self && !this.sim.players.has(m.id)) this.#joined(m);
      this.#live = true;
    });
    room.on('member_joined', (m) => this.#joined(m));
    room.on('member_left', (m) => this.#left(m.id));
    room.on('member_away', (m) => this.#setAway(m.id, true));
    room.on('member_back', (m) => this.#setAway(m.id, false));
    room.on('message', (m) => this.#message(m));
    room.on('closed', () => this.#end('room closed'));
    room.on('removed', () => this.#end('backend removed from the room'));
    for (const m of room.members.values()) {
      if (m.id !== room.self) this.#joined(m);
    }
    const stepMs = 1000 / this.deps.config.simHz;
    let last = performance.now();
    let owed = 0;
    // A fixed step: the timer may fire late on a busy machine; owed time is caught up in whole
    // steps (at most 4 at once, so a long stall does not turn into a burst of frames).
    this.#timer = setInterval(() => {
      const now = performance.now();
      owed = Math.min(owed + now - last, stepMs * 4);
      last = now;
      while (owed >= stepMs) {
        owed -= stepMs;
        this.#step(stepMs);
      }
    }, stepMs);
  }

  /** Seats taken: players in the room (away ones too) and seats handed out but not yet joined. */
  seatsTaken(now = Date.now()): number {
    for (const [userId, until] of this.#reservations) if (until <= now) this.#reservations.delete(userId);
    return this.sim.players.size + this.#reservations.size;
  }

  reserve(userId: string): void {
    this.#reservations.set(userId, Date.now() + this.deps.config.reservationMs);
    this.#emptySince = undefined;
  }

  /** A webhook says this member left (the room's own member_left normally came first). */
  forget(memberId: number): void {
    if (this.sim.players.has(memberId)) this.#left(memberId);
  }

  /** Stops the clock, closes the room through the API and leaves. */
  async close(reason: string): Promise<void> {
    if (this.#ended) return;
    this.#end(reason);
    try {
      await this.deps.api.closeRoom(this.name, reason);
    } catch (err) {
      this.deps.log.warn({ room: this.name, err: (err as Error).message }, 'close room failed');
    }
  }

  /** Stops without touching the room (the process is going away; the players stay for the next backend). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#client.close();
  }

  #end(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.deps.log.info({ room: this.name, reason }, 'match ended');
    this.stop();
    this.deps.onEnd(this);
  }

  #joined(m: RoomMember): void {
    if (m.userId === BACKEND_USER_ID) {
      // A backend that ran before this one (its seat still held): this process owns the match now.
      if (this.#room !== undefined && m.id !== this.#room.self) void this.#remove(m.id, 'replaced by a new backend');
      return;
    }
    const info = m.info as { name?: unknown } | undefined;
    const name = typeof info?.name === 'string' ? info.name : `player ${m.id}`;
    this.sim.add(m.id, m.userId ?? `anonymous-${m.id}`, name).away = m.away === true;
    this.#guards.set(m.id, new PlayerGuard(this.deps.config.maxActionsPerSec));
    if (m.userId !== undefined) this.#reservations.delete(m.userId);
    this.#emptySince = undefined;
  }

  #left(id: number): void {
    this.sim.remove(id);
    this.#guards.delete(id);
  }

  #setAway(id: number, away: boolean): void {
    const p = this.sim.players.get(id);
    if (p !== undefined) p.away = away;
  }

  #message(m: RoomMessage): void {
    const guard = this.#guards.get(m.sender);
    if (guard === undefined) return; // the server (sender 0) or an old backend
    const verdict = guard.judge(m, Date.now());
    switch (verdict.kind) {
      case 'input':
        this.sim.setInput(m.sender, verdict.input.seq, verdict.input.dx, verdict.input.dy);
        break;
      case 'dash':
        if (this.sim.dash(m.sender)) {
          const p = this.sim.players.get(m.sender)!;
          this.#room?.sendDroppable(encodeDash(p.id, p.x, p.y));
        }
        break;
      case 'kick':
        this.deps.log.info({ room: this.name, member: m.sender, reason: verdict.reason }, 'kicking a player');
        this.#left(m.sender);
        this.deps.api.kickMember(this.name, m.sender, verdict.reason).catch((err: Error) => {
          this.deps.log.warn({ room: this.name, member: m.sender, err: err.message }, 'kick failed');
        });
        break;
      case 'ignore':
        break;
    }
  }

  async #remove(id: number, reason: string): Promise<void> {
    try {
      await this.deps.api.removeMember(this.name, id, reason);
    } catch (err) {
      this.deps.log.warn({ room: this.name, member: id, err: (err as Error).message }, 'remove failed');
    }
  }

  #step(stepMs: number): void {
    const room = this.#room;
    if (room === undefined || !room.joined || !this.#live) {
      return; // reconnecting or rejoining: the simulation waits (players cannot move either)
    }
    const events = this.sim.step(stepMs);
    room.sendLatest(STATE_KEY, encodeState(this.sim.state()));
    for (const event of events) this.#announce(room, event);
    this.#checkEmpty();
  }

  #announce(room: Room, event: GameEvent): void {
    room.send(encodeEvent(event));
    if (event.type !== 'round_end') return;
    const metadata: MatchMetadata = { game: 'tag', round: event.round, totals: Object.fromEntries(this.sim.totals) };
    this.deps.api.updateSettings(this.name, { metadata }).catch((err: Error) => {
      this.deps.log.warn({ room: this.name, err: err.message }, 'saving scores failed');
    });
  }

  #checkEmpty(): void {
    if (this.seatsTaken() > 0) return;
    const now = Date.now();
    this.#emptySince ??= now;
    if (now - this.#emptySince >= this.deps.config.emptyCloseMs) void this.close('match empty');
  }
}
