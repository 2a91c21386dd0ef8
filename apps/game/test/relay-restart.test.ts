// A relay restart (in memory: rooms and seats are gone): the players and the backend reconnect
// and rejoin by themselves (SDK), the backend rebuilds its player list from the rejoined room and
// keeps the scores (by userId), and the game goes on under the players' new member ids.
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../scripts/ports.mjs';
import { GameBot } from '../src/index.js';
import { startBackend, startGameRelay } from './game.js';

describe('a relay restart', () => {
  it('is ridden out by players and backend; scores are kept', async () => {
    const port = await freePort();
    let relay = await startGameRelay({ port });
    const backend = await startBackend(relay, { GAME_ROUND_SECONDS: '1', GAME_ROUND_PAUSE_MS: '200', GAME_ROOM_PREFIX: 'rr:' });
    const bots: GameBot[] = [];
    try {
      const fast = { reconnect: { initialDelayMs: 100, maxDelayMs: 300 } };
      for (const name of ['ann', 'bob']) bots.push(await GameBot.join(backend.url, { name, mode: 'swarm', client: fast }));
      const [ann, bob] = bots as [GameBot, GameBot];
      const scoreOf = (b: GameBot) => b.state?.players.find((p) => p.id === b.id)?.score;
      await ann.waitFor(() => (scoreOf(ann) ?? 0) + (scoreOf(bob) ?? 0) > 0, 15_000, 'a score');
      const before = { ann: scoreOf(ann)!, bob: scoreOf(bob)! };
      expect(before.ann + before.bob).toBeGreaterThan(0);

      const back = Promise.all(bots.map((b) => new Promise<void>((resolve) => b.client.once('reconnected', () => resolve()))));
      await relay.close();
      relay = await startGameRelay({ port });
      await back;
      // The backend is back in the room and sends state with both players under their current ids.
      await ann.waitFor(() => ann.backendId !== 0 && ann.state?.players.length === 2
        && ann.state.players.some((p) => p.id === ann.id) && ann.state.players.some((p) => p.id === bob.id), 15_000, 'state after the restart');
      expect(scoreOf(ann)).toBeGreaterThanOrEqual(before.ann);
      expect(scoreOf(bob)).toBeGreaterThanOrEqual(before.bob);
      // And inputs are applied again.
      const n = ann.latencies.length;
      await ann.waitFor(() => ann.latencies.length > n + 3, 10_000, 'inputs applied after the restart');
    } finally {
      for (const b of bots) b.close();
      await backend.stop();
      await relay.close();
    }
  });
});
