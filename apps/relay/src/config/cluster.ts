// Relay configuration, part 4 of 5: other relay nodes (Redis), the server API, seats and room lifetimes.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { commaList, int } from './kit.js';

/** Clustering (docs/decisions/0002-cluster.md) and the server API (docs/server-api.md). */
export const clusterEnv = {
  /** Redis 7 (or Valkey) that joins this relay to a cluster: `redis://[user:pass@]host:port[/db]`. Empty: a single in-memory relay, no Redis code runs. */
  REDIS_URL: z.string().default('').refine((v) => v === '' || /^rediss?:\/\/\S+$/.test(v), { error: 'must be a redis:// or rediss:// URL' }),
  /**
   * Seed nodes of a Redis Cluster (`host:port`, comma-separated; any few of its primaries): the
   * relay connects through ioredis's Cluster client and sharded subscribers instead of REDIS_URL.
   */
  REDIS_CLUSTER_NODES: z.string().default('').transform((v, ctx) => {
    const nodes: { host: string; port: number }[] = [];
    for (const item of commaList(v)) {
      const match = /^([A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/.exec(item);
      const port = Number(match?.[2]);
      if (match === null || port < 1 || port > 65535) {
        ctx.addIssue({ code: 'custom', message: `must be host:port items separated by commas (bad item ${JSON.stringify(item)})` });
        return z.NEVER;
      }
      nodes.push({ host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port });
    }
    return nodes;
  }),
  /** This node's id in the cluster (metrics label, lease key). Default: generated at start-up. */
  RELAY_NODE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'must be 1-64 characters of A-Z a-z 0-9 _ . -' })
    .default(() => `node-${randomBytes(4).toString('hex')}`),
  /** How long this node's lease in Redis lives without renewal, in milliseconds; its members vanish from other nodes this long after a crash. */
  RELAY_LEASE_TTL_MS: int(1000, 60_000).default(5000),
  /** A message from another node older than this on arrival is dropped (never delivered late), in milliseconds. */
  RELAY_BUS_STALE_MS: int(100, 60_000).default(1000),

  // ---- server API (docs/server-api.md) -------------------------------------------------
  /** Bearer keys of the HTTP server API under /api/v1 (comma-separated, each at least 24 characters). Empty: the API is off. Never logged. */
  RELAY_API_KEYS: z.string().default('').transform((v, ctx) => {
    const keys = commaList(v);
    const short = keys.findIndex((k) => k.length < 24 || !/^[\x21-\x7e]+$/.test(k));
    if (short >= 0) {
      // The position only: the value itself is a secret.
      ctx.addIssue({ code: 'custom', message: `key ${short + 1} must be at least 24 printable ASCII characters without spaces` });
      return z.NEVER;
    }
    return keys;
  }),

  /** Server API requests per second per key (sustained); above it 429 `rate_limited` with Retry-After. 0: no limit. */
  RELAY_API_RATE_PER_SEC: int(0, 1_000_000).default(200),
  /** Server API requests one key may make at once before RELAY_API_RATE_PER_SEC applies. */
  RELAY_API_BURST: int(1, 1_000_000).default(400),
  /** How long a member whose connection dropped keeps its seat (id, presence, latest values) for a reconnect, in milliseconds. 0: no seats (member_left at once). */
  RELAY_SEAT_GRACE_MS: int(0, 3_600_000).default(0),
  /** How long a room created by the server API may stay empty before nobody joined it, in seconds; then it is closed (webhook room.closed). 0: until closed. */
  RELAY_EMPTY_ROOM_TTL_SEC: int(0, 7 * 24 * 3600).default(600),
  /** Largest room metadata (server API settings), as compact JSON in UTF-8 bytes. */
  RELAY_MAX_ROOM_METADATA_BYTES: int(2, 64 * 1024).default(1024),
};
