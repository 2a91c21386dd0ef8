// Cluster test fixture: one real redis-server per test file (or, with `shards`, a real Redis
// Cluster of that many redis-servers, redis-cluster.ts), relay nodes started in this process
// (each its own uWS app, TCP listener and bus) or as separate processes (to be killed with
// SIGKILL), and raw clients, all torn down after each test.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Config, RelayServer } from '../../src/index.js';
import { RawClient, startTestRelay } from '../helpers.js';
import { RawTcpClient } from '../tcp-helpers.js';
import { RedisServer, redisCommand } from './redis.js';
import { RedisCluster } from './redis-cluster.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface ClusterFixture {
  /** The single redis-server (not with `shards`). */
  readonly redis: RedisServer;
  /** The Redis Cluster (only with `shards`). */
  readonly redisCluster: RedisCluster;
  /** Starts a relay node joined to the test's Redis. */
  node(nodeId: string, overrides?: Partial<Config>): Promise<RelayServer>;
  /** A WebSocket client of `node` that completed the handshake. */
  ws(node: RelayServer): Promise<RawClient>;
  /** A WebSocket client of `node` that has not sent hello (e.g. to send a token). */
  connect(node: RelayServer): Promise<RawClient>;
  tcp(node: RelayServer): Promise<RawTcpClient>;
  /** A relay process (the built dist/main.js, TCP off) joined to the test's Redis, and its HTTP port. */
  process(nodeId: string, leaseTtlMs: number): Promise<{ child: ChildProcess; port: number }>;
}

/** `shards`: run the relays on a Redis Cluster of that many shards (REDIS_CLUSTER_NODES) instead of one redis-server. */
export function useCluster(defaults: Partial<Config> = {}, { shards }: { shards?: number } = {}): ClusterFixture {
  let redis: RedisServer | undefined;
  let redisCluster: RedisCluster | undefined;
  const target = (): Partial<Config> => (redisCluster !== undefined ? { redisUrl: '', redisClusterNodes: redisCluster.nodes } : { redisUrl: fixture.redis.url });
  const nodes: RelayServer[] = [];
  const clients: (RawClient | RawTcpClient)[] = [];
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    if (shards === undefined) redis = await RedisServer.start();
    else redisCluster = await RedisCluster.start(shards);
  }, 30_000);
  afterAll(async () => {
    await redis?.stop();
    await redisCluster?.stop();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const c of clients.splice(0)) {
      if (c instanceof RawClient) c.ws.terminate();
      else c.socket.destroy();
    }
    await Promise.all(nodes.splice(0).map((n) => n.close()));
    await redis?.signal('SIGCONT');
    if (redis !== undefined) await redisCommand(redis.port, 'FLUSHALL').catch(() => undefined);
    await redisCluster?.flush();
  });
  const fixture: ClusterFixture = {
    get redis(): RedisServer {
      if (redis === undefined) throw new Error('redis-server not started (a Redis Cluster fixture has redisCluster instead)');
      return redis;
    },
    get redisCluster(): RedisCluster {
      if (redisCluster === undefined) throw new Error('no Redis Cluster: useCluster(defaults, { shards: 3 })');
      return redisCluster;
    },
    async node(nodeId, overrides = {}) {
      const node = await startTestRelay({ ...target(), nodeId, leaseTtlMs: 2000, ...defaults, ...overrides });
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
    async process(nodeId, leaseTtlMs) {
      if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (pnpm build, or the root pnpm test)`);
      const child = spawn(process.execPath, [MAIN], {
        env: {
          PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', TCP_PORT: 'off', LOG_LEVEL: 'info',
          ...(redisCluster !== undefined ? { REDIS_CLUSTER_NODES: redisCluster.nodes.map((n) => `${n.host}:${n.port}`).join(',') } : { REDIS_URL: this.redis.url }),
          RELAY_NODE_ID: nodeId, RELAY_LEASE_TTL_MS: String(leaseTtlMs),
        },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      children.push(child);
      const port = await new Promise<number>((resolve, reject) => {
        let buffer = '';
        child.stdout!.on('data', (d: Buffer) => {
          buffer += d.toString();
          for (const line of buffer.split('\n')) if (line.includes('relay listening')) resolve((JSON.parse(line) as { port: number }).port);
        });
        child.on('exit', (code) => reject(new Error(`relay ${nodeId} exited with ${code} before listening`)));
      });
      return { child, port };
    },
  };
  return fixture;
}
