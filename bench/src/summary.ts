// Aggregates rounds into medians and Roomcast-vs-baseline ratios (median, min-max over rounds),
// evaluates the performance goals, and renders docs/benchmarks.md.
import { median, ratioSummary, sig, type RatioSummary } from '@roomcast/loadtest';
import type { RunResult } from './measure.js';
import type { Label, Scenario } from './scenarios.js';

export const METRICS = [
  ['cpu_us_per_delivered', 'server CPU-µs / delivered'],
  ['syscalls_per_delivered', 'send syscalls / delivered'],
  ['wire_bytes_per_delivered', 'wire bytes / delivered'],
  ['p99_ms', 'p99 ms'],
  ['delivered_per_sec', 'delivered / s'],
  ['delivered_ratio', 'delivered ratio'],
  ['server_cpu_pct', 'server CPU %'],
  ['loadgen_cpu_pct', 'loadgen CPU %'],
  ['rss_mb', 'server RSS MB'],
  ['rss_per_conn_kb', 'RSS KiB / connection'],
  ['saturation_rate', 'last good delivered / s'],
] as const;
export type Metric = (typeof METRICS)[number][0];

export interface ScenarioSummary {
  scenario: string;
  description: string;
  labels: Label[];
  rounds: number;
  medians: Record<string, Partial<Record<Metric, number | null>>>;
  /** Roomcast / other, per metric, paired by round. */
  ratios: Record<string, Partial<Record<Metric, RatioSummary | null>>>;
  loadgenBottleneckRuns: number;
  errors: Record<string, Record<string, number>>;
}

const val = (r: RunResult, m: Metric): number | null => (r[m] as number | null) ?? null;

export function summarise(s: Scenario, results: RunResult[]): ScenarioSummary {
  const mine = results.filter((r) => r.scenario === s.name);
  const by = (label: Label): RunResult[] => mine.filter((r) => r.label === label).sort((a, b) => a.round - b.round);
  const medians: ScenarioSummary['medians'] = {};
  const ratios: ScenarioSummary['ratios'] = {};
  const errors: ScenarioSummary['errors'] = {};
  for (const label of s.labels) {
    const rs = by(label);
    medians[label] = {};
    errors[label] = {};
    for (const r of rs) for (const [k, v] of Object.entries(r.errors)) errors[label]![k] = (errors[label]![k] ?? 0) + v;
    for (const [m] of METRICS) {
      const vs = rs.map((r) => val(r, m)).filter((v): v is number => v !== null && Number.isFinite(v));
      medians[label]![m] = vs.length ? sig(median(vs), 4) : null;
    }
  }
  const rc = by('roomcast');
  for (const label of s.labels) {
    if (label === 'roomcast') continue;
    const other = by(label);
    ratios[label] = {};
    for (const [m] of METRICS) {
      const a: number[] = []; const b: number[] = [];
      for (const r of rc) {
        const o = other.find((x) => x.round === r.round);
        const va = val(r, m); const vb = o ? val(o, m) : null;
        if (va !== null && vb !== null) { a.push(va); b.push(vb); }
      }
      ratios[label]![m] = ratioSummary(a, b);
    }
  }
  return {
    scenario: s.name, description: s.description, labels: s.labels, rounds: s.rounds, medians, ratios, errors,
    loadgenBottleneckRuns: mine.filter((r) => r.loadgen_bottleneck).length,
  };
}

export interface Goal { id: string; goal: string; target: string; measured: string; verdict: 'met' | 'not met' | 'not measured' }

const fr = (r: RatioSummary | null | undefined): string => (r ? `${sig(r.median, 3)}x (${sig(r.min, 3)}-${sig(r.max, 3)}, n=${r.n})` : 'n/a');
const verdict = (r: RatioSummary | null | undefined, ok: (v: number) => boolean): Goal['verdict'] => (r ? (ok(r.median) ? 'met' : 'not met') : 'not measured');

export function evaluateGoals(sums: ScenarioSummary[]): Goal[] {
  const get = (name: string) => sums.find((x) => x.scenario === name);
  const cs = get('cursor-small');
  const idle = get('idle');
  const sat = get('saturation');
  const goals: Goal[] = [];
  const r = (s: ScenarioSummary | undefined, label: string, m: Metric) => s?.ratios[label]?.[m];
  goals.push({ id: 'P1a', goal: 'pass-through CPU per delivered message vs bare uWS (cursor-small)', target: '≤ 1.25x',
    measured: fr(r(cs, 'uws', 'cpu_us_per_delivered')), verdict: verdict(r(cs, 'uws', 'cpu_us_per_delivered'), (v) => v <= 1.25) });
  goals.push({ id: 'P1b', goal: 'sustained delivered msgs/s vs bare uWS (saturation, last good step)', target: '≥ 0.8x',
    measured: fr(r(sat, 'uws', 'saturation_rate')), verdict: verdict(r(sat, 'uws', 'saturation_rate'), (v) => v >= 0.8) });
  goals.push({ id: 'P2a', goal: 'CPU per delivered message vs Socket.IO (cursor-small)', target: '≤ 0.125x',
    measured: fr(r(cs, 'socketio', 'cpu_us_per_delivered')), verdict: verdict(r(cs, 'socketio', 'cpu_us_per_delivered'), (v) => v <= 0.125) });
  goals.push({ id: 'P2b', goal: 'CPU per delivered message vs naive ws (cursor-small)', target: '≤ 0.25x',
    measured: fr(r(cs, 'ws', 'cpu_us_per_delivered')), verdict: verdict(r(cs, 'ws', 'cpu_us_per_delivered'), (v) => v <= 0.25) });
  goals.push({ id: 'P4', goal: 'pass-through p99 vs bare uWS (cursor-small, below half of saturation)', target: '≤ 1.2x',
    measured: fr(r(cs, 'uws', 'p99_ms')), verdict: verdict(r(cs, 'uws', 'p99_ms'), (v) => v <= 1.2) });
  goals.push({ id: 'P5a', goal: 'RSS per idle joined connection vs bare uWS', target: '≤ 1.5x',
    measured: fr(r(idle, 'uws', 'rss_per_conn_kb')), verdict: verdict(r(idle, 'uws', 'rss_per_conn_kb'), (v) => v <= 1.5) });
  goals.push({ id: 'P5b', goal: 'RSS per idle joined connection vs naive ws', target: '≤ 0.5x',
    measured: fr(r(idle, 'ws', 'rss_per_conn_kb')), verdict: verdict(r(idle, 'ws', 'rss_per_conn_kb'), (v) => v <= 0.5) });
  goals.push({ id: 'P5c', goal: 'RSS per idle joined connection vs Socket.IO', target: '≤ 0.33x',
    measured: fr(r(idle, 'socketio', 'rss_per_conn_kb')), verdict: verdict(r(idle, 'socketio', 'rss_per_conn_kb'), (v) => v <= 0.33) });
  const bytes = cs?.medians.roomcast?.wire_bytes_per_delivered ?? null;
  goals.push({ id: 'P6a', goal: 'wire bytes per delivered cursor update (10-member rooms)', target: '≤ 8 bytes',
    measured: bytes === null ? 'n/a' : `${bytes} bytes (pass-through: 2 WS + 6 deliver header + 8 payload; batching arrives with throttling)`,
    verdict: bytes === null ? 'not measured' : bytes <= 8 ? 'met' : 'not met' });
  goals.push({ id: 'P6b', goal: 'wire bytes per delivered cursor vs Socket.IO JSON cursors', target: '≤ 1/6 (0.167x)',
    measured: fr(r(cs, 'socketio', 'wire_bytes_per_delivered')), verdict: verdict(r(cs, 'socketio', 'wire_bytes_per_delivered'), (v) => v <= 1 / 6) });
  for (const [id, goal] of [['P3', 'throttled cursors (latest class, 30 Hz tick) vs bare uWS'], ['P7', 'bandwidth follows the tick, not the input rate'], ['P8', '10,000 clients, throttled p99 ≤ 100 ms']] as const) {
    goals.push({ id, goal, target: 'see performance.md', measured: 'no latest-class scenario yet: throttling is still being built (the load tester already speaks latest and batch frames)', verdict: 'not measured' });
  }
  return goals;
}
