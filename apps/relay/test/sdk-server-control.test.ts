// The client SDK and the server API together, against the real relay: room.settings and the
// 'settings' event, room.host and the 'host' hand-over event, frames from the server (sender 0),
// and a kick (4403) that closes the client for good instead of reconnecting.
import { RoomcastClient, SERVER_SENDER_ID, type Room, type RoomMessage, type RoomSettings } from '@roomcast/client';
import { describe, expect, it } from 'vitest';
import { SECRET, hmacKey, sign } from './auth/tokens.js';
import { useRelay } from './helpers.js';

const KEY = 'key-one-0123456789abcdefghij';
const relay = useRelay();

function client(): RoomcastClient {
  const c = new RoomcastClient(relay.server.wsUrl, { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
  relay.keep(c);
  return c;
}

function next<T>(room: Room, name: 'settings' | 'host' | 'message' | 'member_joined' | 'closed' | 'removed'): Promise<T> {
  return new Promise((resolve) => {
    const off = room.on(name, ((e: T) => { off(); resolve(e); }) as never);
  });
}

const post = (path: string, body: unknown, type = 'application/json') => fetch(`${relay.server.httpUrl}${path}`, {
  method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': type },
  body: type === 'application/json' ? JSON.stringify(body) : (body as Uint8Array<ArrayBuffer>),
});

describe('SDK with the server API', () => {
  it('exposes settings and host, with events on change and on hand-over', async () => {
    await relay.start({ apiKeys: [KEY], maxMembersPerRoom: 4 });
    const alice = client();
    const bob = client();
    await Promise.all([alice.connect(), bob.connect()]);
    const ra = await alice.join('match');
    const joinedByBob = next(ra, 'member_joined');
    const rb = await bob.join('match');
    await joinedByBob;
    expect(ra.settings).toEqual({ capacity: 4, locked: false, private: false, metadata: null });
    expect([ra.host, rb.host]).toEqual([ra.self, ra.self]);

    const changed = next<RoomSettings>(rb, 'settings');
    expect((await post('/api/v1/rooms/match/settings', { locked: true, metadata: { round: 2 } })).status).toBe(200);
    const settings = { capacity: 4, locked: true, private: false, metadata: { round: 2 } };
    expect(await changed).toEqual(settings);
    expect(rb.settings).toEqual(settings);

    const handedOver = next<number>(rb, 'host');
    await ra.leave();
    expect(await handedOver).toBe(rb.self);
    expect(rb.host).toBe(rb.self);
  });

  it('a role server client creates a room with settings through join', async () => {
    await relay.start({ jwtSecret: SECRET });
    const token = await sign(hmacKey(), 'HS256', { sub: 'game-server', role: 'server', exp: Math.floor(Date.now() / 1000) + 3600 });
    const backend = new RoomcastClient(relay.server.wsUrl, { getToken: () => token });
    relay.keep(backend);
    await backend.connect();
    const room = await backend.join('duel', null, { settings: { capacity: 2, metadata: { mode: 'duel' } } });
    expect(room.settings).toEqual({ capacity: 2, locked: false, private: false, metadata: { mode: 'duel' } });
    expect(room.host).toBe(room.self);
  });

  it('ends a room the server closed, with its reason, and keeps the client connected', async () => {
    await relay.start({ apiKeys: [KEY] });
    const alice = client();
    await alice.connect();
    const room = await alice.join('match');
    const closed = next<{ reason: string }>(room, 'closed');
    expect((await post('/api/v1/rooms/match/close', { reason: 'match over' })).status).toBe(200);
    expect(await closed).toEqual({ reason: 'match over' });
    expect(room.joined).toBe(false);
    expect(alice.status).toBe('open');
    expect((await alice.join('match')).self).toBe(1);
    const removed = next<{ reason: string }>(await alice.join('other'), 'removed');
    expect((await post('/api/v1/rooms/other/members/1/remove', { reason: 'afk' })).status).toBe(200);
    expect(await removed).toEqual({ reason: 'afk' });
    expect(alice.status).toBe('open');
  });

  it('delivers server frames with sender 0, and a kick closes the client without reconnecting', async () => {
    await relay.start({ apiKeys: [KEY] });
    const alice = client();
    await alice.connect();
    const room = await alice.join('match');
    const message = next<RoomMessage>(room, 'message');
    expect((await post('/api/v1/rooms/match/publish', new Uint8Array([5, 6]), 'application/octet-stream')).status).toBe(200);
    const m = await message;
    expect(m.sender).toBe(SERVER_SENDER_ID);
    expect(m).toMatchObject({ direct: false, cls: 'reliable' });
    expect([...m.payload]).toEqual([5, 6]);

    const closed = new Promise<{ code: number; reason: string }>((resolve) => alice.on('close', resolve));
    expect((await post(`/api/v1/rooms/match/members/${room.self}/kick`, { reason: 'cheating' })).status).toBe(200);
    expect(await closed).toMatchObject({ code: 4403, reason: 'cheating' });
    expect(alice.status).toBe('closed');
  });
});
