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

export class LatencyHistogram {
  readonly h: hdr.Histogram;

  constructor(existing?: hdr.Histogram) {
    this.h = existing ?? hdr.build({
      bitBucketSize: 32, autoResize: false, lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, useWebAssembly: false,
    });
  }

  /** Records one latency in microseconds. */
  recordUs(us: number): void {
    this.h.recordValue(us < 1 ? 1 : us > HIGHEST_US ? HIGHEST_US : Math.round(us));
  }

  get count(): number {
    return this.h.totalCount;
  }

  merge(other: LatencyHistogram): void {
    this.h.add(other.h);
  }

  reset(): void {
    this.h.reset();
  }

  /** Percentiles in milliseconds (null when nothing was recorded). */
  percentilesMs(): Percentiles | null {
    if (this.h.totalCount === 0) return null;
    const at = (p: number): number => round3(this.h.getValueAtPercentile(p) / 1000);
    return { p50: at(50), p90: at(90), p95: at(95), p99: at(99), p999: at(99.9), max: round3(this.h.maxValue / 1000) };
  }

  /** Buckets for a histogram chart: [upper bound ms, count] on a log scale. */
  buckets(count = 40): { upToMs: number; count: number }[] {
    if (this.h.totalCount === 0) return [];
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
    if (this.h.totalCount === 0) return [];
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
    return hdr.encodeIntoCompressedBase64(this.h);
  }

  static decode(b64: string): LatencyHistogram {
    const target = new LatencyHistogram();
    target.h.add(hdr.decodeFromCompressedBase64(b64, 32, false));
    return target;
  }
}

export function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
