// Unit tests of the token bucket and the strike window (core/rate.ts) with exact values: the
// relay-level tests (limits.test.ts, core.test.ts) show the behaviour through frames, these pin
// the arithmetic at its edges (capacity, refill, debt, the window boundary).
import { describe, expect, it } from 'vitest';
import { StrikeWindow, TokenBucket } from '../src/core/rate.js';

describe('TokenBucket', () => {
  it('starts full, or at the level it is given but never above capacity', () => {
    expect(new TokenBucket(10, 5, 0).level(0)).toBe(5);
    expect(new TokenBucket(10, 5, 0, 3).level(0)).toBe(3);
    expect(new TokenBucket(10, 5, 0, 9).level(0)).toBe(5);
  });

  it('gives exactly its capacity at once, then refills at its rate up to capacity only', () => {
    const b = new TokenBucket(10, 5, 1000);
    for (let i = 0; i < 5; i++) expect(b.take(1000), `take ${i + 1}`).toBe(true);
    expect(b.take(1000)).toBe(false);
    expect(b.level(1000)).toBe(0);
    expect(b.level(1099)).toBeCloseTo(0.99, 10); // 10 per second: 0.01 token per ms
    expect(b.take(1099)).toBe(false);
    expect(b.take(1100)).toBe(true); // exactly one token at 100 ms
    expect(b.level(1100)).toBeCloseTo(0, 10);
    expect(b.level(60_000)).toBe(5); // an idle minute refills to capacity, not 590
  });

  it('takes n tokens only when n are there (exactly n is enough), and takes nothing otherwise', () => {
    const b = new TokenBucket(1, 5, 0);
    expect(b.take(0, 3)).toBe(true);
    expect(b.take(0, 3)).toBe(false);
    expect(b.level(0)).toBe(2);
    expect(b.take(0, 2)).toBe(true);
    expect(b.level(0)).toBe(0);
  });

  it('has(n) says whether n tokens are there without taking them', () => {
    const b = new TokenBucket(1, 5, 0, 2);
    expect(b.has(0, 2)).toBe(true);
    expect(b.has(0, 3)).toBe(false);
    expect(b.level(0)).toBe(2);
    expect(b.has(1000, 3)).toBe(true); // one more after a second
  });

  it('force goes into debt, which the refill pays back first', () => {
    const b = new TokenBucket(10, 5, 0);
    b.force(0, 7);
    expect(b.level(0)).toBe(-2);
    expect(b.has(0, 0)).toBe(false);
    expect(b.level(200)).toBeCloseTo(0, 10);
    expect(b.take(300)).toBe(true);
  });

  it('msUntilFull: the time to refill the missing tokens, 0 when full or when the rate is 0', () => {
    const b = new TokenBucket(10, 5, 0);
    expect(b.msUntilFull(0)).toBe(0);
    b.force(0, 7); // -2: 7 tokens missing at 10/s
    expect(b.msUntilFull(0)).toBe(700);
    expect(b.msUntilFull(300)).toBeCloseTo(400, 6);
    expect(b.msUntilFull(5000)).toBe(0);
    const still = new TokenBucket(0, 5, 0);
    still.force(0, 3);
    expect(still.msUntilFull(0)).toBe(0);
    expect(still.level(10_000)).toBe(2); // rate 0 never refills
  });

  it('a clock that goes back neither refills nor moves the refill start', () => {
    const b = new TokenBucket(10, 5, 1000, 0);
    expect(b.level(900)).toBe(0);
    expect(b.level(1100)).toBeCloseTo(1, 10); // counted from 1000, not from 900
  });
});

describe('StrikeWindow', () => {
  it('trips on the strike after the limit, within one window', () => {
    const w = new StrikeWindow(3, 10_000);
    expect([w.hit(0), w.hit(1), w.hit(2), w.hit(3), w.hit(4)]).toEqual([false, false, false, true, true]);
  });

  it('starts a new window, counting from zero, exactly windowMs after the first strike', () => {
    const w = new StrikeWindow(2, 10_000);
    expect([w.hit(100), w.hit(5000), w.hit(10_099)]).toEqual([false, false, true]); // 9,999 ms: same window
    const v = new StrikeWindow(2, 10_000);
    expect([v.hit(100), v.hit(5000), v.hit(10_100)]).toEqual([false, false, false]); // 10,000 ms: new window
    expect([v.hit(10_101), v.hit(10_102)]).toEqual([false, true]); // that window counts from its own start
    expect(v.hit(20_100)).toBe(false);
  });

  it('a limit of 0 trips on the first strike', () => {
    expect(new StrikeWindow(0, 1000).hit(0)).toBe(true);
  });
});
