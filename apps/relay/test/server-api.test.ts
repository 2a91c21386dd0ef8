// The HTTP server API (docs/server-api.md) against the real relay: keys, every operation and its
// errors, frames from the server (sender 0) reaching raw clients, kicks closing with 4403.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCodes, SERVER_SENDER_ID } from '@roomcast/protocol';
import type { RelayServer } from '../src/index.js';
import { openApiDocument } from '../src/http/openapi.js';
import { SECRET, hmacKey, sign } from './auth/tokens.js';
import { RawClient, startTestRelay } from './helpers.js';

const KEY = 'key-one-0123456789abcdefghij';
const OTHER_KEY = 'key-two-0123456789abcdefghij';
/** A new room's settings with the default RELAY_MAX_MEMBERS_PER_ROOM. */
const DEFAULTS = { capacity: 256, locked: false, private: false, metadata: null };

let server: RelayServer | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
});

async function start(overrides: Record<string, unknown> = {}): Promise<RelayServer> {
  server = await startTestRelay({ apiKeys: [KEY, OTHER_KEY], ...overrides });
  return server;
}

async function client(url: string, token?: string): Promise<RawClient> {
  const c = await RawClient.connect(url);
  clients.push(c);
  await c.request({ type: 'hello', v: 2, client: 'test', ...(token === undefined ? {} : { token }) }, 'welcome');
  return c;
}

interface Call {
  method?: string;
  key?: string | null;
  body?: string | Uint8Array;
  type?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: answers are arbitrary JSON, checked by toEqual
async function api(path: string, call: Call = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  const key = call.key === undefined ? KEY : call.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (call.type !== undefined) headers['content-type'] = call.type;
  const res = await fetch(server!.httpUrl + path, { method: call.method ?? 'GET', headers, body: call.body as BodyInit | undefined });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

const post = (path: string, json?: unknown) =>
  api(path, { method: 'POST', ...(json === undefined ? {} : { body: JSON.stringify(json), type: 'application/json' }) });

describe('server API: keys', () => {
  it('is off without RELAY_API_KEYS: /api/v1 paths are not routed (404 from the static handler)', async () => {
    server = await startTestRelay();
    const res = await fetch(`${server.httpUrl}/api/v1/rooms`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/plain');
  });

  it('refuses a request without a key, with a wrong key, or with a non-bearer scheme (401 unauthorized)', async () => {
    await start();
    const message = 'send an API key of RELAY_API_KEYS as `Authorization: Bearer <key>`';
    expect(await api('/api/v1/rooms', { key: null })).toEqual({ status: 401, body: { error: { code: 'unauthorized', message } } });
    expect(await api('/api/v1/rooms', { key: `${KEY}x` })).toEqual({ status: 401, body: { error: { code: 'unauthorized', message } } });
    const basic = await fetch(`${server!.httpUrl}/api/v1/rooms`, { headers: { authorization: `Basic ${KEY}` } });
    expect(basic.status).toBe(401);
    // Unknown paths answer 401 too without a key: nothing is learnt about routes.
    expect((await api('/api/v1/nope', { key: 'wrong' })).status).toBe(401);
  });

  it('accepts every configured key', async () => {
    await start();
    expect(await api('/api/v1/rooms')).toEqual({ status: 200, body: { rooms: [] } });
    expect(await api('/api/v1/rooms', { key: OTHER_KEY })).toEqual({ status: 200, body: { rooms: [] } });
  });

  it('answers unknown paths with not_found and wrong methods with method_not_allowed', async () => {
    await start();
    expect(await api('/api/v1/nope')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await api('/api/v1/rooms', { method: 'DELETE' })).toMatchObject({ status: 405, body: { error: { code: 'method_not_allowed', message: 'DELETE is not allowed on /api/v1/rooms' } } });
    expect(await api('/api/v1/rooms/%E0%A4%A')).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
  });
});

describe('server API: rooms', () => {
  it('lists rooms sorted by name, filtered by prefix, paginated with after/next', async () => {
    const s = await start();
    const a = await client(s.wsUrl);
    for (const name of ['game:3', 'game:1', 'lobby', 'game:2']) await a.join(name);
    expect(await api('/api/v1/rooms')).toEqual({
      status: 200,
      body: { rooms: ['game:1', 'game:2', 'game:3', 'lobby'].map((name) => ({ name, members: 1, tickHz: 30, settings: DEFAULTS, host: 1 })) },
    });
    const first = await api('/api/v1/rooms?prefix=game:&limit=2');
    expect(first.body.rooms.map((r: { name: string }) => r.name)).toEqual(['game:1', 'game:2']);
    expect(first.body.next).toBe('game:2');
    const second = await api(`/api/v1/rooms?prefix=game:&limit=2&after=${first.body.next}`);
    expect(second.body).toEqual({ rooms: [{ name: 'game:3', members: 1, tickHz: 30, settings: DEFAULTS, host: 1 }] });
    expect(await api('/api/v1/rooms?limit=0')).toEqual({ status: 400, body: { error: { code: 'bad_request', message: 'query limit: Too small: expected number to be >=1' } } });
    expect(await api('/api/v1/rooms?colour=red')).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
  });

  it('gets one room with its members in join order (user id, info, presence)', async () => {
    const s = await start({ jwtSecret: SECRET, allowAnonymous: 'true' });
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const ada = await client(s.wsUrl, await sign(hmacKey(), 'HS256', { sub: 'ada', exp, rooms: ['*'], info: { name: 'Ada' } }));
    const anon = await client(s.wsUrl);
    await ada.join('room/with/slashes', { x: 1 });
    await anon.join('room/with/slashes');
    expect(await api('/api/v1/rooms/room%2Fwith%2Fslashes')).toEqual({
      status: 200,
      body: {
        name: 'room/with/slashes', members: 2, tickHz: 30, settings: DEFAULTS, host: 1,
        memberList: [{ id: 1, userId: 'ada', info: { name: 'Ada' }, presence: { x: 1 } }, { id: 2, presence: null }],
      },
    });
    expect(await api('/api/v1/rooms/missing')).toEqual({
      status: 404, body: { error: { code: 'room_not_found', message: 'no room missing (rooms exist while they have members)' } },
    });
    expect(await api('/api/v1/rooms/has%20space')).toMatchObject({ status: 400, body: { error: { code: 'bad_request', message: 'path room: room names are 1-128 printable ASCII characters (0x21-0x7e)' } } });
  });
});

describe('server API: room settings and host', () => {
  it('changes settings: members get room_settings, joined carries them, locked refuses joins, capacity bounds them', async () => {
    const s = await start({ maxMembersPerRoom: 8 });
    const a = await client(s.wsUrl);
    const joined = await a.join('match');
    expect(joined).toMatchObject({ settings: { capacity: 8, locked: false, private: false, metadata: null }, host: 1 });
    const settings = { capacity: 2, locked: false, private: false, metadata: { map: 'dust', round: 1 } };
    expect(await post('/api/v1/rooms/match/settings', { capacity: 2, metadata: { map: 'dust', round: 1 } })).toEqual({ status: 200, body: { settings } });
    expect(await a.nextMessage('room_settings')).toEqual({ type: 'room_settings', room: joined.handle, settings });
    const b = await client(s.wsUrl);
    expect(await b.join('match')).toMatchObject({ self: 2, settings, host: 1 });
    const c = await client(s.wsUrl);
    c.sendControl({ type: 'join', id: 7, room: 'match' });
    expect(await c.nextError('room_full')).toEqual({ type: 'error', id: 7, code: 'room_full', message: 'room match has its maximum of 2 members', room: joined.handle });
    await post('/api/v1/rooms/match/settings', { capacity: 8, locked: true });
    await a.nextMessage('room_settings', (m) => m.settings.locked);
    c.sendControl({ type: 'join', id: 8, room: 'match' });
    expect(await c.nextError('room_locked')).toEqual({ type: 'error', id: 8, code: 'room_locked', message: 'room match is locked', room: joined.handle });
    await post('/api/v1/rooms/match/settings', { locked: false });
    expect(await c.join('match')).toMatchObject({ self: 3, host: 1 });
  });

  it('creates an empty room with settings that joiners get; it lives until closed or emptied after a join', async () => {
    const s = await start({ maxMembersPerRoom: 8 });
    const created = await api('/api/v1/rooms', {
      method: 'POST', type: 'application/json', body: JSON.stringify({ name: 'match:9', tickHz: 10, settings: { capacity: 2, metadata: { mode: 'duel' } } }),
    });
    const settings = { capacity: 2, locked: false, private: false, metadata: { mode: 'duel' } };
    expect(created).toEqual({ status: 200, body: { name: 'match:9', members: 0, tickHz: 10, settings, host: 0 } });
    expect((await api('/api/v1/rooms')).body.rooms).toEqual([{ name: 'match:9', members: 0, tickHz: 10, settings, host: 0 }]);
    expect(await post('/api/v1/rooms', { name: 'match:9' })).toEqual({ status: 409, body: { error: { code: 'room_exists', message: 'room match:9 already exists' } } });
    expect(await post('/api/v1/rooms', { name: 'x', tickHz: 61 })).toEqual({
      status: 400, body: { error: { code: 'bad_request', message: 'body tickHz: must be between RELAY_MIN_TICK_HZ (1) and RELAY_MAX_TICK_HZ (60)' } },
    });
    expect(await post('/api/v1/rooms', { name: 'x', settings: { capacity: 9 } })).toMatchObject({ status: 400, body: { error: { message: 'body settings capacity: must be at most RELAY_MAX_MEMBERS_PER_ROOM (8)' } } });
    expect(await post('/api/v1/rooms', { name: 'bad name' })).toMatchObject({ status: 400 });
    const a = await client(s.wsUrl);
    expect(await a.join('match:9')).toMatchObject({ self: 1, host: 1, tickHz: 10, settings });
    const ja = await a.join('spare');
    await a.request({ type: 'leave', room: ja.handle }, 'ok');
    // Emptied after a join: gone like any room. Created and never joined: gone only when closed.
    await post('/api/v1/rooms', { name: 'empty' });
    expect(await post('/api/v1/rooms/empty/close', {})).toEqual({ status: 200, body: { removed: 0 } });
    expect((await api('/api/v1/rooms')).body.rooms.map((r: { name: string }) => r.name)).toEqual(['match:9']);
  });

  it('validates settings against the relay limits', async () => {
    const s = await start({ maxMembersPerRoom: 8, maxRoomMetadataBytes: 16 });
    await (await client(s.wsUrl)).join('match');
    expect(await post('/api/v1/rooms/match/settings', { capacity: 9 })).toEqual({
      status: 400, body: { error: { code: 'bad_request', message: 'body capacity: must be at most RELAY_MAX_MEMBERS_PER_ROOM (8)' } },
    });
    expect(await post('/api/v1/rooms/match/settings', { metadata: { text: 'far too long for 16' } })).toEqual({
      status: 400, body: { error: { code: 'bad_request', message: 'body metadata: 30 bytes as JSON, above RELAY_MAX_ROOM_METADATA_BYTES (16)' } },
    });
    expect(await post('/api/v1/rooms/match/settings', { locked: 'yes' })).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    expect(await post('/api/v1/rooms/match/settings', { colour: 'red' })).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    expect(await post('/api/v1/rooms/none/settings', { locked: true })).toMatchObject({ status: 404, body: { error: { code: 'room_not_found' } } });
  });

  it('hides private rooms from the list unless asked', async () => {
    const s = await start();
    const a = await client(s.wsUrl);
    await a.join('open');
    await a.join('secret');
    await post('/api/v1/rooms/secret/settings', { private: true });
    expect((await api('/api/v1/rooms')).body.rooms.map((r: { name: string }) => r.name)).toEqual(['open']);
    expect((await api('/api/v1/rooms?private=true')).body.rooms.map((r: { name: string }) => r.name)).toEqual(['open', 'secret']);
    expect((await api('/api/v1/rooms/secret')).status).toBe(200);
  });

  it('hands the host over to the longest-present member when the host leaves, and tells the members', async () => {
    const s = await start();
    const a = await client(s.wsUrl);
    const b = await client(s.wsUrl);
    const c = await client(s.wsUrl);
    const ja = await a.join('match');
    expect(await b.join('match')).toMatchObject({ self: 2, host: 1 });
    await c.join('match');
    // A non-host leaving changes nothing: c leaves, then b still sees host 1 in the API.
    await c.request({ type: 'leave', room: ja.handle }, 'ok');
    await b.nextMessage('member_left', (m) => m.member === 3);
    expect((await api('/api/v1/rooms/match')).body.host).toBe(1);
    a.ws.terminate();
    await b.nextMessage('member_left', (m) => m.member === 1);
    expect(await b.nextMessage('host_changed')).toEqual({ type: 'host_changed', room: ja.handle, host: 2 });
    expect((await api('/api/v1/rooms/match')).body.host).toBe(2);
    const d = await client(s.wsUrl);
    expect(await d.join('match')).toMatchObject({ self: 4, host: 2 });
  });
});

describe('host: server members', () => {
  it('a role server member takes the host over when it joins, and hands it back when it leaves', async () => {
    const s = await start({ jwtSecret: SECRET });
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = (claims: Record<string, unknown>) => sign(hmacKey(), 'HS256', { exp, ...claims });
    const ada = await client(s.wsUrl, await token({ sub: 'ada', rooms: ['*'] }));
    const bob = await client(s.wsUrl, await token({ sub: 'bob', rooms: ['*'] }));
    const ja = await ada.join('match');
    expect(ja.host).toBe(1);
    await bob.join('match');
    const backend = await client(s.wsUrl, await token({ sub: 'game-server', role: 'server' }));
    const js = await backend.join('match');
    expect(js).toMatchObject({ self: 3, host: 3 });
    await ada.nextMessage('member_joined', (m) => m.member.id === 3);
    expect(await ada.nextMessage('host_changed')).toEqual({ type: 'host_changed', room: ja.handle, host: 3 });
    expect(await bob.nextMessage('host_changed')).toMatchObject({ host: 3 });
    // A second server member does not take it from the first.
    const backend2 = await client(s.wsUrl, await token({ sub: 'game-server-2', role: 'server' }));
    expect(await backend2.join('match')).toMatchObject({ self: 4, host: 3 });
    // The host leaves: the next server member (4) hosts, not the longest-present user (1).
    backend.ws.terminate();
    expect(await ada.nextMessage('host_changed')).toMatchObject({ host: 4 });
    backend2.ws.terminate();
    expect(await ada.nextMessage('host_changed')).toMatchObject({ host: 1 });
  });
});

describe('first-join settings (PROTOCOL.md §8.20 rule 6)', () => {
  it('a role server token creates a room with settings in join; others get forbidden; an existing room ignores them', async () => {
    const s = await start({ jwtSecret: SECRET, maxMembersPerRoom: 8, maxRoomMetadataBytes: 32 });
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = (claims: Record<string, unknown>) => sign(hmacKey(), 'HS256', { exp, ...claims });
    const backend = await client(s.wsUrl, await token({ sub: 'game-server', role: 'server' }));
    const user = await client(s.wsUrl, await token({ sub: 'ada', rooms: ['*'] }));
    user.sendControl({ type: 'join', id: 5, room: 'duel', settings: { locked: true } });
    expect(await user.nextError('forbidden')).toEqual({ type: 'error', id: 5, code: 'forbidden', message: 'only a role server token may set room settings in join' });
    expect((await api('/api/v1/rooms')).body.rooms).toEqual([]);
    backend.sendControl({ type: 'join', id: 6, room: 'duel', settings: { capacity: 9 } });
    expect(await backend.nextError('bad_message')).toMatchObject({ id: 6, message: 'settings.capacity must be at most 8' });
    backend.sendControl({ type: 'join', id: 7, room: 'duel', settings: { metadata: 'x'.repeat(40) } });
    expect(await backend.nextError('bad_message')).toMatchObject({ id: 7, message: 'settings.metadata is 42 bytes as JSON, above the limit of 32' });
    const settings = { capacity: 2, locked: false, private: true, metadata: { mode: 'duel' } };
    expect(await backend.request({ type: 'join', room: 'duel', settings: { capacity: 2, private: true, metadata: { mode: 'duel' } } }, 'joined')).toMatchObject({ settings, host: 1 });
    // The room exists now: a second server connection's settings are ignored.
    const backend2 = await client(s.wsUrl, await token({ sub: 'game-server-2', role: 'server' }));
    expect(await backend2.request({ type: 'join', room: 'duel', settings: { locked: true } }, 'joined')).toMatchObject({ settings });
  });
});

describe('server API: publish', () => {
  it('publishes the body to every member as sender 0, or to one member with the direct flag', async () => {
    const s = await start();
    const a = await client(s.wsUrl);
    const b = await client(s.wsUrl);
    const { handle } = await a.join('match');
    await b.join('match');
    const bin = (bytes: number[]) => ({ method: 'POST', body: new Uint8Array(bytes), type: 'application/octet-stream' });
    expect(await api('/api/v1/rooms/match/publish', bin([1, 2, 3]))).toEqual({ status: 200, body: { recipients: 2 } });
    for (const c of [a, b]) {
      const frame = await c.nextDeliver();
      expect(frame).toMatchObject({ room: handle, sender: SERVER_SENDER_ID, cls: 0, direct: false });
      expect([...frame.payload]).toEqual([1, 2, 3]);
    }
    expect(await api('/api/v1/rooms/match/publish?class=droppable&to=2', bin([9]))).toEqual({ status: 200, body: { recipients: 1 } });
    const direct = await b.nextDeliver();
    expect(direct).toMatchObject({ sender: 0, cls: 2, direct: true });
    expect([...direct.payload]).toEqual([9]);
  });

  it('reads a body that arrives in several chunks whole, in order', async () => {
    const s = await start({ maxPayloadBytes: 300_000 });
    const a = await client(s.wsUrl);
    await a.join('match');
    // 256 KiB: more than one read of the socket, so uWS hands it over in several chunks.
    const body = new Uint8Array(256 * 1024).map((_, i) => (i * 7) % 251);
    expect(await api('/api/v1/rooms/match/publish', { method: 'POST', body, type: 'application/octet-stream' })).toEqual({ status: 200, body: { recipients: 1 } });
    const frame = await a.nextDeliver();
    expect(frame.payload.length).toBe(body.length);
    expect(Buffer.compare(Buffer.from(frame.payload), Buffer.from(body))).toBe(0);
  });

  it('refuses a missing room or member, a bad class, a JSON body and a payload above RELAY_MAX_PAYLOAD_BYTES', async () => {
    const s = await start({ maxPayloadBytes: 16 });
    const a = await client(s.wsUrl);
    await a.join('match');
    const bin = (n: number) => ({ method: 'POST', body: new Uint8Array(n), type: 'application/octet-stream' });
    expect(await api('/api/v1/rooms/other/publish', bin(1))).toEqual({ status: 404, body: { error: { code: 'room_not_found', message: 'no room other' } } });
    expect(await api('/api/v1/rooms/match/publish?to=7', bin(1))).toEqual({ status: 404, body: { error: { code: 'member_not_found', message: 'no member 7 in room match' } } });
    expect(await api('/api/v1/rooms/match/publish?class=latest', bin(1))).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    expect(await post('/api/v1/rooms/match/publish', { a: 1 })).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } });
    expect(await api('/api/v1/rooms/match/publish', bin(17))).toEqual({
      status: 413, body: { error: { code: 'payload_too_large', message: 'the payload is 17 bytes, above RELAY_MAX_PAYLOAD_BYTES (16)' } },
    });
    const huge = await fetch(`${s.httpUrl}/api/v1/rooms/match/publish`, {
      method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array(64 * 1024),
    }).then(async (r) => ({ status: r.status, body: await r.json() }), (err: unknown) => ({ status: 0, body: String(err) }));
    // Above maxBodyBytes the relay answers while the body is still arriving and closes; fetch may see the answer or a reset.
    if (huge.status !== 0) expect(huge).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    // Nothing was delivered by the refused calls.
    expect(s.relay.stats.framesOut.reliable).toBe(0);
  });

  it('reads a body of exactly maxBodyBytes (payload + 4096) whole; one byte more is refused while reading, and the connection closes', async () => {
    const s = await start({ maxPayloadBytes: 16 });
    const a = await client(s.wsUrl);
    await a.join('match');
    // 4112 bytes: read whole and judged by the API (the payload cap), not by the body bound.
    expect(await api('/api/v1/rooms/match/publish', { method: 'POST', body: new Uint8Array(4112), type: 'application/octet-stream' })).toEqual({
      status: 413, body: { error: { code: 'payload_too_large', message: 'the payload is 4112 bytes, above RELAY_MAX_PAYLOAD_BYTES (16)' } },
    });
    const res = await fetch(`${s.httpUrl}/api/v1/rooms/match/publish`, {
      method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array(4113),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/json');
    // uWS adds its own `Connection: close` to ours (end with closeConnection): fetch joins them.
    expect(res.headers.get('connection')).toMatch(/^close(, close)?$/);
    expect(await res.json()).toEqual({ error: { code: 'payload_too_large', message: 'the request body is above 4112 bytes' } });
    expect(s.relay.stats.framesOut.reliable).toBe(0);
  });
});

describe('server API: kick and disconnect', () => {
  it('kicks a member: its connection closes with 4403 and the reason, the others get member_left', async () => {
    const s = await start();
    const a = await client(s.wsUrl);
    const b = await client(s.wsUrl);
    await a.join('match');
    const { self } = await b.join('match');
    expect(await post(`/api/v1/rooms/match/members/${self}/kick`, { reason: 'cheating' })).toEqual({ status: 200, body: { kicked: true } });
    expect(await b.closed).toEqual({ code: CloseCodes.kicked.code, reason: 'cheating' });
    expect(await a.nextMessage('member_left')).toMatchObject({ member: self });
    expect(await post('/api/v1/rooms/match/members/9/kick')).toEqual({ status: 404, body: { error: { code: 'member_not_found', message: 'no member 9 in room match' } } });
    expect(await post('/api/v1/rooms/nope/members/1/kick')).toMatchObject({ status: 404, body: { error: { code: 'room_not_found' } } });
    expect(await post('/api/v1/rooms/match/members/0/kick')).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    expect(await post('/api/v1/rooms/match/members/1/kick', { reason: 'x'.repeat(121) })).toMatchObject({
      status: 400, body: { error: { code: 'bad_request', message: 'body reason: must be at most 120 printable ASCII characters' } },
    });
    expect(await api('/api/v1/rooms/match/members/1/kick', { method: 'POST', body: '{', type: 'application/json' })).toEqual({
      status: 400, body: { error: { code: 'bad_request', message: 'body: not valid JSON' } },
    });
    expect(await api('/api/v1/rooms/match/members/1/kick', { method: 'POST', body: 'reason', type: 'text/plain' })).toMatchObject({ status: 415 });
    expect(s.relay.stats.closes.kicked).toBe(1);
  });

  it('removes one member from a room: it gets removed, the others member_left and host_changed; its connection stays', async () => {
    const s = await start();
    const a = await client(s.wsUrl);
    const b = await client(s.wsUrl);
    const ja = await a.join('match');
    const jb = await b.join('match');
    await a.join('lobby');
    expect(await post('/api/v1/rooms/match/members/1/remove', { reason: 'spectate only' })).toEqual({ status: 200, body: { removed: true } });
    expect(await a.nextMessage('removed')).toEqual({ type: 'removed', room: ja.handle, reason: 'spectate only' });
    expect(await b.nextMessage('member_left')).toEqual({ type: 'member_left', room: jb.handle, member: 1 });
    expect(await b.nextMessage('host_changed')).toMatchObject({ host: 2 });
    expect((await api('/api/v1/rooms/lobby')).body.members).toBe(1);
    a.sendControl({ type: 'leave', id: 60, room: ja.handle });
    expect(await a.nextError('not_in_room')).toMatchObject({ id: 60 });
    expect(await post('/api/v1/rooms/match/members/1/remove', {})).toMatchObject({ status: 404, body: { error: { code: 'member_not_found' } } });
    expect(await post('/api/v1/rooms/none/members/1/remove', {})).toMatchObject({ status: 404, body: { error: { code: 'room_not_found' } } });
  });

  it('closes a room: members get room_closed and are out of it, connections stay open', async () => {
    const s = await start();
    const a = await client(s.wsUrl);
    const b = await client(s.wsUrl);
    const ja = await a.join('match');
    const jb = await b.join('match');
    await b.join('lobby');
    expect(await post('/api/v1/rooms/match/close', { reason: 'match over' })).toEqual({ status: 200, body: { removed: 2 } });
    expect(await a.nextMessage('room_closed')).toEqual({ type: 'room_closed', room: ja.handle, reason: 'match over' });
    expect(await b.nextMessage('room_closed')).toEqual({ type: 'room_closed', room: jb.handle, reason: 'match over' });
    expect(await api('/api/v1/rooms/match')).toMatchObject({ status: 404 });
    expect((await api('/api/v1/rooms')).body.rooms.map((r: { name: string }) => r.name)).toEqual(['lobby']);
    // The handle is dead, the connection alive: a leave gets not_in_room, a new join works.
    a.sendControl({ type: 'leave', id: 50, room: ja.handle });
    expect(await a.nextError('not_in_room')).toMatchObject({ id: 50 });
    expect(await a.join('match')).toMatchObject({ self: 1, host: 1 });
    // No member_left or host_changed was sent for the closing.
    const unasked = [...a.frames, ...b.frames].filter((f) => f.kind === 'control' && (f.message.type === 'member_left' || f.message.type === 'host_changed'));
    expect(unasked).toEqual([]);
    expect(await post('/api/v1/rooms/nope/close', {})).toMatchObject({ status: 404, body: { error: { code: 'room_not_found' } } });
  });

  it('disconnects every connection of a user and leaves the others alone', async () => {
    const s = await start({ jwtSecret: SECRET, allowAnonymous: 'true' });
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = (sub: string) => sign(hmacKey(), 'HS256', { sub, exp, rooms: ['*'] });
    const ada1 = await client(s.wsUrl, await token('ada'));
    const ada2 = await client(s.wsUrl, await token('ada'));
    const bob = await client(s.wsUrl, await token('bob'));
    await bob.join('lobby');
    expect(await post('/api/v1/users/ada/disconnect', { reason: 'banned' })).toEqual({ status: 200, body: { disconnected: 2 } });
    expect(await ada1.closed).toEqual({ code: 4403, reason: 'banned' });
    expect(await ada2.closed).toEqual({ code: 4403, reason: 'banned' });
    expect(await post('/api/v1/users/ada/disconnect')).toEqual({ status: 200, body: { disconnected: 0 } });
    // bob is still connected and answered.
    expect(await bob.request({ type: 'ping' }, 'pong')).toMatchObject({ type: 'pong' });
  });
});

describe('server API: OpenAPI document', () => {
  it('is served at /api/v1/openapi.json without a key and equals the committed docs/openapi.json', async () => {
    await start();
    const res = await fetch(`${server!.httpUrl}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const served = await res.json();
    expect(served).toEqual(openApiDocument());
    const committed = JSON.parse(readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8'));
    expect(committed, 'regenerate with: pnpm --filter @roomcast/relay openapi').toEqual(served);
    expect(Object.keys(served.paths.rooms ?? {})).toEqual([]);
    expect(Object.keys(served.paths['/api/v1/rooms'])).toEqual(['get', 'post']);
    expect(Object.keys(served.paths)).toEqual([
      '/api/v1/rooms', '/api/v1/rooms/{room}', '/api/v1/rooms/{room}/settings', '/api/v1/rooms/{room}/publish', '/api/v1/rooms/{room}/members/{member}/kick', '/api/v1/rooms/{room}/members/{member}/remove', '/api/v1/rooms/{room}/close', '/api/v1/users/{userId}/disconnect', '/api/v1/limits',
    ]);
  });
});
