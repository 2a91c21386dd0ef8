// The big canvas's cells (src/interest.ts): which group a pointer is in, and which groups a
// window shows.
import { describe, expect, it } from 'vitest';
import { GRID, WORLD_PX, cellAt, cellsInView, sameCells } from '../src/interest.js';

const world = { width: WORLD_PX, height: WORLD_PX };

describe('big canvas cells', () => {
  it('numbers cells 1 + row * 8 + column, clamped to the world', () => {
    expect(GRID).toBe(8);
    expect(cellAt({ x: 0, y: 0 })).toBe(1);
    expect(cellAt({ x: 0.99, y: 0 })).toBe(8);
    expect(cellAt({ x: 0.2, y: 0.3 })).toBe(1 + 2 * 8 + 1);
    expect(cellAt({ x: 1, y: 1 })).toBe(64);
    expect(cellAt({ x: -0.5, y: 2 })).toBe(57);
  });

  it('lists the cells a window overlaps (512 px cells)', () => {
    expect(cellsInView({ x: 0, y: 0, width: 1280, height: 800 }, world)).toEqual([1, 2, 3, 9, 10, 11]);
    expect(cellsInView({ x: 0, y: 0, width: 1024, height: 512 }, world)).toEqual([1, 2]);
    expect(cellsInView({ x: 2816, y: 3296, width: 1280, height: 800 }, world)).toEqual([54, 55, 56, 62, 63, 64]);
    // A window larger than the world sees all of it, and no more.
    expect(cellsInView({ x: 0, y: 0, width: 9000, height: 9000 }, world)).toHaveLength(64);
  });

  it('compares cell lists', () => {
    expect(sameCells([1, 2], [1, 2])).toBe(true);
    expect(sameCells([1, 2], [1, 3])).toBe(false);
    expect(sameCells([1], [1, 2])).toBe(false);
  });
});
