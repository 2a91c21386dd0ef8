// Unit tests of core/clock.ts: `repeat` on a fake clock (every period, stopped for good), and the
// system clock's timers (a cleared timer never fires; a set one does, with its delay).
import { describe, expect, it } from 'vitest';
import { repeat, systemClock } from '../src/core/clock.js';
import { FakeClock } from './fakes.js';

describe('repeat', () => {
  it('runs every period, not before, and never after it is stopped', () => {
    const clock = new FakeClock();
    const at: number[] = [];
    const stop = repeat(clock, 100, () => at.push(clock.now()));
    clock.advance(99);
    expect(at).toEqual([]);
    clock.advance(1);
    expect(at).toEqual([100]);
    clock.advance(250);
    expect(at).toEqual([100, 200, 300]);
    stop();
    expect(clock.pending).toBe(0);
    clock.advance(1000);
    expect(at).toEqual([100, 200, 300]);
  });

  it('stopped from inside its own run: no further run', () => {
    const clock = new FakeClock();
    let runs = 0;
    const stop: () => void = repeat(clock, 10, () => {
      runs++;
      stop();
    });
    clock.advance(100);
    expect(runs).toBe(1);
    expect(clock.pending).toBe(0);
  });
});

describe('systemClock', () => {
  it('is monotonic milliseconds; a timer fires after its delay, a cleared one never', async () => {
    const t0 = systemClock.now();
    let cleared = false;
    const handle = systemClock.setTimeout(() => { cleared = true; }, 1);
    systemClock.clearTimeout(handle);
    const firedAt = await new Promise<number>((resolve) => systemClock.setTimeout(() => resolve(systemClock.now()), 20));
    expect(firedAt - t0).toBeGreaterThanOrEqual(19);
    // The cleared 1 ms timer was due long before the 20 ms one.
    expect(cleared).toBe(false);
    expect(Math.abs(systemClock.now() - performance.now())).toBeLessThan(50);
  });
});
