// A headless player on the client SDK (Node): asks the backend to play, joins the room it is
// given, steers at a fixed input rate, and records what a player sees: state, events, its own
// input-to-state latency and the bytes it receives. Used by the tests and the load scenario.
import { RoomcastClient, type ClientOptions, type Room, type RoomMessage } from '@roomcast/client';
import WebSocket from 'ws';
import {
  AXIS_MAX, Action, BACKEND_USER_ID, INPUT_KEY, STATE_KEY, decodeEvent, decodeState, encodeInput,
  type GameEvent, type GameState, type Ticket,
} from '../shared/wire.js';
import { trySend } from '../shared/send.js';

/** `swarm`: everyone runs at the nearest player (tags come fast: tests); `play`: "it" chases, the others flee; `idle`: no input. */
export type BotMode = 'swarm' | 'play' | 'idle';

export interface BotOptions {
  name?: string;
  mode?: BotMode;
  /** Inputs per second (each is a new `latest` value). */
  inputHz?: number;
  client?: ClientOptions;
}

export class GameBot {
  state: GameState | undefined;
  readonly events: GameEvent[] = [];
  /** Input-to-state latencies in ms: from sending an input to the first state that applied it. */
  readonly latencies: number[] = [];
  mode: BotMode;
  readonly #sentAt = new Map<number, number>();
  readonly #waiters = new Set<() => void>();
  #seq = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  private constructor(
    readonly ticket: Ticket, readonly client: RoomcastClient, readonly room: Room, options: BotOptions,
    private readonly counter: { bytes: number },
  ) {
    this.mode = options.mode ?? 'play';
    room.on('message', (m) => this.#message(m));
    // `backendId` reads the member list: a wait on it (the backend gone, a new one) must wake on
    // member events too, not only on the backend's frames (a dead backend sends none).
    for (const event of ['member_joined', 'member_left', 'member_away', 'member_back'] as const) room.on(event, () => this.#wake());
    if (this.mode !== 'idle') this.startInput(options.inputHz ?? 30);
  }

  /** Asks the backend at `backendUrl` for a seat, connects to the relay and joins the match. */
  static async join(backendUrl: string, options: BotOptions = {}): Promise<GameBot> {
    const res = await fetch(`${backendUrl}/play`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: options.name ?? 'bot' }),
    });
    if (!res.ok) throw new Error(`POST /play answered ${res.status}: ${await res.text()}`);
    const ticket = (await res.json()) as Ticket;
    const counter = { bytes: 0 };
    // Counts what the relay sends this bot: the payload plus the WebSocket frame header (2, 4
    // or 10 bytes; the relay's frames are unmasked).
    class CountingWebSocket extends WebSocket {
      constructor(url: string) {
        super(url);
        this.on('message', (data: ArrayBuffer | Buffer) => {
          const n = data.byteLength;
          counter.bytes += n + (n < 126 ? 2 : n < 65536 ? 4 : 10);
        });
      }
    }
    const client = new RoomcastClient(ticket.relayUrl, { WebSocket: CountingWebSocket, ...options.client, getToken: () => ticket.token });
    await client.connect();
    const room = await client.join(ticket.room, null);
    return new GameBot(ticket, client, room, options, counter);
  }

  /** Wire bytes received from the relay (WebSocket frames, headers included). */
  get bytesIn(): number {
    return this.counter.bytes;
  }

  /** This bot's member id (new only if its seat was lost). */
  get id(): number {
    return this.room.self;
  }

  /** The backend's member id: the newest present member with the backend's userId (0 if none). */
  get backendId(): number {
    let id = 0;
    for (const m of this.room.members.values()) if (m.userId === BACKEND_USER_ID && m.away !== true && m.id > id) id = m.id;
    return id;
  }

  startInput(hz: number): void {
    this.stopInput();
    this.#timer = setInterval(() => this.#steer(), 1000 / hz);
  }

  stopInput(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Sends one input as it is (tests send out-of-range ones). */
  sendInput(dx: number, dy: number): void {
    this.#seq = (this.#seq + 1) & 0xffff;
    this.#sentAt.set(this.#seq, performance.now());
    if (this.#sentAt.size > 512) this.#sentAt.delete(this.#sentAt.keys().next().value!);
    trySend(() => this.room.sendLatest(INPUT_KEY, encodeInput({ seq: this.#seq, dx, dy })));
  }

  dash(): void {
    trySend(() => this.room.sendTo(this.backendId, Uint8Array.of(Action.dash)));
  }

  /** Resolves once `check` holds (checked after every state, event and member change), or rejects after `timeoutMs`. */
  waitFor<T>(check: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    const first = check();
    if (first !== undefined && first !== false) return Promise.resolve(first);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`bot ${this.ticket.name}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = () => {
        const value = check();
        if (value === undefined || value === false) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(value);
      };
      this.#waiters.add(waiter);
    });
  }

  close(): void {
    this.stopInput();
    this.client.close();
  }

  #message(m: RoomMessage): void {
    if (this.room.members.get(m.sender)?.userId !== BACKEND_USER_ID) return; // only the backend is trusted
    if (m.cls === 'latest' && m.key === STATE_KEY) {
      const state = decodeState(m.payload);
      if (state === undefined) return;
      this.state = state;
      this.#measure(state);
    } else if (m.cls === 'reliable') {
      const event = decodeEvent(m.payload);
      if (event !== undefined) this.events.push(event);
    }
    this.#wake();
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #measure(state: GameState): void {
    const me = state.players.find((p) => p.id === this.room.self);
    const sentAt = me === undefined ? undefined : this.#sentAt.get(me.ack);
    if (sentAt === undefined) return;
    this.latencies.push(performance.now() - sentAt);
    // Inputs up to the acknowledged one are settled (merged ones never will be).
    for (const seq of this.#sentAt.keys()) {
      this.#sentAt.delete(seq);
      if (seq === me!.ack) break;
    }
  }

  #steer(): void {
    if (this.room.joined !== true || this.client.status !== 'open') return;
    const state = this.state;
    const me = state?.players.find((p) => p.id === this.room.self);
    let dx = 0;
    let dy = 0;
    if (state !== undefined && me !== undefined) {
      const others = state.players.filter((p) => p.id !== me.id);
      const chase = this.mode === 'swarm' || state.it === me.id;
      const target = chase
        ? others.reduce<typeof me | undefined>((best, p) => (best === undefined || dist(me, p) < dist(me, best) ? p : best), undefined)
        : others.find((p) => p.id === state.it);
      if (target !== undefined) {
        const d = Math.max(1, dist(me, target));
        const sign = chase ? 1 : -1;
        // Fleeing bots add a sideways drift so they slide along walls instead of sticking in corners.
        dx = sign * (target.x - me.x) / d + (chase ? 0 : 0.6 * Math.sign(500 - me.y));
        dy = sign * (target.y - me.y) / d + (chase ? 0 : 0.6 * Math.sign(me.x - 500));
      }
    }
    const len = Math.max(1, Math.hypot(dx, dy));
    this.sendInput(Math.round((dx / len) * AXIS_MAX), Math.round((dy / len) * AXIS_MAX));
  }
}

function dist(a: { x: number; y: number }, b: { x: number; y: number }): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}
