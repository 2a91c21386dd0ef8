// The canvas of the interest-groups benchmark (issue 16 §3): bots spread over a grid of cells,
// each cell an interest group, each bot's viewport a 3 x 3 block of cells around its own
// (shifted inward at the edges, so every viewport covers 9 cells). Pure functions, seeded.
import { rng } from '@roomcast/loadtest';

/** Canvas coordinates are u16: a cursor payload is x and y as two big-endian u16 (4 bytes). */
export const CANVAS = 65536;
/** Viewport edge, in cells. */
export const VIEW_CELLS = 3;

export interface Bot {
  /** Index of the bot, 0-based. */
  index: number;
  /** Its cell, as an interest group id: 1 + row * grid + column. */
  cell: number;
  /** The groups of its viewport (9 cells). */
  view: number[];
  /** Start position on the canvas, inside its cell. */
  x: number;
  y: number;
}

/** The load tester's seeded PRNG (mulberry32), so every run places the same bots. */
export const prng = rng;

export const cellOf = (grid: number, row: number, col: number): number => 1 + row * grid + col;

/** The 3 x 3 block of cells around (row, col), shifted inward at the canvas edges. */
export function viewport(grid: number, row: number, col: number): number[] {
  const span = Math.min(VIEW_CELLS, grid);
  const r0 = Math.min(Math.max(0, row - 1), grid - span);
  const c0 = Math.min(Math.max(0, col - 1), grid - span);
  const cells: number[] = [];
  for (let r = r0; r < r0 + span; r++) for (let c = c0; c < c0 + span; c++) cells.push(cellOf(grid, r, c));
  return cells;
}

/** `count` bots placed uniformly at random over a `grid` x `grid` canvas. */
export function placeBots(count: number, grid: number, seed = 42): Bot[] {
  const random = prng(seed);
  const cellSize = CANVAS / grid;
  const bots: Bot[] = [];
  for (let index = 0; index < count; index++) {
    const x = Math.floor(random() * CANVAS);
    const y = Math.floor(random() * CANVAS);
    const col = Math.floor(x / cellSize);
    const row = Math.floor(y / cellSize);
    bots.push({ index, cell: cellOf(grid, row, col), view: viewport(grid, row, col), x, y });
  }
  return bots;
}

/** How many bots each bot's viewport holds (itself included): what it receives with groups. */
export function viewportMembers(bots: readonly Bot[]): number[] {
  const perCell = new Map<number, number>();
  for (const b of bots) perCell.set(b.cell, (perCell.get(b.cell) ?? 0) + 1);
  return bots.map((b) => b.view.reduce((sum, cell) => sum + (perCell.get(cell) ?? 0), 0));
}

/** Wire size of a server → client WebSocket frame carrying `payload` bytes (unmasked header). */
export function wsFrameBytes(payload: number): number {
  return payload + (payload < 126 ? 2 : payload < 65536 ? 4 : 10);
}
