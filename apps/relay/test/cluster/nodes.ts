// Cluster test fixture: one real redis-server per test file, relay nodes started in this process
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

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface ClusterFixture {
  readonly redis: RedisServer;
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

export function useCluster(defaults: Partial<Config> = {}): ClusterFixture {
  let redis: RedisServer | undefined;
  const nodes: RelayServer[] = [];
  const clients: (RawClient | RawTcpClient)[] = [];
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
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
    async process(nodeId, leaseTtlMs) {
      if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (pnpm build, or the root pnpm test)`);
      const child = spawn(process.execPath, [MAIN], {
        env: {
          PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', TCP_PORT: 'off', LOG_LEVEL: 'info',
          REDIS_URL: this.redis.url, RELAY_NODE_ID: nodeId, RELAY_LEASE_TTL_MS: String(leaseTtlMs),
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
}
