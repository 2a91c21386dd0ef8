// Cluster test fixture: one real redis-server per test file, relay nodes started in this process
// (each its own uWS app, TCP listener and bus) and raw clients, all torn down after each test.
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Config, RelayServer } from '../../src/index.js';
import { RawClient, startTestRelay } from '../helpers.js';
import { RawTcpClient } from '../tcp-helpers.js';
import { RedisServer, redisCommand } from './redis.js';

export interface ClusterFixture {
  readonly redis: RedisServer;
  /** Starts a relay node joined to the test's Redis. */
  node(nodeId: string, overrides?: Partial<Config>): Promise<RelayServer>;
  /** A WebSocket client of `node` that completed the handshake. */
  ws(node: RelayServer): Promise<RawClient>;
  /** A WebSocket client of `node` that has not sent hello (e.g. to send a token). */
  connect(node: RelayServer): Promise<RawClient>;
  tcp(node: RelayServer): Promise<RawTcpClient>;
}

export function useCluster(defaults: Partial<Config> = {}): ClusterFixture {
  let redis: RedisServer | undefined;
  const nodes: RelayServer[] = [];
  const clients: (RawClient | RawTcpClient)[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) {
      if (c instanceof RawClient) c.ws.terminate();
      else c.socket.destroy();
    }
    await Promise.all(nodes.splice(0).map((n) => n.close()));
    await redis?.signal('SIGCONT');
    if (redis !== undefined) await redisCommand(redis.port, 'FLUSHALL').catch(() => undefined);
  });
  return {
    get redis(): RedisServer {
      if (redis === undefined) throw new Error('redis-server not started');
      return redis;
    },
    async node(nodeId, overrides = {}) {
      const node = await startTestRelay({ redisUrl: this.redis.url, nodeId, leaseTtlMs: 2000, ...defaults, ...overrides });
      nodes.push(node);
      return node;
    },
    async ws(node) {
      const c = await RawClient.open(node.wsUrl);
      clients.push(c);
      return c;
    },
    async connect(node) {
      const c = await RawClient.connect(node.wsUrl);
      clients.push(c);
      return c;
    },
    async tcp(node) {
      const c = await RawTcpClient.open(node.tcpPort!);
      clients.push(c);
      return c;
    },
  };
}
