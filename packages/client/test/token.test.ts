// The getToken option on a fake socket and fake timers: the token in hello, in-band refresh before
// expiry, a new token on every reconnect (4440 included), 4401 and token_failed stop, userId and
// trusted info on members. The same flows run against the real relay in apps/relay/test/auth/sdk.test.ts.
import { PROTOCOL_VERSION } from '@roomcast/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { refreshDelayMs } from '../src/token.js';
import { RoomcastClient, RoomcastError } from '../src/node.js';
import { LIMITS, type FakeSocket } from './fake-socket.js';
import { harness, joinRoom } from './harness.js';

afterEach(() => {
  vi.useRealTimers();
});

/** getToken that hands out t1, t2, … and counts its calls. */
function tokens() {
  const calls: string[] = [];
  const getToken = async (): Promise<string> => {
    const t = `t${calls.length + 1}`;
    calls.push(t);
    return t;
  };
  return { calls, getToken };
}

/** Opens the socket once it exists (getToken is async), answers hello with a v2 welcome; returns the hello. */
async function welcome(socket: () => FakeSocket, fields: { userId?: string; expiresInSec?: number } = {}) {
  await vi.advanceTimersByTimeAsync(0);
  const s = socket();
  s.open();
  const hello = s.nextControl('hello');
  s.reply({ type: 'welcome', id: hello.id, v: PROTOCOL_VERSION, session: 's', limits: LIMITS, ...fields });
  return hello;
}

/** Fake timers on; a client with tokens() and a fixed 100 ms reconnect delay, connected as ada. */
async function connectedWithTokens() {
  vi.useFakeTimers();
  const { calls, getToken } = tokens();
  const h = harness({ getToken, reconnect: { initialDelayMs: 100, maxDelayMs: 100 } });
  const connecting = h.client.connect();
  await welcome(h.socket, { userId: 'ada', expiresInSec: 3600 });
  await connecting;
  return { calls, h };
}

describe('refreshDelayMs', () => {
  it('is 80% of the lifetime, at least 5 s before expiry; half of short lifetimes; never under 1 s', () => {
    expect(refreshDelayMs(3600)).toBe(2_880_000);
    expect(refreshDelayMs(20)).toBe(15_000);
    expect(refreshDelayMs(10)).toBe(5_000);
    expect(refreshDelayMs(8)).toBe(4_000);
    expect(refreshDelayMs(1)).toBe(1_000);
    expect(refreshDelayMs(0)).toBe(1_000);
    expect(refreshDelayMs(10 ** 9)).toBe(2 ** 31 - 1);
  });
});

describe('getToken', () => {
  it('sends the token in a v2 hello, exposes userId, and refreshes in-band before expiry', async () => {
    vi.useFakeTimers();
    const { calls, getToken } = tokens();
    const h = harness({ getToken });
    const connecting = h.client.connect();
    const hello = await welcome(h.socket, { userId: 'ada', expiresInSec: 100 });
    await connecting;
    expect(hello).toMatchObject({ v: 2, token: 't1' });
    expect(h.client.userId).toBe('ada');

    await vi.advanceTimersByTimeAsync(79_999);
    expect(calls).toEqual(['t1']);
    await vi.advanceTimersByTimeAsync(1);
    const refresh = h.socket().nextControl('refresh');
    expect(refresh.token).toBe('t2');
    h.socket().reply({ type: 'refreshed', id: refresh.id, expiresInSec: 50 });
    await vi.advanceTimersByTimeAsync(39_999);
    expect(h.socket().sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.socket().nextControl('refresh').token).toBe('t3');
    expect(h.fake.sockets).toHaveLength(1); // never reconnected
  });

  it('reports a refused refresh as an error event and keeps the connection', async () => {
    vi.useFakeTimers();
    const { getToken } = tokens();
    const h = harness({ getToken });
    const connecting = h.client.connect();
    await welcome(h.socket, { userId: 'ada', expiresInSec: 100 });
    await connecting;
    const errors: RoomcastError[] = [];
    h.client.on('error', (e) => errors.push(e));
    await vi.advanceTimersByTimeAsync(80_000);
    const refresh = h.socket().nextControl('refresh');
    h.socket().reply({ type: 'error', id: refresh.id, code: 'unauthorized', message: 'the new token names another user (sub); reconnect to change user' });
    await vi.advanceTimersByTimeAsync(0);
    expect(errors.map((e) => [e.code, e.message])).toEqual([['unauthorized', 'token refresh failed: the new token names another user (sub); reconnect to change user']]);
    expect(h.client.status).toBe('open');
  });

  it('asks for a new token on every reconnect; 4440 (token expired) reconnects', async () => {
    const { calls, h } = await connectedWithTokens();
    h.socket().drop(4440, 'token expired: get a new token and reconnect');
    expect(h.client.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual(['t1', 't2']);
    const hello = await welcome(h.socket, { userId: 'ada', expiresInSec: 3600 });
    expect(hello.token).toBe('t2');
    expect(h.client.status).toBe('open');
    expect(h.fake.sockets).toHaveLength(2);
  });

  it('stops on 4401 (unauthorized) without asking for another token', async () => {
    const { calls, h } = await connectedWithTokens();
    const closed = new Promise((resolve) => h.client.on('close', resolve));
    h.socket().drop(4401, 'unauthorized');
    expect(await closed).toEqual({ code: 4401, reason: 'unauthorized' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toEqual(['t1']);
    expect(h.client.status).toBe('closed');
  });

  it('connect() rejects with token_failed when getToken throws, and opens no socket', async () => {
    const h = harness({ getToken: () => { throw new Error('backend down'); } });
    await expect(h.client.connect()).rejects.toMatchObject({ code: 'token_failed', message: 'getToken() failed: backend down' });
    expect(h.fake.sockets).toHaveLength(0);
    expect(h.client.status).toBe('closed');
    const empty = harness({ getToken: () => '' });
    await expect(empty.client.connect()).rejects.toMatchObject({ code: 'token_failed' });
  });

  it('close() while getToken is pending: connect() rejects with closed, no socket is opened later', async () => {
    let give!: (t: string) => void;
    const h = harness({ getToken: () => new Promise<string>((resolve) => { give = resolve; }) });
    const connecting = h.client.connect();
    h.client.close();
    await expect(connecting).rejects.toMatchObject({ code: 'closed' });
    give('late');
    await new Promise((r) => setTimeout(r, 0));
    expect(h.fake.sockets).toHaveLength(0);
  });

  it('members carry the verified userId and info next to their presence', async () => {
    vi.useFakeTimers();
    const h = harness({ getToken: () => 'tok' });
    const connecting = h.client.connect();
    await welcome(h.socket, { userId: 'ada', expiresInSec: 3600 });
    await connecting;
    const room = await joinRoom(h, 'r', {
      handle: 1, self: 2,
      members: [{ id: 1, presence: { name: 'Bob?' }, userId: 'bob', info: { name: 'Bob B.' } }, { id: 2, presence: null, userId: 'ada' }],
    });
    expect(room.members.get(1)).toEqual({ id: 1, presence: { name: 'Bob?' }, userId: 'bob', info: { name: 'Bob B.' } });
    h.socket().reply({ type: 'member_joined', room: 1, member: { id: 3, presence: null } });
    expect(room.members.get(3)).toStrictEqual({ id: 3, presence: null });
    const setting = room.setPresence({ x: 1 });
    const p = h.socket().nextControl('presence');
    h.socket().reply({ type: 'ok', id: p.id });
    await setting;
    expect(room.members.get(2)).toEqual({ id: 2, presence: { x: 1 }, userId: 'ada' });
  });

  it('connect({ retry: true }) does not retry a socket that cannot be created after getToken', async () => {
    let created = 0;
    let asked = 0;
    const client = new RoomcastClient('not a url', {
      getToken: async () => { asked++; return 'tok'; },
      WebSocket: class {
        constructor() {
          created++;
          throw new SyntaxError('invalid URL');
        }
      } as never,
    });
    await expect(client.connect({ retry: true })).rejects.toMatchObject({ code: 'connect_failed' });
    expect([asked, created]).toEqual([1, 1]);
  });
});
