// core/ticks.ts: when a room's flush runs (never early, at most the rounding to the next
// millisecond late), one timer per due millisecond shared by its rooms, and cancellation.
import { describe, expect, it } from 'vitest';
import { TickScheduler, type Ticking } from '../src/core/ticks.js';
import { FakeClock } from './fakes.js';

function room(name: string, tickMs: number): Ticking & { name: string } {
  return { name, tickMs, lastFlushAt: Number.NEGATIVE_INFINITY, tickDue: undefined };
}

function scheduler() {
  const clock = new FakeClock();
  const flushed: [string, number][] = [];
  const ticks = new TickScheduler<Ticking & { name: string }>(clock, (r) => {
    flushed.push([r.name, clock.now()]);
    r.lastFlushAt = clock.now();
  });
  return { clock, flushed, ticks };
}

describe('TickScheduler', () => {
  it('a room that never flushed is due at once (a 0 ms timer); the next change waits a tick after that flush', () => {
    const { clock, flushed, ticks } = scheduler();
    clock.advance(100);
    const r = room('a', 50);
    ticks.schedule(r);
    expect(r.tickDue).toBe(100);
    expect(clock.pending).toBe(1);
    clock.advance(0);
    expect(flushed).toEqual([['a', 100]]);
    expect(r.tickDue).toBeUndefined();
    clock.advance(10);
    ticks.schedule(r);
    expect(r.tickDue).toBe(150);
    clock.advance(39);
    expect(flushed).toHaveLength(1);
    clock.advance(1);
    expect(flushed).toEqual([['a', 100], ['a', 150]]);
  });

  it('schedule is a no-op while a flush is pending: one flush, one timer', () => {
    const { clock, flushed, ticks } = scheduler();
    const r = room('a', 50);
    r.lastFlushAt = 0;
    ticks.schedule(r);
    ticks.schedule(r);
    expect(clock.pending).toBe(1);
    clock.advance(50);
    expect(flushed).toEqual([['a', 50]]);
    clock.advance(500);
    expect(flushed).toHaveLength(1);
  });

  it('rounds a fractional due time up to the millisecond (never early)', () => {
    const { clock, flushed, ticks } = scheduler();
    const r = room('a', 1000 / 30); // 33.33 ms
    r.lastFlushAt = 0;
    ticks.schedule(r);
    expect(r.tickDue).toBe(34);
    clock.advance(33);
    expect(flushed).toEqual([]);
    clock.advance(1);
    expect(flushed).toEqual([['a', 34]]);
  });

  it('rooms due in the same millisecond share one timer and flush in the order they were scheduled', () => {
    const { clock, flushed, ticks } = scheduler();
    const a = room('a', 50);
    const b = room('b', 40);
    const c = room('c', 50);
    a.lastFlushAt = 0;
    b.lastFlushAt = 10;
    c.lastFlushAt = 0;
    ticks.schedule(a);
    ticks.schedule(b);
    ticks.schedule(c);
    expect(clock.pending).toBe(1);
    clock.advance(50);
    expect(flushed).toEqual([['a', 50], ['b', 50], ['c', 50]]);
  });

  it('a cancelled room does not flush, the others due then still do; it can be scheduled again', () => {
    const { clock, flushed, ticks } = scheduler();
    const a = room('a', 50);
    const b = room('b', 50);
    a.lastFlushAt = 0;
    b.lastFlushAt = 0;
    ticks.schedule(a);
    ticks.schedule(b);
    ticks.cancel(a);
    expect(a.tickDue).toBeUndefined();
    clock.advance(50);
    expect(flushed).toEqual([['b', 50]]);
    // Re-armed after a cancel whose timer is still pending: the old timer must not flush it early.
    const c = room('c', 50);
    c.lastFlushAt = 60;
    ticks.schedule(c);
    ticks.cancel(c);
    c.lastFlushAt = 80;
    ticks.schedule(c);
    expect(c.tickDue).toBe(130);
    clock.advance(60); // now 110: the timer of 110 fires, c is not due then
    expect(flushed).toEqual([['b', 50]]);
    clock.advance(20);
    expect(flushed).toEqual([['b', 50], ['c', 130]]);
  });
});
