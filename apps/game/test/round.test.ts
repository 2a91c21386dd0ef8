// Bots join through matchmaking, play a round against the real backend process, and every
// player gets the same tags, the same round end and scores that add up.
import { describe, expect, it } from 'vitest';
import type { GameEvent } from '../src/index.js';
import { useGame } from './game.js';

const game = useGame({ GAME_MAX_PLAYERS: '4', GAME_ROUND_SECONDS: '3', GAME_ROUND_PAUSE_MS: '500' });

describe('a round', () => {
  it('reaches every player: state of all, tags, round end and scores', async () => {
    const bots = [];
    for (const name of ['ann', 'bob', 'cy']) bots.push(await game.bot({ name, mode: 'swarm', inputHz: 30 }));
    const [ann, bob, cy] = bots as [typeof bots[0], typeof bots[0], typeof bots[0]];
    expect(new Set(bots.map((b) => b.ticket.room)).size).toBe(1);

    // The room was made by the backend through the server API: capacity 4 players + the backend, 60 Hz tick.
    const room = (await game.api(`/rooms/${encodeURIComponent(ann.ticket.room)}`)) as {
      tickHz: number; settings: { capacity: number }; memberList: { userId: string }[]; host: number;
    };
    expect(room.tickHz).toBe(60);
    expect(room.settings.capacity).toBe(5);
    expect(room.memberList[0]!.userId).toBe('game-backend');

    // Every bot sees all three players in the state.
    for (const b of bots) await b.waitFor(() => b.state?.players.length === 3, 10_000, 'state with 3 players');
    const ends = await Promise.all(bots.map((b) => b.waitFor(() => b.events.find((e) => e.type === 'round_end'), 15_000, 'round end')));
    expect(ends[1]).toEqual(ends[0]);
    expect(ends[2]).toEqual(ends[0]);
    const end = ends[0] as Extract<GameEvent, { type: 'round_end' }>;
    expect(end.scores.map((s) => s.name).sort()).toEqual(['ann', 'bob', 'cy']);
    expect(end.scores.map((s) => s.id).sort()).toEqual([ann.id, bob.id, cy.id].sort());

    // Tags are reliable: every bot saw the same ones, and the round's scores are their count.
    const tagsBefore = (events: GameEvent[]) => events.slice(0, events.findIndex((e) => e.type === 'round_end')).filter((e) => e.type === 'tag');
    const tags = tagsBefore(ann.events);
    expect(tagsBefore(bob.events)).toEqual(tags);
    expect(tagsBefore(cy.events)).toEqual(tags);
    expect(tags.length).toBeGreaterThan(0);
    expect(end.scores.reduce((n, s) => n + s.score, 0)).toBe(tags.length);
    const best = Math.max(...end.scores.map((s) => s.score));
    expect(end.scores.find((s) => s.id === end.winner)?.score).toBe(best);

    // Inputs came back as state: each bot measured its own input-to-state latency.
    for (const b of bots) expect(b.latencies.length).toBeGreaterThan(5);
    for (const b of bots) expect(b.bytesIn).toBeGreaterThan(1000);
    // The next round starts after the pause, for everyone.
    await Promise.all(bots.map((b) => b.waitFor(() => b.events.find((e) => e.type === 'round_start' && e.round === end.round + 1), 10_000, 'next round')));
  });
});
