// Unit tests of core/remote.ts (what other relay nodes cause on this one) with a fake cluster:
// the exact messages local members get for each remote member event, which events are stale and
// ignored, frames from other nodes (handle rewrite, direct, droppable, the room budget), `latest`
// values, commands relayed from other nodes, the resync after an outage, evict, lost, and the
// events held while a local join waits for its claim.
import { CloseCodes, DeliveryClass, encodeControl, encodeData, encodeDeliver } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import type { ClusterMember } from '../src/core/cluster.js';
import { clusterSetup, settle, signIn } from './cluster-fakes.js';

type S = ReturnType<typeof clusterSetup>;
type M = ReturnType<S['connect']>;

/** Node a with `n` local members of room `r` (ids 1..n), their join traffic cleared. */
async function localRoom(n = 1, overrides: Record<string, string> = {}) {
  const s = clusterSetup({ RELAY_MAX_MESSAGES_PER_SEC: '100000', RELAY_BURST_MESSAGES: '100000', ...overrides });
  const members: M[] = [];
  for (let i = 0; i < n; i++) {
    const m = s.connect();
    const reply = await s.join(m, 'r');
    if (reply?.type !== 'joined') throw new Error(`join failed: ${JSON.stringify(reply)}`);
    members.push(m);
  }
  const room = s.relay.rooms.get('r')!;
  for (const m of members) m.peer.received.length = 0;
  s.cluster.calls.length = 0;
  s.events.log.length = 0;
  return { ...s, members, room, handle: room.handle };
}

const other = (id: number, extra: Partial<ClusterMember> = {}): ClusterMember => ({
  id, presence: { x: id }, identity: { userId: `u${id}` }, node: 'b', ...extra,
});

describe('remote members', () => {
  it('a member of another node joins: member_joined with its presence and identity, once', async () => {
    const { remote, members, room, handle } = await localRoom();
    remote.memberJoined('r', other(7));
    remote.memberJoined('r', other(7)); // announced twice (e.g. after a resync): ignored
    remote.memberJoined('r', other(1, { node: 'c' })); // this node's own member: ignored
    expect(members[0]!.peer.messages()).toEqual([{ type: 'member_joined', room: handle, member: { id: 7, presence: { x: 7 }, userId: 'u7' } }]);
    expect([...room.remote.values()]).toEqual([{ id: 7, node: 'b', away: false, presence: { x: 7 }, identity: { userId: 'u7' }, keys: new Set() }]);
  });

  it('an away member joins: member_joined then member_away', async () => {
    const { remote, members, room, handle } = await localRoom();
    remote.memberJoined('r', other(7, { away: true }));
    expect(members[0]!.peer.messages()).toEqual([
      { type: 'member_joined', room: handle, member: { id: 7, presence: { x: 7 }, userId: 'u7' } },
      { type: 'member_away', room: handle, member: 7 },
    ]);
    expect(room.remote.get(7)!.away).toBe(true);
  });

  it('events of a room this node does not hold change nothing', async () => {
    const { remote, relay, members } = await localRoom();
    remote.memberJoined('elsewhere', other(7));
    remote.settingsChanged('elsewhere', { capacity: 3, locked: true, private: false, metadata: null }, 9);
    expect(relay.rooms.get('elsewhere')).toBeUndefined();
    expect(members[0]!.peer.messages()).toEqual([]);
  });

  it('the first member of each other node gets this node\'s own latest values handed over', async () => {
    const { remote, relay, members, handle, cluster } = await localRoom();
    remote.memberJoined('r', other(6));
    expect(cluster.of('latest')).toEqual([]); // no values yet: nothing to hand over
    remote.latest('r', [{ sender: 6, key: 5, payload: new Uint8Array([6]) }]); // node b's own value: not ours to hand over
    relay.message(members[0]!.conn, encodeData({ room: handle, cls: DeliveryClass.Latest, key: 3 }, new Uint8Array([9, 8])));
    remote.memberJoined('r', other(7)); // node b again: it has them already
    expect(cluster.of('latest')).toEqual([]);
    remote.memberJoined('r', other(9, { node: 'c' }));
    remote.memberJoined('r', other(10, { node: 'c' }));
    remote.memberJoined('r', other(11, { node: 'd' }));
    const handed = cluster.of('latest').map(([room, entries]) => [room, (entries as { sender: number; key: number; payload: Uint8Array }[])
      .map((e) => [e.sender, e.key, [...e.payload]])]);
    expect(handed).toEqual([['r', [[1, 3, [9, 8]]]], ['r', [[1, 3, [9, 8]]]]]);
  });

  it('updated: the new presence with the identity learnt at join; unknown ids ignored', async () => {
    const { remote, members, room, handle } = await localRoom();
    remote.memberJoined('r', other(7));
    members[0]!.peer.received.length = 0;
    remote.memberUpdated('r', other(7, { presence: { x: 70 }, identity: { userId: 'changed' } }));
    remote.memberUpdated('r', other(8));
    expect(members[0]!.peer.messages()).toEqual([{ type: 'member_updated', room: handle, member: { id: 7, presence: { x: 70 }, userId: 'u7' } }]);
    expect(room.remote.get(7)!.presence).toEqual({ x: 70 });
  });

  it('left: only from the node that holds the member (or any node when none is named)', async () => {
    const { remote, members, room, handle } = await localRoom();
    remote.memberJoined('r', other(7));
    remote.memberJoined('r', other(8));
    members[0]!.peer.received.length = 0;
    remote.memberLeft('r', 7, 'c'); // stale: node c does not hold 7
    remote.memberLeft('r', 9); // unknown
    expect(members[0]!.peer.messages()).toEqual([]);
    expect(room.remote.size).toBe(2);
    remote.memberLeft('r', 7, 'b');
    remote.memberLeft('r', 8);
    expect(members[0]!.peer.messages()).toEqual([
      { type: 'member_left', room: handle, member: 7 },
      { type: 'member_left', room: handle, member: 8 },
    ]);
    expect(room.remote.size).toBe(0);
  });

  it('left: the member\'s latest values go with it, from later snapshots too', async () => {
    const { remote, members, room } = await localRoom();
    remote.memberJoined('r', other(7));
    remote.latest('r', [{ sender: 7, key: 2, payload: new Uint8Array([5]) }]);
    expect(room.latest.all().map((e) => [e.sender, e.key])).toEqual([[7, 2]]);
    remote.memberLeft('r', 7);
    expect(room.latest.all()).toEqual([]);
    expect(members[0]!.peer.messages().at(-1)).toMatchObject({ type: 'member_left', member: 7 });
  });

  it('away: member_away once, and the node that now holds the seat is recorded', async () => {
    const { remote, members, room, handle } = await localRoom();
    remote.memberJoined('r', other(7));
    members[0]!.peer.received.length = 0;
    remote.memberAway('r', 7, 'b');
    remote.memberAway('r', 7, 'c'); // adopted by node c: no second announcement
    remote.memberAway('r', 8, 'b'); // unknown
    expect(members[0]!.peer.messages()).toEqual([{ type: 'member_away', room: handle, member: 7 }]);
    expect(room.remote.get(7)).toMatchObject({ away: true, node: 'c' });
  });

  it('back: member_back for an away member, nothing for a present one, member_joined for an unknown one', async () => {
    const { remote, members, room, handle } = await localRoom();
    remote.memberJoined('r', other(7, { away: true }));
    remote.memberJoined('r', other(8));
    members[0]!.peer.received.length = 0;
    remote.memberBack('r', other(7, { node: 'c' }));
    remote.memberBack('r', other(8, { node: 'd' }));
    remote.memberBack('r', other(9));
    expect(members[0]!.peer.messages()).toEqual([
      { type: 'member_back', room: handle, member: 7 },
      { type: 'member_joined', room: handle, member: { id: 9, presence: { x: 9 }, userId: 'u9' } },
    ]);
    expect(room.remote.get(7)).toMatchObject({ away: false, node: 'c' });
    expect(room.remote.get(8)).toMatchObject({ away: false, node: 'd' });
  });

  it('back on another node of a seat this node held: the member moves out, the others see it back', async () => {
    const { remote, relay, members, room, handle, cluster } = await localRoom(2);
    remote.memberBack('r', other(2, { node: 'b' }));
    expect(room.members.has(2)).toBe(false);
    expect(room.remote.get(2)).toMatchObject({ id: 2, node: 'b', away: false });
    expect(members[0]!.peer.messages()).toEqual([{ type: 'member_back', room: handle, member: 2 }]);
    expect(cluster.of('moved')).toEqual([['r']]);
    expect(relay.rooms.get('r')).toBe(room);
  });
});

describe('settings and host from the store', () => {
  const settings = { capacity: 5, locked: true, private: false, metadata: { v: 1 } };

  it('settings: applied and announced only when the version is newer', async () => {
    const { remote, members, room, handle } = await localRoom();
    const before = room.settings;
    remote.settingsChanged('r', settings, room.settingsVersion); // same version: stale
    expect(room.settings).toBe(before);
    remote.settingsChanged('r', settings, room.settingsVersion + 1);
    expect(room.settings).toEqual(settings);
    expect(room.settingsVersion).toBe(2);
    expect(members[0]!.peer.messages()).toEqual([{ type: 'room_settings', room: handle, settings }]);
  });

  it('host: applied when newer, announced when it changed to a member', async () => {
    const { remote, members, room, handle } = await localRoom();
    expect([room.host, room.hostVersion]).toEqual([1, 1]);
    remote.hostChanged('r', 7, 1); // same version: stale
    expect(room.host).toBe(1);
    remote.hostChanged('r', 1, 2); // newer, same host: version only
    expect([room.host, room.hostVersion]).toEqual([1, 2]);
    expect(members[0]!.peer.messages()).toEqual([]);
    remote.hostChanged('r', 7, 3);
    remote.hostChanged('r', 0, 4); // no host: nothing to announce
    expect([room.host, room.hostVersion]).toEqual([0, 4]);
    expect(members[0]!.peer.messages()).toEqual([{ type: 'host_changed', room: handle, host: 7 }]);
  });
});

describe('webhooks of what this node decided', () => {
  it('room gone: room.closed; reaped: member_left here and the webhook, disconnected by default', async () => {
    const { remote, members, events, handle } = await localRoom();
    remote.memberJoined('r', other(7, { identity: { userId: 'u7', info: { n: 1 } } }));
    remote.memberJoined('r', other(8));
    members[0]!.peer.received.length = 0;
    events.log.length = 0;
    remote.reaped('r', other(7, { identity: { userId: 'u7', info: { n: 1 } } }));
    remote.reaped('r', other(8), 'kicked');
    remote.roomGone('gone');
    expect(events.log).toEqual([
      ['memberLeft', { room: 'r', memberId: 7, userId: 'u7', info: { n: 1 } }, 'disconnected'],
      ['memberLeft', { room: 'r', memberId: 8, userId: 'u8', info: undefined }, 'kicked'],
      ['roomClosed', 'gone'],
    ]);
    expect(members[0]!.peer.messages()).toEqual([
      { type: 'member_left', room: handle, member: 7 },
      { type: 'member_left', room: handle, member: 8 },
    ]);
  });
});

describe('commands relayed from other nodes', () => {
  it('kick and remove of a local member run here; the seat a dead node\'s member left is not asked for', async () => {
    const { remote, members, cluster } = await localRoom(2);
    expect(remote.command({ op: 'kick', room: 'r', member: 1, reason: 'bye' })).toBe('kicked');
    expect(members[0]!.peer.closedWith).toBe(CloseCodes.kicked.code);
    expect(remote.command({ op: 'remove', room: 'r', member: 2, reason: 'out' })).toBe('removed');
    expect(cluster.of('endHeld')).toEqual([]);
  });

  it('kick and remove of no local member: a seat this node holds for a dead node ends instead', async () => {
    const { remote, cluster } = await localRoom();
    expect(remote.command({ op: 'kick', room: 'r', member: 9, reason: 'x' })).toBe('member_not_found');
    expect(remote.command({ op: 'remove', room: 'nope', member: 9, reason: 'x' })).toBe('room_not_found');
    cluster.endHeldAnswer = true;
    expect(remote.command({ op: 'kick', room: 'r', member: 9, reason: 'x' })).toBe('kicked');
    expect(remote.command({ op: 'remove', room: 'r', member: 9, reason: 'x' })).toBe('removed');
    expect(cluster.of('endHeld')).toEqual([['r', 9], ['nope', 9], ['r', 9], ['r', 9]]);
  });

  it('disconnect closes the user\'s connections here and ends its adopted seats; other ops do not', async () => {
    const { remote, cluster } = await localRoom();
    expect(remote.command({ op: 'disconnect', userId: 'ada', reason: 'x' })).toBe(0);
    expect(remote.command({ op: 'close', room: 'none', reason: 'x' })).toBeUndefined();
    expect(remote.command({ op: 'publish', room: 'r', payload: Buffer.from([1, 2]).toString('base64'), cls: 'reliable' }))
      .toEqual({ ok: true, recipients: 1 });
    expect(cluster.of('endHeldOf')).toEqual([['ada']]);
    expect(cluster.of('endHeld')).toEqual([]);
  });

  it('before the server API is wired (no admin yet): no answer, nothing ended', async () => {
    const { remote, cluster } = await localRoom();
    const { admin } = remote.deps;
    remote.deps.admin = undefined;
    try {
      cluster.endHeldAnswer = true;
      expect(remote.command({ op: 'kick', room: 'r', member: 1, reason: 'x' })).toBeUndefined();
      expect(cluster.of('endHeld')).toEqual([]);
    } finally {
      remote.deps.admin = admin;
    }
  });

  it('holds: whether a member of the room is on this node', async () => {
    const { remote } = await localRoom();
    remote.memberJoined('r', other(7));
    expect([remote.holds('r', 1), remote.holds('r', 7), remote.holds('x', 1)]).toEqual([true, false, false]);
  });
});

describe('frames from other nodes', () => {
  const payload = new Uint8Array([1, 2, 3, 4]);
  /** A deliver frame as another node stamped it (its own handle 999). */
  const fromB = (cls: DeliveryClass, direct = false) => encodeDeliver({ room: 999, cls, sender: 7, direct }, payload);

  it('to the room: every local member, with this node\'s handle; counted and budgeted', async () => {
    const { remote, members, handle, stats, room, clock } = await localRoom(2);
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
    const { remote, members, handle } = await localRoom(2);
    remote.frame('r', fromB(DeliveryClass.Reliable, true), 2);
    remote.frame('r', fromB(DeliveryClass.Reliable, true), 9);
    remote.frame('x', fromB(DeliveryClass.Reliable), 0);
    remote.frame('r', new Uint8Array([0, 0, 0]), 0);
    expect(members[0]!.peer.received).toEqual([]);
    expect(members[1]!.peer.delivers().map((d) => [d.room, d.direct])).toEqual([[handle, true]]);
  });

  it('droppable: a lagging target is skipped (a drop); a broadcast skips lagging members and counts them', async () => {
    const { remote, relay, members, stats } = await localRoom(3);
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
    const { remote, members, stats } = await localRoom(2, { RELAY_ROOM_MAX_BYTES_OUT_PER_SEC: '1024' });
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
    const { remote, relay, members, stats } = await localRoom(1);
    members[0]!.peer.buffered = 100_000;
    relay.sweep();
    const before = { drops: stats.drops, frames: stats.framesOut.droppable };
    remote.frame('r', fromB(DeliveryClass.Droppable), 0);
    expect([stats.drops - before.drops, stats.framesOut.droppable - before.frames]).toEqual([0, 0]);
  });
});

describe('latest values and the local rooms', () => {
  it('values of another node\'s members reach local members on the next tick', async () => {
    const { remote, members, clock } = await localRoom();
    remote.memberJoined('r', other(7));
    remote.latest('r', [{ sender: 7, key: 1, payload: new Uint8Array([4]) }]);
    clock.advance(100);
    const entries = members[0]!.peer.batches().flatMap((b) => b.entries.map((e) => [e.sender, e.key, [...e.payload]]));
    expect(entries).toEqual([[7, 1, [4]]]);
  });

  it('localRooms: tick rate, settings, servers, members and only this node\'s values', async () => {
    const { remote, relay, members, handle, room, connect, join } = await localRoom(2);
    const backend = connect();
    signIn(backend.conn, { userId: 'backend' }, true);
    await join(backend, 'r');
    remote.memberJoined('r', other(7));
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
    const { remote, members, room, handle } = await localRoom();
    remote.memberJoined('r', other(7));
    remote.memberJoined('r', other(8));
    remote.latest('r', [{ sender: 8, key: 0, payload: new Uint8Array([3]) }]);
    room.settingsVersion = 5;
    room.hostVersion = 5;
    members[0]!.peer.received.length = 0;
    const settings = { capacity: 9, locked: false, private: true, metadata: null };
    remote.resync('r', [other(1, { node: 'a' }), other(8, { presence: { x: 80 } }), other(9)], {
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
    const { remote, members, room } = await localRoom();
    remote.memberJoined('r', other(7));
    members[0]!.peer.received.length = 0;
    remote.resync('r', [other(7)], { settings: { ...room.settings }, settingsVersion: 6, host: 1, hostVersion: 4, previousHost: 0 });
    expect(members[0]!.peer.messages()).toEqual([]);
    expect([room.settingsVersion, room.hostVersion]).toEqual([6, 4]);
  });

  it('changed settings and host keep the store\'s versions when above 1', async () => {
    const { remote, members, room, handle } = await localRoom();
    const settings = { ...room.settings, capacity: 3 };
    remote.resync('r', [], { settings, settingsVersion: 6, host: 1, hostVersion: 4, previousHost: 0 });
    expect([room.settingsVersion, room.hostVersion, room.host]).toEqual([6, 4, 1]);
    expect(members[0]!.peer.messages()).toEqual([{ type: 'room_settings', room: handle, settings }]);
  });

  it('without the stored state only members are compared; an unknown room is ignored', async () => {
    const { remote, members, room } = await localRoom();
    room.settingsVersion = 3;
    remote.resync('r', [other(7)], undefined);
    remote.resync('x', [other(7)], undefined);
    expect(room.settingsVersion).toBe(3);
    expect(members[0]!.peer.messages().filter((m) => m.type === 'member_joined').length).toBe(1);
  });
});

describe('evict and lost', () => {
  it('evict: the member whose id another node took is removed and its connection closed (going_away)', async () => {
    const { remote, members, room, handle, cluster, events } = await localRoom(2);
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
    const one = await localRoom(2);
    one.remote.lost('r', 2);
    one.remote.lost('r', 9);
    one.remote.lost('x', 0);
    expect(one.members.map((m) => m.peer.closedWith)).toEqual([undefined, CloseCodes.frames_lost.code]);
    expect(one.members[1]!.peer.closeReason).toBe('messages of another relay node for room r were lost or late; reconnect and resync');
    const all = await localRoom(2);
    all.remote.lost('r', 0);
    expect(all.members.map((m) => m.peer.closedWith)).toEqual([CloseCodes.frames_lost.code, CloseCodes.frames_lost.code]);
  });
});

describe('events held while a local join waits for its claim', () => {
  it('applied in order after the claim; up to 1024 per room', async () => {
    const { remote, relay, cluster, connect } = await localRoom();
    let answer: (() => void) | undefined;
    const first = cluster.claimWith;
    cluster.claimWith = (room, request) => new Promise((resolve) => { answer = () => resolve(first(room, request)); });
    const c = connect();
    relay.message(c.conn, encodeControl({ type: 'join', id: 1, room: 'r' }));
    await settle();
    expect(answer).toBeDefined();
    for (let id = 100; id < 100 + 1030; id++) remote.memberJoined('r', other(id));
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
    const { remote, room, members } = await localRoom();
    remote.hold('r');
    remote.hold('r');
    remote.memberJoined('r', other(7));
    remote.release('r');
    expect(room.remote.size).toBe(0);
    remote.release('r');
    expect(room.remote.size).toBe(1);
    remote.release('r'); // nothing held: no effect
    remote.memberJoined('r', other(8)); // applied at once again
    expect(members[0]!.peer.messages().map((m) => m.type)).toEqual(['member_joined', 'member_joined']);
  });
});

describe('forwardRoom', () => {
  it('a topic of a room with members on other nodes names the room; otherwise nothing', async () => {
    const { remote, room, handle } = await localRoom();
    expect(remote.forwardRoom(`room/${handle}`)).toBeUndefined();
    remote.memberJoined('r', other(7));
    expect(remote.forwardRoom(`room/${handle}`)).toBe('r');
    expect(remote.forwardRoom(room.fastTopic)).toBe('r');
    expect(remote.forwardRoom(`room/${handle + 1}`)).toBeUndefined();
  });
});
