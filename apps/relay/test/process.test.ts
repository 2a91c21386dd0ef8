// The relay as a process (dist/main.js, built by the root test command): native uWS check,
// config validation, exclusive port, SIGTERM. These spawn real processes on loopback ports.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nativeUwsBinary } from '../src/index.js';
import { RawClient, startTestRelay } from './helpers.js';
import { Receiver, WEBHOOK_SECRET } from './webhook-receiver.js';
import { freePort } from '../../../scripts/ports.mjs';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];

function run(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; exited: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'info', TCP_PORT: '0', ...env } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, exited };
}

/** Resolves with the port once the relay logs that it listens. */
function listeningPort(child: ChildProcessWithoutNullStreams): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (const line of buffer.split('\n')) {
        if (line.includes('relay listening')) resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.on('exit', (code) => reject(new Error(`relay exited with ${code} before listening`)));
  });
}

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run the build first (pnpm build, or the root pnpm test)`);
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('relay process', () => {
  it('runs on the native uWebSockets.js binary', () => {
    const binary = nativeUwsBinary();
    expect(binary).toMatch(/uws_linux_x64_\d+\.node$/);
  });

  it('refuses to start when uWebSockets.js falls back to JavaScript', async () => {
    const { exited } = run({ PORT: '0', UWS_USE_FALLBACK: '1' });
    const result = await exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('native uWebSockets.js binary did not load');
    // What runs where: this runtime, the build's Node range, and why newer uWS is not used.
    expect(result.stderr).toContain(`You run Node ${process.version} (ABI ${process.versions.modules}) on linux-x64 with glibc `);
    expect(result.stderr).toContain('binaries for Node 16, 18 and 20');
    expect(result.stderr).toContain('Current uWS releases for Node 22/24 need glibc >= 2.38');
  });

  it('stops with a message naming a bad setting', async () => {
    const { exited } = run({ PORT: '0', RELAY_MAX_PAYLOAD_BYTES: 'lots', RELAY_IDLE_TIMEOUT_SEC: '3' });
    const result = await exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('RELAY_MAX_PAYLOAD_BYTES');
    expect(result.stderr).toContain('"lots"');
    expect(result.stderr).toContain('RELAY_IDLE_TIMEOUT_SEC must be 0 (disabled) or at least 8 seconds');
  });

  it('fails clearly when the port is already taken (exclusive listen)', async () => {
    const first = await startTestRelay();
    try {
      const { exited } = run({ PORT: String(first.port) });
      const result = await exited;
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`could not listen on 127.0.0.1:${first.port}`);
    } finally {
      await first.close();
    }
  });

  it('on SIGTERM closes clients with 1001 and exits 0; a restart on the same port works', async () => {
    // An explicit port, as in production (Linux refuses to rebind a port first chosen by
    // bind(0) while its closed connections sit in TIME_WAIT; a configured port rebinds fine).
    const port = await freePort();
    const first = run({ PORT: String(port) });
    expect(await listeningPort(first.child)).toBe(port);
    const url = `ws://127.0.0.1:${port}/ws`;
    const a = await RawClient.open(url);
    await a.join('drain');
    first.child.kill('SIGTERM');
    expect((await a.closed).code).toBe(1001);
    const result = await first.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('shutting down');

    const second = run({ PORT: String(port) });
    const secondPort = await listeningPort(second.child).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${(await second.exited).stderr}`);
    });
    expect(secondPort).toBe(port);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('on SIGTERM sends the webhook events still queued (the members\' last ones included), then exits 0', async () => {
    const receiver = new Receiver(() => 204);
    const hooks = await receiver.listen();
    try {
      // A batch window longer than the test: only the shutdown's flush sends anything.
      const relay = run({ PORT: '0', RELAY_WEBHOOK_URL: hooks, RELAY_WEBHOOK_SECRET: WEBHOOK_SECRET, RELAY_WEBHOOK_BATCH_MS: '60000' });
      const port = await listeningPort(relay.child);
      const a = await RawClient.open(`ws://127.0.0.1:${port}/ws`);
      await a.join('final');
      expect(receiver.requests).toHaveLength(0);
      relay.child.kill('SIGTERM');
      const result = await relay.exited;
      expect(result.code).toBe(0);
      expect(receiver.allEvents().map((e) => `${e.type} ${e.reason ?? ''}`.trim())).toEqual([
        'room.created', 'member.joined', 'member.left disconnected', 'room.closed',
      ]);
      expect(result.stdout).toContain('webhook queue flushed at shutdown');
    } finally {
      await receiver.close();
    }
  });
});
