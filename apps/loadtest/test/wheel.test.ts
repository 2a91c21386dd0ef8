// The send scheduler's timing wheel: items are visited at the first drain at or after their time.
import { describe, expect, it } from 'vitest';
import { TimingWheel } from '../src/wheel.js';

describe('TimingWheel', () => {
  it('visits each item at the first drain at or after its time, and nothing before', () => {
    const wheel = new TimingWheel<string>(5, 8, 1000);
    wheel.add('a', 1003);
    wheel.add('b', 1012);
    wheel.add('c', 990); // already due
    const at = (now: number): string[] => {
      const seen: string[] = [];
      wheel.drain(now, (x) => seen.push(x));
      return seen.sort();
    };
    // Slot [1000, 1005) holds a and c: visited once it has begun (the caller checks the exact time).
    expect(at(999)).toEqual([]);
    expect(at(1004)).toEqual(['a', 'c']);
    expect(at(1009)).toEqual([]);
    expect(at(1014)).toEqual(['b']);
    expect(at(1100)).toEqual([]);
  });

  it('leaves items added during a drain for the next one, and visits items beyond the horizon early', () => {
    const wheel = new TimingWheel<number>(5, 4, 0); // horizon 20 ms
    let visits = 0;
    wheel.add(1, 0);
    wheel.drain(1, (x) => { visits++; wheel.add(x, 0); }); // due again at once: next drain
    expect(visits).toBe(1);
    wheel.drain(6, () => { visits++; });
    expect(visits).toBe(2);
    wheel.add(2, 500); // beyond the horizon: in the last slot, visited when it begins
    const seen: number[] = [];
    wheel.drain(25, (x) => seen.push(x));
    expect(seen).toEqual([2]);
    wheel.clear(0);
    wheel.drain(1000, (x) => seen.push(x));
    expect(seen).toEqual([2]);
  });
});
