// Smooth remote cursors: a small buffer of received positions, rendered a fixed delay behind
// real time with linear interpolation between the two samples around the render time. At a
// ~30 Hz send rate a 100 ms delay always has a sample on each side, so motion has no jitter.
// Pure (time is passed in), unit-tested in node.
import type { Point } from './coords.js';

/** How far behind real time remote cursors are drawn. */
export const RENDER_DELAY_MS = 100;
/** The interval the interpolation expects between samples (the room tick, 30 Hz by default). */
export const SEND_INTERVAL_MS = 1000 / 30;
/** Samples kept per cursor at most (older ones are behind the render time anyway). */
const MAX_SAMPLES = 32;

/** A received position (any unit, here document fractions) and its receive time in ms. */
export interface Sample extends Point {
  t: number;
}

export interface InterpolatorOptions {
  /** Render delay in ms; default RENDER_DELAY_MS. */
  delayMs?: number;
  /** Expected interval between samples in ms; default SEND_INTERVAL_MS. */
  intervalMs?: number;
}

/** Linear interpolation between a and b; k is clamped to 0..1. */
export function lerp(a: Point, b: Point, k: number): Point {
  const c = k <= 0 ? 0 : k >= 1 ? 1 : k;
  return { x: a.x + (b.x - a.x) * c, y: a.y + (b.y - a.y) * c };
}

/** The position of one remote cursor over time. */
export class Interpolator {
  readonly delayMs: number;
  readonly intervalMs: number;
  /** Ascending by t. samples[0] is the newest sample at or before the last render time. */
  readonly #samples: Sample[] = [];

  constructor(options: InterpolatorOptions = {}) {
    this.delayMs = options.delayMs ?? RENDER_DELAY_MS;
    this.intervalMs = options.intervalMs ?? SEND_INTERVAL_MS;
  }

  /** Receive time of the newest sample, or -Infinity before the first. */
  get lastSampleAt(): number {
    return this.#samples.at(-1)?.t ?? -Infinity;
  }

  /** Number of buffered samples (for tests). */
  get size(): number {
    return this.#samples.length;
  }

  /**
   * Adds a position received at time `t`.
   * - Samples that arrive bunched together (one network read) are spread at least half an
   *   interval apart, so they play as motion rather than a jump.
   * - After a pause longer than the delay, the previous position is re-anchored one interval
   *   before the new sample: the cursor rests, then glides over one interval (no sudden leap
   *   because the gap "already elapsed").
   */
  push(t: number, p: Point): void {
    const last = this.#samples.at(-1);
    let time = t;
    if (last !== undefined) {
      if (time - last.t > this.delayMs) {
        this.#samples.push({ t: time - this.intervalMs, x: last.x, y: last.y });
      } else {
        time = Math.max(time, last.t + this.intervalMs / 2);
      }
    }
    this.#samples.push({ t: time, x: p.x, y: p.y });
    if (this.#samples.length > MAX_SAMPLES) this.#samples.splice(0, this.#samples.length - MAX_SAMPLES);
  }

  /** Forgets the history and places the cursor at `p` at once (e.g. when it reappears). */
  jump(t: number, p: Point): void {
    this.#samples.length = 0;
    this.#samples.push({ t, x: p.x, y: p.y });
  }

  /** The position to draw at time `now` (rendered `delayMs` behind), or undefined before any sample. */
  at(now: number): Point | undefined {
    const s = this.#samples;
    const renderAt = now - this.delayMs;
    // Drop samples the render time has passed, keeping the one just before it.
    while (s.length >= 2 && s[1]!.t <= renderAt) s.shift();
    const a = s[0];
    if (a === undefined) return undefined;
    const b = s[1];
    if (b === undefined || renderAt <= a.t) return { x: a.x, y: a.y };
    return lerp(a, b, (renderAt - a.t) / (b.t - a.t));
  }

  /** True while the drawn position still changes (the render time is before the newest sample). */
  moving(now: number): boolean {
    return this.#samples.length >= 2 && now - this.delayMs < this.lastSampleAt;
  }
}
