// The cluster scenarios (issue 15): arguments, issue 15's goals from synthetic figures, and one
// short real run of two relay processes sharing a real redis-server (no thresholds on speed).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Report } from '@roomcast/loadtest';
import { counterSum, measureCluster } from '../src/cluster-measure.js';
import { CLUSTER_LATEST, CLUSTER_RELIABLE, clusterGoals, clusterScenarios } from '../src/cluster-scenarios.js';
import { variantOf, type RunResult } from '../src/measure.js';
import { renderMarkdown } from '../src/markdown.js';
import { parseBenchArgs } from '../src/run.js';
import { parseSoakArgs } from '../src/soak-cluster.js';
import type { Label, Scenario } from '../src/scenarios.js';
import { summarise } from '../src/summary.js';

const [reliable, latest] = clusterScenarios(true) as [Scenario, Scenario];

function run(scenario: string, label: Label, round: number, f: Partial<RunResult>): RunResult {
  return {
    scenario, label, round, cpu_us_per_delivered: null, wire_bytes_per_delivered: null, p99_ms: null,
    delivered_per_sec: 1000, delivered_ratio: 1, server_cpu_pct: 10, loadgen_cpu_pct: 20, loadgen_bottleneck: false,
    rss_mb: null, rss_per_conn_kb: null, syscalls_per_delivered: null, saturation_rate: null, errors: {}, report: {} as Report, loadavg_1m: 2, ...f,
  };
}

describe('cluster scenarios', () => {
  it('--cluster runs only the cluster scenarios and writes their own results files', () => {
    const quick = parseBenchArgs(['--', '--cluster', '--quick']);
    expect(quick).toMatchObject({ cluster: true, quick: true, only: [CLUSTER_RELIABLE, CLUSTER_LATEST] });
    expect(quick.md).toMatch(/docs\/benchmarks\.cluster\.quick\.md$/);
    expect(parseBenchArgs(['--cluster']).json).toMatch(/docs\/benchmarks\.cluster\.json$/);
    expect(parseBenchArgs([]).cluster).toBe(false);
  });

  it('pnpm soak:cluster takes --minutes (0.5-30, default 3) and --json', () => {
    expect(parseSoakArgs([])).toEqual({ minutes: 3, json: undefined });
    expect(parseSoakArgs(['--', '--minutes', '0.5', '--json', 'x.json'])).toEqual({ minutes: 0.5, json: 'x.json' });
    expect(() => parseSoakArgs(['--minutes', '31'])).toThrow('bad option --minutes 31');
    expect(() => parseSoakArgs(['--minutes'])).toThrow('bad option --minutes (use');
    expect(() => parseSoakArgs(['--rounds', '2'])).toThrow(/bad option --rounds 2/);
  });

  it('compares one room over two nodes (Redis) with the same room on one relay, same load', () => {
    expect(reliable.labels).toEqual(['one-node', 'one-node-aa', 'two-nodes']);
    expect(variantOf(reliable, 'one-node')).toMatchObject({ server: 'roomcast', nodes: 1 });
    expect(variantOf(reliable, 'two-nodes')).toMatchObject({ server: 'roomcast', nodes: 2 });
    expect(reliable.options).toMatchObject({ rooms: 1, perRoom: 20, cls: 'reliable', hz: 20, seconds: 2 });
    expect(latest.options).toMatchObject({ rooms: 1, perRoom: 20, cls: 'latest', hz: 60, cursor: true });
    expect(variantOf(latest, 'two-nodes').env).toEqual({ RELAY_TICK_HZ: '30' });
    expect(clusterScenarios(false)[0]).toMatchObject({ rounds: 5, options: { seconds: 4 } });
  });

  it('evaluates issue 15\'s goals from paired rounds', () => {
    const rel = (ratios: [number, number]) => summarise(reliable, [0, 1].flatMap((r) => [
      run(CLUSTER_RELIABLE, 'one-node', r, { delivered_ratio: 1, p99_ms: 2, cpu_us_per_delivered: 5 }),
      run(CLUSTER_RELIABLE, 'one-node-aa', r, { delivered_ratio: 1, p99_ms: 2, cpu_us_per_delivered: 5.5 }),
      run(CLUSTER_RELIABLE, 'two-nodes', r, { delivered_ratio: ratios[r]!, p99_ms: 10, cross_node_p99_ms: [30, 150][r]!, cpu_us_per_delivered: 20, redis_cpu_us_per_delivered: 2, redis_cpu_pct: 1.5, bus_lost: 0 }),
    ]));
    const lat = summarise(latest, [0, 1].flatMap((r) => [
      run(CLUSTER_LATEST, 'one-node', r, { wire_bytes_per_delivered: 12, value_age_p99_ms: 50 }),
      run(CLUSTER_LATEST, 'one-node-aa', r, { wire_bytes_per_delivered: 12 }),
      run(CLUSTER_LATEST, 'two-nodes', r, { wire_bytes_per_delivered: [13.5, 13.1][r]!, value_age_p99_ms: 90 }),
    ]));
    const byId = Object.fromEntries(clusterGoals(rel([0.995, 0.999]), lat).map((g) => [g.id, g]));
    expect(Object.keys(byId)).toEqual(['C1', 'C2', 'C3', 'C4', 'C5', 'C6']);
    expect(byId.C1).toMatchObject({ verdict: 'met', target: '≥ 0.99' });
    expect(byId.C1!.measured).toMatch(/^0\.997 \(0\.995-0\.999, n=2\); one node 1 .*load average 2-2 during the runs$/);
    expect(byId.C2!.verdict).toBe('met'); // median of 30 and 150 ms = 90 ms
    expect(byId.C2!.measured).toMatch(/^90 \(30-150, n=2\) ms; one node's p99 2 /);
    expect(byId.C3).toMatchObject({ verdict: 'reported' });
    expect(byId.C3!.measured).toMatch(/^4x \(4-4, n=2\).*A\/A 1\.1x/);
    expect(byId.C4!.measured).toMatch(/^2 \(2-2, n=2\) CPU-µs; 1\.5 /);
    expect(byId.C5!.verdict).toBe('not met'); // 13.5/12 and 13.1/12: median 1.108x > 1.1x
    expect(byId.C5!.measured).toMatch(/^1\.11x \(1\.09-1\.13, n=2\)/);
    expect(byId.C6!.verdict).toBe('reported');
    expect(clusterGoals(rel([0.98, 0.97]), undefined).map((g) => [g.id, g.verdict])).toEqual([
      ['C1', 'not met'], ['C2', 'met'], ['C3', 'reported'], ['C4', 'reported'], ['C5', 'not measured'], ['C6', 'not measured'],
    ]);
    expect(clusterGoals(undefined, undefined)).toEqual([]);
  });

  it('the results file explains the cluster method and lists the load average per label', () => {
    const rel = summarise(reliable, [run(CLUSTER_RELIABLE, 'one-node', 0, { loadavg_1m: 1.5 }), run(CLUSTER_RELIABLE, 'two-nodes', 0, { loadavg_1m: 1.25, cross_node_p99_ms: 4 })]);
    const meta = { command: 'pnpm bench:cluster --quick', quick: true, machine: 'm', startedAt: 't', durationSec: 60, perfSyscalls: false, perfInstructions: false };
    const md = renderMarkdown(meta, [rel], clusterGoals(rel, undefined));
    expect(md).toContain('two relays sharing a fresh redis-server');
    expect(md).not.toContain('roomcast-aa');
    expect(md).toMatch(/\| two-nodes \|.* 4 \|.* 1\.25 \|$/m);
  });
});

describe('a real two-node run', () => {
  it('measures both relays\' and Redis\'s CPU, the cross-node latency and the bus losses', async () => {
    if (!existsSync(fileURLToPath(new URL('../../apps/relay/dist/main.js', import.meta.url)))) throw new Error('apps/relay/dist is missing: build first');
    const s: Scenario = { ...reliable, options: { ...reliable.options, perRoom: 4, seconds: 1, warmup: 0.2, ramp: 200, drainMs: 1000 } };
    const r = await measureCluster(s, 'two-nodes', 0);
    expect(r.report.connected).toBe(4);
    expect(r.report.url.split(',')).toHaveLength(2);
    expect(r.report.delivered).toBeGreaterThan(0);
    expect(r.report.errors).toEqual({});
    expect(r.cross_node_p99_ms).toBeGreaterThan(0);
    expect(r.report.cross_node_latency_ms!.p99).toBe(r.cross_node_p99_ms);
    expect(r.redis_cpu_pct).not.toBeNull();
    expect(r.cpu_us_per_delivered).toBeGreaterThan(0);
    expect(r.bus_lost).toBe(0);
    expect(r.loadavg_1m).toBeGreaterThanOrEqual(0);
    const single = await measureCluster(s, 'one-node', 0);
    expect(single.report.cross_node_latency_ms).toBeNull();
    expect(single.redis_cpu_pct).toBeNull();
    expect(single.bus_lost).toBeNull();
  });

  it('sums a counter family of a Prometheus scrape', () => {
    const text = 'roomcast_bus_dropped_total{reason="down",node="a"} 2\nroomcast_bus_dropped_total{reason="stale",node="a"} 3\nroomcast_bus_gaps_total{node="a"} 1\n# HELP roomcast_bus_dropped_total x\n';
    expect(counterSum(text, 'roomcast_bus_dropped_total')).toBe(5);
    expect(counterSum(text, 'roomcast_bus_gaps_total')).toBe(1);
    expect(counterSum(text, 'roomcast_nope')).toBe(0);
  });
});
