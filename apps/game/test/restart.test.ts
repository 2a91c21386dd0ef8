// A backend restart is survived: the players stay connected to the relay (they never talk to the
// backend after /play), the new process finds the matches through the server API, removes the
// dead backend's held seat, restores the scores it saved in the room metadata at each round end,
// and the game goes on. What is lost: the round in progress (positions and its tags since the last
// round end) and seats handed out by /play but not yet taken.
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../scripts/ports.mjs';
import { API_KEY, startBackend, startGameRelay } from './game.js';
import { GameBot } from '../src/index.js';

describe('a backend restart', () => {
  it('is survived: the new process adopts the match with its scores', async () => {
    const relay = await startGameRelay({ seatGraceMs: 5000 });
    const env = { GAME_ROUND_SECONDS: '1', GAME_ROUND_PAUSE_MS: '200', GAME_ROOM_PREFIX: 'rs:' };
    const first = await startBackend(relay, env);
    const bots: GameBot[] = [];
    let second: Awaited<ReturnType<typeof startBackend>> | undefined;
    try {
      for (const name of ['ann', 'bob']) bots.push(await GameBot.join(first.url, { name, mode: 'swarm' }));
      const [ann, bob] = bots as [GameBot, GameBot];
      const room = ann.ticket.room;
      const oldBackend = ann.backendId;
      // Play until a round ends with points, and its scores are saved in the room's metadata.
      const end = await ann.waitFor(() => ann.events.find((e) => e.type === 'round_end' && e.scores.some((s) => s.score > 0)), 20_000, 'a scored round');
      const saved = await expectMetadata(relay.httpUrl, room, (m) => m.round >= (end as { round: number }).round);

      expect(Object.values(saved.totals).reduce((n, v) => n + v, 0)).toBeGreaterThan(0);
      await first.kill(); // a crash: no goodbye to the relay or the players
      await ann.waitFor(() => ann.backendId === 0, 10_000, 'the backend away');

      second = await startBackend(relay, { ...env, GAME_PORT: String(await freePort()) });
      const newBackend = await ann.waitFor(() => ann.backendId || undefined, 10_000, 'a new backend member');
      expect(newBackend).not.toBe(oldBackend);
      // The old backend's seat was removed, so only the new backend and the two players remain.
      const detail = await api(relay.httpUrl, `/rooms/${encodeURIComponent(room)}`) as { memberList: { id: number }[] };
      expect(detail.memberList.map((m) => m.id).sort()).toEqual([ann.id, bob.id, newBackend].sort());
      // The game goes on from the saved round, with the saved totals (and keeps scoring).
      const restartedAt = ann.events.length;
      const next = await ann.waitFor(() => ann.events.slice(restartedAt).find((e) => e.type === 'round_start'), 10_000, 'a new round');
      expect((next as { round: number }).round).toBe(saved.round + 1);
      const state = await ann.waitFor(() => ann.state?.round === saved.round + 1 && ann.state.players.length === 2 ? ann.state : undefined, 10_000, 'state of the new round');
      for (const b of bots) {
        const restored = saved.totals[b.ticket.userId] ?? 0;
        expect(state.players.find((p) => p.id === b.id)!.score).toBeGreaterThanOrEqual(restored);
      }
      expect(bob.client.status).toBe('open');
    } finally {
      for (const b of bots) b.close();
      await second?.stop();
      await first.stop();
      await relay.close();
    }
  });
});

describe('the relay gone', () => {
  it('fails clearly: /play answers 503 relay_unavailable', async () => {
    const relay = await startGameRelay();
    const backend = await startBackend(relay, { GAME_ROOM_PREFIX: 'gone:' });
    try {
      await relay.close();
      const res = await fetch(`${backend.url}/play`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: { code: 'relay_unavailable', message: 'the relay could not open a match (network)' } });
    } finally {
      await backend.stop();
    }
  });
});

interface Saved {
  round: number;
  totals: Record<string, number>;
}

async function api(base: string, path: string): Promise<unknown> {
  return (await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${API_KEY}` } })).json();
}

async function expectMetadata(base: string, room: string, ok: (m: Saved) => boolean): Promise<Saved> {
  let saved: Saved | undefined;
  await expect.poll(async () => {
    const detail = (await api(base, `/rooms/${encodeURIComponent(room)}`)) as { settings: { metadata: Saved } };
    saved = detail.settings.metadata;
    return ok(saved);
  }, { timeout: 10_000 }).toBe(true);
  return saved!;
}
