// Reconnect after an unexpected close: backoff timing, rejoin with the last presence, resync;
// and the closes after which the client must stay closed.
import { encodeDeliver, type Presence } from '@roomcast/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CloseInfo, ClientStatus, ReconnectedInfo, RoomMessage, RoomResync } from '../src/node.js';
import { connected, joinRoom, type Harness } from './harness.js';

const ada = (presence: Presence = { name: 'ada' }) => ({ id: 1, presence });
const bob = { id: 2, presence: { name: 'bob' } };

beforeEach(() => {
  vi.useFakeTimers();
  // Full jitter draws from Math.random; pin it near 1 so each delay is just under its ceiling.
  vi.spyOn(Math, 'random').mockReturnValue(0.999);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Completes the handshake on the newest socket. */
function reopen(h: Harness, session: string): void {
  h.socket().open();
  h.socket().welcome(session);
}

describe('reconnect', () => {
  it('reconnects after 1006, rejoins every room with its last presence, then emits resync and reconnected', async () => {
    const h = await connected();
    const lobby = await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada(), bob] }, { name: 'ada' });
    const other = await joinRoom(h, 'other', { handle: 8, self: 4, members: [{ id: 4, presence: null }] });
    const updating = lobby.setPresence({ name: 'ada', color: 'blue' });
    h.socket().reply({ type: 'ok', id: h.socket().nextControl('presence').id });
    await updating;

    const statuses: ClientStatus[] = [];
    const resyncs: [string, RoomResync][] = [];
    const reconnected: ReconnectedInfo[] = [];
    h.client.on('status', (s) => statuses.push(s));
    h.client.on('reconnected', (info) => reconnected.push(info));
    lobby.on('resync', (r) => resyncs.push(['lobby', { self: r.self, members: new Map(r.members) }]));
    other.on('resync', (r) => resyncs.push(['other', { self: r.self, members: new Map(r.members) }]));

    const pending = h.client.ping().catch((e: unknown) => e);
    h.socket().nextControl('ping');
    h.socket().drop(1006);

    expect(await pending).toMatchObject({ code: 'closed', closeCode: 1006 });
    expect(h.client.status).toBe('reconnecting');
    expect(lobby.joined).toBe(true);
    expect(() => lobby.send(new Uint8Array([1]))).toThrow(expect.objectContaining({ code: 'not_connected' }));
    await expect(h.client.join('third')).rejects.toMatchObject({ code: 'not_connected' });

    // First delay: just under the 250 ms ceiling.
    await vi.advanceTimersByTimeAsync(248);
    expect(h.fake.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.fake.sockets).toHaveLength(2);
    reopen(h, 'session-2');
    expect(h.client.status).toBe('open');
    expect(h.client.session).toBe('session-2');

    const rejoinLobby = h.socket().nextControl('join');
    const rejoinOther = h.socket().nextControl('join');
    expect(rejoinLobby).toMatchObject({ room: 'lobby', presence: { name: 'ada', color: 'blue' } });
    expect(rejoinOther.room).toBe('other');
    expect(rejoinOther.presence).toBeUndefined();

    const carol = { id: 5, presence: { name: 'carol' } };
    h.socket().reply({ type: 'joined', id: rejoinLobby.id, room: 'lobby', handle: 3, self: 9, members: [carol, { id: 9, presence: { name: 'ada', color: 'blue' } }] });
    expect(resyncs.map(([name]) => name)).toEqual(['lobby']);
    expect(reconnected).toHaveLength(0); // waits for every room
    h.socket().reply({ type: 'joined', id: rejoinOther.id, room: 'other', handle: 4, self: 1, members: [{ id: 1, presence: null }] });
    await vi.advanceTimersByTimeAsync(0);

    expect(statuses).toEqual(['reconnecting', 'open']);
    expect(reconnected).toEqual([{ session: 'session-2', failedAttempts: 0 }]);
    expect(resyncs).toEqual([
      ['lobby', { self: 9, members: new Map<number, unknown>([[5, carol], [9, { id: 9, presence: { name: 'ada', color: 'blue' } }]]) }],
      ['other', { self: 1, members: new Map([[1, { id: 1, presence: null }]]) }],
    ]);
    // The same Room objects, updated in place.
    expect(h.client.rooms.get('lobby')).toBe(lobby);
    expect(lobby.handle).toBe(3);
    expect(lobby.self).toBe(9);
    expect([...lobby.members.keys()]).toEqual([5, 9]);

    // Frames now use the new handle, and arrive by it.
    lobby.send(new Uint8Array([7]));
    expect(h.socket().nextData()).toMatchObject({ room: 3 });
    const messages: RoomMessage[] = [];
    lobby.on('message', (m) => messages.push(m));
    h.socket().push(encodeDeliver({ room: 3, sender: 5 }, new Uint8Array([1, 2])));
    expect(messages).toEqual([{ sender: 5, direct: false, cls: 'reliable', payload: new Uint8Array([1, 2]) }]);
  });

  it('grows the delay after failed attempts and resets it after a success', async () => {
    const h = await connected();
    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(249); // attempt 1 (ceiling 250)
    expect(h.fake.sockets).toHaveLength(2);
    h.socket().drop(1006); // refused before open
    await vi.advanceTimersByTimeAsync(498);
    expect(h.fake.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1); // attempt 2 (ceiling 500)
    expect(h.fake.sockets).toHaveLength(3);
    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(999); // attempt 3 (ceiling 1000)
    expect(h.fake.sockets).toHaveLength(4);
    const reconnected: ReconnectedInfo[] = [];
    h.client.on('reconnected', (info) => reconnected.push(info));
    reopen(h, 'session-4');
    await vi.advanceTimersByTimeAsync(0);
    expect(reconnected).toEqual([{ session: 'session-4', failedAttempts: 2 }]);

    h.socket().drop(1001); // going away: reconnect, from the first delay again
    await vi.advanceTimersByTimeAsync(249);
    expect(h.fake.sockets).toHaveLength(5);
  });

  it('retries an attempt that gets no welcome within connectTimeoutMs', async () => {
    const h = await connected({ connectTimeoutMs: 1000 });
    h.socket().drop(4408);
    await vi.advanceTimersByTimeAsync(249);
    expect(h.fake.sockets).toHaveLength(2);
    h.socket().open(); // but the relay never answers hello
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.socket().closedWith?.code).toBe(1000);
    expect(h.client.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(499);
    expect(h.fake.sockets).toHaveLength(3);
  });

  it('ends a room whose rejoin the relay refuses and emits the error on it', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada()] });
    const errors: string[] = [];
    room.on('error', (e) => errors.push(e.code));
    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(249);
    reopen(h, 'session-2');
    const rejoin = h.socket().nextControl('join');
    h.socket().reply({ type: 'error', id: rejoin.id, code: 'room_full', message: 'full' });
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual(['room_full']);
    expect(room.joined).toBe(false);
    expect(h.client.rooms.size).toBe(0);
  });

  it('does not rejoin a room left while disconnected', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada()] });
    h.socket().drop(1006);
    await room.leave(); // resolves at once: the connection is down
    await vi.advanceTimersByTimeAsync(249);
    reopen(h, 'session-2');
    expect(h.socket().sent).toHaveLength(0);
  });

  it('keeps a presence set while reconnecting and sends it with the rejoin', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada()] }, { name: 'ada' });
    h.socket().drop(1006);
    await expect(room.setPresence({ name: 'ada (away)' })).rejects.toMatchObject({ code: 'not_connected' });
    await vi.advanceTimersByTimeAsync(249);
    reopen(h, 'session-2');
    expect(h.socket().nextControl('join')).toMatchObject({ room: 'lobby', presence: { name: 'ada (away)' } });
  });

  it('does not reconnect after a close code that forbids it (4400)', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada()] });
    const closes: CloseInfo[] = [];
    h.client.on('close', (c) => closes.push(c));
    const pending = h.client.ping().catch((e: unknown) => e);
    h.socket().drop(4400, 'too many bad frames');
    expect(await pending).toMatchObject({ code: 'closed', closeCode: 4400 });
    expect(h.client.status).toBe('closed');
    expect(closes).toEqual([{ code: 4400, reason: 'too many bad frames' }]);
    expect(room.joined).toBe(false);
    expect(() => room.send(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'not_connected' }));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.fake.sockets).toHaveLength(1);
  });

  it('stops reconnecting when an attempt is closed with a code that forbids it', async () => {
    const h = await connected();
    const closes: CloseInfo[] = [];
    h.client.on('close', (c) => closes.push(c));
    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(249);
    h.socket().drop(4401, 'unauthorized');
    expect(h.client.status).toBe('closed');
    expect(closes).toEqual([{ code: 4401, reason: 'unauthorized' }]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.fake.sockets).toHaveLength(2);
  });

  it('does not reconnect after client.close(): closes with 1000 and rejects pending requests', async () => {
    const h = await connected();
    const closes: CloseInfo[] = [];
    h.client.on('close', (c) => closes.push(c));
    const pending = h.client.ping().catch((e: unknown) => e);
    h.client.close();
    expect(h.socket().closedWith).toEqual({ code: 1000, reason: 'client closed' });
    expect(await pending).toMatchObject({ code: 'closed' });
    expect(h.client.status).toBe('closed');
    expect(closes).toEqual([{ code: 1000, reason: 'client closed' }]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.fake.sockets).toHaveLength(1);
    h.client.close(); // idempotent
    expect(closes).toHaveLength(1);
  });

  it('client.close() during the backoff cancels the pending attempt', async () => {
    const h = await connected();
    h.socket().drop(1006);
    expect(h.client.status).toBe('reconnecting');
    const waiting = h.client.connect().catch((e: unknown) => e);
    h.client.close();
    expect(await waiting).toMatchObject({ code: 'closed' });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.fake.sockets).toHaveLength(1);
  });

  it('does not reconnect when a status listener closes the client on reconnecting', async () => {
    const h = await connected();
    h.client.on('status', (s) => {
      if (s === 'reconnecting') h.client.close();
    });
    h.socket().drop(1006);
    expect(h.client.status).toBe('closed');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.fake.sockets).toHaveLength(1);
  });

  it('does not reconnect when reconnect is false', async () => {
    const h = await connected({ reconnect: false });
    h.socket().drop(1006);
    expect(h.client.status).toBe('closed');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.fake.sockets).toHaveLength(1);
  });

  it('connect() while reconnecting resolves when the connection is back', async () => {
    const h = await connected();
    h.socket().drop(1006);
    const waiting = h.client.connect();
    await vi.advanceTimersByTimeAsync(249);
    reopen(h, 'session-2');
    await expect(waiting).resolves.toBeUndefined();
  });
});
