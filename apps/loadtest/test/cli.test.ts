// The CLI as a user runs it (a child process of the built dist/cli.js): exit codes and messages
// when nothing listens, when the upgrade is refused, when the relay stops mid-run, when
// thresholds pass or fail, and --help.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeServerFrame, encodeControl, PROTOCOL_VERSION } from '@roomcast/protocol';
import WebSocket from 'ws';
import { freePort } from '../../../scripts/ports.mjs';
import { startLocalRelay, useLocalRelay } from './relay.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

interface Run { code: number | null; stdout: string; stderr: string; ms: number }

/** Runs the CLI to its end (killed after 60 s: every run here is bounded far below that). */
function cli(args: string[]): Promise<Run> {
  if (!existsSync(CLI)) throw new Error('apps/loadtest/dist/cli.js is missing: build first (`pnpm test` from the repository root builds)');
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(killer);
    resolve({ code, stdout, stderr, ms: performance.now() - t0 });
  }));
}

/** Joins `room` with a raw WebSocket client and resolves at its first deliver frame. */
function firstDeliver(url: string, room: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => ws.send(encodeControl({ type: 'hello', id: 1, v: PROTOCOL_VERSION })));
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const d = decodeServerFrame(data);
      if (!d.ok) return reject(new Error(d.error.message));
      if (d.frame.kind === 'deliver') {
        ws.terminate();
        resolve();
      } else if (d.frame.kind === 'control' && d.frame.message.type === 'welcome') {
        ws.send(encodeControl({ type: 'join', id: 2, room }));
      }
    });
  });
}

const relay = useLocalRelay();

/** A short run against the in-process relay: 2 rooms of 3, every receiver a latency probe. */
const small = ['--rooms', '2', '--per-room', '3', '--hz', '20', '--seconds', '0.5', '--warmup', '0', '--workers', '0', '--probe-ratio', '1', '--drain-ms', '1000'];

describe('roomcast-loadtest exit codes and messages', { timeout: 60_000 }, () => {
  it('nothing listening: exit 3 at once, naming the address', async () => {
    const port = await freePort();
    // --seconds 30: the old behaviour (load nothing for the whole window, exit 0) would take > 30 s.
    const r = await cli(['--url', `ws://127.0.0.1:${port}/ws`, '--seconds', '30']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`Nothing listens at 127.0.0.1:${port}: connection refused.`);
    expect(r.stderr).toMatch(/^roomcast-loadtest: no load: all \d+ connection attempts failed \(connect_refused: \d+\); the other \d+ clients were not tried\.\n/);
    expect(r.ms).toBeLessThan(20_000);
  });

  it('a wrong path on a real relay: exit 3 with the HTTP status and the URL', async () => {
    const url = relay.wsUrl.replace(/\/ws$/, '/wrong');
    const r = await cli(['--url', url, ...small]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`The server answered the WebSocket upgrade with HTTP 404 at ${url}`);
    expect(r.stderr).toMatch(/\(http_404: 6\)/);
  });

  it('thresholds that hold: exit 0, listed as ok in the summary', async () => {
    const r = await cli(['--url', relay.wsUrl, ...small, '--threshold', 'ratio>0', '--threshold', 'p99>=0', '--threshold', 'errors<1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^thresholds\s+all 3 passed$/m);
    expect(r.stdout).toMatch(/^\s+ok {5}ratio>0 \(ratio = [0-9.]+\)$/m);
    expect(r.stdout).toMatch(/^\s+ok {5}p99>=0 \(p99 = [0-9.]+ ms\)$/m);
    expect(r.stdout).toMatch(/^\s+ok {5}errors<1 \(errors = 0\)$/m);
  });

  it('a threshold that fails: exit 99, listed in the summary and on stderr', async () => {
    const r = await cli(['--url', relay.wsUrl, ...small, '--threshold', 'ratio>0', '--threshold', 'p99<0']);
    expect(r.code).toBe(99);
    expect(r.stdout).toMatch(/^thresholds\s+1 of 2 FAILED$/m);
    expect(r.stdout).toMatch(/^\s+FAILED p99<0 \(p99 = [0-9.]+ ms\)$/m);
    expect(r.stderr).toBe('roomcast-loadtest: 1 of 2 thresholds failed: p99<0\n');
  });

  it('the relay stops mid-run: exit 3 at once, the summary still printed', async () => {
    const doomed = await startLocalRelay();
    // --seconds 30: without the early stop the run would wait out the whole window.
    const run = cli(['--url', doomed.wsUrl, ...small, '--seconds', '30']);
    // A member of the load tester's first room sees its traffic: the load is running. Then stop.
    await firstDeliver(doomed.wsUrl, 'lt-1-0');
    await doomed.close();
    const r = await run;
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^clients\s+6 in 2 rooms of 3; connected 6, failed 0, lost 6$/m);
    expect(r.stdout).toMatch(/^errors\s+closed_1001: 6$/m);
    expect(r.stderr).toBe('roomcast-loadtest: no load: all 6 connections were closed during the run; the figures cover only the time before (closed_1001: 6)\n');
    expect(r.ms).toBeLessThan(25_000);
  });

  it('--help: stdout, no prefix, exit 0, exit codes and threshold metrics documented', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith('Usage: roomcast-loadtest [options]\n')).toBe(true);
    expect(r.stdout).toContain('report CPU% and RSS');
    expect(r.stdout).not.toContain('%%');
    expect(r.stdout).toMatch(/^ {2}99 {2}a --threshold failed/m);
    expect(r.stdout).toMatch(/^ {2}staleness_p99 +staleness p99/m);
  });

  it('bad options: exit 2 with the option named', async () => {
    const r = await cli(['--threshold', 'p99=1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^roomcast-loadtest: option '--threshold <expr>' argument 'p99=1' is invalid\./);
  });
});
