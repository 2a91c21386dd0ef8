// Snapshot interpolation: the page draws the world a little behind the newest state, between the
// two states around that moment, so 20 Hz server steps look like smooth motion. States are
// stamped with their server tick, so jitter in arrival does not become jitter on screen.
import type { GameState, PlayerState } from '../src/shared/wire.js';

/** How far behind the newest state the world is drawn: two 20 Hz steps, so one lost frame is bridged. */
export const DELAY_MS = 100;

interface Stamped {
  state: GameState;
  /** Local time this state is drawn at: its arrival, smoothed onto the tick grid. */
  at: number;
}

export class Interpolator {
  readonly #buffer: Stamped[] = [];
  #offset: number | undefined;

  constructor(private readonly stepMs: number) {}

  push(state: GameState, now: number): void {
    const last = this.#buffer.at(-1);
    if (last !== undefined && state.tick <= last.state.tick) {
      if (last.state.tick - state.tick < 1000) return; // old or repeated
      this.#buffer.length = 0; // a new backend restarted the tick count
      this.#offset = undefined;
    }
    // Local time of tick 0, tracked as the smallest (earliest-possible) offset seen, eased upward
    // so a slow stretch does not push the picture behind for good.
    const offset = now - state.tick * this.stepMs;
    this.#offset = this.#offset === undefined || offset < this.#offset ? offset : this.#offset + (offset - this.#offset) * 0.02;
    this.#buffer.push({ state, at: this.#offset + state.tick * this.stepMs });
    if (this.#buffer.length > 40) this.#buffer.shift();
  }

  /** Newest state as received (scores, phase, who is "it"). */
  get latest(): GameState | undefined {
    return this.#buffer.at(-1)?.state;
  }

  /** Players at time `now - DELAY_MS`, each interpolated between the two states around it. */
  sample(now: number): PlayerState[] {
    const t = now - DELAY_MS;
    const buffer = this.#buffer;
    if (buffer.length === 0) return [];
    let i = buffer.length - 1;
    while (i > 0 && buffer[i]!.at > t) i--;
    const a = buffer[i]!;
    const b = buffer[i + 1];
    if (b === undefined || t <= a.at) return (t <= a.at ? a : buffer.at(-1)!).state.players;
    const k = Math.min(1, (t - a.at) / (b.at - a.at));
    const before = new Map(a.state.players.map((p) => [p.id, p]));
    return b.state.players.map((p) => {
      const q = before.get(p.id);
      return q === undefined ? p : { ...p, x: q.x + (p.x - q.x) * k, y: q.y + (p.y - q.y) * k };
    });
  }
}
