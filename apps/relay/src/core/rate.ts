// Budgets for untrusted input: a token bucket for frames per second, and a strike window
// that decides when a connection that keeps exceeding its budget is closed.

/** Classic token bucket: `ratePerSec` tokens refill continuously up to `capacity`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly capacity: number,
    now: number,
    /** Tokens at `now` (default: full). A bucket carried over from an earlier connection starts lower. */
    initial = capacity,
  ) {
    this.tokens = Math.min(capacity, initial);
    this.last = now;
  }

  /** Tokens available at `now` (may be negative after `force`). */
  level(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  /** Milliseconds from `now` until the bucket is full again. */
  msUntilFull(now: number): number {
    this.refill(now);
    return this.ratePerSec > 0 ? Math.max(0, ((this.capacity - this.tokens) * 1000) / this.ratePerSec) : 0;
  }

  /** Takes `n` tokens if available. `now` is in milliseconds from a monotonic clock. */
  take(now: number, n = 1): boolean {
    this.refill(now);
    if (this.tokens >= n) {
      this.tokens -= n;
      return true;
    }
    return false;
  }

  /** Takes `n` tokens even if that leaves the bucket in debt (for traffic that is never dropped). */
  force(now: number, n: number): void {
    this.refill(now);
    this.tokens -= n;
  }

  /** Whether at least `n` tokens are available, without taking them. */
  has(now: number, n: number): boolean {
    this.refill(now);
    return this.tokens >= n;
  }

  private refill(now: number): void {
    const elapsed = now - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.ratePerSec) / 1000);
      this.last = now;
    }
  }
}

/** Counts strikes in fixed windows; `hit` returns true when a window's count passes the limit. */
export class StrikeWindow {
  private windowStart = -Infinity;
  private count = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  hit(now: number): boolean {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.count = 0;
    }
    this.count += 1;
    return this.count > this.limit;
  }
}
