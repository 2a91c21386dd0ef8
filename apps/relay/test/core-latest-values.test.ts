// Unit tests of a room's `latest` store (core/latest.ts): merging, clearing, what the next batch
// and a snapshot carry, and the (sender, key) slot arithmetic at its edges (sender 65535, key 255).
import { describe, expect, it } from 'vitest';
import { LatestValues } from '../src/core/latest.js';

const bytes = (...b: number[]) => new Uint8Array(b);
const plain = (entries: { sender: number; key: number; payload: Uint8Array }[]) =>
  entries.map((e) => [e.sender, e.key, [...e.payload]]);

describe('LatestValues', () => {
  it('reports a merge only when a value replaces one not yet flushed', () => {
    const v = new LatestValues();
    expect(v.set(1, 0, bytes(1))).toBe(false);
    expect(v.set(1, 0, bytes(2))).toBe(true);
    expect(v.set(1, 1, bytes(3))).toBe(false); // another key of the same sender
    expect(v.set(2, 0, bytes(4))).toBe(false); // another sender, same key
    expect(v.changed).toBe(3);
    v.clearChanges();
    expect(v.changed).toBe(0);
    expect(v.set(1, 0, bytes(5))).toBe(false);
  });

  it('the next batch carries the newest value of each changed slot; a snapshot every current value', () => {
    const v = new LatestValues();
    v.set(1, 0, bytes(1));
    v.set(1, 0, bytes(2));
    v.set(65535, 255, bytes(9));
    expect(plain(v.peekChanges())).toEqual([[1, 0, [2]], [65535, 255, [9]]]);
    expect(plain(v.peekChanges())).toEqual([[1, 0, [2]], [65535, 255, [9]]]); // peek does not clear
    v.clearChanges();
    expect(v.peekChanges()).toEqual([]);
    v.set(3, 7, bytes(7));
    expect(plain(v.peekChanges())).toEqual([[3, 7, [7]]]);
    expect(plain(v.all())).toEqual([[1, 0, [2]], [65535, 255, [9]], [3, 7, [7]]]);
    expect(v.size).toBe(3);
  });

  it('an empty payload clears the value: announced once as empty, gone from snapshots', () => {
    const v = new LatestValues();
    v.set(4, 2, bytes(1, 2));
    v.clearChanges();
    expect(v.set(4, 2, bytes())).toBe(false);
    expect(plain(v.peekChanges())).toEqual([[4, 2, []]]);
    expect(v.all()).toEqual([]);
    expect(v.size).toBe(0);
  });

  it('clearMember drops the given keys of that member only, without announcing them', () => {
    const v = new LatestValues();
    v.set(1, 0, bytes(1));
    v.set(1, 1, bytes(2));
    v.set(1, 2, bytes(3));
    v.set(2, 0, bytes(4));
    v.clearMember(1, [0, 1]);
    expect(plain(v.peekChanges())).toEqual([[1, 2, [3]], [2, 0, [4]]]);
    expect(plain(v.all())).toEqual([[1, 2, [3]], [2, 0, [4]]]);
    expect(v.changed).toBe(2);
    expect(v.size).toBe(2);
  });
});
