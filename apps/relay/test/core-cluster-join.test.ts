// Unit tests of core/cluster-join.ts (a join in a cluster: the store's claim, a held seat taken
// over from any node) with a fake cluster: what the claim asks, each refusal's exact error, a
// connection that closed while its claim was under way, the room this node creates from the
// store's answer, and the other nodes' events held until the member is in.
import { CloseCodes, encodeControl } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import type { Claim, ClusterMember } from '../src/core/cluster.js';
import { clusterSetup, settle, signIn } from './cluster-fakes.js';

const SETTINGS = { capacity: 256, locked: false, private: false, metadata: null };
type S = ReturnType<typeof clusterSetup>;
type M = ReturnType<S['connect']>;

const ok = (id: number, extra: Partial<Extract<Claim, { ok: true }>> = {}): Claim => ({
  ok: true, id, tickHz: 30, members: [], created: false, settings: SETTINGS, settingsVersion: 1, host: id, hostVersion: 1, previousHost: 0, ...extra,
});
const sendJoin = (s: S, c: M, room: string, extra: Record<string, unknown> = {}) =>
  s.relay.message(c.conn, encodeControl({ type: 'join', id: 5, room, ...extra } as Parameters<typeof encodeControl>[0]));

describe('the claim', () => {
  it('asks for the join\'s tick rate, presence, identity, the node\'s member limit and first-join settings', async () => {
    const s = clusterSetup({ RELAY_MAX_MEMBERS_PER_ROOM: '50' });
    const a = s.connect();
    signIn(a.conn, { userId: 'backend' }, true);
    const reply = await s.join(a, 'r', { tickHz: 20, presence: { x: 1 }, settings: { locked: true } });
    expect(reply).toMatchObject({ type: 'joined', self: 1, tickHz: 20, host: 1, settings: { capacity: 50, locked: true, private: false, metadata: null } });
    const b = s.connect();
    signIn(b.conn, { userId: 'ada', info: { n: 1 } });
    await s.join(b, 'r');
    expect(s.cluster.of('claim')).toEqual([['r', {
      tickHz: 20, presence: { x: 1 }, identity: { userId: 'backend' }, maxMembers: 50, server: true,
      settings: { capacity: 50, locked: true, private: false, metadata: null }, seat: undefined,
    }], ['r', {
      tickHz: 20, presence: null, identity: { userId: 'ada', info: { n: 1 } }, maxMembers: 50, server: false,
      settings: { capacity: 50, locked: false, private: false, metadata: null }, seat: undefined,
    }]]);
    expect(s.cluster.of('joined')).toEqual([['r', 1, { x: 1 }, { userId: 'backend' }], ['r', 2, null, { userId: 'ada', info: { n: 1 } }]]);
    expect(s.events.log.map((e) => e[0])).toEqual(['roomCreated', 'memberJoined', 'memberJoined']);
  });

  it('a room this node already holds keeps its tick rate; the claim asks for it', async () => {
    const s = clusterSetup();
    await s.join(s.connect(), 'r', { tickHz: 10 });
    await s.join(s.connect(), 'r', { tickHz: 40 });
    expect(s.cluster.of('claim').map(([, request]) => (request as { tickHz: number }).tickHz)).toEqual([10, 10]);
  });

  it('pending while the claim is under way: a second join of the room is refused, another room is not', async () => {
    const s = clusterSetup();
    const answers: (() => void)[] = [];
    s.cluster.claimWith = (_room, request) => new Promise((resolve) => answers.push(() => resolve(ok(s.cluster.nextId++, { tickHz: request.tickHz }))));
    const a = s.connect();
    sendJoin(s, a, 'r');
    sendJoin(s, a, 'r');
    await settle();
    expect(a.peer.last()).toEqual({ type: 'error', id: 5, code: 'already_joined', message: 'already joining room r' });
    sendJoin(s, a, 'q');
    await settle();
    expect(answers.length).toBe(2);
    for (const answer of answers) answer();
    await settle();
    expect(a.peer.messages().filter((m) => m.type === 'joined').map((m) => m.type === 'joined' && m.room)).toEqual(['r', 'q']);
    sendJoin(s, a, 'r'); // joined now: the usual refusal, not "already joining"
    expect(a.peer.last()).toMatchObject({ type: 'error', code: 'already_joined' });
    expect(a.peer.last()).not.toMatchObject({ message: 'already joining room r' });
  });

  it('the store\'s settings win for a new room here, and when newer than what this node has', async () => {
    const s = clusterSetup();
    const stored = { ...SETTINGS, capacity: 9, locked: false };
    s.cluster.claimWith = () => ok(s.cluster.nextId++, { settings: stored, settingsVersion: 3, created: false });
    const a = s.connect();
    signIn(a.conn, {}, true);
    expect(await s.join(a, 'r', { settings: { capacity: 2 } })).toMatchObject({ type: 'joined', settings: stored });
    const room = s.relay.rooms.get('r')!;
    expect(room.settingsVersion).toBe(3);
    expect(s.events.log.map((e) => e[0])).toEqual(['memberJoined']); // not created by this claim
    const older = { ...SETTINGS, capacity: 4 };
    s.cluster.claimWith = () => ok(s.cluster.nextId++, { settings: older, settingsVersion: 3 });
    await s.join(s.connect(), 'r');
    expect([room.settings, room.settingsVersion]).toEqual([stored, 3]);
    const newer = { ...SETTINGS, capacity: 7 };
    s.cluster.claimWith = () => ok(s.cluster.nextId++, { settings: newer, settingsVersion: 4 });
    await s.join(s.connect(), 'r');
    expect([room.settings, room.settingsVersion]).toEqual([newer, 4]);
  });

  it('a room created here takes the store\'s settings even at version 0', async () => {
    const s = clusterSetup();
    const stored = { ...SETTINGS, capacity: 11 };
    s.cluster.claimWith = () => ok(1, { settings: stored, settingsVersion: 0 });
    expect(await s.join(s.connect(), 'r')).toMatchObject({ type: 'joined', settings: stored });
  });

  it('members of other nodes in the claim become remote members (not this member, not this node\'s)', async () => {
    const s = clusterSetup();
    const m = (id: number, node: string): ClusterMember => ({ id, presence: { id }, identity: { userId: `u${id}` }, node });
    s.cluster.claimWith = () => ok(3, { members: [m(1, 'b'), m(2, 'a'), m(3, 'b'), m(4, 'c')], host: 1 });
    const a = s.connect();
    const reply = await s.join(a, 'r');
    const room = s.relay.rooms.get('r')!;
    expect([...room.remote.keys()]).toEqual([1, 4]);
    expect(room.remote.get(4)).toEqual({ id: 4, node: 'c', away: false, presence: { id: 4 }, identity: { userId: 'u4' }, keys: new Set() });
    expect(reply).toMatchObject({ self: 3, host: 1, members: [{ id: 3 }, { id: 1, userId: 'u1' }, { id: 4, userId: 'u4' }] });
    room.remote.get(1)!.presence = 'kept';
    s.cluster.claimWith = () => ok(5, { members: [m(1, 'b')], host: 1 });
    await s.join(s.connect(), 'r');
    expect(room.remote.get(1)!.presence).toBe('kept'); // already known: not replaced
  });
});

describe('refusals', () => {
  it('full: room_full with the stored capacity (and the handle when this node holds the room), counted', async () => {
    const s = clusterSetup();
    s.cluster.claimWith = () => ({ ok: false, reason: 'full', capacity: 4 });
    const a = s.connect();
    expect(await s.join(a, 'r')).toEqual({ type: 'error', id: 1, code: 'room_full', message: 'room r has its maximum of 4 members' });
    expect(s.stats.limitHits.members_per_room).toBe(1);
    s.cluster.claimWith = () => ok(1);
    const b = s.connect();
    const handle = (await s.join(b, 'r') as { handle: number }).handle;
    s.cluster.claimWith = () => ({ ok: false, reason: 'full', capacity: 4 });
    expect(await s.join(s.connect(), 'r')).toEqual({ type: 'error', id: 1, code: 'room_full', message: 'room r has its maximum of 4 members', room: handle });
  });

  it('locked: room_locked; the store unreachable: internal, with what to do', async () => {
    const s = clusterSetup();
    s.cluster.claimWith = () => ({ ok: false, reason: 'locked' });
    expect(await s.join(s.connect(), 'r')).toEqual({ type: 'error', id: 1, code: 'room_locked', message: 'room r is locked' });
    s.cluster.claimWith = () => ({ ok: false, reason: 'unavailable' });
    const unreachable = { type: 'error', id: 1, code: 'internal', message: 'the cluster store (Redis) cannot be reached: joins wait until it is back; retry' };
    expect(await s.join(s.connect(), 'r')).toEqual(unreachable);
    s.cluster.claimWith = () => Promise.reject(new Error('ECONNREFUSED'));
    expect(await s.join(s.connect(), 'r')).toEqual(unreachable);
    expect(s.stats.limitHits.members_per_room).toBe(0);
    expect(s.cluster.of('left')).toEqual([]);
  });

  it('locked in a room this node holds: the error names its handle', async () => {
    const s = clusterSetup();
    const handle = (await s.join(s.connect(), 'r') as { handle: number }).handle;
    s.cluster.claimWith = () => ({ ok: false, reason: 'locked' });
    expect(await s.join(s.connect(), 'r')).toEqual({ type: 'error', id: 1, code: 'room_locked', message: 'room r is locked', room: handle });
  });

  it('this node hosts its maximum of rooms: relay_full, the claimed id given back', async () => {
    const s = clusterSetup({ RELAY_MAX_ROOMS: '1' });
    await s.join(s.connect(), 'one');
    expect(await s.join(s.connect(), 'two')).toEqual({ type: 'error', id: 1, code: 'relay_full', message: 'the relay hosts its maximum of 1 rooms' });
    expect(s.cluster.of('left')).toEqual([['two', 2]]);
    expect(s.stats.limitHits.rooms).toBe(1);
  });
});

describe('a connection that closed during its claim', () => {
  it('a refused claim sends nothing; an ok one gives the id back', async () => {
    const s = clusterSetup();
    const a = s.connect();
    s.cluster.claimWith = () => ({ ok: false, reason: 'locked' });
    sendJoin(s, a, 'r');
    s.relay.closed(a.conn);
    const before = a.peer.received.length;
    await settle();
    expect(a.peer.received.length).toBe(before);
    const b = s.connect();
    s.cluster.claimWith = () => ok(8);
    sendJoin(s, b, 'r');
    s.relay.closed(b.conn);
    await settle();
    expect(s.cluster.of('left')).toEqual([['r', 8]]);
    expect(s.cluster.of('back')).toEqual([]);
    expect(s.relay.rooms.get('r')).toBeUndefined();
  });

  it('a seat taken over meanwhile is announced back, then left', async () => {
    const s = clusterSetup({ RELAY_SEAT_GRACE_MS: '10000' });
    const m: ClusterMember = { id: 6, presence: { p: 6 }, identity: { userId: 'u6' }, node: 'b', away: true };
    const before: ClusterMember = { id: 2, presence: { p: 2 }, identity: { userId: 'u2' }, node: 'b' };
    s.cluster.seatWith = () => ok(6, { members: [before, m] });
    const a = s.connect();
    sendJoin(s, a, 'r', { seat: 'old-token' });
    s.relay.closed(a.conn);
    await settle();
    expect(s.cluster.of('back')).toEqual([['r', 6, { p: 6 }, { userId: 'u6' }, 'old-token']]);
    expect(s.cluster.of('left')).toEqual([['r', 6]]);
    s.cluster.calls.length = 0;
    s.cluster.seatWith = () => ok(7, { members: [] });
    const b = s.connect();
    sendJoin(s, b, 'r', { seat: 'other' });
    s.relay.closed(b.conn);
    await settle();
    expect(s.cluster.of('back')).toEqual([['r', 7, null, {}, 'other']]);
  });
});

describe('held seats across nodes', () => {
  it('seats on: the seat is tried first; taken over, the member is back with its id, presence and seat', async () => {
    const s = clusterSetup({ RELAY_SEAT_GRACE_MS: '10000' });
    const first = s.connect();
    await s.join(first, 'r');
    first.peer.received.length = 0;
    const m: ClusterMember = { id: 6, presence: { p: 6 }, identity: { userId: 'u6' }, node: 'b', away: true };
    s.cluster.seatWith = () => ok(6, { members: [m], host: 1 });
    const a = s.connect();
    const reply = await s.join(a, 'r', { seat: 'old-token' });
    expect(reply).toMatchObject({ type: 'joined', self: 6, seat: 'old-token' });
    expect(s.cluster.of('takeSeat')).toEqual([['r', 'old-token', undefined]]);
    expect(s.cluster.of('claim').length).toBe(1); // only the first member's
    expect(first.peer.messages()).toEqual([{ type: 'member_back', room: reply?.type === 'joined' ? reply.handle : 0, member: 6 }]);
  });

  it('no such seat: a new member with a new seat token (the claim stores it)', async () => {
    const s = clusterSetup({ RELAY_SEAT_GRACE_MS: '10000' });
    const reply = await s.join(s.connect(), 'r', { seat: 'gone' });
    expect(s.cluster.of('takeSeat').length).toBe(1);
    const seat = (s.cluster.of('claim')[0]![1] as { seat: string }).seat;
    expect(seat).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(reply).toMatchObject({ type: 'joined', self: 1, seat });
  });

  it('a seat look-up that fails does not release the events another join of the room holds', async () => {
    const s = clusterSetup({ RELAY_SEAT_GRACE_MS: '10000' });
    let answer: (() => void) | undefined;
    s.cluster.claimWith = () => new Promise((resolve) => { answer = () => resolve(ok(1)); });
    const a = s.connect();
    sendJoin(s, a, 'r');
    await settle();
    s.cluster.seatWith = () => { throw new Error('store down'); };
    const b = s.connect();
    expect(await s.join(b, 'r', { seat: 'x' })).toMatchObject({ type: 'error', code: 'internal' });
    s.remote.memberJoined('r', { id: 9, presence: null, identity: {}, node: 'b' });
    answer!();
    await settle();
    expect(s.relay.rooms.get('r')!.remote.has(9)).toBe(true);
    expect(a.peer.messages().slice(-2).map((m) => m.type)).toEqual(['joined', 'member_joined']);
  });

  it('a seat lost to a race after the events were held: the claim holds them once, and releases them', async () => {
    const s = clusterSetup({ RELAY_SEAT_GRACE_MS: '10000' });
    s.cluster.raceSeats = true;
    expect(await s.join(s.connect(), 'r', { seat: 'raced' })).toMatchObject({ type: 'joined', self: 1 });
    s.remote.memberJoined('r', { id: 9, presence: null, identity: {}, node: 'b' });
    expect(s.relay.rooms.get('r')!.remote.has(9)).toBe(true);
  });

  it('seats off: no seat is looked for', async () => {
    const s = clusterSetup();
    expect(await s.join(s.connect(), 'r', { seat: 'x' })).toMatchObject({ type: 'joined' });
    expect(s.cluster.of('takeSeat')).toEqual([]);
  });
});

describe('other nodes\' events wait for the claim', () => {
  it('held from the claim until the member is in, then applied', async () => {
    const s = clusterSetup();
    await s.join(s.connect(), 'r');
    let answer: (() => void) | undefined;
    s.cluster.claimWith = () => new Promise((resolve) => { answer = () => resolve(ok(2)); });
    const b = s.connect();
    sendJoin(s, b, 'r');
    await settle();
    s.remote.memberJoined('r', { id: 9, presence: null, identity: {}, node: 'b' });
    const room = s.relay.rooms.get('r')!;
    expect(room.remote.size).toBe(0);
    answer!();
    await settle();
    expect(room.remote.has(9)).toBe(true);
    expect(b.peer.messages().slice(-2).map((m) => m.type)).toEqual(['joined', 'member_joined']);
  });

  it('a claim whose finishing throws: the connection is closed (internal) and the events are released', async () => {
    const s = clusterSetup();
    await s.join(s.connect(), 'r');
    // Host 0 makes the joined reply invalid: the fake peer throws while decoding it.
    s.cluster.claimWith = () => ok(2, { host: 0, hostVersion: 5 });
    const b = s.connect();
    sendJoin(s, b, 'r');
    s.remote.memberJoined('r', { id: 9, presence: null, identity: {}, node: 'b' });
    await settle();
    expect(b.peer.closedWith).toBe(CloseCodes.internal_error.code);
    expect(s.relay.rooms.get('r')!.remote.has(9)).toBe(true);
  });
});
