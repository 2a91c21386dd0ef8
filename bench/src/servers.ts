// Starts each server under test as its own child process on 127.0.0.1 (port 0), so its CPU and
// memory can be read from /proc/<pid>, and stops it afterwards.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TargetKind } from '@roomcast/loadtest';

export const SERVER_KINDS = ['roomcast', 'uws', 'ws', 'socketio'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Relay settings for benchmarks: limits that would otherwise throttle the load itself. */
export const RELAY_BENCH_ENV: Record<string, string> = {
  LOG_LEVEL: 'warn', RELAY_STATIC_DIR: '', TCP_PORT: 'off', RELAY_MAX_MESSAGES_PER_SEC: '1000000', RELAY_BURST_MESSAGES: '10000000',
  // Every load connection comes from 127.0.0.1: the per-address admission limits would refuse most of
  // them. 127.0.0.1 is exempt by default (RELAY_IP_LIMIT_EXEMPT); set explicitly so a bench does
  // not depend on that default.
  RELAY_MAX_CONNECTIONS_PER_IP: '0', RELAY_CONNECT_RATE_PER_IP: '0',
};

export interface ServerProc {
  kind: ServerKind;
  pid: number;
  port: number;
  url: string;
  /** tcp://127.0.0.1:port of the relay's raw TCP listener, when started with `tcp`. */
  tcpUrl: string | undefined;
  target: TargetKind;
  stop(): Promise<void>;
}

/** Node flags the relay ships with (`pnpm start`, the Dockerfile, the systemd unit): apps/relay/README.md#memory. */
export const RELAY_NODE_FLAGS = ['--max-semi-space-size=4'];

export function serverCommand(kind: ServerKind): { script: string; env: Record<string, string>; nodeFlags: string[] } {
  if (kind === 'roomcast') return { script: `${REPO_ROOT}apps/relay/dist/main.js`, env: { HOST: '127.0.0.1', PORT: '0', ...RELAY_BENCH_ENV, LOG_LEVEL: 'info' }, nodeFlags: RELAY_NODE_FLAGS };
  // Next to this file when built; from the sources (tests), the built copy in ../dist.
  const here = fileURLToPath(new URL(`./servers/${kind}.js`, import.meta.url));
  const script = existsSync(here) ? here : fileURLToPath(new URL(`../dist/servers/${kind}.js`, import.meta.url));
  return { script, env: { PORT: '0' }, nodeFlags: [] };
}

/** Sets the CPUs every thread of this process may run on (taskset); threads started later inherit it. */
export function pinSelf(cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
}

/** Reads the listening port from a server's stdout line (baselines: {"listening":N}; relay: its pino log line). */
export function parsePortLine(line: string): number | undefined {
  return parseListenLine(line)?.port;
}

/** The ports of a server's "listening" line: HTTP/WebSocket, and the relay's raw TCP port if it has one. */
export function parseListenLine(line: string): { port: number; tcpPort: number | undefined } | undefined {
  try {
    const v = JSON.parse(line) as { listening?: number; port?: number; tcpPort?: number; msg?: string };
    if (typeof v.listening === 'number') return { port: v.listening, tcpPort: undefined };
    if (typeof v.port === 'number' && typeof v.msg === 'string' && v.msg.includes('listening')) {
      return { port: v.port, tcpPort: typeof v.tcpPort === 'number' ? v.tcpPort : undefined };
    }
  } catch { /* not JSON */ }
  return undefined;
}

/**
 * Starts a server process. `tcp` (relay only) also opens the relay's raw TCP listener on a free
 * port (TCP_PORT=0); otherwise TCP_PORT stays off whatever extraEnv says (it defaults to 8081).
 */
export function startServer(kind: ServerKind, timeoutMs = 15_000, extraEnv: Record<string, string> = {}, tcp = false, cpu?: number): Promise<ServerProc> {
  const { script, env, nodeFlags } = serverCommand(kind);
  const childEnv = { ...process.env, ...env, ...extraEnv, ...(kind === 'roomcast' ? { TCP_PORT: tcp ? '0' : 'off' } : {}) };
  // `taskset -c N node …` execs node in place: the pid stays the server's.
  const child: ChildProcess = cpu === undefined
    ? spawn(process.execPath, [...nodeFlags, script], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('taskset', ['-c', String(cpu), process.execPath, ...nodeFlags, script], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  return new Promise<ServerProc>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${kind} server did not start within ${timeoutMs} ms: ${stderr}`)); }, timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${kind} server exited with ${code}: ${stderr}`)); });
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const listen = parseListenLine(line);
        if (listen === undefined) continue;
        const { port, tcpPort } = listen;
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        child.removeAllListeners('exit');
        resolve({
          kind, pid: child.pid!, port,
          url: kind === 'socketio' ? `ws://127.0.0.1:${port}/` : `ws://127.0.0.1:${port}/ws`,
          tcpUrl: tcpPort === undefined ? undefined : `tcp://127.0.0.1:${tcpPort}`,
          target: kind === 'socketio' ? 'socketio' : 'roomcast',
          stop: () => stopChild(child),
        });
        return;
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => { clearTimeout(kill); resolve(); });
    child.kill('SIGTERM');
  });
}
