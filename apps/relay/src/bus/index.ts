// The cluster bus: what server.ts builds when REDIS_URL is set (docs/decisions/0002-cluster.md).
import type { Log } from '../core/log.js';
import type { RedisTarget } from './connection.js';
import { BusLifecycle } from './lifecycle.js';
import { RedisBus } from './redis-bus.js';

export { registerBusMetrics } from './metrics.js';
export type { BusState, RedisBus } from './redis-bus.js';

/** How long start-up may wait for Redis (connect, clean up, register) before the relay gives up. */
export const START_TIMEOUT_MS = 5000;

export interface Bus {
  readonly bus: RedisBus;
  /** Connects and registers this node; rejects when Redis cannot be reached at start-up. */
  start(): Promise<void>;
  /** Releases the lease and disconnects (after the relay closed its members). */
  stop(): Promise<void>;
}

export function createBus(options: { redis: RedisTarget; nodeId: string; leaseTtlMs: number; staleMs: number; maxMembersPerRoom: number; seatGraceMs: number; log: Log }): Bus {
  const bus = new RedisBus(options);
  const lifecycle = new BusLifecycle(bus);
  return {
    bus,
    start: async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const starting = lifecycle.start();
      starting.catch(() => {}); // a start that loses the race below fails on the stopped clients
      try {
        // Bounded: ioredis retries forever while a Redis Cluster answers but is not ready (slots
        // not all assigned), and a relay must not hang at start-up.
        await Promise.race([starting, new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
        })]);
      } catch (err) {
        await lifecycle.stop().catch(() => {});
        // The URL is not echoed: it may hold a password.
        const variable = 'url' in options.redis ? 'REDIS_URL' : 'REDIS_CLUSTER_NODES';
        throw new Error(`${variable}: cannot reach Redis at start-up (${(err as Error).message})`);
      } finally {
        clearTimeout(timer);
      }
    },
    stop: () => lifecycle.stop(),
  };
}
