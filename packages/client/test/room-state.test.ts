// A room's state and events beyond members and messages, against the fake socket: what `joined`
// announces (tick, settings, host, seat, file budget), the server's settings / host / away /
// close / remove events, the argument checks of the send methods with their exact bounds, and
// how setPresence and leave settle. Interest groups and early messages: room-interest.test.ts.
import { DeliveryClass, encodeBatch } from '@roomcast/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RoomcastError } from '../src/node.js';
import { connected } from './harness.js';
import { SETTINGS, ada, bob, data, join, setup } from './room-setup.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('what joined announces', () => {
  it('tick rate, settings, host, file budget; and the seat goes back in the rejoin', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { h, room } = await setup({}, {}, { tickHz: 20, settings: SETTINGS, host: 2, seat: 'seat-token', fileBytesPerSec: 1234 });
    expect([room.tickHz, room.settings, room.host, room.fileBytesPerSec, room.handle, room.self]).toEqual([20, SETTINGS, 2, 1234, 5, 1]);
    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(1);
    h.socket().open();
    h.socket().welcome('s2');
    const rejoin = h.socket().nextControl('join');
    expect([rejoin.room, rejoin.seat, rejoin.presence]).toEqual(['r', 'seat-token', undefined]);
    h.socket().reply({ type: 'joined', id: rejoin.id, room: 'r', handle: 9, self: 4, members: [{ id: 4, presence: null }] });
    await vi.advanceTimersByTimeAsync(0);
    // What the new joined does not announce goes back to its default.
    expect([room.tickHz, room.settings, room.host, room.fileBytesPerSec, room.handle, room.self]).toEqual([30, undefined, 0, undefined, 9, 4]);
    vi.restoreAllMocks();
  });

  it('a relay that announces no tick rate: sendLatest coalesces at 30 Hz', async () => {
    vi.useFakeTimers();
    const { h, room } = await setup();
    room.sendLatest(0, Uint8Array.of(1));
    vi.advanceTimersByTime(0);
    expect(data(h).map((f) => f.payload)).toEqual([[1]]);
    room.sendLatest(0, Uint8Array.of(2));
    vi.advanceTimersByTime(25); // the interval is 33.3 ms (performance.now() is real time here: margins)
    expect(data(h)).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(data(h).map((f) => f.payload)).toEqual([[2]]);
  });
});

describe("the application server's room events", () => {
  it('settings, host and away/back update the room and are emitted', async () => {
    const { h, room } = await setup();
    const seen: unknown[] = [];
    room.on('settings', (s) => seen.push(['settings', s, room.settings]));
    room.on('host', (id) => seen.push(['host', id, room.host]));
    room.on('member_away', (m) => seen.push(['away', m, room.members.get(m.id)]));
    room.on('member_back', (m) => seen.push(['back', m, room.members.get(m.id)]));
    h.socket().reply({ type: 'room_settings', room: 5, settings: SETTINGS });
    h.socket().reply({ type: 'host_changed', room: 5, host: 3 });
    h.socket().reply({ type: 'member_away', room: 5, member: 2 });
    h.socket().reply({ type: 'member_away', room: 5, member: 42 }); // unknown: ignored
    h.socket().reply({ type: 'member_back', room: 5, member: 2 });
    h.socket().reply({ type: 'member_back', room: 5, member: 43 });
    const away = { id: 2, presence: { name: 'bob' }, away: true };
    expect(seen).toEqual([
      ['settings', SETTINGS, SETTINGS],
      ['host', 3, 3],
      ['away', away, away],
      ['back', bob, bob],
    ]);
    expect(room.members.get(2)).not.toHaveProperty('away');
    expect([...room.members.keys()]).toEqual([1, 2, 3]);
  });

  it.each([
    ['room_closed', 'closed'],
    ['removed', 'removed'],
  ] as const)('%s ends the room with its reason; it is not rejoined', async (type, event) => {
    const { h, room } = await setup();
    const seen: unknown[] = [];
    room.on('closed', (e) => seen.push(['closed', e, room.joined]));
    room.on('removed', (e) => seen.push(['removed', e, room.joined]));
    h.socket().reply({ type, room: 5, reason: 'game over' });
    expect(seen).toEqual([[event, { reason: 'game over' }, false]]);
    expect([room.members.size, h.client.rooms.size]).toEqual([0, 0]);
    expect(() => room.send(Uint8Array.of(1))).toThrow(expect.objectContaining({ code: 'not_in_room', message: "room 'r' was left" }));
    await room.leave(); // already left: sends nothing
    expect(h.socket().sent).toEqual([]);
  });

  it('member_left of an unknown member changes nothing; of a known one drops its latest values', async () => {
    const { h, room } = await setup();
    const left: number[] = [];
    room.on('member_left', (m) => left.push(m.id));
    h.socket().push(encodeBatch(5, [{ sender: 2, key: 0, payload: Uint8Array.of(1) }, { sender: 3, key: 0, payload: Uint8Array.of(2) }]));
    h.socket().reply({ type: 'member_left', room: 5, member: 9 });
    h.socket().reply({ type: 'member_left', room: 5, member: 2 });
    expect(left).toEqual([2]);
    expect([...room.latest.keys()]).toEqual([3]);
  });
});

describe('argument checks, at their exact bounds', () => {
  it('group: 1..65535 integers', async () => {
    const { h, room } = await setup();
    for (const group of [0, 65536, 1.5]) {
      const message = `group must be an integer in 1..65535 (got ${group})`;
      expect(() => room.send(Uint8Array.of(1), { group })).toThrow(new RangeError(message));
      expect(() => room.sendDroppable(Uint8Array.of(1), undefined, { group })).toThrow(new RangeError(message));
    }
    room.send(Uint8Array.of(1), { group: 1 });
    room.send(Uint8Array.of(2), { group: 65535 });
    room.send(Uint8Array.of(3));
    room.sendDroppable(Uint8Array.of(4), undefined, { group: 7 });
    expect(data(h)).toEqual([
      { cls: DeliveryClass.Reliable, target: undefined, key: undefined, group: 1, payload: [1] },
      { cls: DeliveryClass.Reliable, target: undefined, key: undefined, group: 65535, payload: [2] },
      { cls: DeliveryClass.Reliable, target: undefined, key: undefined, group: undefined, payload: [3] },
      { cls: DeliveryClass.Droppable, target: undefined, key: undefined, group: 7, payload: [4] },
    ]);
  });

  it('member ids: 1..65535 integers for sendTo and sendDroppable', async () => {
    const { h, room } = await setup();
    for (const id of [0, 65536, 2.5]) {
      const message = `memberId must be an integer in 1..65535 (got ${id})`;
      expect(() => room.sendTo(id, Uint8Array.of(1))).toThrow(new RangeError(message));
      expect(() => room.sendDroppable(Uint8Array.of(1), id)).toThrow(new RangeError(message));
    }
    room.sendTo(1, Uint8Array.of(1));
    room.sendTo(65535, Uint8Array.of(2));
    room.sendDroppable(Uint8Array.of(3), 1);
    room.sendDroppable(Uint8Array.of(4), 65535);
    expect(data(h).map((f) => [f.cls, f.target])).toEqual([
      [DeliveryClass.Reliable, 1], [DeliveryClass.Reliable, 65535], [DeliveryClass.Droppable, 1], [DeliveryClass.Droppable, 65535],
    ]);
  });

  it('latest keys: 0..255 integers; without the throttle each call is a frame, with its group', async () => {
    const { h, room } = await setup({}, { throttleLatest: false });
    for (const key of [-1, 256, 0.5]) {
      expect(() => room.sendLatest(key, Uint8Array.of(1))).toThrow(new RangeError(`key must be an integer in 0..255 (got ${key})`));
    }
    room.sendLatest(0, Uint8Array.of(1));
    room.sendLatest(255, Uint8Array.of(2), { group: 3 });
    room.sendLatest(255, Uint8Array.of(3));
    expect(data(h)).toEqual([
      { cls: DeliveryClass.Latest, target: undefined, key: 0, group: undefined, payload: [1] },
      { cls: DeliveryClass.Latest, target: undefined, key: 255, group: 3, payload: [2] },
      { cls: DeliveryClass.Latest, target: undefined, key: 255, group: undefined, payload: [3] },
    ]);
  });

  it('the throttle sends each key with the group of its last call', async () => {
    vi.useFakeTimers();
    const { h, room } = await setup();
    room.sendLatest(1, Uint8Array.of(1), { group: 4 });
    vi.advanceTimersByTime(0);
    room.sendLatest(1, Uint8Array.of(2), { group: 6 });
    room.sendLatest(2, Uint8Array.of(3));
    vi.advanceTimersByTime(40);
    expect(data(h).map((f) => [f.key, f.group, f.payload])).toEqual([[1, 4, [1]], [1, 6, [2]], [2, undefined, [3]]]);
  });

  it('a throttled value the relay would refuse is reported on the room, not thrown', async () => {
    vi.useFakeTimers();
    const { h, room } = await setup({ maxPayloadBytes: 2 });
    const errors: RoomcastError[] = [];
    room.on('error', (e) => errors.push(e));
    room.sendLatest(1, Uint8Array.of(1, 2, 3));
    vi.advanceTimersByTime(0);
    expect(errors.map((e) => [e.code, e.message])).toEqual([['payload_too_large', 'payload is 3 bytes; the relay accepts at most 2']]);
    expect(h.socket().sent).toEqual([]);
  });

  it('a throttled value waiting when the connection drops is not sent', async () => {
    vi.useFakeTimers();
    const { h, room } = await setup({}, { reconnect: false });
    room.sendLatest(1, Uint8Array.of(1));
    vi.advanceTimersByTime(0);
    room.sendLatest(1, Uint8Array.of(2));
    data(h);
    const socket = h.socket();
    socket.drop(1000);
    vi.advanceTimersByTime(100);
    expect(socket.sent).toEqual([]);
  });
});

/** Fake timers, no backoff jitter; joined to `r` with presence { v: 1 }, then { v: 2 } refused as too large. */
async function joinedThenPresenceRefused(options: Parameters<typeof connected>[0] = {}) {
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(0);
  const h = await connected(options);
  const joining = h.client.join('r', { v: 1 });
  h.socket().reply({ type: 'joined', id: h.socket().nextControl('join').id, room: 'r', handle: 5, self: 1, members: [{ id: 1, presence: { v: 1 } }] });
  const room = await joining;
  const refused = room.setPresence({ v: 2 });
  h.socket().reply({ type: 'error', id: h.socket().nextControl('presence').id, code: 'presence_too_large', message: 'big' });
  await expect(refused).rejects.toMatchObject({ code: 'presence_too_large' });
  return { h, room };
}

describe('setPresence and leave settle as documented', () => {
  it('a presence the relay refuses is not the one a rejoin sends; a lost reply keeps the new one', async () => {
    const { h, room } = await joinedThenPresenceRefused();
    expect(room.members.get(1)).toEqual({ id: 1, presence: { v: 1 } });
    const lost = room.setPresence({ v: 3 }).catch((e: RoomcastError) => e.code);
    h.socket().nextControl('presence');
    h.socket().drop(1006);
    expect(await lost).toBe('closed');
    await vi.advanceTimersByTimeAsync(1);
    h.socket().open();
    h.socket().welcome('s2');
    expect(h.socket().nextControl('join').presence).toEqual({ v: 3 });
    vi.restoreAllMocks();
  });

  it('leave: a relay answer of not_in_room counts as left; any other error rejects', async () => {
    const { h, room } = await setup();
    const leaving = room.leave();
    h.socket().reply({ type: 'error', id: h.socket().nextControl('leave').id, code: 'not_in_room', message: 'gone' });
    await expect(leaving).resolves.toBeUndefined();
    const other = await join(h, {}, [ada]);
    const failing = other.leave();
    h.socket().reply({ type: 'error', id: h.socket().nextControl('leave').id, code: 'rate_limited', message: 'slow down' });
    await expect(failing).rejects.toMatchObject({ code: 'rate_limited' });
  });

  it('leave while reconnecting resolves at once and sends nothing', async () => {
    const { h, room } = await setup();
    const socket = h.socket();
    socket.drop(1006);
    await room.leave();
    expect([room.joined, socket.sent.length, h.client.rooms.size]).toEqual([false, 0, 0]);
    h.client.close();
  });

  it('a leave in flight when the connection drops resolves', async () => {
    const { h, room } = await setup({}, { reconnect: false });
    const leaving = room.leave();
    h.socket().nextControl('leave');
    h.socket().drop(1006);
    await expect(leaving).resolves.toBeUndefined();
  });

  it('a confirmed presence keeps your verified userId and info', async () => {
    const h = await connected();
    const joining = h.client.join('r');
    h.socket().reply({ type: 'joined', id: h.socket().nextControl('join').id, room: 'r', handle: 5, self: 1, members: [{ id: 1, presence: null, userId: 'u-1', info: { name: 'Ada' } }] });
    const room = await joining;
    const setting = room.setPresence({ x: 1 });
    h.socket().reply({ type: 'ok', id: h.socket().nextControl('presence').id });
    await setting;
    expect(room.members.get(1)).toEqual({ id: 1, presence: { x: 1 }, userId: 'u-1', info: { name: 'Ada' } });
  });

  it('while the rejoin is pending, sends say so', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { h, room } = await setup();
    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(1);
    h.socket().open();
    h.socket().welcome('s2');
    expect(() => room.send(Uint8Array.of(1))).toThrow(expect.objectContaining({ code: 'not_connected', message: "room 'r' is being rejoined after a reconnect" }));
    await expect(room.setInterest([])).rejects.toMatchObject({ code: 'not_connected' });
    vi.restoreAllMocks();
  });

  it('after a refused presence the rejoin sends the previous one; after a timed-out one, the new one', async () => {
    const { h, room } = await joinedThenPresenceRefused({ requestTimeoutMs: 100 });
    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(1);
    h.socket().open();
    h.socket().welcome('s2');
    const rejoin = h.socket().nextControl('join');
    expect(rejoin.presence).toEqual({ v: 1 });
    h.socket().reply({ type: 'joined', id: rejoin.id, room: 'r', handle: 6, self: 1, members: [{ id: 1, presence: { v: 1 } }] });
    await vi.advanceTimersByTimeAsync(0);
    const timedOut = room.setPresence({ v: 4 }).catch((e: RoomcastError) => e.code);
    h.socket().nextControl('presence');
    await vi.advanceTimersByTimeAsync(100);
    expect(await timedOut).toBe('timeout');
    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(1);
    h.socket().open();
    h.socket().welcome('s3');
    expect(h.socket().nextControl('join').presence).toEqual({ v: 4 });
    vi.restoreAllMocks();
  });
});
