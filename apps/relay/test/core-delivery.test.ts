// Unit tests of core/delivery.ts and core/outbox.ts with fake peers and a controlled clock: what
// each delivery class counts (frames and bytes out per recipient, drops, ticks, skipped ticks), the
// edges of the soft and hard buffer limits, the room output budget, direct frames, key limits and
// membership bookkeeping, with exact values. (throttle.test.ts and core-lag.test.ts cover what the
// members receive; metrics.test.ts the same counters through a real relay's /metrics.)
import { DeliveryClass, encodeControl, encodeData } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { setup } from './fakes.js';

type T = ReturnType<typeof setup>;
type M = ReturnType<T['connect']>;
const leave = (room: number) => encodeControl({ type: 'leave', id: 7, room });
const reliable = (room: number, payload: Uint8Array, target?: number) => encodeData({ room, target }, payload);
const droppable = (room: number, payload: Uint8Array, target?: number) => encodeData({ room, cls: DeliveryClass.Droppable, target }, payload);
const latest = (room: number, key: number, payload: Uint8Array, target?: number) =>
  encodeData({ room, cls: DeliveryClass.Latest, key, target }, payload);
/** A deliver frame's size: 6-byte header (+1 key byte for latest) plus the payload. */
const DELIVER_HEADER = 6;

function room(n: number, overrides: Record<string, string> = {}) {
  const t = setup({ RELAY_MAX_MESSAGES_PER_SEC: '100000', RELAY_BURST_MESSAGES: '100000', RELAY_MAX_BYTES_PER_SEC: '100000000', ...overrides });
  const members = Array.from({ length: n }, () => t.connect());
  const joins = members.map((m) => t.join(m, 'r'));
  const r = t.relay.rooms.get('r')!;
  return { ...t, members, joins, handle: joins[0]!.handle, room: r, stats: t.relay.stats };
}

const lag = (t: T, peer: { buffered: number }, bytes: number) => {
  peer.buffered = bytes;
  t.relay.sweep();
};

describe('reliable', () => {
  it('a broadcast counts one frame and its bytes per recipient, on the room too, and spends the room budget', () => {
    const { relay, members, handle, room: r, stats, clock } = room(3);
    const [a, b, c] = members as [M, M, M];
    const before = { frames: stats.framesOut.reliable, bytes: stats.bytesOut, room: r.bytesOut, budget: r.outBudget.level(clock.now()) };
    relay.message(a.conn, reliable(handle, new Uint8Array(10)));
    const frame = DELIVER_HEADER + 10;
    expect(stats.framesOut.reliable - before.frames).toBe(2);
    expect(stats.bytesOut - before.bytes).toBe(2 * frame);
    expect(r.bytesOut - before.room).toBe(2 * frame);
    expect(before.budget - r.outBudget.level(clock.now())).toBe(2 * frame);
    expect(b.peer.delivers()).toHaveLength(1);
    expect(c.peer.delivers()).toHaveLength(1);
  });

  it('alone in the room: nothing is published or counted', () => {
    const { relay, members, handle, stats } = room(1);
    const a = members[0]!;
    const before = { publishes: a.peer.publishes, frames: stats.framesOut.reliable, bytes: stats.bytesOut };
    relay.message(a.conn, reliable(handle, new Uint8Array(4)));
    relay.message(a.conn, droppable(handle, new Uint8Array(4)));
    expect(a.peer.publishes).toBe(before.publishes);
    expect(stats.framesOut.reliable).toBe(before.frames);
    expect(stats.bytesOut).toBe(before.bytes);
    expect(stats.drops).toBe(0);
  });

  it('a direct frame reaches only its target, counted once; an unknown target is a typed error', () => {
    const { relay, members, joins, handle, stats, room: r } = room(3);
    const [a, b, c] = members as [M, M, M];
    const before = { frames: stats.framesOut.reliable, room: r.bytesOut };
    relay.message(a.conn, reliable(handle, new Uint8Array([1, 2]), joins[1]!.self));
    expect(b.peer.delivers().map((d) => [d.direct, [...d.payload]])).toEqual([[true, [1, 2]]]);
    expect(c.peer.delivers()).toEqual([]);
    expect(stats.framesOut.reliable - before.frames).toBe(1);
    expect(r.bytesOut - before.room).toBe(DELIVER_HEADER + 2);
    relay.message(a.conn, reliable(handle, new Uint8Array([1]), 999));
    expect(a.peer.last()).toEqual({ type: 'error', code: 'unknown_member', message: 'member 999 is not in room r', room: handle });
    expect(stats.errors.unknown_member).toBe(1);
    expect(a.peer.closedWith).toBeUndefined();
  });

  it('a direct frame to a member whose seat is held (away) is dropped and counted', () => {
    const { relay, members, joins, handle, stats } = room(2, { RELAY_SEAT_GRACE_MS: '5000' });
    const [a, b] = members as [M, M];
    b.peer.close(1006);
    expect(a.peer.last()).toMatchObject({ type: 'member_away', member: joins[1]!.self });
    const sent = a.peer.sends;
    relay.message(a.conn, reliable(handle, new Uint8Array([1]), joins[1]!.self));
    relay.message(a.conn, droppable(handle, new Uint8Array([1]), joins[1]!.self));
    expect(stats.drops).toBe(2);
    expect(a.peer.sends).toBe(sent); // no error either
    expect(a.peer.closedWith).toBeUndefined();
  });

  it('the hard cap closes a direct target above it (4503), not one exactly at it', () => {
    const { relay, members, joins, handle, stats } = room(2);
    const [a, b] = members as [M, M];
    b.peer.buffered = 1024 * 1024; // RELAY_MAX_BUFFERED_BYTES
    relay.message(a.conn, reliable(handle, new Uint8Array([1]), joins[1]!.self));
    expect(b.peer.closedWith).toBeUndefined();
    b.peer.buffered = 1024 * 1024 + 1;
    relay.message(a.conn, reliable(handle, new Uint8Array([1]), joins[1]!.self));
    expect(b.peer.closedWith).toBe(4503);
    expect(b.peer.closeReason).toBe('send buffer above the hard cap');
    expect(stats.limitHits.buffered_bytes).toBe(1);
  });
});

describe('droppable', () => {
  it('a direct droppable frame reaches a target exactly at the soft limit; one byte above, it is dropped', () => {
    const { relay, members, joins, handle, stats } = room(2);
    const [a, b] = members as [M, M];
    b.peer.buffered = 64 * 1024; // RELAY_SOFT_BUFFERED_BYTES
    relay.message(a.conn, droppable(handle, new Uint8Array([5]), joins[1]!.self));
    expect(b.peer.delivers().map((d) => [d.cls, [...d.payload]])).toEqual([[DeliveryClass.Droppable, [5]]]);
    expect(stats.framesOut.droppable).toBe(1);
    b.peer.buffered = 64 * 1024 + 1;
    relay.message(a.conn, droppable(handle, new Uint8Array([6]), joins[1]!.self));
    expect(b.peer.delivers()).toHaveLength(1);
    expect(stats.drops).toBe(1);
  });

  it('a broadcast counts the members that keep up as recipients and the lagging ones as drops', () => {
    const t = room(4);
    const [a, b, c, d] = t.members as [M, M, M, M];
    lag(t, c.peer, 64 * 1024 + 1);
    expect(t.room.laggingCount).toBe(1);
    const before = { frames: t.stats.framesOut.droppable, bytes: t.room.bytesOut };
    t.relay.message(a.conn, droppable(t.handle, new Uint8Array(10)));
    expect(t.stats.framesOut.droppable - before.frames).toBe(2); // b and d
    expect(t.room.bytesOut - before.bytes).toBe(2 * (DELIVER_HEADER + 10));
    expect(t.stats.drops).toBe(1); // c
    expect([b, c, d].map((m) => m.peer.delivers().length)).toEqual([1, 0, 1]);
    // A lagging sender is not one of its own recipients: 3 others, of which none lag.
    t.relay.message(c.conn, droppable(t.handle, new Uint8Array(10)));
    expect(t.stats.framesOut.droppable - before.frames).toBe(5);
    expect(t.stats.drops).toBe(1);
  });

  it('over the room output budget a broadcast is dropped for every other member, and counted once as a limit', () => {
    // Budget 1024 bytes/s: a 506-byte frame to 2 recipients (1012) fits once; the next does not.
    const t = room(3, { RELAY_ROOM_MAX_BYTES_OUT_PER_SEC: '1024' });
    const a = t.members[0]!;
    const payload = new Uint8Array(500);
    t.relay.message(a.conn, droppable(t.handle, payload));
    expect(t.stats.framesOut.droppable).toBe(2);
    expect(t.stats.drops).toBe(0);
    t.relay.message(a.conn, droppable(t.handle, payload));
    expect(t.stats.framesOut.droppable).toBe(2);
    expect(t.stats.drops).toBe(2);
    expect(t.stats.limitHits.room_bytes_out).toBe(1);
  });
});

describe('latest', () => {
  it('a direct latest frame is refused with unsupported_class and its exact message', () => {
    const { relay, members, joins, handle } = room(2);
    relay.message(members[0]!.conn, latest(handle, 0, new Uint8Array([1]), joins[1]!.self));
    expect(members[0]!.peer.last()).toEqual({
      type: 'error', code: 'unsupported_class', message: 'latest frames cannot be direct: send them to the room', room: handle,
    });
  });

  it('key limit: new keys above it are refused; a known key, a cleared key and an empty payload never are', () => {
    const { relay, members, handle, stats } = room(2, { RELAY_MAX_KEYS_PER_MEMBER: '2' });
    const [a, b] = members as [M, M];
    // An empty payload from a member that never set a key: nothing to clear, no error.
    relay.message(b.conn, latest(handle, 9, new Uint8Array(0)));
    expect(b.peer.closedWith).toBeUndefined();
    relay.message(a.conn, latest(handle, 0, new Uint8Array([1])));
    relay.message(a.conn, latest(handle, 1, new Uint8Array([1])));
    const errors = () => a.peer.messages().filter((m) => m.type === 'error');
    relay.message(a.conn, latest(handle, 0, new Uint8Array([2]))); // known key at the limit
    relay.message(a.conn, latest(handle, 5, new Uint8Array(0))); // clearing a key it does not hold
    expect(errors()).toEqual([]);
    relay.message(a.conn, latest(handle, 2, new Uint8Array([1])));
    expect(errors()).toEqual([{
      type: 'error', code: 'too_many_keys', message: 'a member may hold 2 latest keys per room; clear one with an empty payload', room: handle,
    }]);
    expect(stats.limitHits.keys_per_member).toBe(1);
    relay.message(a.conn, latest(handle, 0, new Uint8Array(0))); // clears key 0: room for key 2
    relay.message(a.conn, latest(handle, 2, new Uint8Array([1])));
    expect(errors()).toHaveLength(1);
  });

  it('one timer per room tick; a tick counts its entries per recipient, lagging members as skipped ticks', () => {
    const t = room(4);
    const [a, b, c] = t.members as [M, M, M];
    lag(t, c.peer, 64 * 1024 + 1);
    t.advance(1000);
    const pendingBefore = t.clock.pending;
    t.relay.message(a.conn, latest(t.handle, 0, new Uint8Array([1])));
    t.relay.message(a.conn, latest(t.handle, 1, new Uint8Array([1])));
    t.relay.message(b.conn, latest(t.handle, 0, new Uint8Array([1])));
    expect(t.clock.pending - pendingBefore).toBe(1);
    const before = { ticks: t.stats.ticks, updates: t.stats.latestUpdatesOut, skipped: t.stats.skippedTicks, frames: t.stats.framesOut.latest };
    t.advance(0);
    expect(t.stats.ticks - before.ticks).toBe(1);
    expect(t.stats.latestUpdatesOut - before.updates).toBe(3 * 3); // 3 entries (two senders) to the 3 members that keep up
    expect(t.stats.framesOut.latest - before.frames).toBe(3);
    expect(t.stats.skippedTicks - before.skipped).toBe(1); // c
    // Nothing changed: the next ticks send nothing and count nothing.
    t.advance(1000);
    expect(t.stats.ticks - before.ticks).toBe(1);
    expect(t.stats.framesOut.latest - before.frames).toBe(3);
  });

  it('a batch of one member\'s values only does not go to that member (unless it is lagging: then nobody is skipped twice)', () => {
    const t = room(3);
    const [a, b, c] = t.members as [M, M, M];
    t.advance(1000);
    const before = { updates: t.stats.latestUpdatesOut, frames: t.stats.framesOut.latest };
    t.relay.message(a.conn, latest(t.handle, 0, new Uint8Array([1])));
    t.relay.message(a.conn, latest(t.handle, 1, new Uint8Array([2])));
    t.advance(0);
    expect([a, b, c].map((m) => m.peer.batches().length)).toEqual([0, 1, 1]);
    expect(t.stats.latestUpdatesOut - before.updates).toBe(2 * 2);
    expect(t.stats.framesOut.latest - before.frames).toBe(2);
    // Two senders in one tick: everyone gets the batch (each skips its own entries).
    t.relay.message(a.conn, latest(t.handle, 0, new Uint8Array([3])));
    t.relay.message(b.conn, latest(t.handle, 0, new Uint8Array([4])));
    t.advance(1000);
    expect([a, b, c].map((m) => m.peer.batches().length)).toEqual([1, 2, 2]);
    expect(t.stats.framesOut.latest - before.frames).toBe(2 + 3);
    // A lagging sole sender is off the fast topic already: the others count as before.
    lag(t, a.peer, 64 * 1024 + 1);
    const lagged = { updates: t.stats.latestUpdatesOut, skipped: t.stats.skippedTicks };
    t.relay.message(a.conn, latest(t.handle, 0, new Uint8Array([5])));
    t.advance(1000);
    expect(t.stats.latestUpdatesOut - lagged.updates).toBe(2);
    expect(t.stats.skippedTicks - lagged.skipped).toBe(1);
    expect([b, c].map((m) => m.peer.batches().length)).toEqual([3, 3]);
  });

  it('over the room budget a tick is skipped (counted once) and the values go on the next tick that fits', () => {
    const t = room(3, { RELAY_ROOM_MAX_BYTES_OUT_PER_SEC: '1024' });
    const [a, b] = t.members as [M, M];
    // 2 x 506 bytes leave 12 of the 1024; a one-value batch to 2 members needs more than that, and
    // a tick (33 ms) refills 34 bytes: one tick skipped, the next one sends.
    t.relay.message(a.conn, reliable(t.handle, new Uint8Array(500)));
    t.relay.message(a.conn, latest(t.handle, 0, new Uint8Array(1)));
    t.advance(0);
    expect(t.stats.skippedTicks).toBe(1);
    expect(t.stats.limitHits.room_bytes_out).toBe(1);
    expect(b.peer.batches()).toHaveLength(0);
    t.advance(1000);
    expect(b.peer.batches()).toHaveLength(1);
    expect(t.stats.skippedTicks).toBe(1);
  });

  it('a joiner gets one snapshot of the values, counted as a latest frame and a snapshot', () => {
    const t = room(2);
    t.relay.message(t.members[0]!.conn, latest(t.handle, 3, new Uint8Array([1])));
    t.advance(0);
    const before = { frames: t.stats.framesOut.latest, snapshots: t.stats.snapshots };
    const c = t.connect();
    t.join(c, 'r');
    expect(c.peer.batches().map((b) => [b.snapshot, b.entries.length])).toEqual([[true, 1]]);
    expect(t.stats.framesOut.latest - before.frames).toBe(1);
    expect(t.stats.snapshots - before.snapshots).toBe(1);
  });

  it('a reply is one control frame out', () => {
    const t = room(1);
    const before = t.stats.framesOut.control;
    t.relay.message(t.members[0]!.conn, encodeControl({ type: 'ping', id: 5 }));
    expect(t.members[0]!.peer.last()).toMatchObject({ type: 'pong', id: 5 });
    expect(t.stats.framesOut.control - before).toBe(1);
  });

  it('a room emptied with a tick pending is not flushed, and its timer is gone after that tick', () => {
    const t = room(2);
    t.advance(1000);
    const pending = t.clock.pending;
    t.relay.message(t.members[0]!.conn, latest(t.handle, 0, new Uint8Array([1])));
    expect(t.clock.pending).toBe(pending + 1);
    for (const m of t.members) m.peer.close(1000);
    expect(t.relay.rooms.size).toBe(0);
    // Cancelling is lazy (ticks.ts: rooms due in the same millisecond share one timer): the timer
    // fires once at the tick and flushes nothing for the gone room.
    const ticks = t.stats.ticks;
    const latestOut = t.stats.framesOut.latest;
    t.advance(1000);
    expect(t.stats.ticks).toBe(ticks);
    expect(t.stats.framesOut.latest).toBe(latestOut);
    expect(t.clock.pending).toBe(pending);
  });
});

describe('membership and lag', () => {
  it('a lagging member joining counts as lagging in that room; leaving takes it off the count and the topics', () => {
    const t = room(2);
    const [a, b] = t.members as [M, M];
    const c = t.connect();
    lag(t, c.peer, 64 * 1024 + 1);
    expect(t.stats.lagStarts).toBe(1);
    const jc = t.join(c, 'r');
    expect(t.room.laggingCount).toBe(1);
    t.relay.message(c.conn, leave(jc.handle));
    expect(t.room.laggingCount).toBe(0);
    // b left too (its socket stays open): it gets no more frames of the room.
    t.relay.message(b.conn, leave(t.handle));
    expect(t.room.laggingCount).toBe(0); // b did not lag: the count stays
    const got = b.peer.delivers().length;
    t.relay.message(a.conn, reliable(t.handle, new Uint8Array([1])));
    t.relay.message(a.conn, droppable(t.handle, new Uint8Array([1])));
    expect(b.peer.delivers().length).toBe(got);
  });

  it('a member that left (its socket open) gets no more frames of the room, reliable or fast; the others still do', () => {
    const t = room(3);
    const [a, b, c] = t.members as [M, M, M];
    t.relay.message(a.conn, droppable(t.handle, new Uint8Array([1]))); // the fast topic is in use
    expect([b.peer.delivers().length, c.peer.delivers().length]).toEqual([1, 1]);
    t.relay.message(b.conn, leave(t.handle));
    t.relay.message(a.conn, reliable(t.handle, new Uint8Array([2])));
    t.relay.message(a.conn, droppable(t.handle, new Uint8Array([3])));
    expect(b.peer.delivers().map((f) => [...f.payload])).toEqual([[1]]);
    expect(c.peer.delivers().map((f) => [...f.payload])).toEqual([[1], [2], [3]]);
    expect(t.hub.topics.get(t.room.topic)?.has(b.peer)).toBe(false);
    expect(t.hub.topics.get(t.room.fastTopic)?.has(b.peer)).toBe(false);
  });

  it('the soft limit: exactly at it a member keeps up; one byte above it lags', () => {
    const t = room(2);
    const b = t.members[1]!;
    lag(t, b.peer, 64 * 1024);
    expect(t.stats.lagStarts).toBe(0);
    expect(t.room.laggingCount).toBe(0);
    lag(t, b.peer, 64 * 1024 + 1);
    expect(t.stats.lagStarts).toBe(1);
    expect(t.room.laggingCount).toBe(1);
  });
});
