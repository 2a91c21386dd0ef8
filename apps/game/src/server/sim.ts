// The authoritative simulation of one match: positions, tags, scores and the round clock,
// advanced in fixed steps. Pure (time comes in as the step length and a random source), so it is
// unit-tested without a relay; match.ts feeds it inputs and sends what it produces.
import {
  ARENA_SIZE, DASH_COOLDOWN_MS, DASH_FACTOR, DASH_MS, FROZEN_MS, IT_SPEED, PLAYER_RADIUS, SPEED,
} from '../shared/rules.js';
import { AXIS_MAX, Flags, Phase, type GameEvent, type GameState, type PhaseValue, type ScoreLine } from '../shared/wire.js';

export interface SimPlayer {
  id: number;
  userId: string;
  name: string;
  x: number;
  y: number;
  /** Current input, each axis -AXIS_MAX..AXIS_MAX. */
  dx: number;
  dy: number;
  ack: number;
  /** Total tags across rounds (kept by userId, so it survives a reconnect or a backend restart). */
  score: number;
  away: boolean;
  frozenMs: number;
  dashMs: number;
  dashCooldownMs: number;
}

export interface SimOptions {
  roundMs: number;
  pauseMs: number;
  random?: () => number;
}

export class Simulation {
  readonly players = new Map<number, SimPlayer>();
  /** Totals by userId: a player who comes back (or a restarted backend) finds its score. */
  readonly totals = new Map<string, number>();
  tick = 0;
  round = 0;
  phase: PhaseValue = Phase.waiting;
  msLeft = 0;
  it = 0;
  readonly #random: () => number;

  constructor(private readonly options: SimOptions) {
    this.#random = options.random ?? Math.random;
  }

  add(id: number, userId: string, name: string): SimPlayer {
    const player: SimPlayer = {
      id, userId, name, ...this.#spawnPoint(), dx: 0, dy: 0, ack: 0, score: this.totals.get(userId) ?? 0,
      away: false, frozenMs: 0, dashMs: 0, dashCooldownMs: 0,
    };
    this.players.set(id, player);
    return player;
  }

  remove(id: number): void {
    this.players.delete(id);
    if (this.it === id) this.it = this.#pickIt();
  }

  setInput(id: number, seq: number, dx: number, dy: number): void {
    const p = this.players.get(id);
    if (p === undefined) return;
    p.dx = dx;
    p.dy = dy;
    p.ack = seq;
  }

  /** Starts a dash; false while it cools down (the input is ignored, not punished). */
  dash(id: number): boolean {
    const p = this.players.get(id);
    if (p === undefined || p.dashCooldownMs > 0 || p.frozenMs > 0 || this.phase !== Phase.playing) return false;
    p.dashMs = DASH_MS;
    p.dashCooldownMs = DASH_COOLDOWN_MS;
    return true;
  }

  /** Advances one fixed step of `dtMs`; returns the events it produced, in order. */
  step(dtMs: number): GameEvent[] {
    this.tick++;
    const events: GameEvent[] = [];
    const present = [...this.players.values()].filter((p) => !p.away).length;
    if (this.phase === Phase.waiting) {
      if (present >= 2) events.push(this.#startRound());
      return events;
    }
    this.msLeft -= dtMs;
    if (this.phase === Phase.pause) {
      if (this.msLeft <= 0) {
        if (present >= 2) events.push(this.#startRound());
        else this.phase = Phase.waiting;
      }
      return events;
    }
    this.#move(dtMs);
    const tag = this.#tag();
    if (tag !== undefined) events.push(tag);
    if (this.msLeft <= 0) events.push(this.#endRound());
    return events;
  }

  scores(): ScoreLine[] {
    return [...this.players.values()].map((p) => ({ id: p.id, userId: p.userId, name: p.name, score: p.score }));
  }

  state(): GameState {
    return {
      tick: this.tick, round: this.round, phase: this.phase, msLeft: this.phase === Phase.waiting ? 0 : this.msLeft, it: this.it,
      players: [...this.players.values()].map((p) => ({
        id: p.id, x: p.x, y: p.y, ack: p.ack, score: p.score,
        flags: (p.away ? Flags.away : 0) | (p.frozenMs > 0 ? Flags.frozen : 0) | (p.dashMs > 0 ? Flags.dashing : 0),
      })),
    };
  }

  #startRound(): GameEvent {
    this.round++;
    this.phase = Phase.playing;
    this.msLeft = this.options.roundMs;
    for (const p of this.players.values()) Object.assign(p, this.#spawnPoint(), { frozenMs: 0, dashMs: 0, dashCooldownMs: 0 });
    this.it = this.#pickIt();
    return { type: 'round_start', round: this.round, durationMs: this.options.roundMs, it: this.it };
  }

  #endRound(): GameEvent {
    this.phase = Phase.pause;
    this.msLeft = this.options.pauseMs;
    const scores = this.scores();
    let winner = 0;
    let best = -1;
    for (const s of scores) {
      if (s.score > best) [winner, best] = [s.id, s.score];
    }
    return { type: 'round_end', round: this.round, scores, winner };
  }

  #move(dtMs: number): void {
    const dt = dtMs / 1000;
    for (const p of this.players.values()) {
      p.dashCooldownMs = Math.max(0, p.dashCooldownMs - dtMs);
      if (p.away) continue;
      if (p.frozenMs > 0) {
        p.frozenMs = Math.max(0, p.frozenMs - dtMs);
        continue;
      }
      let boost = 1;
      if (p.dashMs > 0) {
        boost = DASH_FACTOR;
        p.dashMs = Math.max(0, p.dashMs - dtMs);
      }
      // A diagonal is not faster than a straight line: the input vector is capped at length 1.
      const len = Math.hypot(p.dx, p.dy) / AXIS_MAX;
      const k = len > 1 ? 1 / len : 1;
      const speed = (p.id === this.it ? IT_SPEED : SPEED) * boost * dt * k / AXIS_MAX;
      p.x = clamp(p.x + p.dx * speed, PLAYER_RADIUS, ARENA_SIZE - PLAYER_RADIUS);
      p.y = clamp(p.y + p.dy * speed, PLAYER_RADIUS, ARENA_SIZE - PLAYER_RADIUS);
    }
  }

  /** "It" touching a player (not away, not frozen) tags it: a point for the tagger, who hands over. */
  #tag(): GameEvent | undefined {
    const it = this.players.get(this.it);
    if (it === undefined || it.frozenMs > 0 || it.away) return undefined;
    for (const p of this.players.values()) {
      if (p === it || p.away) continue;
      if (Math.hypot(p.x - it.x, p.y - it.y) > PLAYER_RADIUS * 2) continue;
      it.score++;
      this.totals.set(it.userId, it.score);
      this.it = p.id;
      p.frozenMs = FROZEN_MS;
      return { type: 'tag', tagger: it.id, tagged: p.id, scores: this.scores() };
    }
    return undefined;
  }

  #pickIt(): number {
    const candidates = [...this.players.values()].filter((p) => !p.away);
    if (candidates.length === 0) return 0;
    return candidates[Math.floor(this.#random() * candidates.length)]!.id;
  }

  #spawnPoint(): { x: number; y: number } {
    const margin = PLAYER_RADIUS * 4;
    return {
      x: margin + this.#random() * (ARENA_SIZE - 2 * margin),
      y: margin + this.#random() * (ARENA_SIZE - 2 * margin),
    };
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}
