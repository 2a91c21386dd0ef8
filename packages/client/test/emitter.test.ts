import { afterEach, describe, expect, it, vi } from 'vitest';
import { Emitter } from '../src/emitter.js';

interface Events {
  status: string;
  count: number;
}

describe('Emitter', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('calls listeners of an event in registration order with the payload', () => {
    const e = new Emitter<Events>();
    const calls: string[] = [];
    e.on('status', (s) => calls.push(`a:${s}`));
    e.on('status', (s) => calls.push(`b:${s}`));
    e.on('count', (n) => calls.push(`count:${n}`));
    e.emit('status', 'open');
    expect(calls).toEqual(['a:open', 'b:open']);
  });

  it('removes listeners with off() and with the function on() returns', () => {
    const e = new Emitter<Events>();
    const a = vi.fn();
    const b = vi.fn();
    e.on('count', a);
    const offB = e.on('count', b);
    e.off('count', a);
    offB();
    e.emit('count', 1);
    expect(a).not.toHaveBeenCalled();
    expect(b).not.toHaveBeenCalled();
    expect(e.listenerCount('count')).toBe(0);
  });

  it('once() fires a single time', () => {
    const e = new Emitter<Events>();
    const fn = vi.fn();
    e.once('count', fn);
    e.emit('count', 1);
    e.emit('count', 2);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith(1);
  });

  it('lets a listener remove itself or add others during an emit without skipping anyone', () => {
    const e = new Emitter<Events>();
    const calls: string[] = [];
    const first = (): void => {
      calls.push('first');
      e.off('count', first);
      e.on('count', () => calls.push('late'));
    };
    e.on('count', first);
    e.on('count', () => calls.push('second'));
    e.emit('count', 1);
    expect(calls).toEqual(['first', 'second']);
    e.emit('count', 2);
    expect(calls).toEqual(['first', 'second', 'second', 'late']);
  });

  it('keeps calling the other listeners when one throws, and re-throws from a microtask', () => {
    const e = new Emitter<Events>();
    const scheduled: (() => void)[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((cb) => {
      scheduled.push(cb);
    });
    const after = vi.fn();
    e.on('count', () => {
      throw new Error('listener bug');
    });
    e.on('count', after);
    expect(() => e.emit('count', 1)).not.toThrow();
    expect(after).toHaveBeenCalledWith(1);
    expect(scheduled).toHaveLength(1);
    expect(() => scheduled[0]!()).toThrow('listener bug');
  });

  it('does nothing when an event has no listeners', () => {
    const e = new Emitter<Events>();
    expect(() => e.emit('status', 'x')).not.toThrow();
  });
});
