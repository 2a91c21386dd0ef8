// One run of a cluster scenario (issue 15): start the label's relays (one without Redis, or N
// sharing a new redis-server), drive them with the load tester (clients alternate between the
// nodes, so about half of all deliveries cross nodes), and read every relay's and Redis's CPU from
// /proc over the measurement window, the cross-node latency, and the bus's losses from /metrics.
import { readFileSync } from 'node:fs';
import { DEFAULTS, runLoadTest, sampleProc, sig, type Options } from '@roomcast/loadtest';
import { startCluster } from './cluster.js';
import { reportResult, variantOf, type RunResult } from './measure.js';
import type { Label, Scenario } from './scenarios.js';

/** The 1-minute load average now. */
export const loadAverage = (): number => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

const cpuUs = (pids: number[]): number => pids.reduce((sum, pid) => sum + (sampleProc(pid)?.cpuUs ?? 0), 0);

/** Sum of a counter family's samples in a Prometheus text scrape. */
export function counterSum(text: string, name: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

export async function measureCluster(s: Scenario, label: Label, round: number): Promise<RunResult> {
  const variant = variantOf(s, label);
  if (variant.nodes === undefined) throw new Error(`${s.name} ${label}: not a cluster label (no nodes)`);
  const loadavg = loadAverage();
  const cluster = await startCluster(variant.nodes, variant.env);
  try {
    const relays = cluster.nodes.map((n) => n.pid);
    const redis = cluster.redis === undefined ? [] : [cluster.redis.pid];
    let begin = { relay: 0, redis: 0, at: 0 };
    let end = begin;
    const sample = () => ({ relay: cpuUs(relays), redis: cpuUs(redis), at: performance.now() });
    const options: Options = { ...DEFAULTS, ...s.options, ...variant.options, url: cluster.url, target: 'roomcast', serverPid: relays[0]!, quiet: true };
    const report = await runLoadTest(options, {
      onWindow: (edge) => {
        if (edge === 'begin') begin = sample();
        else end = sample();
      },
    });
    let busLost: number | null = null;
    if (cluster.redis !== undefined) {
      busLost = 0;
      for (const node of cluster.nodes) {
        const text = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text();
        busLost += counterSum(text, 'roomcast_bus_dropped_total') + counterSum(text, 'roomcast_bus_gaps_total');
      }
    }
    const wallUs = (end.at - begin.at) * 1000;
    const per = (us: number): number | null => (report.delivered > 0 ? sig(us / report.delivered, 4) : null);
    return {
      ...reportResult(s, label, round, report),
      // Every relay of the label, from the bench's own /proc samples at the window's edges.
      cpu_us_per_delivered: per(end.relay - begin.relay),
      server_cpu_pct: wallUs > 0 ? sig(((end.relay - begin.relay) / wallUs) * 100, 4) : null,
      rss_mb: null,
      cross_node_p99_ms: report.cross_node_latency_ms?.p99 ?? null,
      redis_cpu_pct: redis.length > 0 && wallUs > 0 ? sig(((end.redis - begin.redis) / wallUs) * 100, 4) : null,
      redis_cpu_us_per_delivered: redis.length > 0 ? per(end.redis - begin.redis) : null,
      value_age_p99_ms: report.value_age_ms?.p99 ?? null,
      bus_lost: busLost,
      loadavg_1m: loadavg,
    };
  } finally {
    await cluster.stop();
  }
}
