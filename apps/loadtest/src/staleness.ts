// Staleness of `latest` values: how far behind a receiver's view of a sender's value is.
//
// The sender's true value changes at each send; the receiver shows the newest value it received.
// Its view is stale from the moment the sender sent a newer value than the one shown, until that
// (or a later) value arrives. So at time `now`:
//
//   staleness = now − (send time of the first value the sender sent after the shown one)
//             = 0 if the sender sent nothing newer than the shown value.
//
// This is what "p99 staleness of a receiver's view of a sender's cursor" means; it does not count
// the time a value was current at the sender. The plain age of the shown value (now − its send
// time) is reported too, as `value_age_ms`: it adds up to one send interval of the sender.
// Samples are taken at random (exponential) intervals, so they do not lock onto the relay's tick
// phase and estimate the time average (a fixed 100 ms sampling period is exactly 3 ticks of 30 Hz
// and would see each tick at the same phase).
import { ageUs } from './payload.js';

/** Half the 32-bit µs clock: timestamps closer than this compare as "after". */
const HALF = 0x8000_0000;

/** True if timestamp `t` is strictly after `ref` on the wrapping 32-bit clock. */
export function isAfter(t: number, ref: number): boolean {
  const d = ageUs(ref, t);
  return d > 0 && d < HALF;
}

/** The send times of one sender's recent values (a ring of `capacity`, oldest overwritten). */
export class SendHistory {
  private readonly ts: Uint32Array;
  private head = 0;
  private n = 0;

  constructor(readonly capacity = 512) {
    this.ts = new Uint32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  push(ts: number): void {
    this.ts[this.head] = ts >>> 0;
    this.head = (this.head + 1) % this.capacity;
    if (this.n < this.capacity) this.n++;
  }

  /** i-th newest send time (0 = newest). */
  newest(i = 0): number {
    return this.ts[(this.head - 1 - i + this.capacity * 2) % this.capacity]!;
  }

  /**
   * Staleness in µs of a view showing the value sent at `shown` (undefined: no value yet).
   * If the successor of `shown` has left the ring, returns the upper bound now − shown.
   */
  viewLagUs(shown: number | undefined, now: number): number {
    if (this.n === 0) return 0;
    let successor: number | undefined;
    for (let i = 0; i < this.n; i++) {
      const t = this.newest(i);
      if (shown !== undefined && !isAfter(t, shown)) return successor === undefined ? 0 : ageUs(successor, now);
      successor = t;
    }
    // Every remembered send is newer than the shown value.
    if (shown === undefined || this.n < this.capacity) return ageUs(successor!, now);
    return ageUs(shown, now);
  }
}

/** Next sampling delay in ms: exponential with mean `meanMs`, clamped to [meanMs/20, 4 meanMs]. */
export function nextSampleDelayMs(random: () => number, meanMs: number): number {
  const d = -Math.log(1 - random()) * meanMs;
  return Math.min(4 * meanMs, Math.max(meanMs / 20, d));
}
