import { describe, expect, it } from 'vitest';
import { Backoff, DEFAULT_BACKOFF } from '../src/backoff.js';

describe('Backoff', () => {
  it('grows the ceiling by the factor and caps it at maxDelayMs', () => {
    const b = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, factor: 3 });
    expect([0, 1, 2, 3, 4, 10].map((n) => b.ceiling(n))).toEqual([100, 300, 900, 1000, 1000, 1000]);
  });

  it('uses 250 ms, ×2, 10 s by default', () => {
    const b = new Backoff(DEFAULT_BACKOFF);
    expect([0, 1, 5, 6, 30].map((n) => b.ceiling(n))).toEqual([250, 500, 8000, 10_000, 10_000]);
  });

  it('draws each delay uniformly in [0, ceiling) from the injected random source', () => {
    const draws = [0, 0.5, 0.999_999, 0.25];
    const b = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, factor: 2 }, () => draws.shift() ?? 0);
    expect(b.next()).toBe(0); // 0 × 100
    expect(b.next()).toBe(100); // 0.5 × 200
    expect(b.next()).toBe(399); // just under 400
    expect(b.next()).toBe(200); // 0.25 × 800
    expect(b.attempt).toBe(4);
  });

  it('keeps every delay within [0, ceiling) whatever the random draw', () => {
    for (const r of [0, 1e-9, 0.3, 0.7, 0.999_999_999]) {
      const b = new Backoff({ initialDelayMs: 250, maxDelayMs: 10_000, factor: 2 }, () => r);
      for (let n = 0; n < 40; n++) {
        const ceiling = b.ceiling(n);
        const delay = b.next();
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
  });

  it('treats a random source outside [0, 1) as 0 rather than produce a bad delay', () => {
    for (const r of [1, -0.5, Number.NaN, 7]) {
      expect(new Backoff(DEFAULT_BACKOFF, () => r).next()).toBe(0);
    }
  });

  it('starts over after reset()', () => {
    const b = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, factor: 2 }, () => 0.5);
    b.next();
    b.next();
    expect(b.next()).toBe(200);
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(50);
  });

  it('rejects invalid options with the field name', () => {
    expect(() => new Backoff({ initialDelayMs: 0, maxDelayMs: 10, factor: 2 })).toThrow(/initialDelayMs/);
    expect(() => new Backoff({ initialDelayMs: 100, maxDelayMs: 50, factor: 2 })).toThrow(/maxDelayMs/);
    expect(() => new Backoff({ initialDelayMs: 100, maxDelayMs: 500, factor: 0.5 })).toThrow(/factor/);
    expect(() => new Backoff({ initialDelayMs: Number.POSITIVE_INFINITY, maxDelayMs: 500, factor: 2 })).toThrow(/initialDelayMs/);
  });
});
