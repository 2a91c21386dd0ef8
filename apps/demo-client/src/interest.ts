// The big canvas's interest groups (`?canvas=big`, PROTOCOL.md §4.5): a fixed world of
// WORLD_PX x WORLD_PX CSS pixels cut into GRID x GRID cells, each cell an interest group. A page
// subscribes to the cells its window shows and sends its cursor to the cell it is in, so it only
// receives the cursors near what it looks at. Pure functions (unit-tested in node).
import type { Point, Size } from './coords.js';

/** Edge of the big canvas, in CSS pixels (the same in every tab, so fractions agree). */
export const WORLD_PX = 4096;
/** Cells per edge: 8 x 8 cells of 512 px. */
export const GRID = 8;

/** A rectangle in page pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The group of the cell holding `normal` (fractions 0..1 of the world): 1 + row * GRID + column. */
export function cellAt(normal: Point, grid = GRID): number {
  const col = Math.min(grid - 1, Math.max(0, Math.floor(normal.x * grid)));
  const row = Math.min(grid - 1, Math.max(0, Math.floor(normal.y * grid)));
  return 1 + row * grid + col;
}

/** The groups of every cell that `view` (page pixels) overlaps, in row order. */
export function cellsInView(view: Rect, world: Size, grid = GRID): number[] {
  const cellW = world.width / grid;
  const cellH = world.height / grid;
  const clampCell = (v: number) => Math.min(grid - 1, Math.max(0, v));
  const c0 = clampCell(Math.floor(view.x / cellW));
  const c1 = clampCell(Math.ceil((view.x + view.width) / cellW) - 1);
  const r0 = clampCell(Math.floor(view.y / cellH));
  const r1 = clampCell(Math.ceil((view.y + view.height) / cellH) - 1);
  const cells: number[] = [];
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) cells.push(1 + r * grid + c);
  return cells;
}

/** Whether two group lists hold the same groups in the same order (cellsInView's order is stable). */
export function sameCells(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
