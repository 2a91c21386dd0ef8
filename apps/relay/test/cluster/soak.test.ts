// Churn and metrics of a two-node cluster on a real redis-server: members join and leave random
// rooms on both nodes; afterwards Redis holds no key of any room and nothing of a stopped node.
// Each node's /metrics carries its node id and the bus counters and latency histogram.
import { describe, expect, it, vi } from 'vitest';
import { startTestRelay, httpGet } from '../helpers.js';
import type { ProtocolClient } from '../protocol-client.js';
import { useCluster } from './nodes.js';

const cluster = useCluster();

/** A small deterministic generator (the churn is the same on every run). */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe('cluster churn and metrics', () => {
  it('after 300 joins and leaves over 10 rooms on two nodes, Redis holds nothing of empty rooms or stopped nodes', async () => {
    const a = await cluster.node('churn-a');
    const b = await cluster.node('churn-b');
    const clients: ProtocolClient[] = [];
    for (let i = 0; i < 10; i++) clients.push(await (i % 2 === 0 ? cluster.ws(a) : cluster.tcp(b)));
    const joined = clients.map(() => new Map<string, number>());
    const random = lcg(15);
    for (let step = 0; step < 300; step++) {
      const k = Math.floor(random() * clients.length);
      const room = `churn-${Math.floor(random() * 10)}`;
      const handle = joined[k]!.get(room);
      if (handle === undefined) {
        const reply = await clients[k]!.request({ type: 'join', room, presence: step }, 'joined');
        joined[k]!.set(room, reply.handle);
      } else {
        await clients[k]!.request({ type: 'leave', room: handle }, 'ok');
        joined[k]!.delete(room);
      }
    }
    // Every node's view of every room agrees with Redis: local + remote = members in the hash.
    const total = (room: string): number => joined.filter((m) => m.has(room)).length;
    await vi.waitFor(() => {
      for (let r = 0; r < 10; r++) {
        const room = `churn-${r}`;
        for (const node of [a, b]) {
          const state = node.relay.rooms.get(room);
          if (state !== undefined) expect(state.size + state.remote.size).toBe(total(room));
        }
      }
    }, { timeout: 5000, interval: 50 });
    for (const [k, rooms] of joined.entries()) {
      for (const handle of rooms.values()) await clients[k]!.request({ type: 'leave', room: handle }, 'ok');
    }
    await vi.waitFor(async () => expect(await cluster.redis.keys('rc:{r:*')).toEqual([]), { timeout: 3000, interval: 50 });
    expect((await cluster.redis.keys('rc:*')).sort()).toEqual(['rc:node:churn-a', 'rc:node:churn-b', 'rc:nodes']);
    await a.close();
    await b.close();
    expect(await cluster.redis.keys('rc:*')).toEqual([]);
  });

  it('/metrics of a node: node label, bus state, published and received counters, latency histogram', async () => {
    const a = await cluster.node('metrics-a');
    const b = await cluster.node('metrics-b');
    const x = await cluster.ws(a);
    const y = await cluster.ws(b);
    const jx = await x.request({ type: 'join', room: 'm' }, 'joined');
    await y.request({ type: 'join', room: 'm' }, 'joined');
    await x.nextMessage('member_joined');
    x.sendData(jx.handle, Uint8Array.of(1));
    await y.nextDeliver();
    const textA = (await httpGet(a, '/metrics')).body;
    const textB = (await httpGet(b, '/metrics')).body;
    expect(textA).toContain('roomcast_bus_up{node="metrics-a"} 1');
    expect(textA).toContain('roomcast_connections{node="metrics-a"} 1');
    expect(textA).toContain('roomcast_bus_published_total{kind="frame",node="metrics-a"} 1');
    expect(textA).toContain('roomcast_bus_published_total{kind="joined",node="metrics-a"} 1');
    expect(textB).toContain('roomcast_bus_received_total{kind="frame",node="metrics-b"} 1');
    expect(textB).toContain('roomcast_bus_dropped_total{reason="stale",node="metrics-b"} 0');
    expect(textB).toMatch(/roomcast_bus_latency_seconds_count\{node="metrics-b"\} [1-9]/);
  });

  it('a single relay\'s /metrics has no node label and no bus metrics', async () => {
    const single = await startTestRelay();
    try {
      const text = (await httpGet(single, '/metrics')).body;
      expect(text).toContain('roomcast_connections 0');
      expect(text).not.toContain('node=');
      expect(text).not.toContain('roomcast_bus_');
    } finally {
      await single.close();
    }
  });
});
