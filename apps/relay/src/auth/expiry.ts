// One timer per connection that closes it when its token expires (4440), on the core's injected
// clock. Handles delays beyond setTimeout's 32-bit limit (~24.8 days) by re-arming.

/** The timer half of the core's Clock (core/clock.ts), structurally: auth imports nothing from core. */
export interface TimerClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Largest delay setTimeout honours; longer ones fire at once in Node. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export class ExpiryTimer {
  readonly #clock: TimerClock;
  readonly #onExpire: () => void;
  #handle: unknown;

  constructor(clock: TimerClock, onExpire: () => void) {
    this.#clock = clock;
    this.#onExpire = onExpire;
  }

  /** (Re)starts the timer: `delayMs` from now (from `closeDelayMs`); undefined stops it (nothing expires). */
  arm(delayMs: number | undefined): void {
    this.stop();
    if (delayMs === undefined) return;
    this.#schedule(Math.max(0, delayMs));
  }

  stop(): void {
    if (this.#handle !== undefined) this.#clock.clearTimeout(this.#handle);
    this.#handle = undefined;
  }

  get armed(): boolean {
    return this.#handle !== undefined;
  }

  #schedule(remainingMs: number): void {
    const step = Math.min(remainingMs, MAX_TIMER_MS);
    this.#handle = this.#clock.setTimeout(() => {
      this.#handle = undefined;
      if (remainingMs > step) this.#schedule(remainingMs - step);
      else this.#onExpire();
    }, step);
  }
}
