// One short run against a real relay started in-process (no speed assertions: only that the
// pipeline counts, measures and reports).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type Options } from '../src/args.js';
import { renderHtml } from '../src/html.js';
import { REQUIRED_FIELDS, summaryTable } from '../src/report.js';
import { runLoadTest } from '../src/run.js';
import { useLocalRelay } from './relay.js';

const relay = useLocalRelay();

const small = (o: Partial<Options> = {}): Options => ({
  ...DEFAULTS, url: relay.wsUrl, rooms: 2, perRoom: 3, hz: 20, cursor: true, seconds: 1, warmup: 0.2, workers: 0,
  probeRatio: 1, drainMs: 1000, quiet: true, serverPid: process.pid, ...o,
});

describe('load tester against an in-process relay', () => {
  it('delivers reliable cursors and reports every required JSON field', async () => {
    const r = await runLoadTest(small());
    const json = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
    for (const f of REQUIRED_FIELDS) expect(json, f).toHaveProperty(f);
    expect(Object.keys(r.latency_ms!)).toEqual(['p50', 'p90', 'p95', 'p99', 'p999', 'max']);
    expect(r.clients).toBe(6);
    expect(r.connected).toBe(6);
    expect(r.sent).toBeGreaterThan(0);
    expect(r.expected).toBe(r.sent * 2);
    expect(r.delivered).toBeGreaterThan(0);
    expect(r.staleness_ms).toBeNull();
    // 2 bytes WebSocket header + 6 deliver header + 8 cursor payload, plus rare control frames.
    expect(r.payload_bytes_per_delivered).toBe(8);
    expect(r.wire_bytes_per_delivered).toBeGreaterThanOrEqual(16);
    expect(r.server_cpu_pct).not.toBeNull();
    expect(r.errors).toEqual({});
    expect(summaryTable(r)).toContain('delivered ratio');
    const html = renderHtml(r);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|https?:\/\/cdn/);
    expect(html).toContain('aria-label="throughput over time"');
    expect(html).toContain('aria-label="latency histogram"');
    expect(html).not.toContain('staleness histogram');
    expect(html).toContain('<details><summary>All figures (JSON, as written by --json)</summary><pre>{');
    expect(r.staleness_histogram).toBeNull();
    expect(r.thresholds).toEqual([]);
  });

  it('counts latest values from batch frames, without the receiver\'s own entry', async () => {
    const r = await runLoadTest(small({ cls: 'latest', seconds: 1 }));
    expect(r.errors).toEqual({});
    expect(r.delivered).toBeGreaterThan(0);
    // Merging can only lose updates: never more deliveries than sends x other members (own entries skipped).
    expect(r.delivered).toBeLessThanOrEqual(r.expected);
    expect(r.payload_bytes_per_delivered).toBe(8);
    expect(r.wire_overhead_bytes_per_delivered).toBeCloseTo(r.wire_bytes_per_delivered! - 8, 2);
    expect(r.data_frames_rx).toBeGreaterThan(0);
    expect(r.receivers).toBe(6);
    expect(r.wire_bytes_per_receiver_per_sec).toBeGreaterThan(0);
    expect(r.staleness_ms).not.toBeNull();
    expect(r.staleness_samples).toBeGreaterThan(0);
    expect(r.value_age_ms!.p50).toBeGreaterThanOrEqual(r.staleness_ms!.p50);
    // Equal-width buckets from 0 holding every staleness sample; charted for class latest.
    const sh = r.staleness_histogram!;
    expect(sh.reduce((a, b) => a + b.count, 0)).toBe(r.staleness_samples);
    expect(sh.map((b, i) => b.up_to_ms / (i + 1)).every((w) => Math.abs(w - sh[0]!.up_to_ms) < 1e-6)).toBe(true);
    expect(renderHtml(r)).toContain('aria-label="staleness histogram"');
  });

  it('measures 3-byte cursors without timestamps (--cursor3): bytes only', async () => {
    const r = await runLoadTest(small({ cls: 'latest', cursor3: true, seconds: 1 }));
    expect(r.errors).toEqual({});
    expect(r.delivered).toBeGreaterThan(0);
    expect(r.payload_bytes_per_delivered).toBe(3);
    expect(r.staleness_ms).toBeNull();
    expect(r.latency_ms).toBeNull();
  });

  const built = existsSync(fileURLToPath(new URL('../dist/worker.js', import.meta.url)));
  it('runs clients in a worker thread (built load tester)', async () => {
    if (!built) throw new Error('apps/loadtest/dist/worker.js is missing: build first (`pnpm test` from the repository root builds, or `npx tsc -p tsconfig.build.json` in apps/loadtest)');
    const r = await runLoadTest(small({ workers: 2, seconds: 0.5, saturate: true, maxSteps: 2, stepFactor: 2, budgetMs: 10_000 }));
    expect(r.connected).toBe(6);
    expect(r.saturation!.steps.length).toBeGreaterThanOrEqual(1);
  });
});
