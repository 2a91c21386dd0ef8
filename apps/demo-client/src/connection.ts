// Getting into the room: connect (the SDK retries the first connection with its jittered
// backoff: `connect({ retry: true })`), then join. A join lost to a dropped connection is tried
// again once the SDK has reconnected; errors that retrying cannot fix end the round.
import { RoomcastError } from '@roomcast/client';

/** Join errors that retrying cannot fix: the round stops and the page shows Offline. */
export const FATAL_JOIN_ERRORS: ReadonlySet<string> = new Set([
  'bad_room_name', 'room_full', 'relay_full', 'presence_too_large', 'too_many_rooms', 'unauthorized',
]);

/** Joins tried per round before giving up (each after the SDK is connected again). */
export const MAX_JOIN_ATTEMPTS = 5;

/**
 * Pause before trying a join again that the relay refused with `internal` (a passing failure on
 * its side, e.g. a cluster node whose Redis did not answer in time): attempt × this.
 */
export const INTERNAL_RETRY_MS = 400;

export interface EntranceOptions<R> {
  /** Connects, retrying while the relay is unreachable: `client.connect({ retry: true })`. */
  connect: () => Promise<unknown>;
  /** Joins the room once connected (`client.join(…)`). */
  join: () => Promise<R>;
  /** A new round starts. */
  onConnecting: () => void;
  /** In the room. */
  onJoined: (room: R) => void;
  /** The round ended without a room (a refused join, or the SDK gave up connecting). */
  onFatal: (err: RoomcastError) => void;
  /** Waits before a retry (tests pass an instant one). Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** Connect-and-join; one round at a time. */
export class Entrance<R> {
  readonly #options: EntranceOptions<R>;
  #running = false;

  constructor(options: EntranceOptions<R>) {
    this.#options = options;
  }

  /** True while a round runs (a failed connect also makes the SDK emit 'close'). */
  get running(): boolean {
    return this.#running;
  }

  /** Connects and joins. A call while a round runs does nothing. */
  async enter(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await this.#round();
    } finally {
      this.#running = false;
    }
  }

  async #round(): Promise<void> {
    const o = this.#options;
    o.onConnecting();
    for (let attempt = 1; ; attempt++) {
      try {
        await o.connect();
        o.onJoined(await o.join());
        return;
      } catch (err) {
        const error = err instanceof RoomcastError ? err : new RoomcastError('connect_failed', String(err));
        if (FATAL_JOIN_ERRORS.has(error.code) || attempt >= MAX_JOIN_ATTEMPTS || !(isJoinLost(error) || isTransient(error))) {
          o.onFatal(error);
          return;
        }
        if (isTransient(error)) await (o.sleep ?? delay)(INTERNAL_RETRY_MS * attempt);
      }
    }
  }
}

/** The relay failed on its side (error `internal`): worth another try after a pause. */
function isTransient(err: RoomcastError): boolean {
  return err.code === 'internal';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The join was lost with the connection (or timed out): worth another try once reconnected. */
function isJoinLost(err: RoomcastError): boolean {
  return (err.code === 'closed' && err.closeCode !== 1000) || err.code === 'not_connected' || err.code === 'timeout';
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
