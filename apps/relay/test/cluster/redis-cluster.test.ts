// Two relay nodes on a real 3-shard Redis Cluster (REDIS_CLUSTER_NODES; the fixture starts three
// redis-servers in cluster mode): presence and reliable frames (broadcast and direct, in order)
// cross nodes for rooms that live on different shards; each room's keys and sharded channel sit on
// the shard of its `{r:room}` hash tag (sharded pub/sub), and nothing is left behind. A relay
// process killed with SIGKILL is reaped by the survivor across shards; a frozen shard makes the
// bus degraded (the health check pings every primary) until it answers again.
import { describe, expect, it, vi } from 'vitest';
import type { RelayServer } from '../../src/index.js';
import { RawClient, httpGet, startTestRelay } from '../helpers.js';
import type { ProtocolClient } from '../protocol-client.js';
import { readSeq, seq, settled, useCluster } from './nodes.js';
import { START_TIMEOUT_MS } from '../../src/bus/index.js';
import { RedisServer, freePort, redisCommand } from './redis.js';

const cluster = useCluster({}, { shards: 3 });

const delivered = (c: ProtocolClient) => c.frames.flatMap((f) => (f.kind === 'deliver' ? [f] : []));

/** Two room names whose hash tags fall on different shards. */
async function roomsOnTwoShards(): Promise<[string, string]> {
  const first = await cluster.redisCluster.owner('rc:{r:room-0}:m');
  for (let i = 1; i < 50; i++) {
    if (await cluster.redisCluster.owner(`rc:{r:room-${i}}:m`) !== first) return ['room-0', `room-${i}`];
  }
  throw new Error('no two rooms on different shards in 50 names');
}


describe('relays on a Redis Cluster (3 shards)', () => {
  it('presence and reliable frames cross nodes in rooms on different shards; keys and channels live on the room\'s shard', async () => {
    const a = await cluster.node('rc-a');
    const b = await cluster.node('rc-b');
    expect(a.bus!.state).toBe('up');
    for (const room of await roomsOnTwoShards()) {
      const alice = await cluster.ws(a);
      const bob = await cluster.tcp(b);
      const ja = await alice.request({ type: 'join', room, presence: { name: 'alice' } }, 'joined');
      const jb = await bob.request({ type: 'join', room, presence: { name: 'bob' } }, 'joined');
      expect(jb.self).not.toBe(ja.self);
      expect(jb.members).toEqual(expect.arrayContaining([{ id: ja.self, presence: { name: 'alice' } }, { id: jb.self, presence: { name: 'bob' } }]));
      expect(await alice.nextMessage('member_joined')).toEqual({ type: 'member_joined', room: ja.handle, member: { id: jb.self, presence: { name: 'bob' } } });
      await bob.request({ type: 'presence', room: jb.handle, presence: { name: 'bob', away: true } }, 'ok');
      expect((await alice.nextMessage('member_updated')).member).toEqual({ id: jb.self, presence: { name: 'bob', away: true } });
      await settled([a, b], room, 2);

      // The room's keys and its sharded channel are on its shard only.
      const owner = await cluster.redisCluster.owner(`rc:{r:${room}}:m`);
      // members, meta and the join order (the host), all three on the room's shard
      expect((await owner.keys(`rc:{r:${room}}*`)).sort()).toEqual([`rc:{r:${room}}:m`, `rc:{r:${room}}:meta`, `rc:{r:${room}}:o`]);
      expect(await cluster.redisCluster.keys(`rc:{r:${room}}*`)).toHaveLength(3);
      for (const shard of cluster.redisCluster.shards) {
        const channels = await redisCommand(shard.port, 'PUBSUB SHARDCHANNELS');
        expect(channels.includes(`rc:{r:${room}}\r\n`), `shard ${shard.port}`).toBe(shard === owner);
      }

      // Reliable broadcasts both ways and direct frames, in order, once each.
      for (let i = 0; i < 100; i++) {
        alice.sendData(ja.handle, seq(i));
        bob.sendData(jb.handle, seq(1000 + i));
      }
      for (let i = 0; i < 20; i++) bob.sendData(jb.handle, seq(5000 + i), ja.self);
      await vi.waitFor(() => {
        expect(delivered(bob)).toHaveLength(100);
        expect(delivered(alice)).toHaveLength(120);
      }, { timeout: 10_000, interval: 20 });
      expect(delivered(bob).map((d) => [d.sender, readSeq(d.payload)])).toEqual(Array.from({ length: 100 }, (_, i) => [ja.self, i]));
      const toAlice = delivered(alice);
      expect(toAlice.every((d) => d.sender === jb.self && d.room === ja.handle)).toBe(true);
      expect(toAlice.filter((d) => !d.direct).map((d) => readSeq(d.payload))).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i));
      expect(toAlice.filter((d) => d.direct).map((d) => readSeq(d.payload))).toEqual(Array.from({ length: 20 }, (_, i) => 5000 + i));

      await bob.request({ type: 'leave', room: jb.handle }, 'ok');
      expect(await alice.nextMessage('member_left')).toEqual({ type: 'member_left', room: ja.handle, member: jb.self });
      await alice.request({ type: 'leave', room: ja.handle }, 'ok');
      await vi.waitFor(async () => expect(await cluster.redisCluster.keys(`rc:{r:${room}}*`)).toEqual([]), { timeout: 3000, interval: 50 });
    }
    expect(a.bus!.stats.dropped).toEqual({ down: 0, error: 0, stale: 0 });
    expect(b.bus!.stats.gaps).toBe(0);
    await a.close();
    await b.close();
    expect(await cluster.redisCluster.keys('rc:*')).toEqual([]);
  });
});

describe('a frozen shard', () => {
  it('SIGSTOP of the shard of a room: every node is degraded until all shards answer again, then frames cross again', async () => {
    const a = await cluster.node('fz-a');
    const b = await cluster.node('fz-b');
    const [room] = await roomsOnTwoShards();
    const x = await cluster.ws(a);
    const y = await cluster.ws(b);
    await x.request({ type: 'join', room }, 'joined');
    await y.request({ type: 'join', room }, 'joined');
    const shard = await cluster.redisCluster.owner(`rc:{r:${room}}:m`);
    await shard.signal('SIGSTOP');
    try {
      await vi.waitFor(() => {
        expect(a.bus!.state).toBe('down');
        expect(b.bus!.state).toBe('down');
      }, { timeout: 4000, interval: 50 });
      expect(JSON.parse((await httpGet(a, '/healthz')).body)).toMatchObject({ status: 'degraded', bus: 'down' });
      // And stays so while the shard is frozen (every health check asks every primary).
      for (let i = 0; i < 30; i++) {
        await new Promise((r) => setTimeout(r, 50));
        expect([a.bus!.state, b.bus!.state]).toEqual(['down', 'down']);
      }
    } finally {
      await shard.signal('SIGCONT');
    }
    await vi.waitFor(() => {
      expect(a.bus!.state).toBe('up');
      expect(b.bus!.state).toBe('up');
    }, { timeout: 10_000, interval: 50 });
    expect(a.bus!.stats.resyncs).toBeGreaterThanOrEqual(1);
    // After the resync, new members of the room on both nodes exchange a frame.
    const p = await cluster.ws(a);
    const q = await cluster.tcp(b);
    const jp = await p.request({ type: 'join', room: `${room}-after` }, 'joined');
    await q.request({ type: 'join', room: `${room}-after` }, 'joined');
    await p.nextMessage('member_joined');
    p.sendData(jp.handle, seq(77));
    expect(readSeq((await q.nextDeliver()).payload)).toBe(77);
  });
});

describe('a relay killed on a Redis Cluster', () => {
  it('kill -9: the survivor removes its members in rooms on two shards and the cluster forgets the node', async () => {
    const survivor = await cluster.node('rc-survivor', { leaseTtlMs: 2000 });
    const { child, port } = await cluster.process('rc-doomed', 2000);
    const rooms = await roomsOnTwoShards();
    const watchers: { client: ProtocolClient; handle: number; victim: number }[] = [];
    for (const room of rooms) {
      const alice = await cluster.ws(survivor);
      const bob = await RawClient.open(`ws://127.0.0.1:${port}/ws`);
      const a = await alice.request({ type: 'join', room }, 'joined');
      const b = await bob.request({ type: 'join', room }, 'joined');
      await alice.nextMessage('member_joined', (m) => m.member.id === b.self);
      watchers.push({ client: alice, handle: a.handle, victim: b.self });
    }
    expect((await cluster.redisCluster.keys('rc:node:*')).sort()).toEqual(['rc:node:rc-doomed', 'rc:node:rc-doomed:rooms', 'rc:node:rc-survivor', 'rc:node:rc-survivor:rooms']);
    child.kill('SIGKILL');
    for (const w of watchers) {
      expect(await w.client.nextMessage('member_left')).toEqual({ type: 'member_left', room: w.handle, member: w.victim });
    }
    await vi.waitFor(async () => expect(await cluster.redisCluster.keys('rc:node:rc-doomed*')).toEqual([]), { timeout: 3000, interval: 50 });
    for (const room of rooms) expect(await cluster.redisCluster.keys(`rc:{r:${room}}:m`)).toHaveLength(1);
    expect(survivor.bus!.stats.reaped).toBe(2);
    const nodesKeyOwner = await cluster.redisCluster.owner('rc:nodes');
    expect(await redisCommand(nodesKeyOwner.port, 'SMEMBERS rc:nodes')).toBe('*1\r\n$11\r\nrc-survivor\r\n');
  });
});

describe('REDIS_CLUSTER_NODES at start-up', () => {
  it('a relay whose cluster seed nodes do not answer refuses to start, naming the variable', async () => {
    const port = await freePort();
    await expect(startTestRelay({ redisClusterNodes: [{ host: '127.0.0.1', port }], nodeId: 'nobody' }))
      .rejects.toThrow(/^REDIS_CLUSTER_NODES: cannot reach Redis at start-up/);
  });

  it('a cluster that answers but is not ready (no slots assigned) fails the start-up within its bound instead of hanging', async () => {
    const lonely = await RedisServer.start(['--cluster-enabled', 'yes', '--cluster-port', String(await freePort())]);
    try {
      await expect(startTestRelay({ redisClusterNodes: [{ host: '127.0.0.1', port: lonely.port }], nodeId: 'early' }))
        .rejects.toThrow(`REDIS_CLUSTER_NODES: cannot reach Redis at start-up (no answer within ${START_TIMEOUT_MS} ms)`);
    } finally {
      await lonely.stop();
    }
  }, 15_000);
});
