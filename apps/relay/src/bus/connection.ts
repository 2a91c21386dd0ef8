// The bus's two Redis connections (commands, sharded subscriptions), to a single Redis
// (REDIS_URL) or to a Redis Cluster (REDIS_CLUSTER_NODES), with the options that keep a relay
// from delivering late (docs/decisions/0002-cluster.md, "Redis client"). Everything else in bus/
// uses the command set both clients share, so the same code runs on either.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** Where the bus connects: one Redis URL, or seed nodes of a Redis Cluster. */
export type RedisTarget = { url: string } | { clusterNodes: readonly { host: string; port: number }[] };

export type RedisClient = Redis | Cluster;

export interface Connections {
  cmd: RedisClient;
  sub: RedisClient;
}

/** Reconnect with a capped backoff, forever (a relay outlives a Redis outage). */
const backoff = (times: number): number => Math.min(100 * times, 1000);

/** The options ioredis's Cluster client lets us set for its per-shard connections. */
function withoutQueueAndRetry(options: RedisOptions): Omit<RedisOptions, 'enableOfflineQueue' | 'retryStrategy'> {
  const { enableOfflineQueue: _queue, retryStrategy: _retry, ...rest } = options;
  return rest;
}

export function connectRedis(target: RedisTarget, nodeId: string, commandTimeoutMs: number): Connections {
  const options: RedisOptions = {
    lazyConnect: true,
    // Never queue while disconnected, never retry a command after a reconnect: a frame is sent
    // now or dropped (and counted), not delivered seconds late.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 2000,
    retryStrategy: backoff,
  };
  if ('url' in target) {
    return {
      // Auto-pipelining writes the commands of one event-loop turn in one go (one syscall for a
      // burst of publishes), in order, so per-sender order holds.
      cmd: new Redis(target.url, { ...options, connectionName: `roomcast:${nodeId}:cmd`, enableAutoPipelining: true }),
      sub: new Redis(target.url, { ...options, connectionName: `roomcast:${nodeId}:sub`, autoResubscribe: true }),
    };
  }
  const cluster = (name: string, extra: Partial<ClusterOptions>): Cluster => new Cluster([...target.clusterNodes], {
    lazyConnect: true,
    // The Cluster client's own queue (commands issued before it knows the slots) is off too.
    enableOfflineQueue: false,
    clusterRetryStrategy: backoff,
    // Per-shard connections: ioredis opens them itself with its own offline queue (it sets
    // enableOfflineQueue and retryStrategy for them), so a command can wait while its shard's
    // connection opens; `commandTimeout` still fails it after the bound, and receivers drop
    // whatever Redis delivers stale.
    redisOptions: { ...withoutQueueAndRetry(options), connectionName: `roomcast:${nodeId}:${name}` },
    ...extra,
  });
  return {
    cmd: cluster('cmd', { enableAutoPipelining: true }),
    // One subscriber per shard (SSUBSCRIBE goes to the shard that owns the channel's slot),
    // resubscribed by ioredis when the slots move.
    sub: cluster('sub', { shardedSubscribers: true }),
  };
}

/**
 * The health check's probe: PING the Redis, or every primary of a Redis Cluster (a shard that does
 * not answer makes the whole bus `down`, like a single Redis: its rooms could not claim, publish
 * or resync). Rejects if any does not answer within the command timeout.
 */
export async function pingAll(client: RedisClient): Promise<void> {
  if (client instanceof Cluster) {
    const primaries = client.nodes('master');
    if (primaries.length === 0) throw new Error('no Redis Cluster primary known');
    await Promise.all(primaries.map((node) => node.ping()));
  } else await client.ping();
}
