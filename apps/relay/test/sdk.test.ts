// The client SDK against the real relay: presence, byte-identical frames both ways, direct
// messages, typed errors, and reconnect-and-rejoin after the relay drops every connection.
import { RoomcastClient, RoomcastError, type Room } from '@roomcast/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RelayServer } from '../src/index.js';
import { startTestRelay } from './helpers.js';

let server: RelayServer;
const clients: RoomcastClient[] = [];
function client(): RoomcastClient {
  const c = new RoomcastClient(server.wsUrl, { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
  clients.push(c);
  return c;
}
/** Resolves with the next event `name` on `room` (events, not timers, drive every wait). */
function next<T>(room: Room, name: 'message' | 'member_joined' | 'member_updated' | 'member_left' | 'resync'): Promise<T> {
  return new Promise((resolve) => {
    const off = room.on(name, ((e: T) => { off(); resolve(e); }) as never);
  });
}

/** Resolves once the room lists two members: now, or at the member_joined that makes it two. */
function untilTwo(room: Room): Promise<void> {
  return new Promise((resolve) => {
    if (room.members.size === 2) return resolve();
    const off = room.on('member_joined', () => {
      if (room.members.size === 2) {
        off();
        resolve();
      }
    });
  });
}

beforeEach(async () => {
  server = await startTestRelay({ maxMembersPerRoom: 2 });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close();
});

describe('client SDK against the relay', () => {
  it('two clients see each other\'s presence and exchange binary frames byte-identical', async () => {
    const alice = client();
    const bob = client();
    await Promise.all([alice.connect(), bob.connect()]);
    expect(alice.limits?.maxMembersPerRoom).toBe(2);
    const a = await alice.join('lobby', { name: 'Ada', color: '#e4572e' });
    const joinedEvent = next<{ id: number; presence: unknown }>(a, 'member_joined');
    const b = await bob.join('lobby', { name: 'Bob', color: '#17bebb' });
    expect((await joinedEvent)).toEqual({ id: b.self, presence: { name: 'Bob', color: '#17bebb' } });
    expect([...b.members.values()]).toEqual([
      { id: a.self, presence: { name: 'Ada', color: '#e4572e' } },
      { id: b.self, presence: { name: 'Bob', color: '#17bebb' } },
    ]);

    const all = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    const atBob = next<{ sender: number; payload: Uint8Array; direct: boolean }>(b, 'message');
    a.send(all);
    const got = await atBob;
    expect(got.sender).toBe(a.self);
    expect(got.direct).toBe(false);
    expect(Buffer.from(got.payload).equals(Buffer.from(all))).toBe(true);

    const atAlice = next<{ sender: number; payload: Uint8Array; direct: boolean }>(a, 'message');
    b.sendTo(a.self, Uint8Array.of(0, 1, 2, 0xff));
    const back = await atAlice;
    expect(back).toMatchObject({ sender: b.self, direct: true });
    expect([...back.payload]).toEqual([0, 1, 2, 0xff]);

    const updated = next<{ id: number; presence: unknown }>(b, 'member_updated');
    await a.setPresence({ name: 'Ada L.', color: '#e4572e' });
    expect(await updated).toEqual({ id: a.self, presence: { name: 'Ada L.', color: '#e4572e' } });
    expect(b.members.get(a.self)?.presence).toEqual({ name: 'Ada L.', color: '#e4572e' });

    expect(await alice.ping()).toBeGreaterThanOrEqual(0);
    const left = next<{ id: number }>(b, 'member_left');
    await a.leave();
    expect((await left).id).toBe(a.self);
    expect(b.members.has(a.self)).toBe(false);
  });

  it('rejects a join with the relay\'s typed error', async () => {
    const [x, y, z] = [client(), client(), client()];
    await Promise.all([x.connect(), y.connect(), z.connect()]);
    await x.join('pair');
    await y.join('pair');
    const err = await z.join('pair').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RoomcastError);
    expect((err as RoomcastError).code).toBe('room_full');
    const bad = await z.join('no spaces').catch((e: unknown) => e);
    expect((bad as RoomcastError).code).toBe('bad_room_name');
  });

  it('reconnects after the relay drops its connections, rejoins with presence and resyncs', async () => {
    const alice = client();
    const bob = client();
    await Promise.all([alice.connect(), bob.connect()]);
    const a = await alice.join('again', { name: 'Ada' });
    const b = await bob.join('again', { name: 'Bob' });
    const aResync = next<{ self: number; members: ReadonlyMap<number, { presence: unknown }> }>(a, 'resync');
    const bResync = next<{ self: number; members: ReadonlyMap<number, { presence: unknown }> }>(b, 'resync');
    const reconnected = new Promise<void>((resolve) => alice.on('reconnected', () => resolve()));
    // 1001 going_away: reconnectable. The relay keeps listening, so both come back.
    server.relay.closeAll('going_away', 'test restart');
    // Whichever rejoins first sees the other arrive as member_joined.
    // Frames of the old connections may still arrive before the drop, so count only after resync.
    await Promise.all([aResync.then(() => untilTwo(a)), bResync.then(() => untilTwo(b)), reconnected]);
    expect(alice.status).toBe('open');
    expect(bob.status).toBe('open');
    const names = (r: Room) => [...r.members.values()].map((m) => (m.presence as { name: string }).name).sort();
    expect(names(a)).toEqual(['Ada', 'Bob']);
    expect(names(b)).toEqual(['Ada', 'Bob']);
    // And frames flow again, stamped with the new ids.
    const atBob = next<{ sender: number; payload: Uint8Array }>(b, 'message');
    a.send(Uint8Array.of(42));
    const f = await atBob;
    expect(f.sender).toBe(a.self);
    expect([...f.payload]).toEqual([42]);
  });

  it('does not reconnect after a protocol-violation close', async () => {
    const c = client();
    await c.connect();
    const closed = new Promise<{ code: number }>((resolve) => c.on('close', resolve));
    server.relay.closeAll('protocol_error', 'test');
    expect((await closed).code).toBe(4400);
    expect(c.status).toBe('closed');
  });
});
