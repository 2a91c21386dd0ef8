// Issue 15's measurements: one room spread over two relay nodes sharing a redis-server against
// the same room on one relay (no Redis), same load, interleaved in every round (cluster-measure.ts
// runs them). `one-node-aa` is a second single-relay run per round: its ratio to `one-node` is the
// noise band. Goals: delivered ratio and cross-node p99 (reliable), relay and Redis CPU per
// delivered message, and bytes per delivered `latest` update within 10% of one node.
import { median, sig, type RatioSummary } from '@roomcast/loadtest';
import type { Scenario, Variant } from './scenarios.js';
import { pairedRatio, type Goal, type Metric, type ScenarioSummary } from './summary.js';

export const CLUSTER_RELIABLE = 'cluster-reliable';
export const CLUSTER_LATEST = 'cluster-latest';
export const CLUSTER_SCENARIO_NAMES: readonly string[] = [CLUSTER_RELIABLE, CLUSTER_LATEST];

/** Room tick of cluster-latest (as cursor-throttled). */
export const CLUSTER_TICK_HZ = 30;
/** Cross-node p99 budget (the saturation scenario's p99 budget). */
export const CROSS_NODE_P99_BUDGET_MS = 100;
/** The bound: bytes per delivered `latest` update across nodes within 10% of one node. */
export const LATEST_BYTES_BOUND = 1.1;

const LABELS = ['one-node', 'one-node-aa', 'two-nodes'];

/** The method paragraph of docs/benchmarks.cluster(.quick).md. */
export const CLUSTER_METHOD = 'Method: each run starts its own processes on 127.0.0.1: `one-node` and `one-node-aa` one relay without Redis, `two-nodes` '
  + 'two relays sharing a fresh redis-server (`--save \'\' --appendonly no`), with the load tester\'s clients alternating between the two nodes '
  + '(comma-separated `--url`), so about half of all deliveries cross nodes. The three labels run interleaved in every round (the order rotates). '
  + '"server CPU" is every relay of the label together, and "Redis CPU" the redis-server, both from `/proc/<pid>/stat` (10 ms ticks) over the '
  + 'measurement window; "cross-node p99" is the latency of probe deliveries whose sender sits on the other node; bus losses are '
  + '`roomcast_bus_dropped_total` + `roomcast_bus_gaps_total` of both nodes after the run. Ratios are two-nodes / one-node per round, '
  + 'median (min-max, n rounds); one-node-aa / one-node is the noise band. The machine is shared (2 cores, other sessions running tests): '
  + 'the load average at the start of each run is in the tables.';

function variants(env: Record<string, string> = {}): Record<string, Variant> {
  return {
    'one-node': { server: 'roomcast', nodes: 1, env },
    'one-node-aa': { server: 'roomcast', nodes: 1, env },
    'two-nodes': { server: 'roomcast', nodes: 2, env },
  };
}

/**
 * cluster-reliable: one room of 20 members, each sending 16-byte reliable frames at 20 Hz (400 in,
 * 7,600 deliveries/s); cluster-latest: the same room with 8-byte timestamped cursors at 60 Hz,
 * `latest` class at a 30 Hz room tick. Quick: 2 rounds of 2 s windows; full: 5 rounds of 4 s.
 */
export function clusterScenarios(quick: boolean): Scenario[] {
  const rounds = quick ? 2 : 5;
  const seconds = quick ? 2 : 4;
  const common = { workers: 1, probeRatio: 0.3, seed: 42, ramp: 2000, drainMs: 1500, rooms: 1, perRoom: 20, seconds, warmup: 1 };
  const split = 'one-node: one relay, no Redis; two-nodes: two relays sharing a redis-server, members alternating between them (about half of all deliveries cross nodes)';
  return [
    { name: CLUSTER_RELIABLE, kind: 'traffic', rounds, labels: LABELS, variants: variants(),
      description: `1 room x 20 members, 16-byte reliable frames at 20 Hz per member (400 in, 7,600 deliveries/s); ${split}; ${seconds} s windows`,
      options: { ...common, cursor: false, payload: 16, cls: 'reliable', hz: 20 } },
    { name: CLUSTER_LATEST, kind: 'traffic', rounds, labels: LABELS, variants: variants({ RELAY_TICK_HZ: String(CLUSTER_TICK_HZ) }),
      description: `1 room x 20 members, 8-byte timestamped cursors at 60 Hz per member, latest class at a ${CLUSTER_TICK_HZ} Hz room tick; ${split}; ${seconds} s windows`,
      options: { ...common, cursor: true, cls: 'latest', hz: 60 } },
  ];
}

const same = (m: Metric) => (g: (m: Metric) => number | null): number | null => g(m);
const fr = (r: RatioSummary | null): string => (r ? `${sig(r.median, 3)}x (${sig(r.min, 3)}-${sig(r.max, 3)}, n=${r.n})` : 'n/a');

/** Median and range of one label's metric over the rounds, e.g. "0.998 (0.995-1, n=5)". */
function spread(s: ScenarioSummary | undefined, label: string, m: Metric): { median: number | null; text: string } {
  const vs = (s?.perRound[label]?.[m] ?? []).filter((v): v is number => v !== null);
  if (vs.length === 0) return { median: null, text: 'n/a' };
  const med = median(vs);
  return { median: med, text: `${sig(med, 4)} (${sig(Math.min(...vs), 4)}-${sig(Math.max(...vs), 4)}, n=${vs.length})` };
}

/** The load average over a scenario's runs (the machine is shared). */
function load(s: ScenarioSummary | undefined): string {
  const vs = LABELS.flatMap((l) => s?.perRound[l]?.loadavg_1m ?? []).filter((v): v is number => v !== null);
  return vs.length ? `load average ${sig(Math.min(...vs), 3)}-${sig(Math.max(...vs), 3)} during the runs` : 'load average n/a';
}

export function clusterGoals(rel: ScenarioSummary | undefined, lat: ScenarioSummary | undefined): Goal[] {
  if (!rel && !lat) return [];
  const goals: Goal[] = [];
  const none = (id: string, goal: string, target: string, scenario: string): Goal => ({ id, goal, target, measured: `n/a (run the ${scenario} scenario)`, verdict: 'not measured' });
  const ratio = (s: ScenarioSummary | undefined, m: Metric) => pairedRatio(s, 'two-nodes', 'one-node', same(m), same(m));
  const aa = (s: ScenarioSummary | undefined, m: Metric) => pairedRatio(s, 'one-node-aa', 'one-node', same(m), same(m));

  const delivered = spread(rel, 'two-nodes', 'delivered_ratio');
  goals.push(delivered.median === null ? none('C1', 'reliable frames delivered, one room over two nodes', '≥ 0.99', CLUSTER_RELIABLE) : {
    id: 'C1', goal: 'reliable frames delivered, one room over two nodes (cluster-reliable)', target: '≥ 0.99',
    measured: `${delivered.text}; one node ${spread(rel, 'one-node', 'delivered_ratio').text}; bus messages dropped or lost ${spread(rel, 'two-nodes', 'bus_lost').text}; ${load(rel)}`,
    verdict: delivered.median >= 0.99 ? 'met' : 'not met',
  });
  const cross = spread(rel, 'two-nodes', 'cross_node_p99_ms');
  goals.push(cross.median === null ? none('C2', 'cross-node p99 latency', `≤ ${CROSS_NODE_P99_BUDGET_MS} ms`, CLUSTER_RELIABLE) : {
    id: 'C2', goal: 'cross-node p99 latency, sender and receiver on different nodes (cluster-reliable)', target: `≤ ${CROSS_NODE_P99_BUDGET_MS} ms`,
    measured: `${cross.text} ms; one node's p99 ${spread(rel, 'one-node', 'p99_ms').text} ms; cross-node / one-node p99 ${fr(pairedRatio(rel, 'two-nodes', 'one-node', same('cross_node_p99_ms'), same('p99_ms')))}`,
    verdict: cross.median <= CROSS_NODE_P99_BUDGET_MS ? 'met' : 'not met',
  });
  const cpu = ratio(rel, 'cpu_us_per_delivered');
  goals.push(cpu === null ? none('C3', 'relay CPU per delivered message, two nodes / one node', 'reported (issue 15 sets no bound)', CLUSTER_RELIABLE) : {
    id: 'C3', goal: 'relay CPU per delivered message, both nodes together / one node (cluster-reliable)', target: 'reported (issue 15 sets no bound)',
    measured: `${fr(cpu)} (${spread(rel, 'two-nodes', 'cpu_us_per_delivered').text} vs ${spread(rel, 'one-node', 'cpu_us_per_delivered').text} CPU-µs; A/A ${fr(aa(rel, 'cpu_us_per_delivered'))})`,
    verdict: 'reported',
  });
  const redis = spread(rel, 'two-nodes', 'redis_cpu_us_per_delivered');
  goals.push(redis.median === null ? none('C4', 'Redis CPU per delivered message', 'reported (issue 15 sets no bound)', CLUSTER_RELIABLE) : {
    id: 'C4', goal: 'Redis CPU per delivered message, and as % of one core (cluster-reliable, two-nodes)', target: 'reported (issue 15 sets no bound)',
    measured: `${redis.text} CPU-µs; ${spread(rel, 'two-nodes', 'redis_cpu_pct').text}% of a core; relays ${spread(rel, 'two-nodes', 'server_cpu_pct').text}%`,
    verdict: 'reported',
  });
  const bytes = ratio(lat, 'wire_bytes_per_delivered');
  goals.push(bytes === null ? none('C5', 'bytes per delivered latest update, two nodes / one node', `≤ ${LATEST_BYTES_BOUND}x`, CLUSTER_LATEST) : {
    id: 'C5', goal: 'wire bytes per delivered latest update, two nodes / one node (cluster-latest)', target: `≤ ${LATEST_BYTES_BOUND}x`,
    measured: `${fr(bytes)} (${spread(lat, 'two-nodes', 'wire_bytes_per_delivered').text} vs ${spread(lat, 'one-node', 'wire_bytes_per_delivered').text} bytes; A/A ${fr(aa(lat, 'wire_bytes_per_delivered'))}); ${load(lat)}`,
    verdict: bytes.median <= LATEST_BYTES_BOUND ? 'met' : 'not met',
  });
  const age = spread(lat, 'two-nodes', 'value_age_p99_ms');
  goals.push(age.median === null ? none('C6', 'latest across nodes: value age, CPU, Redis CPU', 'reported (issue 15 sets no bound)', CLUSTER_LATEST) : {
    id: 'C6', goal: 'latest across nodes: value age p99, relay CPU per delivered update, Redis CPU (cluster-latest)', target: 'reported (issue 15 sets no bound)',
    measured: `value age p99 ${age.text} ms vs one node ${spread(lat, 'one-node', 'value_age_p99_ms').text} ms; relay CPU per delivered ${fr(ratio(lat, 'cpu_us_per_delivered'))} of one node's; `
      + `Redis ${spread(lat, 'two-nodes', 'redis_cpu_pct').text}% of a core; delivered ratio ${spread(lat, 'two-nodes', 'delivered_ratio').text} vs ${spread(lat, 'one-node', 'delivered_ratio').text}`,
    verdict: 'reported',
  });
  return goals;
}
