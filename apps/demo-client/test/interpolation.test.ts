// Remote cursor smoothing (src/interpolation.ts): delayed linear interpolation between samples.
import { describe, expect, it } from 'vitest';
import { Interpolator, lerp } from '../src/interpolation.js';

const DELAY = 100;
const STEP = 1000 / 30;

describe('lerp', () => {
  it('interpolates and clamps', () => {
    expect(lerp({ x: 0, y: 10 }, { x: 10, y: 20 }, 0.25)).toEqual({ x: 2.5, y: 12.5 });
    expect(lerp({ x: 0, y: 0 }, { x: 10, y: 10 }, -1)).toEqual({ x: 0, y: 0 });
    expect(lerp({ x: 0, y: 0 }, { x: 10, y: 10 }, 2)).toEqual({ x: 10, y: 10 });
  });
});

describe('Interpolator', () => {
  it('has no position before the first sample, then holds the first one', () => {
    const m = new Interpolator({ delayMs: DELAY, intervalMs: STEP });
    expect(m.at(0)).toBeUndefined();
    m.jump(1000, { x: 5, y: 6 });
    expect(m.at(1000)).toEqual({ x: 5, y: 6 });
    expect(m.at(5000)).toEqual({ x: 5, y: 6 });
  });

  it('renders the delay behind, interpolating linearly between the two surrounding samples', () => {
    const m = new Interpolator({ delayMs: DELAY, intervalMs: STEP });
    m.jump(0, { x: 0, y: 0 });
    m.push(STEP, { x: 30, y: 60 });
    m.push(2 * STEP, { x: 60, y: 60 });
    expect(m.at(DELAY)).toEqual({ x: 0, y: 0 }); // render time 0
    const mid = m.at(DELAY + STEP / 2)!; // halfway between samples 0 and 1
    expect(mid.x).toBeCloseTo(15);
    expect(mid.y).toBeCloseTo(30);
    const later = m.at(DELAY + STEP * 1.5)!;
    expect(later.x).toBeCloseTo(45);
    expect(later.y).toBeCloseTo(60);
    expect(m.at(DELAY + 10 * STEP)).toEqual({ x: 60, y: 60 }); // holds the last sample, no overshoot
  });

  it('moves without jitter: steady samples give constant speed at any frame rate', () => {
    const m = new Interpolator({ delayMs: DELAY, intervalMs: STEP });
    m.jump(0, { x: 0, y: 0 });
    for (let i = 1; i <= 30; i++) m.push(i * STEP, { x: i * 10, y: 0 });
    let previous = m.at(DELAY + STEP)!.x;
    for (let t = DELAY + STEP + 7; t < DELAY + 29 * STEP; t += 7) {
      const x = m.at(t)!.x;
      expect((x - previous) / 7).toBeCloseTo(10 / STEP, 6); // px per ms, constant
      previous = x;
    }
  });

  it('never goes backwards in time, even when samples arrive out of order', () => {
    const m = new Interpolator({ delayMs: DELAY, intervalMs: STEP });
    m.jump(100, { x: 0, y: 0 });
    m.push(90, { x: 10, y: 0 }); // clock went backwards: spaced after the previous sample
    let last = -Infinity;
    for (let t = 100; t < 400; t += 5) {
      const x = m.at(t)!.x;
      expect(x).toBeGreaterThanOrEqual(last);
      last = x;
    }
    expect(last).toBe(10);
  });

  it('spreads samples that arrive bunched together instead of jumping', () => {
    const m = new Interpolator({ delayMs: DELAY, intervalMs: STEP });
    m.jump(0, { x: 0, y: 0 });
    m.push(STEP, { x: 10, y: 0 });
    m.push(STEP, { x: 20, y: 0 }); // same network read
    const x = m.at(DELAY + STEP + STEP / 4)!.x;
    expect(x).toBeGreaterThan(10);
    expect(x).toBeLessThan(20);
  });

  it('after a pause, rests and then glides over one interval instead of leaping', () => {
    const m = new Interpolator({ delayMs: DELAY, intervalMs: STEP });
    m.jump(0, { x: 0, y: 0 });
    m.push(5000, { x: 100, y: 0 }); // the member moved again after 5 s
    expect(m.at(5000)!.x).toBe(0); // still at rest when the sample arrives
    expect(m.at(5000 + DELAY - STEP / 2)!.x).toBeCloseTo(50); // halfway through the glide
    expect(m.at(5000 + DELAY)!.x).toBe(100);
  });

  it('reports motion and the time of the newest sample, and keeps a bounded buffer', () => {
    const m = new Interpolator({ delayMs: DELAY, intervalMs: STEP });
    m.jump(0, { x: 0, y: 0 });
    for (let i = 1; i <= 100; i++) m.push(i * STEP, { x: i, y: i });
    expect(m.size).toBeLessThanOrEqual(32);
    expect(m.lastSampleAt).toBeCloseTo(100 * STEP);
    expect(m.moving(100 * STEP)).toBe(true);
    expect(m.moving(100 * STEP + DELAY)).toBe(false);
  });

  it('jump() forgets the history', () => {
    const m = new Interpolator({ delayMs: DELAY, intervalMs: STEP });
    m.jump(0, { x: 0, y: 0 });
    m.push(STEP, { x: 50, y: 50 });
    m.jump(2 * STEP, { x: 7, y: 8 });
    expect(m.size).toBe(1);
    expect(m.at(2 * STEP)).toEqual({ x: 7, y: 8 });
  });
});
