// Unit tests of the cluster branches of core/delivery.ts and core/outbox.ts on one relay with fake
// peers: members on another node are entries of `room.remote` (what remote.ts keeps), and a
// recording stand-in takes what delivery hands the cluster (direct frames, a tick's own values).
// test/cluster/*.test.ts run the same paths between real nodes over Redis; these pin the exact
// values with no Redis and no timers.
import { DeliveryClass, decodeServerFrame, encodeData, type BatchEntry } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../src/core/cluster.js';
import type { Delivery } from '../src/core/delivery.js';
import type { Outbox } from '../src/core/outbox.js';
import { setup } from './fakes.js';

/** What delivery hands the cluster. */
class ClusterCalls {
  readonly direct: [string, number, Uint8Array][] = [];
  readonly latest: [string, { sender: number; key: number; payload: number[] }[]][] = [];
}

const REMOTE = 900;

function clustered(n = 2) {
  const t = setup({ RELAY_MAX_MESSAGES_PER_SEC: '100000', RELAY_BURST_MESSAGES: '100000', RELAY_MAX_BYTES_PER_SEC: '100000000' });
  const internals = t.relay as unknown as { delivery: Delivery; out: Outbox };
  const calls = new ClusterCalls();
  const stand = {
    direct: (room: string, target: number, frame: Uint8Array) => calls.direct.push([room, target, frame]),
    latest: (room: string, entries: BatchEntry[]) => calls.latest.push([room, entries.map((e) => ({ sender: e.sender, key: e.key, payload: [...e.payload] }))]),
  };
  // Delivery reads its cluster only in the branches under test; the stand-in has just those two calls.
  (internals.delivery as unknown as { cluster: Cluster }).cluster = stand as unknown as Cluster;
  const members = Array.from({ length: n }, () => t.connect());
  const joins = members.map((m) => t.join(m, 'r'));
  const room = t.relay.rooms.get('r')!;
  const addRemote = (id = REMOTE) => room.remote.set(id, { id, node: 'other', away: false, presence: null, identity: {}, keys: new Set() });
  return { ...t, calls, members, joins, room, handle: joins[0]!.handle, addRemote, delivery: internals.delivery, out: internals.out, stats: t.relay.stats };
}

describe('direct frames to a member on another node', () => {
  it('go to the cluster as the deliver frame (sender stamped), with no error and nothing sent here', () => {
    for (const cls of [DeliveryClass.Reliable, DeliveryClass.Droppable]) {
      const t = clustered();
      const [a, b] = t.members;
      t.addRemote();
      t.relay.message(a!.conn, encodeData({ room: t.handle, cls, target: REMOTE }, Uint8Array.of(5, 6)));
      expect(t.calls.direct.map(([room, target]) => [room, target])).toEqual([['r', REMOTE]]);
      const frame = decodeServerFrame(t.calls.direct[0]![2]);
      expect(frame.ok && frame.frame).toMatchObject({ kind: 'deliver', sender: t.joins[0]!.self, direct: true, cls });
      expect(a!.peer.messages().filter((m) => m.type === 'error')).toEqual([]);
      expect(b!.peer.delivers()).toEqual([]);
      expect(t.stats.drops).toBe(0);
    }
  });

  it('a target on no node is unknown_member, even with other remote members', () => {
    const t = clustered();
    const a = t.members[0]!;
    t.addRemote();
    t.relay.message(a.conn, encodeData({ room: t.handle, target: REMOTE + 1 }, Uint8Array.of(1)));
    expect(a.peer.last()).toEqual({ type: 'error', code: 'unknown_member', message: `member ${REMOTE + 1} is not in room r`, room: t.handle });
    expect(t.calls.direct).toEqual([]);
  });
});

describe('broadcasts with members only on other nodes', () => {
  it('reliable and droppable frames are still published (the bus is a sink), counted for 0 local recipients', () => {
    const t = clustered(1);
    const a = t.members[0]!;
    t.addRemote();
    const before = { publishes: a.peer.publishes, frames: t.stats.framesOut.reliable + t.stats.framesOut.droppable };
    t.relay.message(a.conn, encodeData({ room: t.handle }, Uint8Array.of(1)));
    t.relay.message(a.conn, encodeData({ room: t.handle, cls: DeliveryClass.Droppable }, Uint8Array.of(1)));
    expect(a.peer.publishes - before.publishes).toBe(2);
    expect(t.stats.framesOut.reliable + t.stats.framesOut.droppable).toBe(before.frames);
    expect(t.stats.drops).toBe(0);
  });
});

describe('latest values across nodes', () => {
  it('a tick hands the cluster only this node\'s senders; values from other nodes reach local members', () => {
    const t = clustered();
    const [a, b] = t.members;
    t.addRemote();
    t.relay.message(a!.conn, encodeData({ room: t.handle, cls: DeliveryClass.Latest, key: 1 }, Uint8Array.of(10)));
    t.delivery.mergeRemote(t.room, [{ sender: REMOTE, key: 2, payload: Uint8Array.of(20) }]);
    t.advance(1000);
    expect(t.calls.latest).toEqual([['r', [{ sender: t.joins[0]!.self, key: 1, payload: [10] }]]]);
    expect(b!.peer.batches().map((f) => f.entries.map((e) => [e.sender, e.key, [...e.payload]]))).toEqual([[[t.joins[0]!.self, 1, [10]], [REMOTE, 2, [20]]]]);
    expect(t.room.remote.get(REMOTE)!.keys).toEqual(new Set([2]));
    // Only remote values changed: nothing handed back to the cluster.
    t.delivery.mergeRemote(t.room, [{ sender: REMOTE, key: 2, payload: Uint8Array.of(21) }]);
    t.advance(1000);
    expect(t.calls.latest).toHaveLength(1);
    expect(b!.peer.batches().at(-1)!.entries.map((e) => [e.sender, [...e.payload]])).toEqual([[REMOTE, [21]]]);
  });

  it('no tick to the cluster while no member is on another node', () => {
    const t = clustered();
    t.relay.message(t.members[0]!.conn, encodeData({ room: t.handle, cls: DeliveryClass.Latest, key: 1 }, Uint8Array.of(10)));
    t.advance(1000);
    expect(t.calls.latest).toEqual([]);
    expect(t.members[1]!.peer.batches()).toHaveLength(1);
  });

  it('mergeRemote skips senders not (or no longer) known and schedules nothing for them; an empty payload clears a key', () => {
    const t = clustered();
    const b = t.members[1]!;
    t.delivery.mergeRemote(t.room, [{ sender: REMOTE, key: 2, payload: Uint8Array.of(20) }]);
    expect(t.clock.pending).toBe(0);
    expect(t.room.latest.size).toBe(0);
    t.addRemote();
    t.delivery.mergeRemote(t.room, [{ sender: REMOTE, key: 2, payload: Uint8Array.of(20) }, { sender: REMOTE, key: 3, payload: Uint8Array.of(30) }]);
    expect(t.clock.pending).toBe(1);
    t.advance(1000);
    t.delivery.mergeRemote(t.room, [{ sender: REMOTE, key: 2, payload: new Uint8Array(0) }]);
    expect(t.room.remote.get(REMOTE)!.keys).toEqual(new Set([3]));
    t.advance(1000);
    expect(b.peer.batches().at(-1)!.entries.map((e) => [e.key, e.payload.length])).toEqual([[2, 0]]);
    expect(t.room.latest.size).toBe(1);
  });

  it('clearRemote drops a departed member\'s values; resnapshot sends every keeping-up local member the values', () => {
    const t = clustered(3);
    const [a, b, c] = t.members;
    t.addRemote();
    t.delivery.mergeRemote(t.room, [{ sender: REMOTE, key: 2, payload: Uint8Array.of(20) }, { sender: REMOTE, key: 3, payload: Uint8Array.of(30) }]);
    t.relay.message(a!.conn, encodeData({ room: t.handle, cls: DeliveryClass.Latest, key: 1 }, Uint8Array.of(10)));
    t.advance(1000);
    t.delivery.clearRemote(t.room, REMOTE, [2]);
    expect(t.room.latest.size).toBe(2);
    c!.conn.lagging = true; // a lagging member gets its snapshot when it drains, not now
    const before = t.stats.snapshots;
    t.delivery.resnapshot(t.room);
    expect(t.stats.snapshots - before).toBe(2);
    for (const m of [a!, b!]) {
      const last = m.peer.batches().at(-1)!;
      expect(last.snapshot).toBe(true);
      expect(last.entries.map((e) => [e.sender, e.key]).sort()).toEqual([[t.joins[0]!.self, 1], [REMOTE, 3]].sort());
    }
    expect(c!.peer.batches().every((f) => !f.snapshot)).toBe(true);
  });
});

describe('outbox.publishLocal (frames from other nodes)', () => {
  it('reaches local subscribers, counted per recipient; data frames count toward the room\'s output, control frames do not', () => {
    const t = clustered();
    const [a, b] = t.members;
    const frame = Uint8Array.of(3, 0, t.handle, 0, 1, 0, 9); // a deliver frame header with a 1-byte payload
    const before = { room: t.room.bytesOut, bytes: t.stats.bytesOut, reliable: t.stats.framesOut.reliable, control: t.stats.framesOut.control };
    const got = [a!.peer.received.length, b!.peer.received.length];
    const publishes = a!.peer.publishes + b!.peer.publishes;
    t.out.publishLocal(t.room.topic, frame, 'reliable', 2, t.room);
    expect(t.room.bytesOut - before.room).toBe(2 * frame.length);
    expect(t.stats.framesOut.reliable - before.reliable).toBe(2);
    t.out.publishLocal(t.room.topic, frame, 'control', 2, t.room);
    expect(t.room.bytesOut - before.room).toBe(2 * frame.length);
    expect(t.stats.framesOut.control - before.control).toBe(2);
    expect(t.stats.bytesOut - before.bytes).toBe(4 * frame.length);
    // Both local members got both frames (nobody is skipped: the sender is on another node).
    expect([a!.peer.received.length - got[0]!, b!.peer.received.length - got[1]!]).toEqual([2, 2]);
    expect(a!.peer.publishes + b!.peer.publishes).toBe(publishes);
  });
});
