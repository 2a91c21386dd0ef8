// Unit tests of core/remote.ts with a fake cluster, part 2 (core-cluster-remote.test.ts: member
// events, settings, host, commands): frames from other nodes (handle rewrite, direct, droppable,
// the room budget), `latest` values and the local rooms' state, the resync after a cluster-store
// outage, evict, lost, the events held while a local join waits for its claim, and forwardRoom.
import { CloseCodes, DeliveryClass, encodeControl, encodeData, encodeDeliver } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { clusterRoom, clusterSetup, otherMember, settle, signIn } from './cluster-fakes.js';

describe('frames from other nodes', () => {
  const payload = new Uint8Array([1, 2, 3, 4]);
  /** A deliver frame as another node stamped it (its own handle 999). */
  const fromB = (cls: DeliveryClass, direct = false) => encodeDeliver({ room: 999, cls, sender: 7, direct }, payload);

  it('to the room: every local member, with this node\'s handle; counted and budgeted', async () => {
    const { remote, members, handle, stats, room, clock } = await clusterRoom(2);
    const before = { frames: stats.framesOut.reliable, level: room.outBudget.level(clock.now()) };
    remote.frame('r', fromB(DeliveryClass.Reliable), 0);
    for (const m of members) {
      expect(m.peer.delivers().map((d) => [d.room, d.sender, [...d.payload]])).toEqual([[handle, 7, [1, 2, 3, 4]]]);
    }
    expect(stats.framesOut.reliable - before.frames).toBe(2);
    expect(before.level - room.outBudget.level(clock.now())).toBe(2 * 10);
  });

  it('a handle above 255 is written in both bytes (big-endian)', async () => {
    const s = clusterSetup();
    for (let i = 0; i < 300; i++) s.relay.admin.createRoom(`pad${i}`, {}, undefined);
    const a = s.connect();
    await s.join(a, 'r');
    const handle = s.relay.rooms.get('r')!.handle;
    expect(handle).toBeGreaterThan(256);
    expect(handle % 256).not.toBe(0);
    s.remote.frame('r', fromB(DeliveryClass.Reliable), 0);
    expect(a.peer.delivers().map((d) => d.room)).toEqual([handle]);
  });

  it('to one local member (direct); an unknown target or room, or a short frame, is dropped', async () => {
    const { remote, members, handle } = await clusterRoom(2);
    remote.frame('r', fromB(DeliveryClass.Reliable, true), 2);
    remote.frame('r', fromB(DeliveryClass.Reliable, true), 9);
    remote.frame('x', fromB(DeliveryClass.Reliable), 0);
    remote.frame('r', new Uint8Array([0, 0, 0]), 0);
    expect(members[0]!.peer.received).toEqual([]);
    expect(members[1]!.peer.delivers().map((d) => [d.room, d.direct])).toEqual([[handle, true]]);
  });

  it('droppable: a lagging target is skipped (a drop); a broadcast skips lagging members and counts them', async () => {
    const { remote, relay, members, stats } = await clusterRoom(3);
    members[1]!.peer.buffered = 100_000;
    relay.sweep();
    const drops = stats.drops;
    remote.frame('r', fromB(DeliveryClass.Droppable, true), 2);
    expect(stats.drops - drops).toBe(1);
    remote.frame('r', fromB(DeliveryClass.Droppable), 0);
    expect(stats.drops - drops).toBe(2);
    expect(members.map((m) => m.peer.delivers().length)).toEqual([1, 0, 1]);
    expect(stats.framesOut.droppable).toBe(2);
    remote.frame('r', fromB(DeliveryClass.Droppable, true), 3);
    expect(members[2]!.peer.delivers().length).toBe(2);
  });

  it('droppable over the room output budget: dropped for every member, the limit counted', async () => {
    const { remote, members, stats } = await clusterRoom(2, { RELAY_ROOM_MAX_BYTES_OUT_PER_SEC: '1024' });
    const big = (cls: DeliveryClass) => encodeDeliver({ room: 999, cls, sender: 7 }, new Uint8Array(500));
    const drops = stats.drops;
    const limited = stats.limitHits.room_bytes_out;
    remote.frame('r', big(DeliveryClass.Droppable), 0); // 2 × 506 bytes: within the budget
    remote.frame('r', big(DeliveryClass.Droppable), 0); // over it
    expect(members.map((m) => m.peer.delivers().length)).toEqual([1, 1]);
    expect(stats.drops - drops).toBe(2);
    expect((stats.limitHits.room_bytes_out) - limited).toBe(1);
    remote.frame('r', big(DeliveryClass.Reliable), 0); // reliable frames are forced through
    expect(members.map((m) => m.peer.delivers().length)).toEqual([2, 2]);
  });

  it('every local member lagging: a droppable broadcast reaches nobody and counts nothing', async () => {
    const { remote, relay, members, stats } = await clusterRoom(1);
    members[0]!.peer.buffered = 100_000;
    relay.sweep();
    const before = { drops: stats.drops, frames: stats.framesOut.droppable };
    remote.frame('r', fromB(DeliveryClass.Droppable), 0);
    expect([stats.drops - before.drops, stats.framesOut.droppable - before.frames]).toEqual([0, 0]);
  });
});

describe('latest values and the local rooms', () => {
  it('values of another node\'s members reach local members on the next tick', async () => {
    const { remote, members, clock } = await clusterRoom();
    remote.memberJoined('r', otherMember(7));
    remote.latest('r', [{ sender: 7, key: 1, payload: new Uint8Array([4]) }]);
    clock.advance(100);
    const entries = members[0]!.peer.batches().flatMap((b) => b.entries.map((e) => [e.sender, e.key, [...e.payload]]));
    expect(entries).toEqual([[7, 1, [4]]]);
  });

  it('localRooms: tick rate, settings, servers, members and only this node\'s values', async () => {
    const { remote, relay, members, handle, room, connect, join } = await clusterRoom(2);
    const backend = connect();
    signIn(backend.conn, { userId: 'backend' }, true);
    await join(backend, 'r');
    remote.memberJoined('r', otherMember(7));
    relay.message(members[1]!.conn, encodeData({ room: handle, cls: DeliveryClass.Latest, key: 4 }, new Uint8Array([1])));
    remote.latest('r', [{ sender: 7, key: 1, payload: new Uint8Array([4]) }]);
    const state = remote.localRooms().get('r')!;
    expect([...remote.localRooms().keys()]).toEqual(['r']);
    expect(state.tickHz).toBe(30);
    expect(state.settings).toBe(room.settings);
    expect([...state.servers]).toEqual([3]);
    expect(state.members).toEqual([
      { id: 1, presence: null, identity: {}, seat: undefined, away: false },
      { id: 2, presence: null, identity: {}, seat: undefined, away: false },
      { id: 3, presence: null, identity: { userId: 'backend' }, seat: undefined, away: false },
    ]);
    expect(state.values.map((e) => [e.sender, e.key])).toEqual([[2, 4]]);
  });
});

describe('resync after a cluster-store outage', () => {
  it('the store wins: members gone, new and changed are announced; settings and host too', async () => {
    const { remote, members, room, handle } = await clusterRoom();
    remote.memberJoined('r', otherMember(7));
    remote.memberJoined('r', otherMember(8));
    remote.latest('r', [{ sender: 8, key: 0, payload: new Uint8Array([3]) }]);
    room.settingsVersion = 5;
    room.hostVersion = 5;
    members[0]!.peer.received.length = 0;
    const settings = { capacity: 9, locked: false, private: true, metadata: null };
    remote.resync('r', [otherMember(1, { node: 'a' }), otherMember(8, { presence: { x: 80 } }), otherMember(9)], {
      settings, settingsVersion: 0, host: 8, hostVersion: 0, previousHost: 0,
    });
    const messages = members[0]!.peer.messages();
    expect(messages.slice(0, 5)).toEqual([
      { type: 'room_settings', room: handle, settings },
      { type: 'host_changed', room: handle, host: 8 },
      { type: 'member_left', room: handle, member: 7 },
      { type: 'member_updated', room: handle, member: { id: 8, presence: { x: 80 }, userId: 'u8' } },
      { type: 'member_joined', room: handle, member: { id: 9, presence: { x: 9 }, userId: 'u9' } },
    ]);
    expect(messages.length).toBe(5);
    // and a snapshot of the room's values
    const last = members[0]!.peer.received.at(-1);
    expect(last?.kind === 'batch' ? last.entries.map((e) => [e.sender, e.key, [...e.payload]]) : last).toEqual([[8, 0, [3]]]);
    expect([room.settingsVersion, room.hostVersion, room.host]).toEqual([1, 1, 8]);
    expect([...room.remote.keys()].sort()).toEqual([8, 9]);
  });

  it('same settings and presence: versions taken from the store, nothing announced', async () => {
    const { remote, members, room } = await clusterRoom();
    remote.memberJoined('r', otherMember(7));
    members[0]!.peer.received.length = 0;
    remote.resync('r', [otherMember(7)], { settings: { ...room.settings }, settingsVersion: 6, host: 1, hostVersion: 4, previousHost: 0 });
    expect(members[0]!.peer.messages()).toEqual([]);
    expect([room.settingsVersion, room.hostVersion]).toEqual([6, 4]);
  });

  it('changed settings and host keep the store\'s versions when above 1', async () => {
    const { remote, members, room, handle } = await clusterRoom();
    const settings = { ...room.settings, capacity: 3 };
    remote.resync('r', [], { settings, settingsVersion: 6, host: 1, hostVersion: 4, previousHost: 0 });
    expect([room.settingsVersion, room.hostVersion, room.host]).toEqual([6, 4, 1]);
    expect(members[0]!.peer.messages()).toEqual([{ type: 'room_settings', room: handle, settings }]);
  });

  it('without the stored state only members are compared; an unknown room is ignored', async () => {
    const { remote, members, room } = await clusterRoom();
    room.settingsVersion = 3;
    remote.resync('r', [otherMember(7)], undefined);
    remote.resync('x', [otherMember(7)], undefined);
    expect(room.settingsVersion).toBe(3);
    expect(members[0]!.peer.messages().filter((m) => m.type === 'member_joined').length).toBe(1);
  });
});

describe('evict and lost', () => {
  it('evict: the member whose id another node took is removed and its connection closed (going_away)', async () => {
    const { remote, members, room, handle, cluster, events } = await clusterRoom(2);
    remote.evict('r', 2);
    remote.evict('r', 9);
    remote.evict('x', 1);
    expect(members[1]!.peer.closedWith).toBe(CloseCodes.going_away.code);
    expect(members[1]!.peer.closeReason).toBe('member id taken by another node during a cluster outage; rejoin');
    expect(members[1]!.peer.messages()).toEqual([]); // unsubscribed first: not told of its own departure
    expect(events.log).toEqual([['memberLeft', { room: 'r', memberId: 2, userId: undefined, info: undefined }, 'disconnected']]);
    expect(members[0]!.peer.closedWith).toBeUndefined();
    expect(room.members.has(2)).toBe(false);
    expect(members[1]!.conn.rooms.has(handle)).toBe(false);
    expect(members[0]!.peer.messages()).toEqual([{ type: 'member_left', room: handle, member: 2 }]);
    expect(cluster.of('left')).toEqual([]);
  });

  it('lost: target 0 closes every local member with frames_lost, a target only that member', async () => {
    const one = await clusterRoom(2);
    one.remote.lost('r', 2);
    one.remote.lost('r', 9);
    one.remote.lost('x', 0);
    expect(one.members.map((m) => m.peer.closedWith)).toEqual([undefined, CloseCodes.frames_lost.code]);
    expect(one.members[1]!.peer.closeReason).toBe('messages of another relay node for room r were lost or late; reconnect and resync');
    const all = await clusterRoom(2);
    all.remote.lost('r', 0);
    expect(all.members.map((m) => m.peer.closedWith)).toEqual([CloseCodes.frames_lost.code, CloseCodes.frames_lost.code]);
  });
});

describe('events held while a local join waits for its claim', () => {
  it('applied in order after the claim; up to 1024 per room', async () => {
    const { remote, relay, cluster, connect } = await clusterRoom();
    let answer: (() => void) | undefined;
    const first = cluster.claimWith;
    cluster.claimWith = (room, request) => new Promise((resolve) => { answer = () => resolve(first(room, request)); });
    const c = connect();
    relay.message(c.conn, encodeControl({ type: 'join', id: 1, room: 'r' }));
    await settle();
    expect(answer).toBeDefined();
    for (let id = 100; id < 100 + 1030; id++) remote.memberJoined('r', otherMember(id));
    expect(relay.rooms.get('r')!.remote.size).toBe(0);
    answer!();
    await settle();
    const room = relay.rooms.get('r')!;
    expect(room.remote.size).toBe(1024);
    expect([...room.remote.keys()].at(-1)).toBe(1123);
    expect(c.peer.messages()[1]).toMatchObject({ type: 'joined' });
    expect(c.peer.messages()[2]).toEqual({ type: 'member_joined', room: room.handle, member: { id: 100, presence: { x: 100 }, userId: 'u100' } });
  });

  it('two joins wait together: the events run once both claims are in', async () => {
    const { remote, room, members } = await clusterRoom();
    remote.hold('r');
    remote.hold('r');
    remote.memberJoined('r', otherMember(7));
    remote.release('r');
    expect(room.remote.size).toBe(0);
    remote.release('r');
    expect(room.remote.size).toBe(1);
    remote.release('r'); // nothing held: no effect
    remote.memberJoined('r', otherMember(8)); // applied at once again
    expect(members[0]!.peer.messages().map((m) => m.type)).toEqual(['member_joined', 'member_joined']);
  });
});

describe('forwardRoom', () => {
  it('a topic of a room with members on other nodes names the room; otherwise nothing', async () => {
    const { remote, room, handle } = await clusterRoom();
    expect(remote.forwardRoom(`room/${handle}`)).toBeUndefined();
    remote.memberJoined('r', otherMember(7));
    expect(remote.forwardRoom(`room/${handle}`)).toBe('r');
    expect(remote.forwardRoom(room.fastTopic)).toBe('r');
    expect(remote.forwardRoom(`room/${handle + 1}`)).toBeUndefined();
  });
});
