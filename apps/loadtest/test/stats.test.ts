import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../src/histogram.js';
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
});
