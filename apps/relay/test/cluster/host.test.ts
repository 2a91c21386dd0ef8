// The host in a cluster (PROTOCOL.md §8.20): one host per room cluster-wide, decided in Redis by
// the claim, release and reap scripts (the room's join order, server members first), whichever
// node its members are on. Hand-over when the host leaves or its node dies (lease expiry); every
// member, on every node, is told once.
import type { ServerFrame } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { RawClient } from '../helpers.js';
import { JWT_SECRET, useCluster } from './nodes.js';
import { redisCommand } from './redis.js';

const cluster = useCluster({ jwtSecret: JWT_SECRET, allowAnonymous: 'true' });

const hostChanges = (c: RawClient): ServerFrame[] => c.frames.filter((f) => f.kind === 'control' && f.message.type === 'host_changed');

/** A round trip on `c`: every frame sent to it before is queued by then. */
const sync = (c: RawClient, handle: number): Promise<unknown> => c.request({ type: 'presence', room: handle, presence: null }, 'ok');

describe('cluster host', () => {
  it('the longest-present member of any node hosts; when it leaves, the next one does and every member is told once', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const x = await cluster.ws(a);
    const y = await cluster.ws(b);
    const z = await cluster.ws(a);
    const jx = await x.join('lobby');
    const jy = await y.join('lobby');
    const jz = await z.join('lobby');
    expect([jx.host, jy.host, jz.host]).toEqual([jx.self, jx.self, jx.self]);
    await x.request({ type: 'leave', room: jx.handle }, 'ok');
    // member_left first, then the new host: y, on node b (the next in the room's join order).
    for (const [c, j] of [[y, jy], [z, jz]] as const) {
      await c.nextMessage('member_left', (m) => m.member === jx.self);
      expect(await c.nextMessage('host_changed')).toEqual({ type: 'host_changed', room: j.handle, host: jy.self });
    }
    await Promise.all([sync(y, jy.handle), sync(z, jz.handle)]);
    expect([hostChanges(y), hostChanges(z)]).toEqual([[], []]);
    expect(await redisCommand(cluster.redis.port, 'HGET rc:{r:lobby}:meta host')).toBe(`$${String(jy.self).length}\r\n${jy.self}\r\n`);
    // A newcomer on either node is told the same host.
    const w = await cluster.ws(a);
    expect((await w.join('lobby')).host).toBe(jy.self);
  });

  it('a server member takes the host over from members of other nodes; a second server member does not', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const p1 = await cluster.ws(a);
    const p2 = await cluster.ws(b);
    const j1 = await p1.join('match');
    const j2 = await p2.join('match');
    const backend = await cluster.signedIn(b, { sub: 'game-server', role: 'server' });
    const js = await backend.join('match');
    expect(js.host).toBe(js.self);
    expect(await p1.nextMessage('host_changed')).toEqual({ type: 'host_changed', room: j1.handle, host: js.self });
    expect(await p2.nextMessage('host_changed')).toEqual({ type: 'host_changed', room: j2.handle, host: js.self });
    const second = await cluster.signedIn(a, { sub: 'game-server-2', role: 'server' });
    const js2 = await second.join('match');
    expect(js2.host).toBe(js.self);
    await Promise.all([sync(p1, j1.handle), sync(p2, j2.handle), sync(backend, js.handle)]);
    expect([hostChanges(p1), hostChanges(p2), hostChanges(backend)]).toEqual([[], [], []]);
    // The server member leaves: the other server member hosts (servers first), not the longest-present player.
    await backend.request({ type: 'leave', room: js.handle }, 'ok');
    expect(await p1.nextMessage('host_changed')).toEqual({ type: 'host_changed', room: j1.handle, host: js2.self });
    expect(await p2.nextMessage('host_changed')).toEqual({ type: 'host_changed', room: j2.handle, host: js2.self });
  });

  it('when the host\'s node dies, the store hands the host over after its lease expires; survivors are told once', async () => {
    const survivor = await cluster.node('survivor');
    const doomed = await cluster.process('doomed', 1000);
    const onDoomed = await RawClient.open(`ws://127.0.0.1:${doomed.port}/ws`);
    const jd = await onDoomed.join('crash');
    const s1 = await cluster.ws(survivor);
    const s2 = await cluster.ws(survivor);
    const j1 = await s1.join('crash');
    const j2 = await s2.join('crash');
    expect([j1.host, j2.host]).toEqual([jd.self, jd.self]);
    const killedAt = Date.now();
    doomed.child.kill('SIGKILL');
    for (const [c, j] of [[s1, j1], [s2, j2]] as const) {
      await c.nextMessage('member_left', (m) => m.member === jd.self);
      expect(await c.nextMessage('host_changed')).toEqual({ type: 'host_changed', room: j.handle, host: j1.self });
    }
    // Lease 1 s + the 0.5 s check + a round trip (and this machine's noise).
    expect(Date.now() - killedAt).toBeLessThan(4000);
    await Promise.all([sync(s1, j1.handle), sync(s2, j2.handle)]);
    expect([hostChanges(s1), hostChanges(s2)]).toEqual([[], []]);
    onDoomed.ws.terminate();
  });
});
