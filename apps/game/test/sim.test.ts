// The simulation alone (no relay): movement at the rule speeds, tags and their scores, the round
// clock, away players.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/server/sim.js';
import { FROZEN_MS, IT_SPEED, PLAYER_RADIUS, SPEED } from '../src/shared/rules.js';
import { Phase } from '../src/shared/wire.js';

function sim(roundMs = 1000) {
  const s = new Simulation({ roundMs, pauseMs: 100, random: () => 0.5 });
  return s;
}

describe('Simulation', () => {
  it('waits for two players, then starts a round with one "it"', () => {
    const s = sim();
    s.add(1, 'a', 'A');
    expect(s.step(50)).toEqual([]);
    expect(s.phase).toBe(Phase.waiting);
    s.add(2, 'b', 'B');
    expect(s.step(50)).toEqual([{ type: 'round_start', round: 1, durationMs: 1000, it: 2 }]);
    expect(s.phase).toBe(Phase.playing);
  });

  it('moves at the rule speed, capped on diagonals, inside the arena', () => {
    const s = sim();
    const a = s.add(1, 'a', 'A');
    const b = s.add(2, 'b', 'B');
    s.step(50); // round starts, it = 2
    Object.assign(a, { x: 100, y: 100 });
    Object.assign(b, { x: 500, y: 500 });
    s.setInput(1, 7, 100, 0);
    s.setInput(2, 3, 100, 100);
    s.step(100);
    expect(a.x).toBeCloseTo(100 + SPEED * 0.1);
    expect(Math.hypot(b.x - 500, b.y - 500)).toBeCloseTo(IT_SPEED * 0.1); // not faster on a diagonal
    expect(b.x - 500).toBeCloseTo(b.y - 500);
    expect(s.state().players.map((p) => p.ack)).toEqual([7, 3]);
    Object.assign(a, { x: 990 });
    s.step(100);
    expect(a.x).toBe(1000 - PLAYER_RADIUS);
  });

  it('a touch by "it" scores, hands "it" over and freezes the tagged player', () => {
    const s = sim();
    const a = s.add(1, 'a', 'A');
    const b = s.add(2, 'b', 'B');
    s.step(50);
    expect(s.it).toBe(2);
    Object.assign(a, { x: 500, y: 500 });
    Object.assign(b, { x: 500 + PLAYER_RADIUS, y: 500 });
    const events = s.step(50);
    expect(events).toEqual([{ type: 'tag', tagger: 2, tagged: 1, scores: [{ id: 1, userId: 'a', name: 'A', score: 0 }, { id: 2, userId: 'b', name: 'B', score: 1 }] }]);
    expect(s.it).toBe(1);
    expect(a.frozenMs).toBe(FROZEN_MS);
    expect(s.totals.get('b')).toBe(1);
    // Frozen "it" cannot tag back at once.
    expect(s.step(50)).toEqual([]);
  });

  it('ends the round with scores and a winner, pauses, then starts the next', () => {
    const s = sim(100);
    s.add(1, 'a', 'A');
    s.add(2, 'b', 'B').score = 3;
    s.step(50);
    Object.assign(s.players.get(1)!, { x: 100, y: 100 });
    Object.assign(s.players.get(2)!, { x: 900, y: 900 });
    expect(s.step(50)).toEqual([]);
    expect(s.step(50)).toEqual([{ type: 'round_end', round: 1, winner: 2, scores: [{ id: 1, userId: 'a', name: 'A', score: 0 }, { id: 2, userId: 'b', name: 'B', score: 3 }] }]);
    expect(s.phase).toBe(Phase.pause);
    expect(s.step(50)).toEqual([]);
    expect(s.step(50)).toMatchObject([{ type: 'round_start', round: 2 }]);
  });

  it('a returning user keeps its total; an away player neither moves nor is tagged', () => {
    const s = sim();
    s.totals.set('a', 4);
    const a = s.add(1, 'a', 'A');
    expect(a.score).toBe(4);
    const b = s.add(2, 'b', 'B');
    s.step(50);
    a.away = true;
    Object.assign(a, { x: 500, y: 500 });
    Object.assign(b, { x: 500, y: 500 });
    s.setInput(1, 1, 100, 0);
    expect(s.step(50)).toEqual([]);
    expect(a.x).toBe(500);
    expect(s.state().players[0]!.flags).toBe(1);
  });
});
