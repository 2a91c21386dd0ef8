// A client of a crashed node carries on on another node: the SDK (behind a loopback TCP proxy that
// plays the load balancer) reconnects with backoff when its node is killed with SIGKILL, lands on
// the surviving node and rejoins; the survivor's member sees the old member leave (lease expiry)
// and the new one join.
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { RoomcastClient } from '@roomcast/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useCluster } from './nodes.js';

const cluster = useCluster();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A TCP proxy on a loopback port that forwards each new connection to `target()`'s port. */
async function proxy(target: () => number): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: target() });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => { client.destroy(); upstream.destroy(); });
      s.on('close', () => { sockets.delete(s); client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

describe('cluster failover', () => {
  it('the SDK of a killed node reconnects to the survivor and rejoins; the survivor sees left then joined', async () => {
    const LEASE = 2000;
    const survivor = await cluster.node('survivor', { leaseTtlMs: LEASE });
    const doomed = await cluster.process('doomed', LEASE);
    let backend = doomed.port;
    const lb = await proxy(() => backend);

    const alice = await cluster.ws(survivor);
    const a = await alice.request({ type: 'join', room: 'failover' }, 'joined');
    const bob = new RoomcastClient(`ws://127.0.0.1:${lb}/ws`, { reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    cleanups.push(() => bob.close());
    await bob.connect();
    const room = await bob.join('failover', { name: 'bob' });
    const firstId = room.self;
    await alice.nextMessage('member_joined', (m) => m.member.id === firstId);

    const reconnected = new Promise((resolve) => bob.on('reconnected', resolve));
    backend = survivor.port; // the load balancer now sends new connections to the survivor
    const killedAt = performance.now();
    doomed.child.kill('SIGKILL');
    await reconnected;
    expect(bob.status).toBe('open');
    const secondId = room.self;
    expect(secondId).not.toBe(firstId); // the old id is still held by the dead node's lease
    expect(room.members.get(secondId)?.presence).toEqual({ name: 'bob' });

    // The ghost of bob's first membership goes within the lease TTL + 1 s, for bob and for alice.
    await vi.waitFor(() => expect(new Set(room.members.keys())).toEqual(new Set([a.self, secondId])), { timeout: LEASE + 1500, interval: 20 });
    expect(performance.now() - killedAt).toBeLessThanOrEqual(LEASE + 1000);
    await alice.nextMessage('member_joined', (m) => m.member.id === secondId);
    await alice.nextMessage('member_left', (m) => m.member === firstId);
    expect(survivor.relay.rooms.get('failover')!.size).toBe(2);
    expect(survivor.relay.rooms.get('failover')!.remote.size).toBe(0);
  });
});
