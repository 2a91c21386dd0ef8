// Getting into the room: connect and join, retrying while the relay is unreachable. The SDK's
// `connect()` makes a single attempt and its own reconnect loop only starts after a first
// welcome, so the page loops here until it is in (or an error that retrying cannot fix).
import { RoomcastError } from '@roomcast/client';

/** Join errors that retrying cannot fix: the loop stops and the page shows Offline. */
export const FATAL_JOIN_ERRORS: ReadonlySet<string> = new Set([
  'bad_room_name', 'room_full', 'relay_full', 'presence_too_large', 'too_many_rooms', 'unauthorized',
]);

/** First retry delay cap; doubles per attempt up to RETRY_MAX_MS (like the SDK's reconnect loop). */
export const RETRY_INITIAL_MS = 250;
export const RETRY_MAX_MS = 10_000;

/** Full-jitter backoff: a random delay in [0, min(max, initial × 2^attempt)). */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  return random() * Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** attempt);
}

export interface EntranceOptions<R> {
  /** One connection attempt (`client.connect()`). */
  connect: () => Promise<unknown>;
  /** Joins the room once connected (`client.join(…)`). */
  join: () => Promise<R>;
  /** A new round of attempts starts. */
  onConnecting: () => void;
  /** In the room. */
  onJoined: (room: R) => void;
  /** An attempt failed; another follows after a backoff delay. */
  onRetry: (err: unknown) => void;
  /** The relay refused the join for good; no more attempts. */
  onFatal: (err: RoomcastError) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Connect-and-join with retries; one round at a time. */
export class Entrance<R> {
  readonly #options: EntranceOptions<R>;
  #running = false;

  constructor(options: EntranceOptions<R>) {
    this.#options = options;
  }

  /** True while a round runs (a failed first connect also makes the SDK emit 'close'). */
  get running(): boolean {
    return this.#running;
  }

  /** Connects (retrying while the relay is unreachable) and joins. A call while a round runs does nothing. */
  async enter(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await this.#loop();
    } finally {
      this.#running = false;
    }
  }

  async #loop(): Promise<void> {
    const o = this.#options;
    const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    o.onConnecting();
    for (let attempt = 0; ; attempt++) {
      try {
        await o.connect();
        o.onJoined(await o.join());
        return;
      } catch (err) {
        if (err instanceof RoomcastError && FATAL_JOIN_ERRORS.has(err.code)) {
          o.onFatal(err);
          return;
        }
        o.onRetry(err);
        await sleep(retryDelay(attempt, o.random));
      }
    }
  }
}

/** What the status pill shows. */
export type Status = 'connecting' | 'live' | 'reconnecting' | 'offline';
const STATUS_TEXT: Record<Status, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** The status pill's text, e.g. "Offline: room_full …". */
export function statusText(status: Status, detail?: string): string {
  return detail === undefined ? STATUS_TEXT[status] : `${STATUS_TEXT[status]}: ${detail}`;
}
