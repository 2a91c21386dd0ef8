// Cluster test fixture: one real redis-server per test file (or, with `shards`, a real Redis
// Cluster of that many redis-servers, redis-cluster.ts), relay nodes started in this process
// (each its own uWS app, TCP listener and bus) or as separate processes (to be killed with
// SIGKILL), and raw clients, all torn down after each test.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import type { Config, RelayServer } from '../../src/index.js';
import { SECRET, hmacKey, sign } from '../auth/tokens.js';
import { RawClient, startTestRelay } from '../helpers.js';
import { RawTcpClient } from '../tcp-helpers.js';
import { RedisServer, redisCommand } from './redis.js';
import { RedisCluster } from './redis-cluster.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** A sequence number as a 4-byte payload (little-endian), and back: per-sender order checks. */
export const seq = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
export const readSeq = (payload: Uint8Array): number => new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true);

/** Waits until every node knows every member of `room` (local plus remote = `total`). */
export async function settled(nodes: RelayServer[], room: string, total: number): Promise<void> {
  await vi.waitFor(() => {
    for (const node of nodes) {
      const r = node.relay.rooms.get(room);
      expect((r?.size ?? 0) + (r?.remote.size ?? 0)).toBe(total);
    }
  }, { timeout: 5000, interval: 20 });
}

/** The server API key of `useCluster` nodes (RELAY_API_KEYS) and the JWT secret they verify tokens with. */
export const API_KEY = 'cluster-key-0123456789abcdefghij';
export const JWT_SECRET = SECRET;

/** One server API call to a node (`httpUrl`); the status and the JSON answer (read field by field by tests). */
// biome-ignore lint/suspicious/noExplicitAny: tests read the answers' fields directly
export async function api(httpUrl: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${API_KEY}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${httpUrl}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

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
  /**
   * A WebSocket client of `node` welcomed with an HS256 token signed with JWT_SECRET (`claims`
   * over sub "ada", every room, an hour; the node needs `jwtSecret: JWT_SECRET`).
   */
  signedIn(node: RelayServer | string, claims?: Record<string, unknown>): Promise<RawClient>;
  /** A relay process (the built dist/main.js, TCP off) joined to the test's Redis, and its HTTP port; `env` adds variables. */
  process(nodeId: string, leaseTtlMs: number, env?: Record<string, string>): Promise<{ child: ChildProcess; port: number }>;
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
    async signedIn(node, claims = {}) {
      const token = await sign(hmacKey(JWT_SECRET), 'HS256', { rooms: ['*'], exp: Math.floor(Date.now() / 1000) + 3600, ...claims });
      const c = await RawClient.connect(typeof node === 'string' ? node : node.wsUrl);
      clients.push(c);
      const welcome = await c.requestAny({ type: 'hello', v: 2, client: 'cluster-test', token });
      if (welcome.type !== 'welcome') throw new Error(`not welcomed: ${JSON.stringify(welcome)}`);
      return c;
    },
    async process(nodeId, leaseTtlMs, env = {}) {
      if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (pnpm build, or the root pnpm test)`);
      const child = spawn(process.execPath, [MAIN], {
        env: {
          PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', TCP_PORT: 'off', LOG_LEVEL: 'info',
          ...(redisCluster !== undefined ? { REDIS_CLUSTER_NODES: redisCluster.nodes.map((n) => `${n.host}:${n.port}`).join(',') } : { REDIS_URL: this.redis.url }),
          RELAY_NODE_ID: nodeId, RELAY_LEASE_TTL_MS: String(leaseTtlMs), ...env,
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
