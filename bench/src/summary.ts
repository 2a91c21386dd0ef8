// Aggregates rounds into medians and Roomcast-vs-baseline ratios (median, min-max over rounds),
// evaluates the performance goals, and renders docs/benchmarks.md.
import { median, ratioSummary, sig, type RatioSummary } from '@roomcast/loadtest';
import type { RunResult } from './measure.js';
import { THROTTLED_TICK_HZ, type Label, type Scenario } from './scenarios.js';

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
  ['staleness_p99_ms', 'staleness p99 ms'],
  ['wire_overhead_bytes_per_delivered', 'wire overhead bytes / delivered'],
  ['wire_bytes_per_receiver_per_sec', 'wire bytes / receiver / s'],
  ['syscalls_per_frame_rx', 'send syscalls / data frame rx'],
  ['cpu_us_per_input', 'server CPU-µs / input frame'],
  ['cross_node_p99_ms', 'cross-node p99 ms'],
  ['value_age_p99_ms', 'value age p99 ms'],
  ['redis_cpu_pct', 'Redis CPU %'],
  ['redis_cpu_us_per_delivered', 'Redis CPU-µs / delivered'],
  ['bus_lost', 'bus messages dropped or lost'],
  ['loadavg_1m', 'load average (1 min) at start'],
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
  /** Per label and metric, the value of each round (index = round; null if missing). */
  perRound: Record<string, Partial<Record<Metric, (number | null)[]>>>;
}

const val = (r: RunResult, m: Metric): number | null => (r[m] as number | null | undefined) ?? null;

/**
 * Per-round ratio f(a) / f(b) of two labels of one scenario (paired by round), as median and min-max.
 * `fa` / `fb` map a label's metric values of one round to the figure to compare.
 */
export function pairedRatio(s: ScenarioSummary | undefined, a: string, b: string,
  fa: (get: (m: Metric) => number | null) => number | null,
  fb: (get: (m: Metric) => number | null) => number | null): RatioSummary | null {
  if (!s) return null;
  const xs: number[] = []; const ys: number[] = [];
  for (let round = 0; round < s.rounds; round++) {
    const va = fa((m) => s.perRound[a]?.[m]?.[round] ?? null);
    const vb = fb((m) => s.perRound[b]?.[m]?.[round] ?? null);
    if (va !== null && vb !== null) { xs.push(va); ys.push(vb); }
  }
  return ratioSummary(xs, ys);
}

export function summarise(s: Scenario, results: RunResult[]): ScenarioSummary {
  const mine = results.filter((r) => r.scenario === s.name);
  const by = (label: Label): RunResult[] => mine.filter((r) => r.label === label).sort((a, b) => a.round - b.round);
  const medians: ScenarioSummary['medians'] = {};
  const ratios: ScenarioSummary['ratios'] = {};
  const errors: ScenarioSummary['errors'] = {};
  const perRound: ScenarioSummary['perRound'] = {};
  for (const label of s.labels) {
    const rs = by(label);
    medians[label] = {};
    perRound[label] = {};
    for (const [m] of METRICS) {
      const arr: (number | null)[] = Array.from({ length: s.rounds }, () => null);
      for (const r of rs) if (r.round < s.rounds) arr[r.round] = val(r, m);
      perRound[label]![m] = arr;
    }
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
    scenario: s.name, description: s.description, labels: s.labels, rounds: s.rounds, medians, ratios, errors, perRound,
    loadgenBottleneckRuns: mine.filter((r) => r.loadgen_bottleneck).length,
  };
}

/** `reported`: a figure the issue asks for without a bound. */
export interface Goal { id: string; goal: string; target: string; measured: string; verdict: 'met' | 'not met' | 'not measured' | 'reported' }

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
  // P4 from the pinned scenario when it ran (issue 16 §4: less instrument noise), else cursor-small.
  const pinned = get('p4-pinned');
  const p4 = pinned ? r(pinned, 'uws', 'p99_ms') : r(cs, 'uws', 'p99_ms');
  const aa = pinned ? `; A/A roomcast ${fr(r(pinned, 'roomcast-aa', 'p99_ms'))}, uws ${fr(pairedRatio(pinned, 'uws-aa', 'uws', (g) => g('p99_ms'), (g) => g('p99_ms')))}` : '';
  goals.push({ id: 'P4', goal: `pass-through p99 vs bare uWS (${pinned ? 'p4-pinned: cursor-small load, server and load generator on separate CPUs' : 'cursor-small, below half of saturation'})`, target: '≤ 1.2x',
    measured: fr(p4) + aa, verdict: verdict(p4, (v) => v <= 1.2) });
  goals.push({ id: 'P5a', goal: 'RSS per idle joined connection vs bare uWS', target: '≤ 1.5x',
    measured: fr(r(idle, 'uws', 'rss_per_conn_kb')), verdict: verdict(r(idle, 'uws', 'rss_per_conn_kb'), (v) => v <= 1.5) });
  goals.push({ id: 'P5b', goal: 'RSS per idle joined connection vs naive ws', target: '≤ 0.5x',
    measured: fr(r(idle, 'ws', 'rss_per_conn_kb')), verdict: verdict(r(idle, 'ws', 'rss_per_conn_kb'), (v) => v <= 0.5) });
  goals.push({ id: 'P5c', goal: 'RSS per idle joined connection vs Socket.IO', target: '≤ 0.33x',
    measured: fr(r(idle, 'socketio', 'rss_per_conn_kb')), verdict: verdict(r(idle, 'socketio', 'rss_per_conn_kb'), (v) => v <= 0.33) });
  const bytes = cs?.medians.roomcast?.wire_bytes_per_delivered ?? null;
  if (cs) {
    goals.push({ id: 'P6a-pass', goal: 'wire bytes per delivered cursor, reliable pass-through (cursor-small; informational, P6 is about throttled cursors)', target: '≤ 8 bytes',
      measured: bytes === null ? 'n/a' : `${bytes} bytes (2 WS + 6 deliver header + 8-byte timestamped payload)`,
      verdict: bytes === null ? 'not measured' : bytes <= 8 ? 'met' : 'not met' });
    goals.push({ id: 'P6b-pass', goal: 'wire bytes per delivered cursor vs Socket.IO JSON cursors, reliable pass-through (cursor-small; informational)', target: '≤ 1/6 (0.167x)',
      measured: fr(r(cs, 'socketio', 'wire_bytes_per_delivered')), verdict: verdict(r(cs, 'socketio', 'wire_bytes_per_delivered'), (v) => v <= 1 / 6) });
  }
  goals.push(...throttledGoals(get('cursor-throttled')));
  goals.push(...scaleGoals(get('scale-10k'), get('latest-cost')));
  return goals;
}

/** Issue 3's targets from the cursor-throttled scenario (see scenarios.ts for its labels). */
export function throttledGoals(t: ScenarioSummary | undefined): Goal[] {
  const goals: Goal[] = [];
  const med = (label: string, m: Metric): number | null => t?.medians[label]?.[m] ?? null;
  const range = (label: string, m: Metric): string => {
    const vs = (t?.perRound[label]?.[m] ?? []).filter((v): v is number => v !== null);
    return vs.length ? ` (${sig(Math.min(...vs), 3)}-${sig(Math.max(...vs), 3)}, n=${vs.length})` : '';
  };
  const none = (id: string, goal: string, target: string): Goal => ({ id, goal, target, measured: 'n/a (run the cursor-throttled scenario)', verdict: 'not measured' });
  const tickMs = 1000 / THROTTLED_TICK_HZ;

  // P6a: bytes per delivered 3-byte cursor update.
  const b3 = med('roomcast-cursor3', 'wire_bytes_per_delivered');
  const b8 = med('roomcast', 'wire_bytes_per_delivered');
  goals.push(b3 === null ? none('P6a', 'wire bytes per delivered 3-byte cursor update, latest class (10-member rooms)', '≤ 8 bytes') : {
    id: 'P6a', goal: 'wire bytes per delivered 3-byte cursor update, latest class (10-member rooms)', target: '≤ 8 bytes',
    measured: `${b3} bytes${range('roomcast-cursor3', 'wire_bytes_per_delivered')}; with the 8-byte timestamped cursor ${b8 ?? 'n/a'} bytes`,
    verdict: b3 <= 8 ? 'met' : 'not met',
  });
  // P6b: Socket.IO JSON cursors over Roomcast 3-byte cursors, per delivered update (same trace: 60 Hz, 10-member rooms).
  const wire = (g: (m: Metric) => number | null) => g('wire_bytes_per_delivered');
  const plain = pairedRatio(t, 'socketio-cursor3', 'roomcast-cursor3', wire, wire);
  const withTs = pairedRatio(t, 'socketio', 'roomcast', wire, wire);
  goals.push(plain === null ? none('P6b', 'Socket.IO JSON cursor bytes / Roomcast 3-byte cursor bytes, per delivered update', '≥ 6x') : {
    id: 'P6b', goal: 'Socket.IO JSON cursor bytes / Roomcast 3-byte cursor bytes, per delivered update', target: '≥ 6x',
    measured: `${fr(plain)} (JSON {x, y}: ${med('socketio-cursor3', 'wire_bytes_per_delivered') ?? 'n/a'} bytes); with timestamps on both sides (JSON {x, y, t} vs 8-byte cursor): ${fr(withTs)}`,
    verdict: plain.median >= 6 ? 'met' : 'not met',
  });
  // P7: downstream bytes per recipient, 120 Hz vs 30 Hz input.
  const bw = (g: (m: Metric) => number | null) => g('wire_bytes_per_receiver_per_sec');
  const p7 = pairedRatio(t, 'roomcast-120hz', 'roomcast-30hz', bw, bw);
  goals.push(p7 === null ? none('P7', 'downstream bytes per recipient per second, 120 Hz vs 30 Hz input (latest, 30 Hz tick)', '≤ 1.05x') : {
    id: 'P7', goal: 'downstream bytes per recipient per second, 120 Hz vs 30 Hz input (latest, 30 Hz tick)', target: '≤ 1.05x',
    measured: `${fr(p7)} (${med('roomcast-120hz', 'wire_bytes_per_receiver_per_sec') ?? 'n/a'} vs ${med('roomcast-30hz', 'wire_bytes_per_receiver_per_sec') ?? 'n/a'} bytes/s; 60 Hz: ${med('roomcast', 'wire_bytes_per_receiver_per_sec') ?? 'n/a'})`,
    verdict: p7.median <= 1.05 ? 'met' : 'not met',
  });
  // P3b: send syscalls per recipient per tick = send syscalls per batch frame received.
  const sc = med('roomcast', 'syscalls_per_frame_rx');
  goals.push(sc === null ? none('P3b', 'send syscalls per recipient per tick (latest, 30 Hz tick)', '≤ 1') : {
    id: 'P3b', goal: 'send syscalls per recipient per tick (latest, 30 Hz tick)', target: '≤ 1',
    measured: `${sc}${range('roomcast', 'syscalls_per_frame_rx')} (uws pass-through: ${med('uws', 'syscalls_per_frame_rx') ?? 'n/a'} per delivered message)`,
    verdict: sc <= 1 ? 'met' : 'not met',
  });
  // P3a: CPU per delivered cursor update vs bare uWS CPU per delivered message.
  const p3 = t?.ratios.uws?.cpu_us_per_delivered ?? null;
  goals.push(p3 === null ? none('P3a', 'server CPU per delivered cursor update (latest) vs bare uWS per delivered message (pass-through)', '≤ 1/3 (0.333x)') : {
    id: 'P3a', goal: 'server CPU per delivered cursor update (latest) vs bare uWS per delivered message (pass-through)', target: '≤ 1/3 (0.333x)',
    measured: `${fr(p3)} (${med('roomcast', 'cpu_us_per_delivered') ?? 'n/a'} vs ${med('uws', 'cpu_us_per_delivered') ?? 'n/a'} CPU-µs; A/A ${fr(t?.ratios['roomcast-aa']?.cpu_us_per_delivered)})`,
    verdict: p3.median <= 1 / 3 ? 'met' : 'not met',
  });
  // P4b: staleness p99 vs tick interval + 5 ms.
  const st = med('roomcast', 'staleness_p99_ms');
  goals.push(st === null ? none('P4b', 'throttled staleness p99 (receiver view of a sender cursor)', `≤ tick + 5 ms = ${sig(tickMs + 5, 3)} ms`) : {
    id: 'P4b', goal: 'throttled staleness p99 (receiver view of a sender cursor; load: see cursor-throttled, not established as half of saturation)', target: `≤ tick + 5 ms = ${sig(tickMs + 5, 3)} ms`,
    measured: `${st} ms${range('roomcast', 'staleness_p99_ms')}; roomcast-aa ${med('roomcast-aa', 'staleness_p99_ms') ?? 'n/a'} ms`,
    verdict: st <= tickMs + 5 ? 'met' : 'not met',
  });
  return goals;
}

/** P8 from scale-10k, and the `latest` CPU per input frame vs bare uWS from latest-cost (issue 16). */
export function scaleGoals(scale: ScenarioSummary | undefined, cost: ScenarioSummary | undefined): Goal[] {
  const goals: Goal[] = [];
  const med = (s: ScenarioSummary | undefined, label: string, m: Metric): number | null => s?.medians[label]?.[m] ?? null;
  const st = med(scale, 'roomcast', 'staleness_p99_ms');
  const sio = med(scale, 'socketio', 'p99_ms');
  const uws = med(scale, 'uws', 'p99_ms');
  goals.push({
    id: 'P8', goal: '10,000 clients in cursor rooms (scale-10k): Roomcast staleness p99 ≤ 100 ms where Socket.IO misses it', target: 'Roomcast ≤ 100 ms, Socket.IO > 100 ms',
    measured: scale ? `Roomcast staleness p99 ${st ?? 'n/a'} ms (delivered share ${med(scale, 'roomcast', 'delivered_ratio') ?? 'n/a'}, server CPU ${med(scale, 'roomcast', 'server_cpu_pct') ?? 'n/a'}%, RSS ${med(scale, 'roomcast', 'rss_mb') ?? 'n/a'} MB); `
      + `Socket.IO p99 ${sio ?? 'n/a'} ms (delivered ${med(scale, 'socketio', 'delivered_ratio') ?? 'n/a'}); bare uWS p99 ${uws ?? 'n/a'} ms (delivered ${med(scale, 'uws', 'delivered_ratio') ?? 'n/a'})` : 'n/a (run scale-10k)',
    verdict: st === null || sio === null ? 'not measured' : st <= 100 && sio > 100 ? 'met' : 'not met',
  });
  const c = cost?.ratios.uws?.cpu_us_per_input ?? null;
  goals.push({
    id: 'P3-input', goal: 'server CPU per input frame, latest at a 30 Hz tick / bare uWS pass-through (latest-cost: 10-member rooms, 30 Hz input)', target: '≤ 1x',
    measured: cost ? `${fr(c)} (${med(cost, 'roomcast', 'cpu_us_per_input') ?? 'n/a'} vs ${med(cost, 'uws', 'cpu_us_per_input') ?? 'n/a'} µs); A/A roomcast ${fr(cost.ratios['roomcast-aa']?.cpu_us_per_input)}, `
      + `uws ${fr(pairedRatio(cost, 'uws-aa', 'uws', (g) => g('cpu_us_per_input'), (g) => g('cpu_us_per_input')))}` : 'n/a (run latest-cost)',
    verdict: verdict(c, (v) => v <= 1),
  });
  return goals;
}
