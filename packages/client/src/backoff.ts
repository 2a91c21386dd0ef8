// Reconnect delays: exponential growth with "full jitter" (a uniform delay between 0 and the
// current ceiling), so clients dropped together by a relay restart do not return together.

/** Reconnect timing. Every field is optional in the client options; defaults are listed. */
export interface BackoffOptions {
  /** Ceiling of the first delay, in ms. Default 250. */
  initialDelayMs: number;
  /** The ceiling never grows past this, in ms. Default 10000. */
  maxDelayMs: number;
  /** The ceiling is multiplied by this after each failed attempt. Default 2. */
  factor: number;
}

/** Defaults for {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = { initialDelayMs: 250, maxDelayMs: 10_000, factor: 2 };

/**
 * Full-jitter exponential backoff. Attempt n (from 0) waits a uniform random time in
 * [0, min(maxDelayMs, initialDelayMs * factor^n)).
 */
export class Backoff {
  readonly #options: Readonly<BackoffOptions>;
  readonly #random: () => number;
  #attempt = 0;

  /**
   * @param options timing, validated here (a bad value throws a RangeError naming the field)
   * @param random source of uniform numbers in [0, 1); injectable for tests. Default Math.random.
   */
  constructor(options: Readonly<BackoffOptions>, random: () => number = Math.random) {
    const { initialDelayMs, maxDelayMs, factor } = options;
    if (!(Number.isFinite(initialDelayMs) && initialDelayMs > 0)) throw new RangeError(`reconnect.initialDelayMs must be a finite number > 0 (got ${initialDelayMs})`);
    if (!(Number.isFinite(maxDelayMs) && maxDelayMs >= initialDelayMs)) throw new RangeError(`reconnect.maxDelayMs must be a finite number >= initialDelayMs (got ${maxDelayMs})`);
    if (!(Number.isFinite(factor) && factor >= 1)) throw new RangeError(`reconnect.factor must be a finite number >= 1 (got ${factor})`);
    this.#options = { initialDelayMs, maxDelayMs, factor };
    this.#random = random;
  }

  /** Failed attempts counted since the last {@link reset}. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The upper bound of the delay for attempt `n` (0-based). */
  ceiling(n: number): number {
    const { initialDelayMs, maxDelayMs, factor } = this.#options;
    return Math.min(maxDelayMs, initialDelayMs * factor ** n);
  }

  /** Returns the delay before the next attempt, in ms, and counts the attempt. */
  next(): number {
    const r = this.#random();
    const unit = r >= 0 && r < 1 ? r : 0; // a broken random source must not produce negative or huge delays
    return Math.floor(unit * this.ceiling(this.#attempt++));
  }

  /** Starts over from the first delay (after a successful connection). */
  reset(): void {
    this.#attempt = 0;
  }
}
