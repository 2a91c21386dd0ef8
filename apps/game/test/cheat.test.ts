// The backend judges inputs: an out-of-range input or too many actions gets the player kicked
// through the server API (close 4403 with the reason), and the others see it gone.
import { describe, expect, it } from 'vitest';
import type { GameBot } from '../src/index.js';
import { useGame } from './game.js';

const game = useGame({ GAME_MAX_PLAYERS: '8', GAME_MAX_ACTIONS_PER_SEC: '5', GAME_ROOM_PREFIX: 'cheat:' });

function closed(bot: GameBot): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => bot.client.once('close', resolve));
}

describe('a cheating bot', () => {
  it('is kicked for an out-of-range input; the honest one stays and sees it gone', async () => {
    const honest = await game.bot({ name: 'honest', mode: 'play' });
    const cheater = await game.bot({ name: 'speedy', mode: 'idle' });
    await honest.waitFor(() => honest.state?.players.some((p) => p.id === cheater.id), 10_000, 'the cheater in the state');
    const kicked = closed(cheater);
    cheater.sendInput(127, 0); // the axis is -100..100: a speed hack
    expect(await kicked).toEqual({ code: 4403, reason: 'input out of range (127,0)' });
    expect(cheater.client.status).toBe('closed');
    await honest.waitFor(() => honest.state !== undefined && !honest.state.players.some((p) => p.id === cheater.id), 10_000, 'the cheater gone');
    expect(honest.client.status).toBe('open');
  });

  it('is kicked for actions above GAME_MAX_ACTIONS_PER_SEC', async () => {
    const spammer = await game.bot({ name: 'spammer', mode: 'idle' });
    await spammer.waitFor(() => spammer.backendId !== 0, 10_000, 'a backend member');
    const kicked = closed(spammer);
    for (let i = 0; i < 20; i++) spammer.dash();
    expect(await kicked).toEqual({ code: 4403, reason: 'too many inputs' });
  });
});
