// Interest groups in the core with fake peers and a controlled clock (groups.ts): one batch per
// changed group per tick, encoded and published once; lagging subscribers skip group ticks and
// get one snapshot per group when they drain; a seat taken back on a new connection keeps its
// groups; an empty group is forgotten.
import { DeliveryClass, encodeControl, encodeData } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { setup } from './fakes.js';
import { entries, latestTo, room3 } from './groups-fixture.js';

describe('interest groups (core)', () => {
  it('merges per group and tick, and publishes one batch per changed group, encoded once', () => {
    const { relay, a, b, c, ja, jb, handle, advance, interest, hub } = room3();
    interest(b, [1, 2]);
    interest(c, [2]);
    expect(b.peer.last()).toEqual({ type: 'ok', id: 9 });
    advance(100);
    const published: string[] = [];
    const publish = hub.publish.bind(hub);
    hub.publish = (topic, frame, except) => {
      published.push(topic);
      publish(topic, frame, except);
    };
    for (let i = 0; i < 20; i++) relay.message(a.conn, latestTo(handle, 1, 0, i));
    relay.message(b.conn, latestTo(handle, 2, 0, 7));
    advance(0);
    // Two groups changed: two publishes, whatever the number of inputs and subscribers.
    expect(published).toEqual([`room/${handle}/g/1/fast`, `room/${handle}/g/2/fast`]);
    // Group 2's batch holds only b's own value: b (a subscriber) does not get it, c does.
    expect(b.peer.batches().map((f) => [f.group, entries(f)])).toEqual([[1, [[ja.self, 0, [19]]]]]);
    expect(c.peer.batches().map((f) => [f.group, entries(f)])).toEqual([[2, [[jb.self, 0, [7]]]]]);
    expect(relay.stats.merges).toBe(19);
    expect(relay.stats.latestUpdatesOut).toBe(1 * 1 + 1 * 1);
    // Nothing changed: no more batches.
    advance(1000);
    expect(b.peer.batches()).toHaveLength(1);
  });

  it('skips group ticks for a lagging subscriber and resyncs it with one snapshot per group', () => {
    const { relay, a, b, c, ja, handle, advance, interest } = room3({ RELAY_SOFT_BUFFERED_BYTES: '2048', RELAY_MAX_BUFFERED_BYTES: '100000' });
    interest(b, [1]);
    interest(c, [1]);
    c.peer.buffered = 5000;
    relay.sweep();
    expect(c.conn.lagging).toBe(true);
    for (let i = 0; i < 5; i++) {
      relay.message(a.conn, latestTo(handle, 1, 0, i));
      advance(40);
    }
    expect(b.peer.batches()).toHaveLength(5);
    expect(c.peer.batches()).toHaveLength(0);
    // Group-addressed reliable frames still reach it; droppable ones do not.
    relay.message(a.conn, encodeData({ room: handle, group: 1 }, Uint8Array.of(42)));
    relay.message(a.conn, encodeData({ room: handle, group: 1, cls: DeliveryClass.Droppable }, Uint8Array.of(43)));
    expect(c.peer.delivers().map((f) => [...f.payload])).toEqual([[42]]);
    expect(b.peer.delivers().map((f) => [...f.payload])).toEqual([[42], [43]]);
    c.peer.buffered = 0;
    relay.sweep();
    expect(c.conn.lagging).toBe(false);
    // The room's snapshot (empty: nothing at room scope), then the group's.
    expect(c.peer.batches().map((f) => [f.group, f.snapshot, entries(f)])).toEqual([[undefined, true, []], [1, true, [[ja.self, 0, [4]]]]]);
    relay.message(a.conn, latestTo(handle, 1, 0, 5));
    advance(40);
    expect(entries(c.peer.batches().at(-1)!)).toEqual([[ja.self, 0, [5]]]);
  });

  it('keeps the groups of a seat taken back on a new connection', () => {
    const t = setup({ RELAY_MAX_MESSAGES_PER_SEC: '100000', RELAY_BURST_MESSAGES: '100000', RELAY_SEAT_GRACE_MS: '10000' });
    const [a, b] = [t.connect(), t.connect()];
    const ja = t.join(a, 'canvas');
    const jb = t.join(b, 'canvas');
    t.relay.message(b.conn, encodeControl({ type: 'interest', id: 9, room: jb.handle, groups: [3] }));
    t.relay.message(a.conn, latestTo(ja.handle, 3, 0, 1));
    t.advance(40);
    b.peer.close(1006);
    const b2 = t.connect();
    t.relay.message(b2.conn, encodeControl({ type: 'join', id: 1, room: 'canvas', seat: jb.seat! }));
    expect(b2.peer.messages()[1]).toMatchObject({ type: 'joined', self: jb.self });
    // The group's snapshot follows the joined reply, and later ticks reach the new connection.
    expect(b2.peer.batches().map((f) => [f.group, f.snapshot, entries(f)])).toEqual([[3, true, [[ja.self, 0, [1]]]]]);
    t.relay.message(a.conn, latestTo(ja.handle, 3, 0, 2));
    t.advance(40);
    expect(entries(b2.peer.batches().at(-1)!)).toEqual([[ja.self, 0, [2]]]);
  });

  it('sends no empty batch when the only change of a tick was a member that left', () => {
    const { relay, a, b, handle, advance, interest } = room3();
    interest(b, [4]);
    relay.message(a.conn, latestTo(handle, 4, 0, 1));
    relay.message(a.conn, encodeControl({ type: 'leave', id: 5, room: handle }));
    advance(40);
    expect(b.peer.batches()).toEqual([]);
    expect(b.peer.messages().map((m) => m.type)).toContain('member_left');
  });

  it('forgets a group once nobody subscribes and it holds nothing', () => {
    const { relay, a, b, handle, advance, interest } = room3();
    interest(b, [5]);
    relay.message(a.conn, latestTo(handle, 5, 0, 1));
    advance(40);
    const groups = () => [...(relay.rooms.get('canvas')?.groups?.byId.keys() ?? [])];
    expect(groups()).toEqual([5]);
    interest(b, []);
    expect(groups()).toEqual([5]); // still holds a's value
    relay.message(a.conn, latestTo(handle, 5, 0));
    advance(40);
    expect(groups()).toEqual([]);
    // Sending to a group nobody watches stores the value for a later subscriber, nothing more.
    relay.message(a.conn, latestTo(handle, 6, 0, 9));
    advance(40);
    expect(groups()).toEqual([6]);
  });
});
