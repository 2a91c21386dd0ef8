// Unit tests of core/remote.ts (what other relay nodes cause on this one) with a fake cluster:
// the exact messages local members get for each remote member event, which events are stale and
// ignored, the settings and host the store decided, the webhooks of what this node's scripts
// decided, and server API commands relayed from other nodes. core-cluster-frames.test.ts: frames,
// values, resync, evict, lost and held events.
import { CloseCodes, DeliveryClass, encodeData } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { clusterRoom, otherMember } from './cluster-fakes.js';

describe('remote members', () => {
  it('a member of another node joins: member_joined with its presence and identity, once', async () => {
    const { remote, members, room, handle, stats } = await clusterRoom(2);
    const control = stats.framesOut.control;
    remote.memberJoined('r', otherMember(7));
    expect(stats.framesOut.control - control).toBe(2); // one control frame per local member
    remote.memberJoined('r', otherMember(7)); // announced twice (e.g. after a resync): ignored
    remote.memberJoined('r', otherMember(1, { node: 'c' })); // this node's own member: ignored
    expect(members[0]!.peer.messages()).toEqual([{ type: 'member_joined', room: handle, member: { id: 7, presence: { x: 7 }, userId: 'u7' } }]);
    expect([...room.remote.values()]).toEqual([{ id: 7, node: 'b', away: false, presence: { x: 7 }, identity: { userId: 'u7' }, keys: new Set() }]);
  });

  it('an away member joins: member_joined then member_away', async () => {
    const { remote, members, room, handle } = await clusterRoom();
    remote.memberJoined('r', otherMember(7, { away: true }));
    expect(members[0]!.peer.messages()).toEqual([
      { type: 'member_joined', room: handle, member: { id: 7, presence: { x: 7 }, userId: 'u7' } },
      { type: 'member_away', room: handle, member: 7 },
    ]);
    expect(room.remote.get(7)!.away).toBe(true);
  });

  it('events of a room this node does not hold change nothing', async () => {
    const { remote, relay, members } = await clusterRoom();
    remote.memberJoined('elsewhere', otherMember(7));
    remote.settingsChanged('elsewhere', { capacity: 3, locked: true, private: false, metadata: null }, 9);
    expect(relay.rooms.get('elsewhere')).toBeUndefined();
    expect(members[0]!.peer.messages()).toEqual([]);
  });

  it('the first member of each other node gets this node\'s own latest values handed over', async () => {
    const { remote, relay, members, handle, cluster } = await clusterRoom();
    remote.memberJoined('r', otherMember(6));
    expect(cluster.of('latest')).toEqual([]); // no values yet: nothing to hand over
    remote.latest('r', [{ sender: 6, key: 5, payload: new Uint8Array([6]) }]); // node b's own value: not ours to hand over
    relay.message(members[0]!.conn, encodeData({ room: handle, cls: DeliveryClass.Latest, key: 3 }, new Uint8Array([9, 8])));
    remote.memberJoined('r', otherMember(7)); // node b again: it has them already
    expect(cluster.of('latest')).toEqual([]);
    remote.memberJoined('r', otherMember(9, { node: 'c' }));
    remote.memberJoined('r', otherMember(10, { node: 'c' }));
    remote.memberJoined('r', otherMember(11, { node: 'd' }));
    const handed = cluster.of('latest').map(([room, entries]) => [room, (entries as { sender: number; key: number; payload: Uint8Array }[])
      .map((e) => [e.sender, e.key, [...e.payload]])]);
    expect(handed).toEqual([['r', [[1, 3, [9, 8]]]], ['r', [[1, 3, [9, 8]]]]]);
  });

  it('updated: the new presence with the identity learnt at join; unknown ids ignored', async () => {
    const { remote, members, room, handle } = await clusterRoom();
    remote.memberJoined('r', otherMember(7));
    members[0]!.peer.received.length = 0;
    remote.memberUpdated('r', otherMember(7, { presence: { x: 70 }, identity: { userId: 'changed' } }));
    remote.memberUpdated('r', otherMember(8));
    expect(members[0]!.peer.messages()).toEqual([{ type: 'member_updated', room: handle, member: { id: 7, presence: { x: 70 }, userId: 'u7' } }]);
    expect(room.remote.get(7)!.presence).toEqual({ x: 70 });
  });

  it('left: only from the node that holds the member (or any node when none is named)', async () => {
    const { remote, members, room, handle } = await clusterRoom();
    remote.memberJoined('r', otherMember(7));
    remote.memberJoined('r', otherMember(8));
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
    const { remote, members, room } = await clusterRoom();
    remote.memberJoined('r', otherMember(7));
    remote.latest('r', [{ sender: 7, key: 2, payload: new Uint8Array([5]) }]);
    expect(room.latest.all().map((e) => [e.sender, e.key])).toEqual([[7, 2]]);
    remote.memberLeft('r', 7);
    expect(room.latest.all()).toEqual([]);
    expect(members[0]!.peer.messages().at(-1)).toMatchObject({ type: 'member_left', member: 7 });
  });

  it('away: member_away once, and the node that now holds the seat is recorded', async () => {
    const { remote, members, room, handle } = await clusterRoom();
    remote.memberJoined('r', otherMember(7));
    members[0]!.peer.received.length = 0;
    remote.memberAway('r', 7, 'b');
    remote.memberAway('r', 7, 'c'); // adopted by node c: no second announcement
    remote.memberAway('r', 8, 'b'); // unknown
    expect(members[0]!.peer.messages()).toEqual([{ type: 'member_away', room: handle, member: 7 }]);
    expect(room.remote.get(7)).toMatchObject({ away: true, node: 'c' });
  });

  it('back: member_back for an away member, nothing for a present one, member_joined for an unknown one', async () => {
    const { remote, members, room, handle } = await clusterRoom();
    remote.memberJoined('r', otherMember(7, { away: true }));
    remote.memberJoined('r', otherMember(8));
    members[0]!.peer.received.length = 0;
    remote.memberBack('r', otherMember(7, { node: 'c' }));
    remote.memberBack('r', otherMember(8, { node: 'd' }));
    remote.memberBack('r', otherMember(9));
    expect(members[0]!.peer.messages()).toEqual([
      { type: 'member_back', room: handle, member: 7 },
      { type: 'member_joined', room: handle, member: { id: 9, presence: { x: 9 }, userId: 'u9' } },
    ]);
    expect(room.remote.get(7)).toMatchObject({ away: false, node: 'c' });
    expect(room.remote.get(8)).toMatchObject({ away: false, node: 'd' });
  });

  it('back on another node of a seat this node held: the member moves out, the others see it back', async () => {
    const { remote, relay, members, room, handle, cluster } = await clusterRoom(2);
    remote.memberBack('r', otherMember(2, { node: 'b' }));
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
    const { remote, members, room, handle } = await clusterRoom();
    const before = room.settings;
    remote.settingsChanged('r', settings, room.settingsVersion); // same version: stale
    expect(room.settings).toBe(before);
    remote.settingsChanged('r', settings, room.settingsVersion + 1);
    expect(room.settings).toEqual(settings);
    expect(room.settingsVersion).toBe(2);
    expect(members[0]!.peer.messages()).toEqual([{ type: 'room_settings', room: handle, settings }]);
  });

  it('host: applied when newer, announced when it changed to a member', async () => {
    const { remote, members, room, handle } = await clusterRoom();
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
    const { remote, members, events, handle } = await clusterRoom();
    remote.memberJoined('r', otherMember(7, { identity: { userId: 'u7', info: { n: 1 } } }));
    remote.memberJoined('r', otherMember(8));
    members[0]!.peer.received.length = 0;
    events.log.length = 0;
    remote.reaped('r', otherMember(7, { identity: { userId: 'u7', info: { n: 1 } } }));
    remote.reaped('r', otherMember(8), 'kicked');
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
    const { remote, members, cluster } = await clusterRoom(2);
    expect(remote.command({ op: 'kick', room: 'r', member: 1, reason: 'bye' })).toBe('kicked');
    expect(members[0]!.peer.closedWith).toBe(CloseCodes.kicked.code);
    expect(remote.command({ op: 'remove', room: 'r', member: 2, reason: 'out' })).toBe('removed');
    expect(cluster.of('endHeld')).toEqual([]);
  });

  it('kick and remove of no local member: a seat this node holds for a dead node ends instead', async () => {
    const { remote, cluster } = await clusterRoom();
    expect(remote.command({ op: 'kick', room: 'r', member: 9, reason: 'x' })).toBe('member_not_found');
    expect(remote.command({ op: 'remove', room: 'nope', member: 9, reason: 'x' })).toBe('room_not_found');
    cluster.endHeldAnswer = true;
    expect(remote.command({ op: 'kick', room: 'r', member: 9, reason: 'x' })).toBe('kicked');
    expect(remote.command({ op: 'remove', room: 'r', member: 9, reason: 'x' })).toBe('removed');
    expect(cluster.of('endHeld')).toEqual([['r', 9], ['nope', 9], ['r', 9], ['r', 9]]);
  });

  it('disconnect closes the user\'s connections here and ends its adopted seats; other ops do not', async () => {
    const { remote, cluster } = await clusterRoom();
    expect(remote.command({ op: 'disconnect', userId: 'ada', reason: 'x' })).toBe(0);
    expect(remote.command({ op: 'close', room: 'none', reason: 'x' })).toBeUndefined();
    expect(remote.command({ op: 'publish', room: 'r', payload: Buffer.from([1, 2]).toString('base64'), cls: 'reliable' }))
      .toEqual({ ok: true, recipients: 1 });
    expect(cluster.of('endHeldOf')).toEqual([['ada']]);
    expect(cluster.of('endHeld')).toEqual([]);
  });

  it('before the server API is wired (no admin yet): no answer, nothing ended', async () => {
    const { remote, cluster } = await clusterRoom();
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
    const { remote } = await clusterRoom();
    remote.memberJoined('r', otherMember(7));
    expect([remote.holds('r', 1), remote.holds('r', 7), remote.holds('x', 1)]).toEqual([true, false, false]);
  });
});

