// Seats (PROTOCOL.md §8.21) against the real relay with an injected clock: a dropped member is away
// at once, gets its id back when it returns with its seat token within the grace window (no
// member_left), and is member_left when the window ends; seats count against capacity; the SDK
// resumes its seat by itself after a reconnect.
import { RoomcastClient, type Room, type RoomMember } from '@roomcast/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayServer } from '../src/index.js';
import { FakeClock } from './fakes.js';
import { RawClient, startTestRelay } from './helpers.js';

const GRACE = 5000;
const KEY = 'key-one-0123456789abcdefghij';
let server: RelayServer | undefined;
const raws: RawClient[] = [];
const sdks: RoomcastClient[] = [];
afterEach(async () => {
  for (const c of raws.splice(0)) c.ws.terminate();
  for (const c of sdks.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

async function start(overrides: Record<string, unknown> = {}): Promise<{ s: RelayServer; clock: FakeClock }> {
  const clock = new FakeClock();
  server = await startTestRelay({ seatGraceMs: GRACE, apiKeys: [KEY], ...overrides }, clock);
  return { s: server, clock };
}

async function raw(url: string): Promise<RawClient> {
  const c = await RawClient.open(url);
  raws.push(c);
  return c;
}

const roomJson = async (name: string) =>
  (await fetch(`${server!.httpUrl}/api/v1/rooms/${name}`, { headers: { authorization: `Bearer ${KEY}` } })).json();

describe('seats', () => {
  it('a member back within the grace window gets its id, presence and place back; nobody sees member_left', async () => {
    const { s, clock } = await start();
    const a = await raw(s.wsUrl);
    const b = await raw(s.wsUrl);
    const ja = await a.join('r');
    const jb = await b.join('r', { x: 1 });
    expect(jb.seat).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(ja.seat).not.toBe(jb.seat);
    b.ws.terminate();
    expect(await a.nextMessage('member_away')).toEqual({ type: 'member_away', room: ja.handle, member: 2 });
    expect((await roomJson('r')).memberList).toEqual([{ id: 1, presence: null }, { id: 2, presence: { x: 1 }, away: true }]);
    clock.advance(GRACE - 1);
    const b2 = await raw(s.wsUrl);
    const back = await b2.request({ type: 'join', room: 'r', seat: jb.seat! }, 'joined');
    expect(back).toMatchObject({ self: 2, seat: jb.seat, host: 1, members: [{ id: 1, presence: null }, { id: 2, presence: { x: 1 } }] });
    expect(await a.nextMessage('member_back')).toEqual({ type: 'member_back', room: ja.handle, member: 2 });
    clock.advance(GRACE * 2);
    // The returned member is a member again: frames flow both ways, and no member_left came.
    a.sendData(ja.handle, new Uint8Array([7]));
    expect([...(await b2.nextDeliver()).payload]).toEqual([7]);
    b2.sendData(back.handle, new Uint8Array([8]));
    expect(await a.nextDeliver()).toMatchObject({ sender: 2 });
    expect(a.frames.filter((f) => f.kind === 'control' && f.message.type === 'member_left')).toEqual([]);
    expect((await roomJson('r')).memberList[1]).toEqual({ id: 2, presence: { x: 1 } });
  });

  it('the window ending without a return is member_left; the token then buys an ordinary join', async () => {
    const { s, clock } = await start();
    const a = await raw(s.wsUrl);
    const b = await raw(s.wsUrl);
    const ja = await a.join('r');
    const jb = await b.join('r');
    b.ws.terminate();
    await a.nextMessage('member_away');
    clock.advance(GRACE);
    expect(await a.nextMessage('member_left')).toEqual({ type: 'member_left', room: ja.handle, member: 2 });
    const b2 = await raw(s.wsUrl);
    expect(await b2.request({ type: 'join', room: 'r', seat: jb.seat! }, 'joined')).toMatchObject({ self: 3 });
    expect(s.relay.seats.size).toBe(0);
  });

  it('held seats count against capacity and expire; a kick of an away member ends its seat at once', async () => {
    const { s, clock } = await start({ maxMembersPerRoom: 2 });
    const a = await raw(s.wsUrl);
    const b = await raw(s.wsUrl);
    const ja = await a.join('r');
    await b.join('r');
    b.ws.terminate();
    await a.nextMessage('member_away');
    const c = await raw(s.wsUrl);
    c.sendControl({ type: 'join', id: 9, room: 'r' });
    expect(await c.nextError('room_full')).toMatchObject({ id: 9 });
    const kick = await fetch(`${s.httpUrl}/api/v1/rooms/r/members/2/kick`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
    expect(kick.status).toBe(200);
    expect(await a.nextMessage('member_left')).toEqual({ type: 'member_left', room: ja.handle, member: 2 });
    expect(await c.join('r')).toMatchObject({ self: 3 });
    clock.advance(GRACE * 2);
    expect(s.relay.seats.size).toBe(0);
  });

  it('grace 0 (the default) holds no seat: no token, member_left at once', async () => {
    server = await startTestRelay();
    const a = await raw(server.wsUrl);
    const b = await raw(server.wsUrl);
    const ja = await a.join('r');
    const jb = await b.join('r');
    expect(jb.seat).toBeUndefined();
    b.ws.terminate();
    expect(await a.nextMessage('member_left')).toEqual({ type: 'member_left', room: ja.handle, member: 2 });
  });

  it('the SDK resumes its seat after a reconnect: same self, the others see away then back', async () => {
    const { s } = await start();
    const make = () => {
      const c = new RoomcastClient(s.wsUrl, { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
      sdks.push(c);
      return c;
    };
    const alice = make();
    const bob = make();
    await Promise.all([alice.connect(), bob.connect()]);
    const ra = await alice.join('r');
    const joined = new Promise<void>((resolve) => { const off = ra.on('member_joined', () => { off(); resolve(); }); });
    const rb = await bob.join('r');
    await joined;
    const events: string[] = [];
    for (const name of ['member_away', 'member_back', 'member_left'] as const) {
      ra.on(name, (m: RoomMember) => events.push(`${name}:${m.id}:${m.away === true}`));
    }
    const back = new Promise<void>((resolve) => { const off = ra.on('member_back', () => { off(); resolve(); }); });
    const resynced = new Promise<void>((resolve) => { const off = rb.on('resync', () => { off(); resolve(); }); });
    // The relay drops bob's connection as a slow consumer (4503: the SDK reconnects).
    const conn = [...s.relay.connections].find((c) => [...c.rooms.values()].some((m) => m.id === rb.self && m.room.name === 'r'));
    s.relay.close(conn!, 'slow_consumer', 'test drop');
    await Promise.all([back, resynced]);
    expect(rb.self).toBe(2);
    expect(events).toEqual(['member_away:2:true', 'member_back:2:false']);
    expect(ra.members.get(2)?.away).toBeUndefined();
    expect(membersOf(rb)).toEqual([1, 2]);
  });
});

function membersOf(room: Room): number[] {
  return [...room.members.keys()];
}
