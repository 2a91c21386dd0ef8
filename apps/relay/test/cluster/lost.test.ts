// PROTOCOL.md §8.5 rule 9 across nodes, end to end with the SDK: Redis frozen (SIGSTOP) while
// reliable frames flow from node A to a member on node B. The frames written before the freeze
// reach B seconds late and are dropped there (never delivered late); the member is closed with
// 4502 frames_lost instead of being left silently short, and the SDK reconnects, rejoins and
// emits 'resync'. Frames after the rejoin arrive in order.
import { RoomcastClient, type RoomResync } from '@roomcast/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useCluster } from './nodes.js';

const cluster = useCluster();
const clients: RoomcastClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

describe('cluster: reliable frames lost on the bus', () => {
  it('Redis frozen while frames flow: the member on the other node gets 4502, the SDK rejoins and emits resync', async () => {
    const a = await cluster.node('a', { leaseTtlMs: 10_000 });
    const b = await cluster.node('b', { leaseTtlMs: 10_000 });
    const alice = await cluster.ws(a);
    const ja = await alice.request({ type: 'join', room: 'flow' }, 'joined');
    const bob = new RoomcastClient(b.wsUrl, { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
    clients.push(bob);
    await bob.connect();
    const room = await bob.join('flow', { name: 'bob' });
    const got: number[] = [];
    room.on('message', (m) => got.push(m.payload[0]!));
    const resynced = new Promise<RoomResync>((resolve) => room.on('resync', resolve));
    await alice.nextMessage('member_joined', (m) => m.member.id === room.self);
    const firstId = room.self;

    alice.sendData(ja.handle, Uint8Array.of(1));
    await vi.waitFor(() => expect(got).toEqual([1]), { timeout: 3000, interval: 20 });

    await cluster.redis.signal('SIGSTOP');
    // Written to Redis's socket before anyone notices the freeze: run when it wakes, too late.
    for (let i = 2; i <= 5; i++) alice.sendData(ja.handle, Uint8Array.of(i));
    await vi.waitFor(() => expect(b.bus?.state).toBe('down'), { timeout: 5000, interval: 50 });
    await new Promise((r) => setTimeout(r, 1200)); // past the 1 s staleness bound
    await cluster.redis.signal('SIGCONT');

    const resync = await resynced;
    expect(b.relay.stats.closes.frames_lost).toBe(1);
    expect(b.bus!.stats.dropped.stale).toBeGreaterThanOrEqual(4);
    // Nothing of the freeze arrived, late or otherwise.
    expect(got).toEqual([1]);
    expect(resync.members.has(ja.self)).toBe(true);
    expect(resync.self).toBe(room.self);
    // The old membership is gone everywhere: alice sees bob leave and come back with a new id.
    await alice.nextMessage('member_left', (m) => m.member === firstId);
    await alice.nextMessage('member_joined', (m) => m.member.id === room.self);
    expect(room.self).not.toBe(firstId);

    for (let i = 6; i <= 8; i++) alice.sendData(ja.handle, Uint8Array.of(i));
    await vi.waitFor(() => expect(got).toEqual([1, 6, 7, 8]), { timeout: 3000, interval: 20 });
    expect(bob.status).toBe('open');
  });
});
