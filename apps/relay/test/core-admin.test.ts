// Unit tests of core/admin.ts (the server API's calls on one node) with fake peers and a fake
// clock: the list's paging edge, relay_full, publish to away and lagging members (exact drops,
// recipients, counters and the room budget), close / remove / kick of away members (held seats),
// disconnect of one user only, and where a publish goes (every sink, or this node's only in a
// cluster). server-api.test.ts covers the same calls through HTTP on a real relay.
import { CloseCodes, DeliveryClass } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { clusterSetup, signIn, singleSetup } from './cluster-fakes.js';

type S = ReturnType<typeof singleSetup>;
type M = ReturnType<S['connect']>;
const SOFT = 64 * 1024;

async function room(n: number, overrides: Record<string, string> = {}) {
  const s = singleSetup(overrides);
  const members: M[] = [];
  for (let i = 0; i < n; i++) {
    const m = s.connect();
    await s.join(m, 'r');
    members.push(m);
  }
  for (const m of members) m.peer.received.length = 0;
  s.events.log.length = 0;
  const r = s.relay.rooms.get('r');
  return { ...s, admin: s.relay.admin, members, room: r!, handle: r?.handle ?? 0 };
}

/** Drops member `m`'s connection (seats on: its seat is held, the member away). */
const drop = (s: S, m: M) => s.relay.closed(m.conn);
const lag = (s: S, m: M, bytes: number) => {
  m.peer.buffered = bytes;
  s.relay.sweep();
};

describe('rooms', () => {
  it('a page of exactly `limit` rooms has no `next`; one more has', async () => {
    const { admin } = await room(0);
    for (const name of ['b', 'a', 'c']) admin.createRoom(name, {}, undefined);
    const query = { prefix: '', after: undefined, includePrivate: false };
    expect(admin.listRooms({ ...query, limit: 3 })).toEqual({ rooms: expect.any(Array) });
    expect(admin.listRooms({ ...query, limit: 2 }).next).toBe('b');
    expect(admin.listRooms({ ...query, limit: 3 }).rooms.map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('create beyond RELAY_MAX_ROOMS: relay_full, counted', async () => {
    const { admin, stats } = await room(0, { RELAY_MAX_ROOMS: '1' });
    expect(admin.createRoom('one', {}, undefined)).toMatchObject({ name: 'one' });
    expect(admin.createRoom('two', {}, undefined)).toBe('relay_full');
    expect(stats.limitHits.rooms).toBe(1);
  });

  it('an away member is listed as away', async () => {
    const s = await room(2, { RELAY_SEAT_GRACE_MS: '10000' });
    drop(s, s.members[1]!);
    expect(s.admin.room('r')!.memberList).toEqual([{ id: 1, presence: null }, { id: 2, presence: null, away: true }]);
  });

  it('settings: every member gets room_settings, counted as one control frame each', async () => {
    const { admin, members, stats, handle } = await room(3);
    const before = stats.framesOut.control;
    const settings = admin.updateSettings('r', { locked: true })!;
    expect(stats.framesOut.control - before).toBe(3);
    for (const m of members) expect(m.peer.messages()).toEqual([{ type: 'room_settings', room: handle, settings }]);
  });
});

describe('publish', () => {
  const payload = new Uint8Array([1, 2, 3, 4]);
  const FRAME = 6 + payload.length;

  it('to an unknown member: member_not_found; to an away one: nothing, 0 recipients', async () => {
    const s = await room(2, { RELAY_SEAT_GRACE_MS: '10000' });
    expect(s.admin.publish('r', payload, 'reliable', 9)).toEqual({ ok: false, error: 'member_not_found' });
    drop(s, s.members[1]!);
    const sends = s.members[1]!.peer.sends;
    expect(s.admin.publish('r', payload, 'reliable', 2)).toEqual({ ok: true, recipients: 0 });
    expect(s.members[1]!.peer.sends).toBe(sends);
  });

  it('droppable to a member over the soft buffer limit (lagging or not swept yet) is dropped; reliable is sent', async () => {
    const s = await room(2);
    const [, b] = s.members as [M, M];
    const drops = s.stats.drops;
    b.peer.buffered = SOFT; // at the limit: not behind
    expect(s.admin.publish('r', payload, 'droppable', 2)).toEqual({ ok: true, recipients: 1 });
    b.peer.buffered = SOFT + 1; // above it, before the sweep marks it lagging
    expect(s.admin.publish('r', payload, 'droppable', 2)).toEqual({ ok: true, recipients: 0 });
    expect(s.stats.drops - drops).toBe(1);
    lag(s, b, SOFT + 1);
    b.peer.buffered = 0; // lagging until swept again
    expect(s.admin.publish('r', payload, 'droppable', 2)).toEqual({ ok: true, recipients: 0 });
    expect(s.stats.drops - drops).toBe(2);
    expect(s.admin.publish('r', payload, 'reliable', 2)).toEqual({ ok: true, recipients: 1 });
    expect(b.peer.delivers().map((d) => [d.sender, d.direct, d.cls])).toEqual([[0, true, DeliveryClass.Droppable], [0, true, DeliveryClass.Reliable]]);
  });

  it('reliable to the room: every member, counted as reliable, the room budget spent for each', async () => {
    const s = await room(3);
    const before = { frames: s.stats.framesOut.reliable, level: s.room.outBudget.level(s.clock.now()) };
    expect(s.admin.publish('r', payload, 'reliable', undefined)).toEqual({ ok: true, recipients: 3 });
    expect(s.stats.framesOut.reliable - before.frames).toBe(3);
    expect(before.level - s.room.outBudget.level(s.clock.now())).toBe(3 * FRAME);
    for (const m of s.members) expect(m.peer.delivers().map((d) => [d.sender, d.direct, d.cls])).toEqual([[0, false, DeliveryClass.Reliable]]);
  });

  it('droppable to the room: lagging members skipped and counted as drops, counted as droppable', async () => {
    const s = await room(3);
    lag(s, s.members[2]!, SOFT + 1);
    const before = { frames: s.stats.framesOut.droppable, drops: s.stats.drops, level: s.room.outBudget.level(s.clock.now()) };
    expect(s.admin.publish('r', payload, 'droppable', undefined)).toEqual({ ok: true, recipients: 2 });
    expect(s.stats.framesOut.droppable - before.frames).toBe(2);
    expect(s.stats.drops - before.drops).toBe(1);
    expect(before.level - s.room.outBudget.level(s.clock.now())).toBe(2 * FRAME);
    expect(s.members.map((m) => m.peer.delivers().map((d) => d.cls))).toEqual([[DeliveryClass.Droppable], [DeliveryClass.Droppable], []]);
  });

  it('droppable over the room budget: nobody gets it, every member counts as a drop, the limit is counted', async () => {
    const s = await room(2, { RELAY_ROOM_MAX_BYTES_OUT_PER_SEC: '1024' });
    const big = new Uint8Array(500); // 2 × 506 bytes: within 1024 once
    const drops = s.stats.drops;
    expect(s.admin.publish('r', big, 'droppable', undefined)).toEqual({ ok: true, recipients: 2 });
    expect(s.admin.publish('r', big, 'droppable', undefined)).toEqual({ ok: true, recipients: 0 });
    expect(s.stats.drops - drops).toBe(2);
    expect(s.stats.limitHits.room_bytes_out).toBe(1);
    expect(s.admin.publish('r', big, 'reliable', undefined)).toEqual({ ok: true, recipients: 2 }); // forced through
    expect(s.members.map((m) => m.peer.delivers().length)).toEqual([2, 2]);
  });

  it('a single relay publishes through every sink; a cluster node to its own members only (each node runs the call)', async () => {
    const single = await room(2);
    const sunk = single.bus.published.length;
    single.admin.publish('r', payload, 'reliable', undefined);
    single.admin.publish('r', payload, 'droppable', undefined);
    expect(single.bus.published.slice(sunk).map((p) => p.topic)).toEqual([single.room.topic, single.room.fastTopic]);

    const c = clusterSetup();
    const a = c.connect();
    await c.join(a, 'r');
    const before = c.bus.published.length;
    c.relay.admin.publish('r', payload, 'reliable', undefined);
    c.relay.admin.publish('r', payload, 'droppable', undefined);
    expect(c.bus.published.length).toBe(before);
    expect(a.peer.delivers().length).toBe(2);
  });
});

describe('close, remove, kick', () => {
  it('closing a room nobody joined: 0 and room.closed; a room with members: room_closed to the present ones only', async () => {
    const s = await room(3, { RELAY_SEAT_GRACE_MS: '10000' });
    s.admin.createRoom('empty', {}, undefined);
    s.events.log.length = 0;
    expect(s.admin.closeRoom('empty', 'x')).toBe(0);
    expect(s.events.log).toEqual([['roomClosed', 'empty']]);
    expect(s.relay.rooms.get('empty')).toBeUndefined();
    drop(s, s.members[2]!);
    const sends = s.members[2]!.peer.sends;
    const control = s.stats.framesOut.control;
    expect(s.admin.closeRoom('r', 'done')).toBe(3);
    expect(s.members[2]!.peer.sends).toBe(sends);
    expect(s.stats.framesOut.control - control).toBe(2);
    for (const m of s.members.slice(0, 2)) expect(m.peer.last()).toEqual({ type: 'room_closed', room: s.handle, reason: 'done' });
  });

  it('remove: unknown member; an away member\'s seat just ends (member_left kicked, once)', async () => {
    const s = await room(2, { RELAY_SEAT_GRACE_MS: '10000' });
    expect(s.admin.removeMember('r', 9, 'x')).toBe('member_not_found');
    drop(s, s.members[1]!);
    s.members[0]!.peer.received.length = 0;
    const sends = s.members[1]!.peer.sends;
    expect(s.admin.removeMember('r', 2, 'x')).toBe('removed');
    expect(s.members[1]!.peer.sends).toBe(sends);
    s.clock.advance(20_000);
    expect(s.members[0]!.peer.messages()).toEqual([{ type: 'member_left', room: s.handle, member: 2 }]);
    expect(s.events.log.filter((e) => e[0] === 'memberLeft')).toEqual([['memberLeft', { room: 'r', memberId: 2, userId: undefined, info: undefined }, 'kicked']]);
  });

  it('remove of a present member: `removed` (one control frame) to it, member_left to the others', async () => {
    const s = await room(2);
    const control = s.stats.framesOut.control;
    expect(s.admin.removeMember('r', 2, 'bye')).toBe('removed');
    expect(s.members[1]!.peer.messages()).toEqual([{ type: 'removed', room: s.handle, reason: 'bye' }]);
    expect(s.members[0]!.peer.messages()).toEqual([{ type: 'member_left', room: s.handle, member: 2 }]);
    expect(s.stats.framesOut.control - control).toBe(2);
  });

  it('kick: unknown member; an away member\'s seat ends; a present one is closed with 4403', async () => {
    const s = await room(3, { RELAY_SEAT_GRACE_MS: '10000' });
    expect(s.admin.kickMember('r', 9, 'x')).toBe('member_not_found');
    drop(s, s.members[1]!);
    expect(s.admin.kickMember('r', 2, 'x')).toBe('kicked');
    expect(s.room.members.has(2)).toBe(false);
    expect(s.admin.kickMember('r', 3, 'x')).toBe('kicked');
    expect(s.members[2]!.peer.closedWith).toBe(CloseCodes.kicked.code);
    expect([...s.room.members.keys()]).toEqual([1]);
  });

  it('disconnect closes that user\'s connections only', async () => {
    const s = await room(0);
    const [a, b, c] = [s.connect(), s.connect(), s.connect()];
    signIn(a.conn, { userId: 'ada' });
    signIn(b.conn, { userId: 'bob' });
    signIn(c.conn, { userId: 'ada' });
    expect(s.admin.disconnectUser('ada', 'bye')).toBe(2);
    expect([a, b, c].map((m) => m.peer.closedWith)).toEqual([CloseCodes.kicked.code, undefined, CloseCodes.kicked.code]);
  });
});
