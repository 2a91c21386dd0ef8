// A real 3-shard Redis Cluster for tests: three redis-server processes in cluster mode on free
// loopback ports (each with its cluster bus on a second free port, `--cluster-port`), slots
// assigned with CLUSTER ADDSLOTSRANGE and the nodes introduced with CLUSTER MEET (no redis-cli
// needed), ready once every shard reports `cluster_state:ok` and knows the others.
import { freePort } from '../../../../scripts/ports.mjs';
import { RedisServer, redisCommand } from './redis.js';

/** Hash slots of a Redis Cluster. */
const SLOTS = 16384;

export class RedisCluster {
  private constructor(readonly shards: readonly RedisServer[]) {}

  /** Seed nodes for REDIS_CLUSTER_NODES / `redisClusterNodes` (every shard). */
  get nodes(): { host: string; port: number }[] {
    return this.shards.map((s) => ({ host: '127.0.0.1', port: s.port }));
  }

  static async start(size = 3, timeoutMs = 10_000): Promise<RedisCluster> {
    const shards: RedisServer[] = [];
    const busPorts: number[] = [];
    try {
      for (let i = 0; i < size; i++) {
        busPorts.push(await freePort());
        shards.push(await RedisServer.start(['--cluster-enabled', 'yes', '--cluster-port', String(busPorts[i]), '--cluster-node-timeout', '5000']));
      }
      const cluster = new RedisCluster(shards);
      for (const [i, shard] of shards.entries()) {
        const [from, to] = cluster.slotRange(i);
        expectOk(await redisCommand(shard.port, `CLUSTER ADDSLOTSRANGE ${from} ${to}`), 'ADDSLOTSRANGE');
        if (i > 0) expectOk(await redisCommand(shards[0]!.port, `CLUSTER MEET 127.0.0.1 ${shard.port} ${busPorts[i]}`), 'MEET');
      }
      await cluster.waitReady(timeoutMs);
      return cluster;
    } catch (err) {
      await Promise.all(shards.map((s) => s.stop()));
      throw err;
    }
  }

  /** The slots shard `i` serves: equal ranges in order. */
  slotRange(i: number): [number, number] {
    const per = Math.ceil(SLOTS / this.shards.length);
    return [i * per, Math.min(SLOTS, (i + 1) * per) - 1];
  }

  /** The shard that serves `key` (its hash slot, from CLUSTER KEYSLOT). */
  async owner(key: string): Promise<RedisServer> {
    const slot = Number((await redisCommand(this.shards[0]!.port, `CLUSTER KEYSLOT ${key}`)).slice(1));
    return this.shards[this.shards.findIndex((_, i) => slot <= this.slotRange(i)[1])]!;
  }

  /** Keys matching `pattern` on every shard. */
  async keys(pattern = '*'): Promise<string[]> {
    return (await Promise.all(this.shards.map((s) => s.keys(pattern)))).flat().sort();
  }

  async flush(): Promise<void> {
    await Promise.all(this.shards.map((s) => redisCommand(s.port, 'FLUSHALL').catch(() => undefined)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.stop()));
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const views = await Promise.all(this.shards.map(async (s) => ({
        info: await redisCommand(s.port, 'CLUSTER INFO'),
        nodes: (await redisCommand(s.port, 'CLUSTER NODES')).split('\n').filter((l) => /\bmaster\b/.test(l) && /\bconnected\b/.test(l)).length,
      })));
      if (views.every((v) => v.info.includes('cluster_state:ok') && v.nodes === this.shards.length)) return;
      last = views.map((v) => `${/cluster_state:\w+/.exec(v.info)?.[0]} ${v.nodes} nodes`).join('; ');
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Redis Cluster not ready within ${timeoutMs} ms (${last})`);
  }
}

function expectOk(reply: string, what: string): void {
  if (!reply.startsWith('+OK')) throw new Error(`CLUSTER ${what}: ${reply.trim()}`);
}
