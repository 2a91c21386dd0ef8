// Latency histograms: HdrHistogram (hdr-histogram-js, pure JS) recording microseconds, with
// percentiles reported in milliseconds. Worker threads ship theirs as compressed base64 to merge.
import * as hdr from 'hdr-histogram-js';
import { niceStep } from './ticks.js';

/** Highest trackable latency: 10 minutes in microseconds (larger values are clamped). */
const HIGHEST_US = 600_000_000;

export interface Percentiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * HdrHistogram's bucket layout at 3 significant digits and a unit of 1 µs: values below 2,048 each
 * have their own slot, then every power of two from 2^11 up has 1,024 slots of equal width.
 * HIGHEST_US is below 2^30, so 19 powers of two above 2^11 cover every value.
 */
const HALF = 1024;
const SLOTS = 2 * HALF + 19 * HALF;

/** The slot of integer `v` (1 ≤ v ≤ HIGHEST_US) in that layout: the same sub-bucket HdrHistogram uses. */
export function slotOf(v: number): number {
  if (v < 2 * HALF) return v;
  const e = 21 - Math.clz32(v); // floor(log2 v) − 10: v >>> e is in [1024, 2048)
  return 2 * HALF + (e - 1) * HALF + ((v >>> e) - HALF);
}

/** The lowest value of slot `i`. */
export function lowestOf(i: number): number {
  if (i < 2 * HALF) return i;
  const k = i - 2 * HALF;
  return ((k % HALF) + HALF) << (Math.floor(k / HALF) + 1);
}

export class LatencyHistogram {
  private readonly h: hdr.Histogram;
  /**
   * Values recorded since the last flush, as counts per HdrHistogram sub-bucket. HdrHistogram's JS
   * recordValue computes its bucket with Math.pow and Math.log2, which at a cursor room's knee was
   * the load generator's largest single cost; a slot here is two shifts. Allocated on first use.
   */
  private pending: Uint32Array | undefined;
  private pendingMin = Infinity;
  private pendingMax = 0;

  constructor(existing?: hdr.Histogram) {
    this.h = existing ?? hdr.build({
      bitBucketSize: 32, autoResize: false, lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, useWebAssembly: false,
    });
  }

  /** Records one latency in microseconds. */
  recordUs(us: number): void {
    const v = us < 1 ? 1 : us > HIGHEST_US ? HIGHEST_US : Math.round(us);
    const pending = (this.pending ??= new Uint32Array(SLOTS));
    pending[slotOf(v)]!++;
    if (v < this.pendingMin) this.pendingMin = v;
    if (v > this.pendingMax) this.pendingMax = v;
  }

  /**
   * Moves the pending counts into the HdrHistogram: each slot's count at one value of its
   * sub-bucket (so every percentile is what recording the raw values gives): the smallest value
   * recorded for the lowest slot, the largest for the highest, so min and max are exact too, and
   * the slot's lowest value for the others.
   */
  private flush(): hdr.Histogram {
    const pending = this.pending;
    if (pending === undefined || this.pendingMax === 0) return this.h;
    const minSlot = slotOf(this.pendingMin);
    const maxSlot = slotOf(this.pendingMax);
    for (let i = minSlot; i <= maxSlot; i++) {
      let c = pending[i]!;
      if (c === 0) continue;
      pending[i] = 0;
      if (i === minSlot && i === maxSlot && c > 1) {
        this.h.recordValue(this.pendingMax);
        c--;
      }
      this.h.recordValueWithCount(i === minSlot ? this.pendingMin : i === maxSlot ? this.pendingMax : lowestOf(i), c);
    }
    this.pendingMin = Infinity;
    this.pendingMax = 0;
    return this.h;
  }

  get count(): number {
    return this.flush().totalCount;
  }

  merge(other: LatencyHistogram): void {
    this.flush().add(other.flush());
  }

  reset(): void {
    this.pending?.fill(0);
    this.pendingMin = Infinity;
    this.pendingMax = 0;
    this.h.reset();
  }

  /** Percentiles in milliseconds (null when nothing was recorded). */
  percentilesMs(): Percentiles | null {
    if (this.flush().totalCount === 0) return null;
    const at = (p: number): number => round3(this.h.getValueAtPercentile(p) / 1000);
    return { p50: at(50), p90: at(90), p95: at(95), p99: at(99), p999: at(99.9), max: round3(this.h.maxValue / 1000) };
  }

  /** Buckets for a histogram chart: [upper bound ms, count] on a log scale. */
  buckets(count = 40): { upToMs: number; count: number }[] {
    if (this.flush().totalCount === 0) return [];
    const minUs = Math.max(1, this.h.minNonZeroValue);
    const maxUs = Math.max(minUs + 1, this.h.maxValue);
    const ratio = Math.pow(maxUs / minUs, 1 / count);
    const bounds: number[] = [];
    for (let i = 1; i <= count; i++) bounds.push(i === count ? maxUs : minUs * Math.pow(ratio, i));
    const out = bounds.map((hi) => ({ upToMs: round3(hi / 1000), count: 0 }));
    // Walk the recorded values (a JsHistogram: built with useWebAssembly false).
    const it = (this.h as unknown as { recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } } }).recordedValuesIterator;
    it.reset();
    let b = 0;
    while (it.hasNext()) {
      const v = it.next();
      while (b < bounds.length - 1 && v.valueIteratedTo > bounds[b]!) b++;
      out[b]!.count += v.countAtValueIteratedTo;
    }
    return out;
  }

  /**
   * Buckets of equal width from 0 (for staleness, where 0 = "view up to date" is common and a log
   * axis cannot show it): `count` buckets of a nice width (1, 2 or 5 x 10^n ms) covering the max.
   */
  linearBuckets(count = 30): { upToMs: number; count: number }[] {
    if (this.flush().totalCount === 0) return [];
    const widthUs = Math.max(1, niceStep(Math.max(1, this.h.maxValue), count));
    const n = Math.max(1, Math.ceil((this.h.maxValue + 1) / widthUs));
    const out = Array.from({ length: n }, (_, i) => ({ upToMs: round3(((i + 1) * widthUs) / 1000), count: 0 }));
    this.eachValue((us, c) => { out[Math.min(n - 1, Math.floor(us / widthUs))]!.count += c; });
    return out;
  }

  /** Calls `fn` for every recorded value (µs, to HdrHistogram's 3 significant digits) with its count. */
  private eachValue(fn: (us: number, count: number) => void): void {
    const it = (this.h as unknown as { recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } } }).recordedValuesIterator;
    it.reset();
    while (it.hasNext()) {
      const v = it.next();
      fn(v.valueIteratedTo, v.countAtValueIteratedTo);
    }
  }

  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.flush());
  }

  static decode(b64: string): LatencyHistogram {
    const target = new LatencyHistogram();
    target.flush().add(hdr.decodeFromCompressedBase64(b64, 32, false));
    return target;
  }
}

export function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
