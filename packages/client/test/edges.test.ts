// Edge values of the SDK's pure modules, asserted exactly (found by mutation testing, see
// docs/testing.md): option bounds and the messages that name them, the backoff factor, cursor
// NaN, error causes, the emitter on unknown events, and the latest throttle's own copy.
import { describe, expect, it, vi } from 'vitest';
import { Backoff } from '../src/backoff.js';
import { decodeCursor, encodeCursor } from '../src/cursor.js';
import { Emitter } from '../src/emitter.js';
import { RoomcastError } from '../src/errors.js';
import { LatestThrottle } from '../src/latest.js';
import { resolveConnectOptions, resolveOptions } from '../src/options.js';

describe('options', () => {
  it('clientName: 256 characters are accepted, 257 refused with a message that names the field', () => {
    expect(resolveOptions({ clientName: 'n'.repeat(256) }).clientName).toHaveLength(256);
    expect(() => resolveOptions({ clientName: 'n'.repeat(257) })).toThrow(new RangeError('clientName must be at most 256 characters (got 257)'));
  });

  it('timeouts: the error names the field and the value', () => {
    expect(() => resolveOptions({ connectTimeoutMs: 0 })).toThrow(new RangeError('connectTimeoutMs must be a finite number > 0 (got 0)'));
    expect(() => resolveOptions({ requestTimeoutMs: -1 })).toThrow(new RangeError('requestTimeoutMs must be a finite number > 0 (got -1)'));
  });

  it('maxAttempts: 1 is the smallest accepted', () => {
    expect(resolveConnectOptions({ maxAttempts: 1 })).toEqual({ retry: false, maxAttempts: 1 });
    expect(() => resolveConnectOptions({ maxAttempts: 0 })).toThrow(new RangeError('maxAttempts must be an integer >= 1 (got 0)'));
  });
});

describe('backoff', () => {
  it('a factor of exactly 1 is accepted (constant ceiling); below 1 is refused', () => {
    const b = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, factor: 1 }, () => 0.5);
    expect([b.next(), b.next(), b.next()]).toEqual([50, 50, 50]);
    expect(() => new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, factor: 0.9 })).toThrow('reconnect.factor must be a finite number >= 1 (got 0.9)');
  });
});

describe('cursor', () => {
  it('NaN encodes as 0, like any coordinate below 0', () => {
    expect([...encodeCursor(Number.NaN, Number.NaN)]).toEqual([0, 0, 0]);
    expect(decodeCursor(encodeCursor(Number.NaN, 1))).toEqual(decodeCursor(encodeCursor(0, 1)));
  });
});

describe('RoomcastError', () => {
  it('keeps the cause it is given, and has none otherwise', () => {
    const cause = new Error('socket');
    expect(new RoomcastError('connect_failed', 'x', { cause }).cause).toBe(cause);
    expect('cause' in new RoomcastError('connect_failed', 'x')).toBe(false);
  });
});

describe('Emitter', () => {
  it('an event nobody listened to has no listeners, and removing or emitting on it does nothing', () => {
    const e = new Emitter<{ a: number; b: number }>();
    expect(e.listenerCount('a')).toBe(0);
    e.off('a', () => {});
    e.emit('a', 1);
    const seen: number[] = [];
    const off = e.on('b', (n) => seen.push(n));
    off();
    expect(e.listenerCount('b')).toBe(0);
    e.emit('b', 2);
    expect(seen).toEqual([]);
  });
});

describe('LatestThrottle', () => {
  it('keeps its own copy of each value, sends the newest per key once per interval, and cancel drops them', () => {
    vi.useFakeTimers();
    try {
      const sent: [number, number[]][] = [];
      const t = new LatestThrottle(() => 100, (values) => { for (const [k, v] of values) sent.push([k, [...v]]); });
      const buf = new Uint8Array([1]);
      t.push(0, buf);
      buf[0] = 9; // the caller reuses its buffer: the value pushed stays 1
      vi.advanceTimersByTime(0);
      expect(sent).toEqual([[0, [1]]]);
      t.push(0, new Uint8Array([2]));
      t.push(0, new Uint8Array([3]));
      vi.advanceTimersByTime(99);
      expect(sent).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(sent).toEqual([[0, [1]], [0, [3]]]);
      t.push(1, new Uint8Array([4]));
      t.cancel();
      vi.advanceTimersByTime(1000);
      expect(sent).toHaveLength(2);
      t.push(1, new Uint8Array([5])); // after a cancel the throttle works again
      vi.advanceTimersByTime(1000);
      expect(sent).toEqual([[0, [1]], [0, [3]], [1, [5]]]);
    } finally {
      vi.useRealTimers();
    }
  });
});
