// RELAY_EMPTY_ROOM_TTL_SEC against the real relay (time on a fake clock): a room the server API
// created that nobody joins is closed when the TTL ends (404 afterwards, webhook room.closed, the
// counter); a room someone joined is not; 0 keeps today's behaviour.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from './fakes.js';
import { httpGet, useRelay } from './helpers.js';
import { Receiver, WEBHOOK_SECRET } from './webhook-receiver.js';

const KEY = 'key-one-0123456789abcdefghij';
const relay = useRelay({ apiKeys: [KEY] });
let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(relay.server.httpUrl + path, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function expired(): Promise<number> {
  const line = (await httpGet(relay.server, '/metrics')).body.split('\n').find((l) => l.startsWith('roomcast_rooms_expired_total '));
  return Number(line?.split(' ')[1]);
}

describe('empty rooms created by the server API', () => {
  it('are closed RELAY_EMPTY_ROOM_TTL_SEC after creation when nobody joined, with a room.closed webhook', async () => {
    const clock = new FakeClock();
    receiver = new Receiver(() => 204);
    const url = await receiver.listen();
    await relay.start({ emptyRoomTtlSec: 30, webhookUrl: url, webhookSecret: WEBHOOK_SECRET, webhookBatchMs: 0 }, clock);
    expect((await call('POST', '/api/v1/rooms', { name: 'lobby-7' })).status).toBe(200);
    await receiver.until(1);
    clock.advance(29_999);
    expect((await call('GET', '/api/v1/rooms/lobby-7')).status).toBe(200);
    expect(await expired()).toBe(0);
    clock.advance(1);
    expect(await call('GET', '/api/v1/rooms/lobby-7')).toMatchObject({ status: 404, body: { error: { code: 'room_not_found' } } });
    expect(relay.server.relay.rooms.size).toBe(0);
    expect(await expired()).toBe(1);
    while (receiver.allEvents().length < 2) await receiver.until(receiver.requests.length + 1);
    expect(receiver.allEvents().map((e) => `${e.type} ${e.room}`)).toEqual(['room.created lobby-7', 'room.closed lobby-7']);
    // The name is free again.
    expect((await call('POST', '/api/v1/rooms', { name: 'lobby-7' })).status).toBe(200);
  });

  it('are not closed by the TTL once someone joined; they close when the last member leaves, as before', async () => {
    const clock = new FakeClock();
    await relay.start({ emptyRoomTtlSec: 30 }, clock);
    await call('POST', '/api/v1/rooms', { name: 'match' });
    const a = await relay.open();
    const { handle } = await a.join('match');
    clock.advance(60_000);
    expect(await call('GET', '/api/v1/rooms/match')).toMatchObject({ status: 200, body: { members: 1 } });
    await a.request({ type: 'leave', room: handle }, 'ok');
    expect((await call('GET', '/api/v1/rooms/match')).status).toBe(404);
    expect(await expired()).toBe(0);
  });

  it('a room closed and created again before the first TTL ends gets its own TTL', async () => {
    const clock = new FakeClock();
    await relay.start({ emptyRoomTtlSec: 30 }, clock);
    await call('POST', '/api/v1/rooms', { name: 'r' });
    clock.advance(20_000);
    await call('POST', '/api/v1/rooms/r/close');
    await call('POST', '/api/v1/rooms', { name: 'r' });
    clock.advance(10_000); // the first room's TTL: not this room's
    expect((await call('GET', '/api/v1/rooms/r')).status).toBe(200);
    clock.advance(20_000);
    expect((await call('GET', '/api/v1/rooms/r')).status).toBe(404);
    expect(await expired()).toBe(1);
  });

  it('with RELAY_EMPTY_ROOM_TTL_SEC=0 stay until closed', async () => {
    const clock = new FakeClock();
    await relay.start({ emptyRoomTtlSec: 0 }, clock);
    await call('POST', '/api/v1/rooms', { name: 'r' });
    clock.advance(7 * 24 * 3600 * 1000);
    expect((await call('GET', '/api/v1/rooms/r')).status).toBe(200);
  });
});
