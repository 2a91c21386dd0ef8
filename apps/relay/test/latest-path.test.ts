// The `latest` hot path's own structures: values copied into their slot (the transport reuses its
// buffer), merged per tick in first-change order, and rooms due in the same millisecond sharing
// one timer (ticks.ts).
import { DeliveryClass, encodeData } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { LatestValues } from '../src/core/latest.js';
import { TickScheduler, type Ticking } from '../src/core/ticks.js';
import { FakeClock, setup } from './fakes.js';

const bytes = (...b: number[]) => Uint8Array.from(b);
const plain = (v: LatestValues) => v.changes().map((e) => [e.sender, e.key, [...e.payload]]);

describe('LatestValues', () => {
  it('copies the payload from the offset on, so a reused input buffer does not change the stored value', () => {
    const v = new LatestValues();
    const input = bytes(9, 9, 1, 2, 3);
    expect(v.set(7, 0, input, 2)).toBe(false);
    input.fill(0);
    expect(plain(v)).toEqual([[7, 0, [1, 2, 3]]]);
    // Same length: written into the slot's own bytes; a merge before the tick.
    expect(v.set(7, 0, bytes(4, 5, 6))).toBe(true);
    expect(plain(v)).toEqual([[7, 0, [4, 5, 6]]]);
    // Another length, then a clear: announced as an empty entry, not counted as a value.
    v.set(7, 0, bytes(1));
    expect(plain(v)).toEqual([[7, 0, [1]]]);
    expect(v.size).toBe(1);
    v.set(7, 0, bytes());
    expect(v.size).toBe(0);
    expect(plain(v)).toEqual([[7, 0, []]]);
  });

  it('keeps first-change order across merges, drops a leaver mid-tick, and starts afresh after a tick', () => {
    const v = new LatestValues();
    v.set(1, 0, bytes(1));
    v.set(2, 0, bytes(2));
    v.set(3, 4, bytes(3));
    v.set(1, 0, bytes(11));
    expect(plain(v)).toEqual([[1, 0, [11]], [2, 0, [2]], [3, 4, [3]]]);
    v.clearMember(2, [0]);
    expect(plain(v)).toEqual([[1, 0, [11]], [3, 4, [3]]]);
    expect(v.size).toBe(2);
    v.clearChanges();
    expect(v.changed).toBe(0);
    expect(v.set(3, 4, bytes(33))).toBe(false);
    expect(plain(v)).toEqual([[3, 4, [33]]]);
    expect(v.all().map((e) => [e.sender, e.key, [...e.payload]])).toEqual([[1, 0, [11]], [3, 4, [33]]]);
  });
});

describe('TickScheduler', () => {
  const room = (tickMs: number): Ticking & { flushed: number[] } => ({ tickMs, lastFlushAt: Number.NEGATIVE_INFINITY, tickDue: undefined, flushed: [] });

  it('runs rooms due in the same millisecond from one timer, never early', () => {
    const clock = new FakeClock();
    const rooms = [room(100), room(100), room(100)];
    const ticks = new TickScheduler<(typeof rooms)[number]>(clock, (r) => {
      r.flushed.push(clock.now());
      r.lastFlushAt = clock.now();
    });
    for (const r of rooms) ticks.schedule(r);
    ticks.schedule(rooms[0]!); // already armed: no second flush
    expect(clock.pending).toBe(1);
    clock.advance(0);
    expect(rooms.map((r) => r.flushed)).toEqual([[0], [0], [0]]);
    // A third of a millisecond past the tick rounds up; both rooms again share the timer.
    clock.advance(10);
    for (const r of rooms.slice(0, 2)) r.lastFlushAt = 0.4;
    ticks.schedule(rooms[0]!);
    ticks.schedule(rooms[1]!);
    expect(clock.pending).toBe(1);
    clock.advance(90);
    expect(rooms[0]!.flushed).toEqual([0]);
    clock.advance(1);
    expect(rooms.map((r) => r.flushed)).toEqual([[0, 101], [0, 101], [0]]);
  });

  it('skips a cancelled room', () => {
    const clock = new FakeClock();
    const [a, b] = [room(50), room(50)];
    const ticks = new TickScheduler<typeof a>(clock, (r) => r.flushed.push(clock.now()));
    ticks.schedule(a);
    ticks.schedule(b);
    ticks.cancel(a);
    clock.advance(0);
    expect([a.flushed, b.flushed]).toEqual([[], [0]]);
  });
});

describe('latest frames through the relay', () => {
  it('30 rooms ticking together cost one timer per due millisecond, and each gets its own batch', () => {
    const t = setup({ RELAY_MAX_MESSAGES_PER_SEC: '100000', RELAY_BURST_MESSAGES: '100000' });
    const pairs = Array.from({ length: 30 }, (_, i) => {
      const [a, b] = [t.connect(), t.connect()];
      const ja = t.join(a, `r${i}`);
      t.join(b, `r${i}`);
      return { a, b, ja };
    });
    const before = t.clock.pending;
    for (const { a, ja } of pairs) t.relay.message(a.conn, encodeData({ room: ja.handle, cls: DeliveryClass.Latest, key: 0 }, bytes(ja.handle)));
    expect(t.clock.pending - before).toBe(1);
    t.advance(0);
    for (const { b, ja } of pairs) {
      expect(b.peer.batches().map((x) => x.entries.map((e) => [e.sender, [...e.payload]]))).toEqual([[[ja.self, [ja.handle]]]]);
    }
  });
});

describe('fast topic on first use (memory per idle member)', () => {
  it('members hold one subscription until the room carries a latest or droppable frame, then every member keeping up gets the fast topic', () => {
    const t = setup({ RELAY_MAX_MESSAGES_PER_SEC: '100000', RELAY_BURST_MESSAGES: '100000' });
    const [a, b, c] = [t.connect(), t.connect(), t.connect()];
    const ja = t.join(a, 'room');
    t.join(b, 'room');
    const fast = `room/${ja.handle}/fast`;
    expect(t.hub.topics.get(fast)?.size ?? 0).toBe(0);
    // Reliable frames use only the room topic.
    t.relay.message(a.conn, encodeData({ room: ja.handle, cls: DeliveryClass.Reliable }, bytes(1)));
    expect(b.peer.delivers()).toHaveLength(1);
    expect(t.hub.topics.get(fast)?.size ?? 0).toBe(0);
    // The first latest value subscribes both members at the tick; a later joiner at once.
    t.relay.message(a.conn, encodeData({ room: ja.handle, cls: DeliveryClass.Latest, key: 0 }, bytes(2)));
    t.advance(0);
    expect([...t.hub.topics.get(fast)!].length).toBe(2);
    expect(b.peer.batches()).toHaveLength(1);
    t.join(c, 'room');
    expect(t.hub.topics.get(fast)!.has(c.peer)).toBe(true);
  });
});
