// A real redis-server for cluster tests: started on a free loopback port (no persistence), killed
// after. The program comes from scripts/provision.mjs (the test command installs it on a fresh
// machine; REDIS_SERVER_PATH overrides the PATH search).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '../../../../scripts/provision.mjs';
import { freePort } from '../../../../scripts/ports.mjs';

export { freePort };

/** Sends one inline command and resolves with the raw reply (enough for PING, DBSIZE, KEYS). */
export function redisCommand(port: number, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis ${command}: no reply within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
      if (isComplete(reply)) {
        clearTimeout(timer);
        socket.end();
        resolve(reply);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Whether a reply is complete: a one-line reply, or an array of bulk strings with all its items. */
function isComplete(reply: string): boolean {
  if (!reply.endsWith('\r\n')) return false;
  if (!reply.startsWith('*')) return true;
  const lines = reply.split('\r\n');
  const n = Number(lines[0]!.slice(1));
  return n <= 0 || lines.length - 2 >= 2 * n;
}

export class RedisServer {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'roomcast-redis-'));

  /** `extraArgs`: more redis-server options (e.g. cluster mode, redis-cluster.ts). */
  private constructor(readonly port: number, private readonly extraArgs: readonly string[]) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  static async start(extraArgs: readonly string[] = []): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), extraArgs);
    await server.spawn();
    return server;
  }

  /** Starts redis-server (again) on this port and waits until it answers PING (at most 5 s). */
  async spawn(): Promise<void> {
    const child = spawn(requireTool('redis-server'), [
      '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, ...this.extraArgs,
    ], { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      try {
        if ((await redisCommand(this.port, 'PING', 500)).startsWith('+PONG')) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis-server did not answer PING within 5 s');
  }

  /** Sends a signal (SIGSTOP, SIGCONT, SIGKILL); waits for the exit after SIGKILL. */
  async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = signal === 'SIGKILL' ? new Promise((r) => child.once('exit', r)) : undefined;
    child.kill(signal);
    await exited;
  }

  /** Keys whose name matches `pattern` (KEYS: fine on a test server with a few keys). */
  async keys(pattern = '*'): Promise<string[]> {
    const reply = await redisCommand(this.port, `KEYS ${pattern}`);
    return reply.split('\r\n').filter((line, i) => i > 0 && i % 2 === 0 && line !== '');
  }

  async stop(): Promise<void> {
    await this.signal('SIGCONT');
    await this.signal('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
