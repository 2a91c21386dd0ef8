import { describe, expect, it } from 'vitest';
import * as hdr from 'hdr-histogram-js';
import { LatencyHistogram, lowestOf, slotOf } from '../src/histogram.js';
import { median, percentile, ratioSummary, sig } from '../src/stats.js';

describe('stats', () => {
  it('median of odd, even and empty lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 1)).toBe(7);
  });

  it('ratio summary pairs by index and skips non-finite ratios', () => {
    expect(ratioSummary([2, 4, 9, 1], [1, 2, 3, 0])).toEqual({ median: 2, min: 2, max: 3, n: 3 });
    expect(ratioSummary([], [])).toBeNull();
  });

  it('rounds to significant digits', () => {
    expect(sig(123456, 3)).toBe(123000);
    expect(sig(0.0012345, 2)).toBe(0.0012);
    expect(sig(0)).toBe(0);
  });
});

describe('LatencyHistogram', () => {
  it('reports percentiles in ms from µs samples', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) h.recordUs(ms * 1000);
    const p = h.percentilesMs()!;
    expect(h.count).toBe(1000);
    expect(p.p50).toBeCloseTo(500, -1);
    expect(p.p90).toBeCloseTo(900, -1);
    expect(p.p99).toBeCloseTo(990, -1);
    expect(p.max).toBeCloseTo(1000, -1);
    expect(p.p50).toBeLessThanOrEqual(p.p90);
    expect(p.p999).toBeLessThanOrEqual(p.max);
  });

  it('is null when empty and clamps out-of-range values', () => {
    const h = new LatencyHistogram();
    expect(h.percentilesMs()).toBeNull();
    h.recordUs(0);
    h.recordUs(1e12);
    expect(h.count).toBe(2);
  });

  it('survives encode/decode and merges (how workers ship histograms)', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 0; i < 100; i++) a.recordUs(1000);
    for (let i = 0; i < 100; i++) b.recordUs(3000);
    const merged = LatencyHistogram.decode(a.encode());
    merged.merge(LatencyHistogram.decode(b.encode()));
    expect(merged.count).toBe(200);
    expect(merged.percentilesMs()!.p50).toBeCloseTo(1, 1);
    expect(merged.percentilesMs()!.max).toBeCloseTo(3, 1);
  });

  it('chart buckets hold every sample', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 500; i++) h.recordUs(i * 37);
    const buckets = h.buckets(20);
    expect(buckets).toHaveLength(20);
    expect(buckets.reduce((s, b) => s + b.count, 0)).toBe(500);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.upToMs).toBeGreaterThanOrEqual(buckets[i - 1]!.upToMs);
  });

  it('gives exactly what HdrHistogram gives for the raw values (slots are its sub-buckets; min and max exact)', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) values.push(Math.floor(Math.exp(random() * Math.log(700_000_000))));
    values.push(1, 2047, 2048, 2049, 4095, 4096, 600_000_000, (1 << 29) + 12345);
    const ours = new LatencyHistogram();
    const raw = hdr.build({ bitBucketSize: 32, autoResize: false, lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
    for (const v of values) {
      ours.recordUs(v);
      raw.recordValue(Math.min(600_000_000, Math.max(1, v)));
    }
    const reference = new LatencyHistogram(raw);
    expect(ours.count).toBe(values.length);
    expect(ours.percentilesMs()).toEqual(reference.percentilesMs());
    expect(ours.percentilesMs()!.max).toBe(600_000);
    expect(ours.buckets(25)).toEqual(reference.buckets(25));
    expect(ours.linearBuckets(30)).toEqual(reference.linearBuckets(30));
    // The smallest and largest values inside wide sub-buckets stay exact (chart bounds use them).
    const few = new LatencyHistogram();
    const fewRaw = hdr.build({ bitBucketSize: 32, autoResize: false, lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
    for (const v of [3001, 3001, 5003, 777_777, 777_778]) {
      few.recordUs(v);
      fewRaw.recordValue(v);
    }
    expect(few.buckets(10)).toEqual(new LatencyHistogram(fewRaw).buckets(10));
    expect(few.buckets(10)[0]!.upToMs).toBeGreaterThan(3.001);
    expect(few.percentilesMs()!.max).toBe(777.778);
    // ... also when both fall in one sub-bucket (599,552-600,063 µs is one slot, 512 wide).
    const one = new LatencyHistogram();
    for (const v of [599_600, 599_800, 600_000]) one.recordUs(v);
    expect(slotOf(599_600)).toBe(slotOf(600_000));
    expect(one.percentilesMs()!.max).toBe(600);
    expect(one.buckets(4)[0]!.upToMs).toBeGreaterThan(599.6);
    // Recording more after a read keeps adding to the same histogram.
    ours.recordUs(5);
    expect(ours.count).toBe(values.length + 1);
  });

  it('maps every value to HdrHistogram\'s sub-bucket: slotOf and lowestOf', () => {
    for (const v of [1, 2, 2047, 2048, 2049, 3000, 4095, 4096, 123_456, 600_000_000]) {
      const i = slotOf(v);
      expect(lowestOf(i)).toBeLessThanOrEqual(v);
      expect(slotOf(lowestOf(i))).toBe(i);
      expect(slotOf(v + 1) - i).toBeLessThanOrEqual(1);
    }
    expect(slotOf(2047)).toBe(2047);
    expect(slotOf(2048)).toBe(2048);
    expect(slotOf(2049)).toBe(2048); // width 2 from 2^11
    expect(slotOf(4096)).toBe(3072);
    expect(lowestOf(3073)).toBe(4100); // width 4 from 2^12
  });
});
