// The backend's webhook endpoint: signed relay events (Standard Webhooks) are applied, forged
// ones refused. A `member.left` for a player removes it from the match even if the backend's own
// room view has not seen it leave.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { useGame, WEBHOOK_SECRET } from './game.js';

const game = useGame({ GAME_ROOM_PREFIX: 'wh:' });

function post(body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${game.backend.url}/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

describe('webhooks', () => {
  it('refuses a forged request', async () => {
    const body = JSON.stringify({ type: 'roomcast.events', timestamp: new Date().toISOString(), data: { events: [] } });
    const res = await post(body, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,Zm9yZ2Vk' });
    expect(res.status).toBe(400);
  });

  it('removes a player on a signed member.left', async () => {
    const stay = await game.bot({ name: 'stay', mode: 'idle' });
    const gone = await game.bot({ name: 'gone', mode: 'idle' });
    await stay.waitFor(() => stay.state?.players.length === 2, 10_000, 'two players');
    const now = new Date();
    const body = JSON.stringify({ type: 'roomcast.events', timestamp: now.toISOString(), data: { events: [
      { type: 'member.left', timestamp: now.toISOString(), room: gone.ticket.room, memberId: gone.id, userId: gone.ticket.userId, reason: 'disconnected' },
    ] } });
    const id = `msg_${Date.now()}`;
    const signature = new Webhook(WEBHOOK_SECRET).sign(id, now, body);
    const res = await post(body, { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature });
    expect(res.status).toBe(204);
    await stay.waitFor(() => stay.state?.players.length === 1 && stay.state.players[0]!.id === stay.id, 10_000, 'the player removed');
  });
});
