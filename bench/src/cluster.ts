// Relay clusters for the bench and the soak (issue 15): a redis-server on a free loopback port (no
// persistence) and N relay processes joined to it (REDIS_URL), or one relay without Redis (the
// single-node baseline). Each is its own process, so /proc gives every relay's and Redis's CPU.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../scripts/ports.mjs';
import { requireTool } from '../../scripts/provision.mjs';
import { startServer, type ServerProc } from './servers.js';

export interface RedisProc {
  pid: number;
  port: number;
  url: string;
  /** A client for inspecting keys and memory (commands time out after 2 s). */
  client: Redis;
  stop(): Promise<void>;
}

/** Starts redis-server on a free loopback port and waits until it answers (at most `timeoutMs`). */
export async function startRedis(timeoutMs = 5000): Promise<RedisProc> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'roomcast-bench-redis-'));
  const child: ChildProcess = spawn(requireTool('redis-server'), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, commandTimeout: 2000, retryStrategy: () => null });
  client.on('error', () => {});
  const stop = async (): Promise<void> => {
    client.disconnect();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.connect();
      await client.ping();
      return { pid: child.pid!, port, url, client, stop };
    } catch (err) {
      client.disconnect();
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`redis-server did not answer within ${timeoutMs} ms (${(err as Error).message})`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export interface ClusterProc {
  /** undefined for a single relay without Redis. */
  redis: RedisProc | undefined;
  nodes: ServerProc[];
  /** The load tester's --url: the nodes' WebSocket URLs, comma-separated (clients alternate). */
  url: string;
  stop(): Promise<void>;
}

/** A relay process joined to `redis` as node `id`. */
export function startRelayNode(redis: RedisProc, id: string, env: Record<string, string> = {}, tcp = false): Promise<ServerProc> {
  return startServer('roomcast', 15_000, { ...env, REDIS_URL: redis.url, RELAY_NODE_ID: id }, tcp);
}

/**
 * `nodes` relay processes sharing one new redis-server, or (nodes = 1) one relay without Redis.
 * `env` is added to every relay's environment.
 */
export async function startCluster(nodes: number, env: Record<string, string> = {}, tcp = false): Promise<ClusterProc> {
  const redis = nodes > 1 ? await startRedis() : undefined;
  const started: ServerProc[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((n) => n.stop()));
    await redis?.stop();
  };
  try {
    for (let i = 0; i < nodes; i++) {
      started.push(redis === undefined ? await startServer('roomcast', 15_000, env, tcp) : await startRelayNode(redis, `bench-${i + 1}`, env, tcp));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { redis, nodes: started, url: started.map((n) => n.url).join(','), stop };
}
