// The cluster bus: what server.ts builds when REDIS_URL is set (docs/decisions/0002-cluster.md).
import type { Log } from '../core/log.js';
import { BusLifecycle } from './lifecycle.js';
import { RedisBus } from './redis-bus.js';

export { registerBusMetrics } from './metrics.js';
export type { BusState, RedisBus } from './redis-bus.js';

export interface Bus {
  readonly bus: RedisBus;
  /** Connects and registers this node; rejects when Redis cannot be reached at start-up. */
  start(): Promise<void>;
  /** Releases the lease and disconnects (after the relay closed its members). */
  stop(): Promise<void>;
}

export function createBus(options: { url: string; nodeId: string; leaseTtlMs: number; staleMs: number; maxMembersPerRoom: number; seatGraceMs: number; log: Log }): Bus {
  const bus = new RedisBus(options);
  const lifecycle = new BusLifecycle(bus);
  return {
    bus,
    start: async () => {
      try {
        await lifecycle.start();
      } catch (err) {
        await lifecycle.stop().catch(() => {});
        // The URL is not echoed: it may hold a password.
        throw new Error(`REDIS_URL: cannot reach Redis at start-up (${(err as Error).message})`);
      }
    },
    stop: () => lifecycle.stop(),
  };
}
