// One short bench measurement against a real baseline process (built uWS baseline), no thresholds.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { measureOnce } from '../src/measure.js';
import type { Scenario } from '../src/scenarios.js';

const built = existsSync(fileURLToPath(new URL('../dist/servers/uws.js', import.meta.url)));
const needBuild = (): void => {
  if (!built) throw new Error('bench/dist/servers/*.js is missing: build first (`pnpm test` from the repository root builds, or `npx tsc -p tsconfig.build.json` in bench)');
};

describe('bench smoke run', () => {
  it('drives the bare uWS baseline with the load tester and reads its /proc figures', async () => {
    needBuild();
    const s: Scenario = { name: 'smoke', description: 'smoke', kind: 'traffic', rounds: 1, labels: ['uws'],
      options: { rooms: 2, perRoom: 3, hz: 20, cursor: true, seconds: 1, warmup: 0.2, workers: 0, probeRatio: 1, drainMs: 1000 } };
    const r = await measureOnce(s, 'uws', 0, false);
    expect(r.report.connected).toBe(6);
    expect(r.report.delivered).toBeGreaterThan(0);
    expect(r.report.server_cpu_pct).not.toBeNull();
    expect(r.rss_mb).toBeGreaterThan(0);
    expect(r.wire_bytes_per_delivered).toBeGreaterThanOrEqual(16);
  });

  it('drives the relay over raw TCP (tcp-vs-ws variant: TCP listener on, clients on tcp://)', async () => {
    if (!existsSync(fileURLToPath(new URL('../../apps/relay/dist/main.js', import.meta.url)))) throw new Error('apps/relay/dist is missing: build first');
    const s: Scenario = { name: 'smoke', description: 'smoke', kind: 'traffic', rounds: 1, labels: ['tcp'],
      options: { rooms: 2, perRoom: 3, hz: 20, cursor: true, seconds: 1, warmup: 0.2, workers: 0, probeRatio: 1, drainMs: 1000 },
      variants: { tcp: { server: 'roomcast', transport: 'tcp', tcpListener: true } } };
    const r = await measureOnce(s, 'tcp', 0, false);
    expect(r.report.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(r.report.connected).toBe(6);
    expect(r.report.delivered).toBeGreaterThan(0);
    expect(r.report.errors).toEqual({});
    // 4-byte prefix + 6-byte deliver header + 8-byte cursor.
    expect(r.wire_bytes_per_delivered).toBeGreaterThanOrEqual(18);
  });

  it('drives the Socket.IO baseline through the socketio adapter', async () => {
    needBuild();
    const s: Scenario = { name: 'smoke', description: 'smoke', kind: 'idle', rounds: 1, labels: ['socketio'],
      options: { rooms: 2, perRoom: 3, hz: 20, cursor: true, seconds: 1, warmup: 0.2, workers: 0, probeRatio: 1, drainMs: 1000 } };
    const r = await measureOnce(s, 'socketio', 0, false);
    expect(r.report.connected).toBe(6);
    expect(r.report.delivered).toBeGreaterThan(0);
    expect(r.rss_per_conn_kb).not.toBeNull();
  });
});
