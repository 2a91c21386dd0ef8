// Failures of a cluster on a real redis-server: a relay process killed with SIGKILL (its members
// leave the survivor's rooms within the lease TTL plus a second, and Redis forgets them), and a
// Redis outage, frozen (SIGSTOP) or killed and restarted: local traffic goes on, /healthz says
// degraded, nothing crosses nodes late (members that missed reliable frames are closed with 4502
// and rejoin), and the rooms resynchronise when Redis is back.
import { describe, expect, it, vi } from 'vitest';
import type { RelayServer } from '../../src/index.js';
import { RawClient, httpGet } from '../helpers.js';
import type { ProtocolClient } from '../protocol-client.js';
import { BusKind, encodeEnvelope } from '../../src/bus/envelope.js';
import { useCluster } from './nodes.js';
import { redisCommand } from './redis.js';

const cluster = useCluster();

const delivered = (c: ProtocolClient): number[] =>
  c.frames.flatMap((f) => (f.kind === 'deliver' ? [f.payload[0]!] : []));

async function bothUp(nodes: RelayServer[]): Promise<void> {
  await vi.waitFor(() => {
    for (const n of nodes) expect(n.bus?.state).toBe('up');
  }, { timeout: 10_000, interval: 50 });
}

describe('cluster failures', () => {
  it('kill -9 of a node: its members leave the survivor\'s room within the lease TTL + 1 s, and Redis forgets them', async () => {
    const LEASE = 2000;
    const survivor = await cluster.node('survivor', { leaseTtlMs: LEASE });
    const { child, port } = await cluster.process('doomed', LEASE);
    try {
      const alice = await cluster.ws(survivor);
      const bob = await RawClient.open(`ws://127.0.0.1:${port}/ws`);
      const a = await alice.request({ type: 'join', room: 'crash' }, 'joined');
      const b = await bob.request({ type: 'join', room: 'crash', presence: 'bob' }, 'joined');
      await alice.nextMessage('member_joined', (m) => m.member.id === b.self);

      const killedAt = performance.now();
      child.kill('SIGKILL');
      const left = await alice.nextMessage('member_left');
      const after = performance.now() - killedAt;
      expect(left).toEqual({ type: 'member_left', room: a.handle, member: b.self });
      expect(after).toBeLessThanOrEqual(LEASE + 1000);
      expect(survivor.relay.rooms.get('crash')!.remote.size).toBe(0);
      expect(await cluster.redis.keys('rc:node:doomed*')).toEqual([]);
      const members = await redisCommand(cluster.redis.port, 'HKEYS rc:{r:crash}:m');
      expect(members).toBe(`*1\r\n$${String(a.self).length}\r\n${a.self}\r\n`);
      // The survivor reaped exactly the dead node's one member, and counts it.
      expect((await httpGet(survivor, '/metrics')).body).toContain('roomcast_bus_reaped_members_total{node="survivor"} 1\n');
      bob.ws.terminate();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a node whose members another node reaped (its lease taken for expired after a stall) re-registers them', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const alice = await cluster.ws(a);
    const bob = await cluster.ws(b);
    const ja = await alice.request({ type: 'join', room: 'stall' }, 'joined');
    const jb = await bob.request({ type: 'join', room: 'stall' }, 'joined');
    expect(jb.members.map((m) => m.id)).toContain(ja.self);
    await alice.nextMessage('member_joined', (m) => m.member.id === jb.self);
    // What a reaper does to a node it believes dead: remove its member, announce member_left
    // (here as node "z", so the test does not depend on which timer fires first).
    await redisCommand(cluster.redis.port, `HDEL rc:{r:stall}:m ${ja.self}`);
    const left = encodeEnvelope(BusKind.Left, 'z', Date.now(), ja.self, 0, new Uint8Array(0));
    await redisCommand(cluster.redis.port, `SPUBLISH rc:{r:stall} "${[...left].map((x) => `\\x${x.toString(16).padStart(2, '0')}`).join('')}"`);
    await bob.nextMessage('member_left', (m) => m.member === ja.self);
    await bob.nextMessage('member_joined', (m) => m.member.id === ja.self);
    await bothUp([a, b]);
    expect(a.bus!.stats.resyncs).toBe(1);
    expect((await httpGet(a, '/metrics')).body).toContain('roomcast_bus_resyncs_total{node="a"} 1\n');
    expect(await redisCommand(cluster.redis.port, 'HLEN rc:{r:stall}:m')).toBe(':2\r\n');
    alice.sendData(ja.handle, Uint8Array.of(5));
    await vi.waitFor(() => expect(delivered(bob)).toEqual([5]), { timeout: 3000, interval: 20 });
  });

  it('Redis frozen (SIGSTOP): local traffic goes on, /healthz degraded, frames of the freeze never arrive late, their recipients are closed with 4502, rooms resync after SIGCONT', async () => {
    const a = await cluster.node('a', { leaseTtlMs: 10_000 });
    const b = await cluster.node('b', { leaseTtlMs: 10_000 });
    const alice = await cluster.ws(a);
    const carol = await cluster.tcp(a);
    const bob = await cluster.ws(b);
    const ja = await alice.request({ type: 'join', room: 'freeze' }, 'joined');
    const jc = await carol.request({ type: 'join', room: 'freeze' }, 'joined');
    const jb = await bob.request({ type: 'join', room: 'freeze' }, 'joined');
    await alice.nextMessage('member_joined', (m) => m.member.id === jb.self);
    alice.sendData(ja.handle, Uint8Array.of(1));
    await vi.waitFor(() => expect(delivered(bob)).toEqual([1]), { timeout: 3000, interval: 20 });

    await cluster.redis.signal('SIGSTOP');
    // Sent before the nodes notice: written to Redis's socket, run when it wakes up, seconds late.
    alice.sendData(ja.handle, Uint8Array.of(2));
    await vi.waitFor(() => expect(a.bus?.state).toBe('down'), { timeout: 5000, interval: 50 });
    expect(JSON.parse((await httpGet(a, '/healthz')).body)).toMatchObject({ status: 'degraded', bus: 'down' });
    alice.sendData(ja.handle, Uint8Array.of(3));
    await vi.waitFor(() => expect(delivered(carol)).toEqual([1, 2, 3]), { timeout: 3000, interval: 20 });
    // Carol leaves during the outage: bob can only learn it from the resync.
    await carol.request({ type: 'leave', room: jc.handle }, 'ok');
    await new Promise((r) => setTimeout(r, 1200)); // longer than the bus's 1 s staleness bound

    await cluster.redis.signal('SIGCONT');
    await bothUp([a, b]);
    expect(JSON.parse((await httpGet(a, '/healthz')).body)).toMatchObject({ status: 'ok', bus: 'up' });
    // Frame 2 reached node B more than 1 s late and frame 3 never left node A: bob missed two
    // reliable frames, so he is closed with 4502 frames_lost after the resync (§8.5 rule 9), never
    // left silently short. He got nothing late.
    expect(await bob.closed).toMatchObject({ code: 4502 });
    expect(delivered(bob)).toEqual([1]);
    // What his client does next: rejoin (on any node). The resynchronised room has no carol.
    const bob2 = await cluster.ws(b);
    const jb2 = await bob2.request({ type: 'join', room: 'freeze' }, 'joined');
    expect(jb2.members.map((m) => m.id).sort((x, y) => x - y)).toEqual([ja.self, jb2.self].sort((x, y) => x - y));
    // Node A publishes a room's frames to the bus only once it knows a member elsewhere: wait
    // until alice has seen bob's return (a frame sent before that is not promised to him).
    await alice.nextMessage('member_joined', (m) => m.member.id === jb2.self);
    alice.sendData(ja.handle, Uint8Array.of(4));
    await vi.waitFor(() => expect(delivered(bob2)).toEqual([4]), { timeout: 3000, interval: 20 });
    // Frame 3 was dropped on node A (Redis down), frame 2 on node B (it arrived more than 1 s late).
    expect(a.bus!.stats.dropped.down).toBeGreaterThanOrEqual(1);
    expect(b.bus!.stats.dropped.stale).toBeGreaterThanOrEqual(1);
    expect(a.bus!.stats.resyncs).toBe(1);
  });

  it('Redis restarted empty between two health checks: the lost connection alone triggers the resync', async () => {
    const a = await cluster.node('a', { leaseTtlMs: 10_000 });
    const b = await cluster.node('b', { leaseTtlMs: 10_000 });
    const alice = await cluster.ws(a);
    const bob = await cluster.ws(b);
    await alice.request({ type: 'join', room: 'blink' }, 'joined');
    const jb = await bob.request({ type: 'join', room: 'blink' }, 'joined');
    await alice.nextMessage('member_joined', (m) => m.member.id === jb.self);
    await cluster.redis.signal('SIGKILL');
    await cluster.redis.spawn();
    await vi.waitFor(async () => {
      expect(a.bus!.stats.resyncs + b.bus!.stats.resyncs).toBe(2);
      expect(await redisCommand(cluster.redis.port, 'HLEN rc:{r:blink}:m')).toBe(':2\r\n');
    }, { timeout: 5000, interval: 50 });
    await bothUp([a, b]);
  });

  it('Redis killed and restarted empty: nodes stay up, re-register their members and see each other again', async () => {
    const a = await cluster.node('a', { leaseTtlMs: 10_000 });
    const b = await cluster.node('b', { leaseTtlMs: 10_000 });
    const alice = await cluster.ws(a);
    const bob = await cluster.tcp(b);
    const ja = await alice.request({ type: 'join', room: 'restart' }, 'joined');
    const jb = await bob.request({ type: 'join', room: 'restart' }, 'joined');
    await alice.nextMessage('member_joined', (m) => m.member.id === jb.self);

    await cluster.redis.signal('SIGKILL');
    await vi.waitFor(() => expect(a.bus?.state).toBe('down'), { timeout: 5000, interval: 50 });
    // Joins need Redis (ids and capacity): refused with a retryable error meanwhile.
    const dave = await cluster.ws(a);
    expect(await dave.requestAny({ type: 'join', room: 'restart' })).toMatchObject({ type: 'error', code: 'internal' });

    await cluster.redis.spawn();
    await bothUp([a, b]);
    // Both nodes wrote their members back; each sees the other's member again.
    await vi.waitFor(() => {
      expect([...a.relay.rooms.get('restart')!.remote.keys()]).toEqual([jb.self]);
      expect([...b.relay.rooms.get('restart')!.remote.keys()]).toEqual([ja.self]);
    }, { timeout: 5000, interval: 50 });
    const hkeys = await redisCommand(cluster.redis.port, 'HLEN rc:{r:restart}:m');
    expect(hkeys).toBe(':2\r\n');
    alice.sendData(ja.handle, Uint8Array.of(7));
    await vi.waitFor(() => expect(delivered(bob)).toEqual([7]), { timeout: 3000, interval: 20 });
  });
});
