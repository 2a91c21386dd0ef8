// Unit tests of the delivery classes with fake peers and a controlled clock: merging per tick,
// snapshots, key clearing, slow consumers, droppable frames and budgets.
import { DeliveryClass, encodeControl, encodeData } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { setup } from './fakes.js';

const latest = (room: number, key: number, ...payload: number[]) =>
  encodeData({ room, cls: DeliveryClass.Latest, key }, Uint8Array.from(payload));
const droppable = (room: number, ...payload: number[]) =>
  encodeData({ room, cls: DeliveryClass.Droppable }, Uint8Array.from(payload));
const entries = (b: { entries: { sender: number; key: number; payload: Uint8Array }[] }) =>
  b.entries.map((e) => [e.sender, e.key, [...e.payload]]);

function room3(overrides: Record<string, string> = {}) {
  const t = setup({ RELAY_MAX_MESSAGES_PER_SEC: '100000', RELAY_BURST_MESSAGES: '100000', ...overrides });
  const [a, b, c] = [t.connect(), t.connect(), t.connect()];
  const ja = t.join(a, 'cursors');
  const jb = t.join(b, 'cursors');
  const jc = t.join(c, 'cursors');
  return { ...t, a, b, c, ja, jb, jc, handle: ja.handle };
}

describe('latest class', () => {
  it('merges many sends into one value per key per tick, in one batch frame', () => {
    const { relay, a, b, c, ja, jb, handle, advance } = room3();
    expect(ja.tickHz).toBe(30);
    // First change after a quiet period flushes on the next timer turn (delay 0).
    relay.message(a.conn, latest(handle, 0, 1));
    advance(0);
    expect(b.peer.batches().map(entries)).toEqual([[[ja.self, 0, [1]]]]);
    // Within the next 33 ms: 50 updates from a, 3 from b, on two keys.
    for (let i = 0; i < 50; i++) relay.message(a.conn, latest(handle, 0, i));
    relay.message(b.conn, latest(handle, 0, 7));
    relay.message(b.conn, latest(handle, 1, 8));
    relay.message(b.conn, latest(handle, 1, 9));
    advance(20);
    expect(c.peer.batches()).toHaveLength(1); // not yet: a tick is 33.3 ms
    advance(14);
    const batches = c.peer.batches();
    expect(batches).toHaveLength(2);
    expect(entries(batches[1]!)).toEqual([[ja.self, 0, [49]], [jb.self, 0, [7]], [jb.self, 1, [9]]]);
    expect(relay.stats.merges).toBe(49 + 1);
    // Unchanged values cost nothing: no more batches while nobody sends.
    advance(1000);
    expect(c.peer.batches()).toHaveLength(2);
    expect(relay.stats.ticks).toBe(2);
    // Encoded once, published once per tick: every member got the same frame.
    expect(b.peer.batches().map(entries)).toEqual(c.peer.batches().map(entries));
  });

  it('honours a per-room tick rate within the relay bounds', () => {
    const t = setup({ RELAY_MAX_MESSAGES_PER_SEC: '100000', RELAY_BURST_MESSAGES: '100000' });
    const [a, b] = [t.connect(), t.connect()];
    const ja = t.join(a, 'slow', 10);
    expect(ja.tickHz).toBe(10);
    t.join(b, 'slow', 60); // ignored: the room exists
    t.relay.message(a.conn, latest(ja.handle, 0, 1));
    t.advance(0);
    t.relay.message(a.conn, latest(ja.handle, 0, 2));
    t.advance(99);
    expect(b.peer.batches()).toHaveLength(1);
    t.advance(1);
    expect(b.peer.batches()).toHaveLength(2);
    const c = t.connect();
    t.relay.message(c.conn, encodeControlJoin('fast', 500));
    expect(c.peer.last()).toMatchObject({ type: 'error', code: 'bad_tick_rate' });
  });

  it('sends a joiner a snapshot of every current value at once', () => {
    const { relay, a, b, ja, jb, handle, advance, connect, join } = room3();
    relay.message(a.conn, latest(handle, 0, 1, 1));
    relay.message(b.conn, latest(handle, 3, 2, 2));
    advance(0);
    const d = connect();
    join(d, 'cursors');
    const [snap] = d.peer.batches();
    expect(snap?.snapshot).toBe(true);
    expect(entries(snap!).sort()).toEqual([[ja.self, 0, [1, 1]], [jb.self, 3, [2, 2]]].sort());
  });

  it('clears a key on an empty payload, and a leaving member\'s keys without a ghost', () => {
    const { relay, a, b, c, ja, jb, handle, advance, connect, join } = room3();
    relay.message(a.conn, latest(handle, 0, 5));
    relay.message(b.conn, latest(handle, 0, 6));
    advance(0);
    relay.message(a.conn, latest(handle, 0));
    advance(40);
    expect(entries(c.peer.batches().at(-1)!)).toEqual([[ja.self, 0, []]]);
    // b updates, then leaves before the tick: its pending value must not follow member_left.
    relay.message(b.conn, latest(handle, 0, 7));
    b.peer.close(1000);
    expect(c.peer.last()).toMatchObject({ type: 'member_left', member: jb.self });
    const before = c.peer.batches().length;
    advance(100);
    expect(c.peer.batches()).toHaveLength(before);
    const d = connect();
    join(d, 'cursors');
    expect(d.peer.batches()).toHaveLength(0); // nothing left to snapshot
  });

  it('caps the keys one member may hold', () => {
    const { relay, a, handle } = room3({ RELAY_MAX_KEYS_PER_MEMBER: '2' });
    relay.message(a.conn, latest(handle, 0, 1));
    relay.message(a.conn, latest(handle, 1, 1));
    relay.message(a.conn, latest(handle, 2, 1));
    expect(a.peer.last()).toMatchObject({ type: 'error', code: 'too_many_keys', room: handle });
    relay.message(a.conn, latest(handle, 1)); // clear one
    relay.message(a.conn, latest(handle, 2, 1));
    expect(a.peer.messages().filter((m) => m.type === 'error')).toHaveLength(1);
  });
});

describe('slow consumers', () => {
  it('skips ticks for a member over the soft limit and resyncs it with one snapshot when it drains', () => {
    const { relay, a, b, c, ja, handle, advance } = room3({ RELAY_SOFT_BUFFERED_BYTES: '2048', RELAY_MAX_BUFFERED_BYTES: '100000' });
    c.peer.buffered = 5000;
    relay.sweep();
    expect(c.conn.lagging).toBe(true);
    for (let i = 0; i < 10; i++) {
      relay.message(a.conn, latest(handle, 0, i));
      advance(40);
    }
    expect(b.peer.batches()).toHaveLength(10);
    expect(c.peer.batches()).toHaveLength(0);
    expect(relay.stats.skippedTicks).toBe(10);
    // Reliable traffic still reaches it, in order.
    relay.message(a.conn, encodeData({ room: handle }, Uint8Array.of(42)));
    expect(c.peer.delivers().map((f) => [...f.payload])).toEqual([[42]]);
    // Drained to below half the soft limit: one snapshot, then ordinary ticks again.
    c.peer.buffered = 400;
    relay.sweep();
    expect(c.conn.lagging).toBe(false);
    const [snap] = c.peer.batches();
    expect(snap?.snapshot).toBe(true);
    expect(entries(snap!)).toEqual([[ja.self, 0, [9]]]);
    relay.message(a.conn, latest(handle, 0, 10));
    advance(40);
    expect(entries(c.peer.batches().at(-1)!)).toEqual([[ja.self, 0, [10]]]);
    expect(relay.stats.snapshots).toBe(1);
  });

  it('still disconnects at the hard cap (4503)', () => {
    const { relay, c } = room3({ RELAY_SOFT_BUFFERED_BYTES: '2048', RELAY_MAX_BUFFERED_BYTES: '4096' });
    c.peer.buffered = 5000;
    relay.sweep();
    expect(c.peer.closedWith).toBe(4503);
  });
});

describe('droppable class', () => {
  it('reaches members that keep up at once, and is dropped and counted for the others', () => {
    const { relay, a, b, c, ja, handle } = room3({ RELAY_SOFT_BUFFERED_BYTES: '2048', RELAY_MAX_BUFFERED_BYTES: '100000' });
    c.peer.buffered = 5000;
    relay.sweep();
    relay.message(a.conn, droppable(handle, 1, 2));
    expect(b.peer.delivers().map((f) => [f.sender, f.cls, [...f.payload]])).toEqual([[ja.self, DeliveryClass.Droppable, [1, 2]]]);
    expect(c.peer.delivers()).toHaveLength(0);
    expect(a.peer.delivers()).toHaveLength(0);
    expect(relay.stats.drops).toBe(1);
  });
});

describe('budgets', () => {
  it('over the frame budget: reliable gets rate_limited, latest is merged, droppable is dropped', () => {
    const { relay, a, b, ja, handle, advance } = room3({ RELAY_MAX_MESSAGES_PER_SEC: '1', RELAY_BURST_MESSAGES: '2', RELAY_FLOOD_STRIKES: '1000' });
    // The bucket is empty after hello and join.
    relay.message(a.conn, encodeData({ room: handle }, Uint8Array.of(1)));
    expect(a.peer.last()).toMatchObject({ type: 'error', code: 'rate_limited' });
    relay.message(a.conn, latest(handle, 0, 9));
    advance(0);
    expect(entries(b.peer.batches().at(-1)!)).toEqual([[ja.self, 0, [9]]]);
    const drops = relay.stats.drops;
    relay.message(a.conn, droppable(handle, 1));
    expect(relay.stats.drops).toBe(drops + 1);
    expect(b.peer.delivers()).toHaveLength(0);
    expect(relay.stats.limitHits.messages_per_sec).toBeGreaterThanOrEqual(3);
  });

  it('counts bytes per second as well as frames', () => {
    const { relay, a, handle } = room3({ RELAY_MAX_BYTES_PER_SEC: '1024' });
    relay.message(a.conn, encodeData({ room: handle }, new Uint8Array(1500)));
    relay.message(a.conn, encodeData({ room: handle }, new Uint8Array(1500)));
    expect(a.peer.last()).toMatchObject({ type: 'error', code: 'rate_limited' });
    expect(relay.stats.limitHits.bytes_per_sec).toBe(1);
  });

  it('skips ticks (values keep merging) when a room is over its output budget', () => {
    const { relay, a, b, handle, advance } = room3({ RELAY_ROOM_MAX_BYTES_OUT_PER_SEC: '1024' });
    relay.message(a.conn, latest(handle, 0, ...new Array(300).fill(1)));
    advance(0); // 2 recipients (b, c: not a, whose value it is) × ~307 bytes: fits the 1 KiB burst
    relay.message(a.conn, latest(handle, 0, ...new Array(300).fill(2)));
    advance(40); // budget spent: skipped
    expect(b.peer.batches()).toHaveLength(1);
    expect(relay.stats.limitHits.room_bytes_out).toBeGreaterThan(0);
    advance(1000); // refilled: the newest value goes out
    expect(b.peer.batches()).toHaveLength(2);
    expect(b.peer.batches()[1]!.entries[0]!.payload[0]).toBe(2);
  });
});

function encodeControlJoin(room: string, tickHz: number): Uint8Array {
  return encodeControl({ type: 'join', id: 9, room, tickHz });
}
