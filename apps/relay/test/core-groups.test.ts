// core/groups.ts with fake peers and a controlled clock, the parts groups-core.test.ts leaves
// out: the exact refusals of `interest` and of group frames, who gets group-addressed reliable
// and droppable frames (and what the room's output budget does to them), a `latest` key moving
// between scopes, and the room's group tick over budget.
import { DeliveryClass, encodeControl, encodeData } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { setup } from './fakes.js';
import { entries, latestTo, room3 } from './groups-fixture.js';


describe('interest refusals (groups.ts)', () => {
  it('not joined, exactly the limit, one more (counted; the previous set stays), duplicates count once', () => {
    const t = room3({ RELAY_MAX_GROUPS_PER_MEMBER: '2' });
    expect(t.interest(t.b, [1], t.handle + 5)).toEqual({ type: 'error', code: 'not_in_room', message: `room handle ${t.handle + 5} is not a room this connection has joined`, id: 9, room: t.handle + 5 });
    expect(t.interest(t.b, [1, 2, 2, 1])).toEqual({ type: 'ok', id: 9 });
    expect(t.interest(t.b, [1, 2, 3])).toEqual({ type: 'error', code: 'too_many_groups', message: '3 groups asked for; a member may subscribe to at most 2 groups per room', id: 9, room: t.handle });
    expect(t.relay.stats.limitHits.groups_per_member).toBe(1);
    expect([...t.relay.rooms.get('canvas')!.members.get(t.jb.self)!.groups!.subscribed]).toEqual([1, 2]);
    expect(t.groupIds()).toEqual([1, 2]);
  });

  it('groups off: interest and group frames are refused with the reason', () => {
    const t = room3({ RELAY_MAX_GROUPS_PER_MEMBER: '0' });
    const off = 'this relay offers no interest groups (limits.maxGroupsPerMember is 0; clustered relays do not carry groups yet)';
    expect(t.interest(t.b, [1])).toEqual({ type: 'error', code: 'too_many_groups', message: off, id: 9, room: t.handle });
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 0, 1));
    expect(t.a.peer.last()).toEqual({ type: 'error', code: 'too_many_groups', message: off, room: t.handle });
    expect(t.relay.stats.limitHits.groups_per_member).toBe(2);
    expect(t.groupIds()).toEqual([]);
  });

  it('an empty interest set unsubscribes from everything and drops idle groups', () => {
    const t = room3();
    t.interest(t.b, [1, 2]);
    t.interest(t.b, [2, 3]);
    expect(t.groupIds()).toEqual([2, 3]);
    expect(t.interest(t.b, [])).toEqual({ type: 'ok', id: 9 });
    expect(t.groupIds()).toEqual([]);
    expect(t.hub.topics.get(`room/${t.handle}/g/2`)?.size ?? 0).toBe(0);
    expect(t.hub.topics.get(`room/${t.handle}/g/2/fast`)?.size ?? 0).toBe(0);
  });
});

describe('group-addressed frames (groups.ts)', () => {
  it('reliable: to every subscriber but the sender, charged to the room budget; nobody else: nothing sent', () => {
    const t = room3();
    t.interest(t.a, [1]);
    t.interest(t.b, [1]);
    t.relay.message(t.a.conn, encodeData({ room: t.handle, group: 1 }, Uint8Array.of(7)));
    expect(t.b.peer.delivers().map((f) => [f.sender, [...f.payload]])).toEqual([[t.ja.self, [7]]]);
    expect(t.a.peer.delivers()).toEqual([]);
    expect(t.c.peer.delivers()).toEqual([]);
    // A non-subscriber sends to group 1: both subscribers get it.
    t.relay.message(t.c.conn, encodeData({ room: t.handle, group: 1 }, Uint8Array.of(8)));
    expect(t.a.peer.delivers().map((f) => [...f.payload])).toEqual([[8]]);
    expect(t.b.peer.delivers().map((f) => [...f.payload])).toEqual([[7], [8]]);
    // To a group with no subscriber: no publish, and the group is not kept.
    const publishes = t.a.peer.publishes;
    t.relay.message(t.a.conn, encodeData({ room: t.handle, group: 9 }, Uint8Array.of(9)));
    t.relay.message(t.a.conn, encodeData({ room: t.handle, group: 9, cls: DeliveryClass.Droppable }, Uint8Array.of(9)));
    expect(t.a.peer.publishes).toBe(publishes);
    expect(t.groupIds()).toEqual([1]);
  });

  it('reliable frames are never dropped over the room budget; droppable ones are, counted per recipient', () => {
    const t = room3({ RELAY_ROOM_MAX_BYTES_OUT_PER_SEC: '1024' });
    t.interest(t.b, [1]);
    t.interest(t.c, [1]);
    const big = new Uint8Array(600); // twice: 1200+ bytes against 1024
    t.relay.message(t.a.conn, encodeData({ room: t.handle, group: 1 }, big));
    expect(t.b.peer.delivers()).toHaveLength(1);
    expect(t.c.peer.delivers()).toHaveLength(1);
    const drops = t.relay.stats.drops;
    const hits = t.relay.stats.limitHits.room_bytes_out;
    // The budget is in debt now: a droppable frame is dropped for both recipients.
    t.relay.message(t.a.conn, encodeData({ room: t.handle, group: 1, cls: DeliveryClass.Droppable }, Uint8Array.of(1)));
    expect(t.b.peer.delivers()).toHaveLength(1);
    expect(t.relay.stats.drops).toBe(drops + 2);
    expect(t.relay.stats.limitHits.room_bytes_out).toBe(hits + 1);
    // A second later the budget is back: the droppable frame goes to both.
    t.advance(2000);
    t.relay.message(t.a.conn, encodeData({ room: t.handle, group: 1, cls: DeliveryClass.Droppable }, Uint8Array.of(2)));
    expect(t.b.peer.delivers().map((f) => [...f.payload]).at(-1)).toEqual([2]);
    expect(t.c.peer.delivers().map((f) => [...f.payload]).at(-1)).toEqual([2]);
  });

  it('droppable: a lagging subscriber is skipped and counted as a drop; the sender is not a recipient', () => {
    const t = room3({ RELAY_SOFT_BUFFERED_BYTES: '2048', RELAY_MAX_BUFFERED_BYTES: '100000' });
    t.interest(t.a, [1]);
    t.interest(t.b, [1]);
    t.interest(t.c, [1]);
    t.c.peer.buffered = 5000;
    t.relay.sweep();
    const drops = t.relay.stats.drops;
    t.relay.message(t.a.conn, encodeData({ room: t.handle, group: 1, cls: DeliveryClass.Droppable }, Uint8Array.of(3)));
    expect(t.b.peer.delivers().map((f) => [...f.payload])).toEqual([[3]]);
    expect(t.c.peer.delivers()).toEqual([]);
    expect(t.a.peer.delivers()).toEqual([]);
    expect(t.relay.stats.drops).toBe(drops + 1);
    // The lagging member sends: it is not counted among the lagging recipients.
    t.relay.message(t.c.conn, encodeData({ room: t.handle, group: 1, cls: DeliveryClass.Droppable }, Uint8Array.of(4)));
    expect(t.relay.stats.drops).toBe(drops + 1);
    expect(t.b.peer.delivers().map((f) => [...f.payload])).toEqual([[3], [4]]);
    expect(t.a.peer.delivers().map((f) => [...f.payload])).toEqual([[4]]);
  });
});

describe('latest values in groups (groups.ts)', () => {
  it('a key moved to another group is cleared in the old one in the same tick; cleared at room scope too', () => {
    const t = room3();
    t.interest(t.b, [1, 2]);
    t.relay.message(t.a.conn, encodeData({ room: t.handle, cls: DeliveryClass.Latest, key: 4 }, Uint8Array.of(1)));
    t.advance(100);
    expect(t.b.peer.batches().map((f) => [f.group, entries(f)])).toEqual([[undefined, [[t.ja.self, 4, [1]]]]]);
    // Room scope -> group 1: the group's value first, then the room batch clears it.
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 4, 2));
    t.advance(100);
    expect(t.b.peer.batches().slice(1).map((f) => [f.group, entries(f)])).toEqual([[1, [[t.ja.self, 4, [2]]]], [undefined, [[t.ja.self, 4, []]]]]);
    // Group 1 -> group 2: group 2's value first, then the clear in group 1.
    t.relay.message(t.a.conn, latestTo(t.handle, 2, 4, 3));
    t.advance(100);
    expect(t.b.peer.batches().slice(3).map((f) => [f.group, entries(f)])).toEqual([[2, [[t.ja.self, 4, [3]]]], [1, [[t.ja.self, 4, []]]]]);
    // Group 2 -> room scope: the group's clear and the room's value.
    t.relay.message(t.a.conn, encodeData({ room: t.handle, cls: DeliveryClass.Latest, key: 4 }, Uint8Array.of(5)));
    t.advance(100);
    expect(t.b.peer.batches().slice(5).map((f) => [f.group, entries(f)]).sort()).toEqual([[2, [[t.ja.self, 4, []]]], [undefined, [[t.ja.self, 4, [5]]]]].sort());
    // The key is held once throughout: one key of the member's budget.
    expect([...t.relay.rooms.get('canvas')!.members.get(t.ja.self)!.keys!]).toEqual([4]);
  });

  it('keys per member count group values: exactly the limit, then too_many_keys; clearing frees one', () => {
    const t = room3({ RELAY_MAX_KEYS_PER_MEMBER: '2' });
    t.interest(t.b, [1]);
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 0, 1));
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 1, 1));
    // Updating a held key is no new key.
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 1, 2));
    expect(t.a.peer.messages().filter((m) => m.type === 'error')).toEqual([]);
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 2, 1));
    expect(t.a.peer.last()).toEqual({ type: 'error', code: 'too_many_keys', message: 'a member may hold 2 latest keys per room; clear one with an empty payload', room: t.handle });
    expect(t.relay.stats.limitHits.keys_per_member).toBe(1);
    // Clearing a held key at the limit is no new key: no error.
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 0));
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 2, 9));
    expect(t.a.peer.messages().filter((m) => m.type === 'error')).toHaveLength(1);
    t.advance(100);
    expect(t.b.peer.batches().map(entries)).toEqual([[[t.ja.self, 0, []], [t.ja.self, 1, [2]], [t.ja.self, 2, [9]]]]);
    // Merges: key 1 set twice, key 0 set then cleared within the tick.
    expect(t.relay.stats.merges).toBe(2);
  });

  it('a group tick over the room budget is skipped (counted) and its values go out merged on a later tick', () => {
    const t = room3({ RELAY_ROOM_MAX_BYTES_OUT_PER_SEC: '1024' });
    t.interest(t.b, [1]);
    // Use up the budget with a reliable frame (never dropped).
    t.relay.message(t.a.conn, encodeData({ room: t.handle, group: 1 }, new Uint8Array(1100)));
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 0, 1));
    const skipped = t.relay.stats.skippedTicks;
    const hits = t.relay.stats.limitHits.room_bytes_out;
    t.advance(0); // the first tick is due at once
    expect(t.b.peer.batches()).toEqual([]);
    expect(t.relay.stats.skippedTicks).toBe(skipped + 1);
    expect(t.relay.stats.limitHits.room_bytes_out).toBe(hits + 1);
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 0, 2));
    t.advance(3000);
    expect(t.b.peer.batches().map(entries)).toEqual([[[t.ja.self, 0, [2]]]]);
    expect(t.relay.stats.latestUpdatesOut).toBe(1);
  });

  it('a group with values nobody watches is not published; a new subscriber gets its snapshot after ok', () => {
    const t = room3();
    t.relay.message(t.a.conn, latestTo(t.handle, 3, 0, 1));
    t.advance(100);
    expect(t.b.peer.batches()).toEqual([]);
    expect(t.relay.stats.latestUpdatesOut).toBe(0);
    const snapshots = t.relay.stats.snapshots;
    expect(t.interest(t.b, [3])).toEqual({ type: 'ok', id: 9 });
    const last2 = t.b.peer.received.slice(-2);
    expect(last2[0]).toMatchObject({ kind: 'control', message: { type: 'ok', id: 9 } });
    expect(last2[1]).toMatchObject({ kind: 'batch', group: 3, snapshot: true });
    expect(entries(last2[1] as never)).toEqual([[t.ja.self, 0, [1]]]);
    expect(t.relay.stats.snapshots).toBe(snapshots + 1);
    // Subscribing again to the same group sends no second snapshot.
    t.interest(t.b, [3]);
    expect(t.relay.stats.snapshots).toBe(snapshots + 1);
  });
});

describe('group membership hooks (groups.ts)', () => {
  it('a lagging subscriber is counted per group; its seat expiring takes it out of the count and the group', () => {
    const t = room3({ RELAY_SEAT_GRACE_MS: '1000', RELAY_SOFT_BUFFERED_BYTES: '2048', RELAY_MAX_BUFFERED_BYTES: '100000' });
    t.interest(t.b, [1]);
    t.interest(t.c, [1, 2]);
    t.c.peer.buffered = 5000;
    t.relay.sweep();
    const groups = t.relay.rooms.get('canvas')!.groups!;
    expect([groups.byId.get(1)!.laggingCount, groups.byId.get(2)!.laggingCount]).toEqual([1, 1]);
    expect(t.hub.topics.get(`room/${t.handle}/g/1/fast`)?.has(t.c.peer)).toBe(false);
    expect(t.hub.topics.get(`room/${t.handle}/g/1`)?.has(t.c.peer)).toBe(true);
    // A second sweep while still lagging changes nothing.
    t.relay.sweep();
    expect(groups.byId.get(1)!.laggingCount).toBe(1);
    t.c.peer.close(1006);
    expect(groups.byId.get(1)!.subscribers.size).toBe(2);
    t.advance(1000);
    expect(groups.byId.get(1)!.laggingCount).toBe(0);
    expect([...groups.byId.get(1)!.subscribers].map((m) => m.id)).toEqual([t.jb.self]);
    // Group 2 had only c: forgotten.
    expect(t.groupIds()).toEqual([1]);
  });

  it('a seat taken back by a connection that keeps up: the old lag leaves the group count, fast topic again', () => {
    const t = room3({ RELAY_SEAT_GRACE_MS: '1000', RELAY_SOFT_BUFFERED_BYTES: '2048', RELAY_MAX_BUFFERED_BYTES: '100000' });
    t.interest(t.c, [1]);
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 0, 5));
    t.advance(100);
    t.c.peer.buffered = 5000;
    t.relay.sweep();
    const group = t.relay.rooms.get('canvas')!.groups!.byId.get(1)!;
    expect(group.laggingCount).toBe(1);
    t.c.peer.close(1006);
    const c2 = t.connect();
    t.relay.message(c2.conn, encodeControl({ type: 'join', id: 1, room: 'canvas', seat: t.jc.seat! }));
    expect(group.laggingCount).toBe(0);
    expect(t.hub.topics.get(`room/${t.handle}/g/1/fast`)?.has(c2.peer)).toBe(true);
    expect(t.hub.topics.get(`room/${t.handle}/g/1`)?.has(c2.peer)).toBe(true);
    // Its snapshot after joined.
    expect(c2.peer.batches().filter((f) => f.group === 1).map((f) => [f.snapshot, entries(f)])).toEqual([[true, [[t.ja.self, 0, [5]]]]]);
  });

  it('the room closing cancels its pending group tick', () => {
    const t = room3();
    t.interest(t.b, [1]);
    t.advance(100);
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 0, 1));
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 0, 2));
    for (const who of [t.a, t.b, t.c]) t.relay.message(who.conn, encodeControl({ type: 'leave', id: 3, room: t.handle }));
    expect(t.relay.rooms.size).toBe(0);
    const publishes = t.hub.publish;
    let after = 0;
    t.hub.publish = (topic, frame, except) => { after++; publishes.call(t.hub, topic, frame, except); };
    t.advance(1000);
    expect(after).toBe(0);
  });
});

describe('group ticks and lagging subscribers (groups.ts, group.ts)', () => {
  it('a group flushes at its room\'s tick rate: the next batch exactly one tick after the last, not before', () => {
    const t = setup({ RELAY_MAX_MESSAGES_PER_SEC: '100000', RELAY_BURST_MESSAGES: '100000' });
    const [a, b] = [t.connect(), t.connect()];
    const ja = t.join(a, 'slow', 10);
    t.join(b, 'slow');
    t.relay.message(b.conn, encodeControl({ type: 'interest', id: 9, room: ja.handle, groups: [1] }));
    t.advance(1000);
    t.relay.message(a.conn, latestTo(ja.handle, 1, 0, 1));
    t.advance(0);
    expect(b.peer.batches()).toHaveLength(1);
    t.advance(10);
    t.relay.message(a.conn, latestTo(ja.handle, 1, 0, 2));
    t.advance(89);
    expect(b.peer.batches()).toHaveLength(1);
    t.advance(1);
    expect(b.peer.batches().map(entries)).toEqual([[[ja.self, 0, [1]]], [[ja.self, 0, [2]]]]);
  });

  it('a connection already lagging when it subscribes: counted lagging, off the fast topic, no snapshot until it drains', () => {
    const t = room3({ RELAY_SOFT_BUFFERED_BYTES: '2048', RELAY_MAX_BUFFERED_BYTES: '100000' });
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 0, 7));
    t.advance(100);
    t.c.peer.buffered = 5000;
    t.relay.sweep();
    expect(t.interest(t.c, [1])).toEqual({ type: 'ok', id: 9 });
    const group = t.relay.rooms.get('canvas')!.groups!.byId.get(1)!;
    expect(group.laggingCount).toBe(1);
    expect(t.hub.topics.get(`room/${t.handle}/g/1`)?.has(t.c.peer)).toBe(true);
    expect(t.hub.topics.get(`room/${t.handle}/g/1/fast`)?.has(t.c.peer) ?? false).toBe(false);
    expect(t.c.peer.batches().filter((f) => f.group === 1)).toEqual([]);
    // Unsubscribing while lagging takes it out of the count.
    t.interest(t.c, [2]);
    expect(group.laggingCount).toBe(0);
    expect(t.relay.rooms.get('canvas')!.groups!.byId.get(2)!.laggingCount).toBe(1);
    t.c.peer.buffered = 0;
    t.relay.sweep();
    expect(t.relay.rooms.get('canvas')!.groups!.byId.get(2)!.laggingCount).toBe(0);
    expect(t.hub.topics.get(`room/${t.handle}/g/2/fast`)?.has(t.c.peer)).toBe(true);
  });
});

describe('group frames counted per recipient (groups.ts)', () => {
  it('reliable, droppable, latest batches and snapshots count their recipients by class', () => {
    const t = room3({ RELAY_SOFT_BUFFERED_BYTES: '2048', RELAY_MAX_BUFFERED_BYTES: '100000' });
    const out = t.relay.stats.framesOut;
    t.interest(t.b, [1]);
    t.interest(t.c, [1]);
    let before = { ...out };
    t.relay.message(t.a.conn, encodeData({ room: t.handle, group: 1 }, Uint8Array.of(1)));
    t.relay.message(t.b.conn, encodeData({ room: t.handle, group: 1 }, Uint8Array.of(2))); // b is a subscriber: not to itself
    expect(out.reliable - before.reliable).toBe(3);
    t.relay.message(t.a.conn, encodeData({ room: t.handle, group: 1, cls: DeliveryClass.Droppable }, Uint8Array.of(3)));
    t.relay.message(t.b.conn, encodeData({ room: t.handle, group: 1, cls: DeliveryClass.Droppable }, Uint8Array.of(4)));
    expect(out.droppable - before.droppable).toBe(3);
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 0, 5));
    t.advance(100);
    expect(out.latest - before.latest).toBe(2);
    // c lags: the next batch has one recipient, and a droppable frame from b reaches nobody but is not counted for c.
    t.c.peer.buffered = 5000;
    t.relay.sweep();
    before = { ...out };
    t.relay.message(t.a.conn, latestTo(t.handle, 1, 0, 6));
    t.advance(100);
    expect(out.latest - before.latest).toBe(1);
    t.relay.message(t.a.conn, encodeData({ room: t.handle, group: 1, cls: DeliveryClass.Droppable }, Uint8Array.of(7)));
    expect(out.droppable - before.droppable).toBe(1);
    // A snapshot to a new subscriber of a group with values: one latest frame.
    before = { ...out };
    t.interest(t.a, [1]);
    expect(out.latest - before.latest).toBe(1);
  });
});
