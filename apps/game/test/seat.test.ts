// A player whose connection drops keeps its seat for RELAY_SEAT_GRACE_MS: the backend keeps it
// in the match as away (frozen in place), and it comes back under the same id with its score.
import { describe, expect, it } from 'vitest';
import { Flags } from '../src/index.js';
import { useGame } from './game.js';

const game = useGame({ GAME_ROOM_PREFIX: 'seat:' }, { seatGraceMs: 5000 });

describe('a dropped player', () => {
  it('returns within the seat grace with the same id, and the others see it away then back', async () => {
    const stay = await game.bot({ name: 'stay', mode: 'idle' });
    const drop = await game.bot({ name: 'drop', mode: 'play', client: { reconnect: { initialDelayMs: 300, maxDelayMs: 300 } } });
    const id = drop.id;
    await stay.waitFor(() => stay.state?.players.some((p) => p.id === id && p.flags === 0), 10_000, 'the player present');

    const reconnected = new Promise<void>((resolve) => drop.client.once('reconnected', () => resolve()));
    // What the relay tells the room, in order. (The backend's state shows the away flag only if a 20 Hz step falls
    // inside the away window, and the SDK's full-jitter backoff may reconnect within a few ms: not awaited here.)
    const seen: string[] = [];
    stay.room.on('member_away', (m) => { if (m.id === id) seen.push('away'); });
    stay.room.on('member_back', (m) => { if (m.id === id) seen.push('back'); });
    // The relay drops the connection (as a network failure would look to the room): the SDK reconnects.
    const conn = [...game.relay.relay.connections].find((c) => [...c.rooms.values()].some((m) => m.id === id && m.room.name === drop.ticket.room));
    game.relay.relay.close(conn!, 'slow_consumer', 'test drop');
    await reconnected;
    expect(drop.id).toBe(id);
    await stay.waitFor(() => seen.length === 2, 10_000, 'member_away and member_back');
    expect(seen).toEqual(['away', 'back']);
    await stay.waitFor(() => stay.state?.players.some((p) => p.id === id && (p.flags & Flags.away) === 0), 10_000, 'the player back');
    // Its inputs count again: the backend acknowledges new ones.
    const latencies = drop.latencies.length;
    await drop.waitFor(() => drop.latencies.length > latencies + 3, 10_000, 'new inputs applied');
  });
});
