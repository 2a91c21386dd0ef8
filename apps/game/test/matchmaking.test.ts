// Matchmaking against the real relay and backend: seats fill matches in order, a third match is
// created when two are full (a room with capacity and tick rate, through the server API), and a
// match whose players all left is closed.
import { describe, expect, it } from 'vitest';
import { useGame } from './game.js';

const game = useGame({ GAME_MAX_PLAYERS: '2', GAME_EMPTY_CLOSE_MS: '300', GAME_ROOM_PREFIX: 'mm:' });

interface Listed {
  rooms: { name: string; members: number; tickHz: number; settings: { capacity: number } }[];
}

describe('matchmaking', () => {
  it('fills two matches, creates a third, and closes a match once it is empty', async () => {
    const bots = [];
    for (let i = 0; i < 5; i++) bots.push(await game.bot({ name: `p${i}`, mode: 'idle' }));
    const rooms = bots.map((b) => b.ticket.room);
    expect(rooms[1]).toBe(rooms[0]);
    expect(rooms[3]).toBe(rooms[2]);
    expect(new Set(rooms).size).toBe(3);
    // Each ticket's token opens its own room only: a bot cannot join another match.
    await expect(bots[0]!.client.join(rooms[2]!)).rejects.toMatchObject({ code: 'forbidden' });

    const listed = (await game.api('/rooms?prefix=mm:')) as Listed;
    expect(listed.rooms.map((r) => r.name).sort()).toEqual([...new Set(rooms)].sort());
    for (const r of listed.rooms) {
      expect(r).toMatchObject({ tickHz: 60, settings: { capacity: 3 } });
      expect(r.members).toBe(r.name === rooms[4] ? 2 : 3); // players + the backend
    }

    // The lone player of the third match leaves: the backend closes that room.
    await bots[4]!.room.leave();
    await expect.poll(async () => ((await game.api('/rooms?prefix=mm:')) as Listed).rooms.length, { timeout: 10_000 }).toBe(2);
    // A new player fills no full match: a fresh third room.
    const late = await game.bot({ name: 'late', mode: 'idle' });
    expect(rooms).not.toContain(late.ticket.room);
  });

  it('refuses a bad name with 400', async () => {
    const res = await fetch(`${game.backend.url}/play`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(40) }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'bad_request', message: 'name must be 1-24 printable ASCII characters' } });
  });
});
