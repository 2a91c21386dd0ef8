// Paces file frames so a transfer never trips the relay's rate limit (PROTOCOL.md §8.7) and never
// floods its own socket: a reservation token bucket for bytes and one for frames, each a share of
// the budgets the relay announced in `welcome.limits`, plus a wait while the socket's buffered
// amount is above a high-water mark. Reservations are granted in call order, so two transfers
// that share a pacer interleave fairly.

/** A bucket where `reserve` always succeeds and says how long to wait before using what it took. */
export class ReservationBucket {
  #tokens: number;
  #at: number;

  constructor(public rate: number, public capacity: number, now: number) {
    this.#tokens = capacity;
    this.#at = now;
  }

  /** Takes `n` tokens (the balance may go negative) and returns the ms until they are covered. */
  reserve(n: number, now: number): number {
    if (!Number.isFinite(this.rate)) return 0;
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#at) / 1000) * this.rate);
    this.#at = now;
    this.#tokens -= n;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.rate) * 1000;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How often the buffered amount is looked at while it is above the high-water mark. */
const BUFFER_POLL_MS = 5;

export interface PacerLink {
  bufferedAmount(): number;
}

/** One per client connection (all rooms' transfers share the connection's budgets). */
export class Pacer {
  readonly #bytes: ReservationBucket;
  readonly #frames: ReservationBucket;

  /**
   * @param bytesPerSec bytes per second for file frames (Infinity: no limit)
   * @param framesPerSec frames per second for file frames (Infinity: no limit)
   * @param highWaterBytes wait while the socket holds more than this
   */
  constructor(
    readonly link: PacerLink, bytesPerSec: number, framesPerSec: number, readonly highWaterBytes: number,
    readonly now: () => number = () => performance.now(),
  ) {
    // A tenth of a second of burst: small against the relay's own burst (2 s of bytes).
    this.#bytes = new ReservationBucket(bytesPerSec, Math.max(bytesPerSec / 10, 1), now());
    this.#frames = new ReservationBucket(framesPerSec, Math.max(framesPerSec / 10, 1), now());
  }

  /** Resolves when a frame of `bytes` may be sent; `alive` is polled so a cancel stops the wait early. */
  async take(bytes: number, alive: () => boolean, room?: ReservationBucket, roomBytes = bytes): Promise<void> {
    const t = this.now();
    const wait = Math.max(this.#bytes.reserve(bytes, t), this.#frames.reserve(1, t), room?.reserve(roomBytes, t) ?? 0);
    if (wait > 0) await sleep(wait);
    while (alive() && this.link.bufferedAmount() > this.highWaterBytes) await sleep(BUFFER_POLL_MS);
  }
}
