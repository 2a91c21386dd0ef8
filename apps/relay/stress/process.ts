// The relay as a child process (the built dist/main.js) for the stress runs: its port from the
// "listening" log line, its CPU time from /proc, and a stop that waits for the exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface RelayProcess {
  pid: number;
  port: number;
  tcpPort: number | undefined;
  wsUrl: string;
  /** CPU seconds (user + system) the process used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * Starts the relay with `env` on top of quiet defaults. `shell` wraps the command (for
 * `ulimit -n N; exec node …`).
 */
export function startRelayProcess(env: Record<string, string>, options: { openFiles?: number } = {}): Promise<RelayProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run pnpm build first (pnpm stress does)`);
  const childEnv = { ...process.env, HOST: '127.0.0.1', PORT: '0', TCP_PORT: '0', LOG_LEVEL: 'info', RELAY_STATIC_DIR: '', ...env };
  const child: ChildProcess = options.openFiles === undefined
    ? spawn(process.execPath, [MAIN], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('bash', ['-c', `ulimit -n ${options.openFiles} && exec "${process.execPath}" "${MAIN}"`], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  return new Promise((resolve, reject) => {
    let buf = '';
    let started = false;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`relay did not start: ${stderr}`)); }, 15_000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`relay exited with ${code}: ${stderr}`)); });
    child.stdout!.on('data', (d: Buffer) => {
      if (started) return; // later log lines are not read
      buf += d.toString();
      for (const line of buf.split('\n')) {
        let v: { port?: number; tcpPort?: number; msg?: string };
        try { v = JSON.parse(line); } catch { continue; }
        if (typeof v.port === 'number' && v.msg?.includes('listening')) {
          started = true;
          clearTimeout(timer);
          child.removeAllListeners('exit');
          const pid = child.pid!;
          const exited = new Promise<void>((r) => child.once('exit', () => r()));
          resolve({
            pid, port: v.port, tcpPort: v.tcpPort, wsUrl: `ws://127.0.0.1:${v.port}/ws`,
            cpuSeconds: () => {
              const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
              return (Number(fields[11]) + Number(fields[12])) / 100;
            },
            stop: async () => { child.kill('SIGTERM'); await exited; },
          });
          return;
        }
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
  });
}

/** p-th percentile (0..100) of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
