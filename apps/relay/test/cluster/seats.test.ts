// Seats in a cluster (PROTOCOL.md §8.21): a member whose connection drops is away on every node;
// its client may reconnect to ANY node (no sticky sessions) within the grace window and take its
// seat back with its resume token: same member id, and the others see away then back, never
// left then joined. The seat moves in Redis by compare-and-set (docs/decisions/0002-cluster.md).
import { RoomcastClient } from '@roomcast/client';
import type { ServerFrame } from '@roomcast/protocol';
import type { RelayServer } from '../../src/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../helpers.js';
import { Balancer } from './balancer.js';
import { API_KEY, JWT_SECRET, api, useCluster } from './nodes.js';
import { redisCommand } from './redis.js';

const cluster = useCluster({ jwtSecret: JWT_SECRET, allowAnonymous: 'true', apiKeys: [API_KEY] });
let balancer: Balancer | undefined;
let sdk: RoomcastClient | undefined;
afterEach(async () => {
  sdk?.close();
  await balancer?.close();
  sdk = undefined;
  balancer = undefined;
});

const memberEvents = (c: RawClient): string[] => c.frames
  .filter((f): f is Extract<ServerFrame, { kind: 'control' }> => f.kind === 'control' && ['member_left', 'member_joined'].includes(f.message.type))
  .map((f) => f.message.type);

/**
 * A member (`victim`, presence `presence`) on a relay process with seats that is killed with
 * SIGKILL, and a `watcher` of the same room on `survivor`, once the watcher sees it away.
 */
async function crashedWithSeat(survivor: RelayServer, presence: unknown = null) {
  const doomed = await cluster.process('doomed', 1000, { RELAY_SEAT_GRACE_MS: '30000' });
  const victim = await RawClient.open(`ws://127.0.0.1:${doomed.port}/ws`);
  const jv = await victim.join('crash', presence);
  const watcher = await cluster.ws(survivor);
  const jw = await watcher.join('crash');
  doomed.child.kill('SIGKILL');
  // Away, not left: a survivor adopted the seat when the lease expired.
  expect(await watcher.nextMessage('member_away')).toEqual({ type: 'member_away', room: jw.handle, member: jv.self });
  victim.ws.terminate();
  return { jv, watcher, jw };
}

describe('cluster seats', () => {
  it('a client that drops on one node takes its seat back through another: same id, away then back everywhere', async () => {
    const a = await cluster.node('a', { seatGraceMs: 30_000 });
    const b = await cluster.node('b', { seatGraceMs: 30_000 });
    const x = await cluster.signedIn(a, { sub: 'xena' });
    const y = await cluster.signedIn(b, { sub: 'yuri' });
    const z = await cluster.signedIn(b, { sub: 'zoe' });
    const jx = await x.join('r');
    const jy = await y.join('r', { color: 'red' });
    const jz = await z.join('r');
    await x.nextMessage('member_joined', (m) => m.member.id === jy.self);
    await x.nextMessage('member_joined', (m) => m.member.id === jz.self);
    y.ws.terminate();
    expect(await x.nextMessage('member_away')).toEqual({ type: 'member_away', room: jx.handle, member: jy.self });
    expect(await z.nextMessage('member_away')).toEqual({ type: 'member_away', room: jz.handle, member: jy.self });
    expect(b.relay.seats.size).toBe(1);

    // Back through node a, which never held it.
    const y2 = await cluster.signedIn(a, { sub: 'yuri' });
    const back = await y2.request({ type: 'join', room: 'r', seat: jy.seat! }, 'joined');
    expect(back).toMatchObject({ self: jy.self, seat: jy.seat, host: jx.self });
    expect(back.members).toEqual(expect.arrayContaining([
      { id: jx.self, presence: null, userId: 'xena' }, { id: jy.self, presence: { color: 'red' }, userId: 'yuri' }, { id: jz.self, presence: null, userId: 'zoe' },
    ]));
    expect(await x.nextMessage('member_back')).toEqual({ type: 'member_back', room: jx.handle, member: jy.self });
    expect(await z.nextMessage('member_back')).toEqual({ type: 'member_back', room: jz.handle, member: jy.self });
    // Node b let the seat go without a member_left (no timer left to fire one); node a holds it in Redis.
    expect(b.relay.seats.size).toBe(0);
    expect(await redisCommand(cluster.redis.port, `HGET rc:{r:r}:m ${jy.self}`)).toMatch(/^\$\d+\r\na\n\{"p":\{"color":"red"\},"u":"yuri","s":"[\w-]{43}"\}\r\n$/);
    // Frames flow both ways, with the same member id.
    y2.sendData(back.handle, Uint8Array.of(9));
    expect(await z.nextDeliver()).toMatchObject({ sender: jy.self, payload: Uint8Array.of(9) });
    expect(await x.nextDeliver()).toMatchObject({ sender: jy.self, payload: Uint8Array.of(9) });
    z.sendData(jz.handle, Uint8Array.of(8));
    expect(await y2.nextDeliver()).toMatchObject({ sender: jz.self, payload: Uint8Array.of(8) });
    expect([memberEvents(x), memberEvents(z)]).toEqual([[], []]);
    // It leaves for real through its new node: one member_left everywhere.
    await y2.request({ type: 'leave', room: back.handle }, 'ok');
    expect(await z.nextMessage('member_left')).toEqual({ type: 'member_left', room: jz.handle, member: jy.self });
    expect(await x.nextMessage('member_left')).toEqual({ type: 'member_left', room: jx.handle, member: jy.self });
  });

  it('past the grace window the others see member_left and the token buys an ordinary join; another user cannot take a seat', async () => {
    const a = await cluster.node('a', { seatGraceMs: 300 });
    const b = await cluster.node('b', { seatGraceMs: 300 });
    const x = await cluster.signedIn(a, { sub: 'xena' });
    const y = await cluster.signedIn(b, { sub: 'yuri' });
    const jx = await x.join('r');
    const jy = await y.join('r');
    y.ws.terminate();
    await x.nextMessage('member_away');
    // Someone else with the token (stolen) is not given the seat: a new member.
    const thief = await cluster.signedIn(a, { sub: 'mallory' });
    const stolen = await thief.request({ type: 'join', room: 'r', seat: jy.seat! }, 'joined');
    expect(stolen.self).not.toBe(jy.self);
    expect(await x.nextMessage('member_left', (m) => m.member === jy.self)).toEqual({ type: 'member_left', room: jx.handle, member: jy.self });
    const late = await cluster.signedIn(a, { sub: 'yuri' });
    const again = await late.request({ type: 'join', room: 'r', seat: jy.seat! }, 'joined');
    expect([again.self === jy.self, again.self === stolen.self]).toEqual([false, false]);
  });

  it('the SDK behind a round-robin balancer (no sticky sessions) reconnects to the other node and keeps its member id', async () => {
    const a = await cluster.node('a', { seatGraceMs: 30_000 });
    const b = await cluster.node('b', { seatGraceMs: 30_000 });
    balancer = new Balancer([a.port, b.port]);
    const url = await balancer.listen();
    sdk = new RoomcastClient(url, { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
    await sdk.connect();
    expect(balancer.accepted).toBe(1); // on node a
    const room = await sdk.join('r', { color: 'blue' });
    const watcher = await cluster.ws(b);
    const jw = await watcher.join('r');
    const self = room.self;
    const resynced = new Promise<void>((resolve) => { const off = room.on('resync', () => { off(); resolve(); }); });
    // The network drops: the SDK reconnects through the balancer, which sends it to node b.
    balancer.dropAll();
    expect(await watcher.nextMessage('member_away')).toEqual({ type: 'member_away', room: jw.handle, member: self });
    await resynced;
    expect(balancer.accepted).toBe(2);
    expect(room.self).toBe(self);
    expect(await watcher.nextMessage('member_back')).toEqual({ type: 'member_back', room: jw.handle, member: self });
    expect(memberEvents(watcher)).toEqual([]);
    expect(b.relay.rooms.get('r')!.members.get(self)?.away).toBe(false);
    // Node a hears of it through Redis (the watcher, on node b, heard first): it lets the seat go.
    await expect.poll(() => a.relay.seats.size, { timeout: 2000, interval: 20 }).toBe(0);
    expect(a.relay.rooms.get('r')).toBeUndefined();
    // Still one member with that id: frames from the watcher reach it on its new node.
    const got = new Promise<number[]>((resolve) => { const off = room.on('message', (m: { payload: Uint8Array }) => { off(); resolve([...m.payload]); }); });
    watcher.sendData(jw.handle, Uint8Array.of(5));
    expect(await got).toEqual([5]);
  });

  it('members of a node that dies keep their seats, held by the survivor that reaps it; a client takes its seat back there', async () => {
    const survivor = await cluster.node('survivor', { seatGraceMs: 30_000 });
    const { jv, watcher, jw } = await crashedWithSeat(survivor, { hp: 3 });
    expect(survivor.bus!.orphans.size).toBe(1);
    expect(await redisCommand(cluster.redis.port, `HGET rc:{r:crash}:m ${jv.self}`)).toMatch(/^\$\d+\r\nsurvivor\n\{"p":\{"hp":3\},"a":1,"s":"[\w-]+"\}\r\n$/);
    const back = await cluster.ws(survivor);
    const jb = await back.request({ type: 'join', room: 'crash', seat: jv.seat! }, 'joined');
    expect(jb).toMatchObject({ self: jv.self, seat: jv.seat });
    expect(jb.members).toEqual(expect.arrayContaining([{ id: jv.self, presence: { hp: 3 } }]));
    expect(await watcher.nextMessage('member_back')).toEqual({ type: 'member_back', room: jw.handle, member: jv.self });
    expect(memberEvents(watcher)).toEqual([]);
  });

  it('an adopted seat is listed away and can be kicked through the API of any node', async () => {
    const survivor = await cluster.node('survivor', { seatGraceMs: 30_000 });
    const other = await cluster.node('other', { seatGraceMs: 30_000 });
    const { jv, watcher, jw } = await crashedWithSeat(survivor);
    expect((await api(other.httpUrl, 'GET', '/rooms/crash')).json.memberList).toEqual([{ id: jv.self, presence: null, away: true }, { id: jw.self, presence: null }]);
    // Through the node that did not adopt it (either survivor may have reaped the dead node first).
    const through = survivor.bus!.orphans.size === 1 ? other : survivor;
    expect(await api(through.httpUrl, 'POST', `/rooms/crash/members/${jv.self}/kick`, { reason: 'gone' })).toEqual({ status: 200, json: { kicked: true } });
    expect(await watcher.nextMessage('member_left')).toEqual({ type: 'member_left', room: jw.handle, member: jv.self });
    expect(survivor.bus!.orphans.size + other.bus!.orphans.size).toBe(0);
  });

  it('an adopted seat nobody takes back ends after the grace window: member_left once', async () => {
    const survivor = await cluster.node('survivor', { seatGraceMs: 300 });
    const { jv, watcher, jw } = await crashedWithSeat(survivor);
    expect(await watcher.nextMessage('member_left')).toEqual({ type: 'member_left', room: jw.handle, member: jv.self });
    expect(survivor.bus!.orphans.size).toBe(0);
    expect(await redisCommand(cluster.redis.port, 'HLEN rc:{r:crash}:m')).toBe(':1\r\n');
    await watcher.request({ type: 'presence', room: jw.handle, presence: null }, 'ok');
    expect(memberEvents(watcher)).toEqual([]);
  });

  it('the SDK of a node that dies reconnects through the balancer to a survivor and keeps its member id (before its lease expired)', async () => {
    const survivor = await cluster.node('survivor', { seatGraceMs: 30_000 });
    const doomed = await cluster.process('doomed', 1000, { RELAY_SEAT_GRACE_MS: '30000' });
    balancer = new Balancer([doomed.port, survivor.port]);
    sdk = new RoomcastClient(await balancer.listen(), { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
    await sdk.connect();
    const room = await sdk.join('r', { hp: 1 });
    const self = room.self;
    const watcher = await cluster.ws(survivor);
    const jw = await watcher.join('r');
    const resynced = new Promise<void>((resolve) => { const off = room.on('resync', () => { off(); resolve(); }); });
    doomed.child.kill('SIGKILL');
    // The SDK is back at once, on the survivor; its join waits until the dead node's lease is gone, then takes the seat.
    await resynced;
    expect(balancer.accepted).toBeGreaterThanOrEqual(2);
    expect(room.self).toBe(self);
    expect(survivor.relay.rooms.get('r')!.members.get(self)?.away).toBe(false);
    // Once the dead node is reaped, the member is still there: nothing of it was left to reap or adopt.
    await expect.poll(() => redisCommand(cluster.redis.port, 'SISMEMBER rc:nodes doomed'), { timeout: 5000, interval: 100 }).toBe(':0\r\n');
    expect(survivor.bus!.orphans.size).toBe(0);
    await watcher.request({ type: 'presence', room: jw.handle, presence: null }, 'ok');
    expect(memberEvents(watcher)).toEqual([]);
    expect(survivor.relay.rooms.get('r')!.members.has(self)).toBe(true);
  });
});
