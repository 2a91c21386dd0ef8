// The client's request path and room bookkeeping (client.ts), against the fake socket: what a
// join sends, the control-frame cap, a socket that refuses a frame, a second welcome, the rooms
// map, listeners added with once/off, and a rejoin that races a leave or fails.
import { PROTOCOL_VERSION, encodeControl } from '@roomcast/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RoomcastError, type ClientStatus } from '../src/node.js';
import { LIMITS } from './fake-socket.js';
import { connected, harness, joinRoom } from './harness.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const ada = { id: 1, presence: null };

describe('join', () => {
  it('sends the settings only when given, and the presence', async () => {
    const h = await connected();
    void h.client.join('a', { n: 1 }, { settings: { capacity: 4, locked: true } });
    void h.client.join('b');
    expect(h.socket().nextControl('join')).toMatchObject({ room: 'a', presence: { n: 1 }, settings: { capacity: 4, locked: true } });
    const b = h.socket().nextControl('join');
    expect(b).not.toHaveProperty('settings');
    expect(b).not.toHaveProperty('presence');
  });

  it('a refused join can be tried again; a join in flight refuses a second one', async () => {
    const h = await connected();
    const first = h.client.join('r');
    await expect(h.client.join('r')).rejects.toMatchObject({
      code: 'already_joined', message: "room 'r' is already joined (or being joined) by this client",
    });
    h.socket().reply({ type: 'error', id: h.socket().nextControl('join').id, code: 'room_full', message: 'full' });
    await expect(first).rejects.toMatchObject({ code: 'room_full' });
    const room = await joinRoom(h, 'r', { handle: 2, self: 1, members: [ada] });
    expect([...h.client.rooms]).toEqual([['r', room]]);
    await expect(h.client.join('r')).rejects.toMatchObject({ code: 'already_joined' });
  });
});

describe('the request path', () => {
  it('a request above maxControlBytes is refused before sending, naming the sizes', async () => {
    const h = harness();
    const connecting = h.client.connect();
    h.socket().open();
    h.socket().welcome('s', { maxControlBytes: 40 });
    await connecting;
    const long = 'x'.repeat(40);
    const err = await h.client.join(long).catch((e: RoomcastError) => e);
    expect(err).toMatchObject({ code: 'control_too_large' });
    expect((err as RoomcastError).message).toMatch(/^'join' is \d+ bytes; the relay accepts at most 40$/);
    expect(h.socket().sent).toEqual([]);
    // Just under the cap goes out.
    void h.client.join('x');
    expect(h.socket().nextControl('join').room).toBe('x');
  });

  it('a maxControlBytes of 0 means no cap', async () => {
    const h = harness();
    const connecting = h.client.connect();
    h.socket().open();
    h.socket().welcome('s', { maxControlBytes: 0 });
    await connecting;
    void h.client.join('y'.repeat(100));
    expect(h.socket().nextControl('join').room).toHaveLength(100);
  });

  it('a socket that throws on send rejects the request with not_connected, with the cause', async () => {
    const h = await connected();
    const cause = new Error('buffer full');
    h.socket().send = () => {
      throw cause;
    };
    const err = await h.client.ping().catch((e: RoomcastError) => e);
    expect(err).toMatchObject({ code: 'not_connected', message: 'the socket refused the frame: buffer full', cause });
  });

  it('requests and sends name the status when not connected', async () => {
    const h = harness();
    await expect(h.client.ping()).rejects.toMatchObject({ message: "cannot send 'ping': the client is idle" });
    const c = await connected({ reconnect: false });
    const room = await joinRoom(c, 'r', { handle: 2, self: 1, members: [ada] });
    c.socket().drop(1006);
    expect(() => room.send(Uint8Array.of(1))).toThrow(expect.objectContaining({ code: 'not_connected', message: "cannot use room 'r': the client is not connected" }));
  });

  it('a payload above the cap names both sizes and the room handle', async () => {
    const h = await connected({}, { maxPayloadBytes: 3 });
    const room = await joinRoom(h, 'r', { handle: 6, self: 1, members: [ada] });
    room.send(Uint8Array.of(1, 2, 3));
    expect(h.socket().nextData().payload).toEqual(Uint8Array.of(1, 2, 3));
    let err: unknown;
    try {
      room.send(Uint8Array.of(1, 2, 3, 4));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'payload_too_large', message: 'payload is 4 bytes; the relay accepts at most 3', room: 6 });
  });

  it('a relay that announces no payload cap (0): the client checks none', async () => {
    const h = await connected({}, { maxPayloadBytes: 0 });
    const room = await joinRoom(h, 'r', { handle: 6, self: 1, members: [ada] });
    room.send(new Uint8Array(70_000));
    expect(h.socket().nextData().payload).toHaveLength(70_000);
  });
});

describe('frames the client does not expect', () => {
  it('a second welcome is reported as an error; the connection stays', async () => {
    const h = await connected();
    const errors: [string, string][] = [];
    h.client.on('error', (e) => errors.push([e.code, e.message]));
    h.socket().reply({ type: 'welcome', id: 1, v: PROTOCOL_VERSION, session: 'again', limits: LIMITS });
    expect(errors).toEqual([['bad_message', 'relay sent a second welcome']]);
    expect([h.client.status, h.client.session]).toEqual(['open', 'session-1']);
  });

  it('an error with an id nobody waits for, but a known room, goes to the client', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'r', { handle: 2, self: 1, members: [ada] });
    const got: string[] = [];
    h.client.on('error', (e) => got.push(`client:${e.code}`));
    room.on('error', (e) => got.push(`room:${e.code}`));
    h.socket().reply({ type: 'error', id: 77, room: 2, code: 'rate_limited', message: 'x' });
    h.socket().reply({ type: 'error', room: 2, code: 'unknown_member', message: 'y' });
    h.socket().reply({ type: 'error', room: 9, code: 'not_in_room', message: 'z' });
    expect(got).toEqual(['client:rate_limited', 'room:unknown_member', 'client:not_in_room']);
  });
});

describe('listeners', () => {
  it('once fires once; off removes; the returned function removes', async () => {
    const h = harness();
    const seen: string[] = [];
    const listener = (s: ClientStatus) => seen.push(`on:${s}`);
    h.client.once('status', (s) => seen.push(`once:${s}`));
    h.client.on('status', listener);
    const off = h.client.on('status', (s) => seen.push(`other:${s}`));
    const connecting = h.client.connect();
    off();
    h.client.off('status', listener);
    h.socket().open();
    h.socket().welcome();
    await connecting;
    expect(seen).toEqual(['once:connecting', 'on:connecting', 'other:connecting']);
  });
});

describe('rejoin after a reconnect', () => {
  async function dropAndReopen() {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const h = await connected();
    const room = await joinRoom(h, 'r', { handle: 2, self: 1, members: [ada] });
    const reconnected: unknown[] = [];
    h.client.on('reconnected', (i) => reconnected.push(i));
    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(1);
    h.socket().open();
    h.socket().welcome('s2');
    return { h, room, reconnected, rejoin: h.socket().nextControl('join') };
  }

  it('a room left while its rejoin is in flight is left again on the relay when the reply comes', async () => {
    const { h, room, rejoin, reconnected } = await dropAndReopen();
    const leaving = room.leave();
    expect(h.socket().sent).toEqual([]); // not joined on this connection yet: nothing to leave
    await leaving;
    h.socket().reply({ type: 'joined', id: rejoin.id, room: 'r', handle: 8, self: 3, members: [{ id: 3, presence: null }] });
    const stray = h.socket().nextControl('leave');
    expect(stray.room).toBe(8);
    await vi.advanceTimersByTimeAsync(0);
    expect([room.joined, h.client.rooms.size, reconnected]).toEqual([false, 0, [{ session: 's2', failedAttempts: 0 }]]);
  });

  it('a refused rejoin ends the room with an error naming it', async () => {
    const { h, room, rejoin, reconnected } = await dropAndReopen();
    const errors: [string, string, number | undefined][] = [];
    room.on('error', (e) => errors.push([e.code, e.message, e.room]));
    h.socket().reply({ type: 'error', id: rejoin.id, room: 4, code: 'room_full', message: 'full' });
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([['room_full', "could not rejoin room 'r' after reconnecting: full", 4]]);
    expect([room.joined, h.client.rooms.size, reconnected.length]).toEqual([false, 0, 1]);
  });

  it('a rejoin lost to another drop keeps the room for the next attempt', async () => {
    const { h, room, reconnected } = await dropAndReopen();
    const errors: string[] = [];
    room.on('error', (e) => errors.push(e.code));
    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(1);
    expect([room.joined, errors, reconnected]).toEqual([true, [], []]);
    h.socket().open();
    h.socket().welcome('s3');
    expect(h.socket().nextControl('join').room).toBe('r');
  });

  it('close() from a status listener at open stops the rejoin', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const h = await connected();
    await joinRoom(h, 'r', { handle: 2, self: 1, members: [ada] });
    h.socket().drop(1006);
    h.client.on('status', (s) => {
      if (s === 'open') h.client.close();
    });
    await vi.advanceTimersByTimeAsync(1);
    const socket = h.socket();
    socket.open();
    socket.welcome('s2');
    expect(h.client.status).toBe('closed');
    expect(socket.sent).toEqual([]);
  });
});

describe('connect() while reconnecting', () => {
  it('rejects with closed when the client closes instead', async () => {
    vi.useFakeTimers();
    const h = await connected();
    h.socket().drop(1006);
    const waiting = h.client.connect();
    h.client.close();
    await expect(waiting).rejects.toMatchObject({ code: 'closed', message: 'the client closed while reconnecting' });
  });
});

describe('exact values', () => {
  it('the core class without a WebSocket option throws no_websocket', async () => {
    const { RoomcastClient: Core } = await import('../src/client.js');
    expect(() => new Core('ws://x/ws')).toThrow(expect.objectContaining({ code: 'no_websocket', message: 'no WebSocket implementation: pass the `WebSocket` option' }));
  });

  it('ping measures the real round trip: at least the time the pong took, at most the time it all took', async () => {
    const h = await connected();
    const before = performance.now();
    const pinging = h.client.ping();
    const ping = h.socket().nextControl('ping');
    await new Promise((r) => setTimeout(r, 20));
    h.socket().reply({ type: 'pong', id: ping.id });
    const rtt = await pinging;
    expect(rtt).toBeGreaterThanOrEqual(15); // timers may fire a little early, never 5 ms
    expect(rtt).toBeLessThanOrEqual(performance.now() - before);
  });

  it('a control frame of exactly maxControlBytes is sent', async () => {
    const h = harness();
    const connecting = h.client.connect();
    h.socket().open();
    h.socket().welcome('s', { maxControlBytes: encodeControl({ type: 'ping', id: 1 }).length });
    await connecting;
    void h.client.ping(); // the client's first request: id 1
    expect(h.socket().nextControl('ping').id).toBe(1);
  });

  it('close() rejects pending requests with closed, code 1000; a drop with the close code', async () => {
    const h = await connected();
    const first = h.client.ping().catch((e: RoomcastError) => e);
    h.client.close();
    expect(await first).toMatchObject({ code: 'closed', message: 'client.close() was called', closeCode: 1000 });
    const c = await connected();
    const second = c.client.ping().catch((e: RoomcastError) => e);
    c.socket().drop(1011, 'oops');
    expect(await second).toMatchObject({ code: 'closed', message: 'connection closed (code 1011) before the reply arrived', closeCode: 1011, closeReason: 'oops' });
  });

  it('a first connection closed before welcome reports its own close code and reason', async () => {
    const h = harness();
    const closes: unknown[] = [];
    h.client.on('close', (c) => closes.push(c));
    const connecting = h.client.connect().catch(() => {});
    h.socket().drop(4400, 'bad hello');
    await connecting;
    expect(closes).toEqual([{ code: 4400, reason: 'bad hello' }]);
  });
});

describe('errors', () => {
  it('are RoomcastErrors with the documented fields', () => {
    const err = new RoomcastError('closed', 'm', { closeCode: 1000 });
    expect([err.name, err.code, err.closeCode, err instanceof Error]).toEqual(['RoomcastError', 'closed', 1000, true]);
  });
});
