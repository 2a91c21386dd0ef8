import { describe, expect, it } from 'vitest';
import { logTicks, niceStep, niceTicks, tickLabel } from '../src/ticks.js';

describe('nice ticks', () => {
  it('steps are 1, 2 or 5 x 10^n', () => {
    expect([niceStep(11.8), niceStep(10), niceStep(7.85), niceStep(0.9), niceStep(30_008), niceStep(3)]).toEqual([5, 2, 2, 0.2, 10_000, 1]);
  });

  it('cover the maximum from 0 with round values (the issue: 3.92 / 7.85 / 11.8)', () => {
    expect(niceTicks(11.8).values).toEqual([0, 5, 10, 15]);
    expect(niceTicks(11.8, 8).values).toEqual([0, 2, 4, 6, 8, 10, 12]);
    expect(niceTicks(0.37).values).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    expect(niceTicks(0.37).decimals).toBe(1);
    expect(niceTicks(2_345).values).toEqual([0, 500, 1000, 1500, 2000, 2500]);
    expect(niceTicks(100).values).toEqual([0, 20, 40, 60, 80, 100]);
  });

  it('count axes are integers: never "0.00" or "0.50"', () => {
    expect(niceTicks(1, 5, true).values).toEqual([0, 1]);
    expect(niceTicks(3, 5, true).values).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0, 5, true).values).toEqual([0, 1]);
    expect(niceTicks(3, 5, true).decimals).toBe(0);
    expect(niceTicks(3, 5, true).values.map((v) => tickLabel(v, 0))).toEqual(['0', '1', '2', '3']);
  });

  it('labels exactly, without float noise', () => {
    expect(niceTicks(0.7).values.map((v) => tickLabel(v, niceTicks(0.7).decimals))).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8']);
    expect(tickLabel(12_000, 0)).toBe('12,000');
  });

  it('log axes get 1, 2, 5 x 10^n inside the range, or linear nice ticks when it is narrow', () => {
    expect(logTicks(0.3, 60)).toEqual([0.5, 1, 2, 5, 10, 20, 50]);
    expect(logTicks(0.0004, 0.003)).toEqual([0.0005, 0.001, 0.002]);
    expect(logTicks(1.2, 1.9)).toEqual([1.2, 1.4, 1.6, 1.8]);
    expect(logTicks(0, 10)).toEqual([]);
  });
});

describe('linear histogram buckets (staleness)', () => {
  it('equal nice widths from 0 that hold every sample, and never narrower than 1 µs', async () => {
    const { LatencyHistogram } = await import('../src/histogram.js');
    const h = new LatencyHistogram();
    for (const us of [0, 0, 0, 1500, 2500, 33_000]) h.recordUs(us);
    const b = h.linearBuckets(30);
    expect(b[0]).toEqual({ upToMs: 2, count: 4 });
    expect(b.length).toBe(17);
    expect(b[16]).toEqual({ upToMs: 34, count: 1 });
    expect(b.reduce((a, x) => a + x.count, 0)).toBe(6);
    // 0 is recorded as 1 µs (the HdrHistogram's lowest discernible value): the 1-2 µs bucket.
    const zeros = new LatencyHistogram();
    zeros.recordUs(0);
    expect(zeros.linearBuckets(30)).toEqual([{ upToMs: 0.001, count: 0 }, { upToMs: 0.002, count: 1 }]);
  });
});
