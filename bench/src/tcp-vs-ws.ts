// Issue 17's figures from the tcp-vs-ws scenarios: TCP members against WebSocket members of the
// same relay, per rate step (CPU per delivered frame, delivered rate, p99), the delivered rate at
// the p99 <= 100 ms knee, and RSS per idle connection. Goals and the Markdown table.
import { median, ratioSummary, sig, type RatioSummary } from '@roomcast/loadtest';
import { TCP_VS_WS_AA_HZ, TCP_VS_WS_HZ, tcpVsWsLabel } from './scenarios.js';
import { pairedRatio, type Goal, type Metric, type ScenarioSummary } from './summary.js';

/** p99 budget of the knee, and the delivered share a step must reach to count (saturation's rule). */
export const KNEE_P99_MS = 100;
export const KNEE_MIN_RATIO = 0.99;

const fr = (r: RatioSummary | null | undefined): string => (r ? `${sig(r.median, 3)}x (${sig(r.min, 3)}-${sig(r.max, 3)}, n=${r.n})` : 'n/a');
const same = (m: Metric) => (g: (m: Metric) => number | null): number | null => g(m);

/** TCP / WebSocket per round, at one rate step, for one metric. */
export function stepRatio(s: ScenarioSummary | undefined, hz: number, m: Metric): RatioSummary | null {
  return pairedRatio(s, tcpVsWsLabel('tcp', hz), tcpVsWsLabel('ws', hz), same(m), same(m));
}

/**
 * The knee of one transport in one round, read like `--saturate` steps: the delivered rate of the
 * last step before the first one that delivered less than 99% or had p99 above 100 ms (0 if the
 * first step already failed; null if the round has no figures). A lower bound when the top step
 * still passes.
 */
export function kneeRate(s: ScenarioSummary, transport: 'ws' | 'tcp', round: number): number | null {
  let knee: number | null = null;
  for (const hz of TCP_VS_WS_HZ) {
    const at = s.perRound[tcpVsWsLabel(transport, hz)];
    const rate = at?.delivered_per_sec?.[round] ?? null;
    const p99 = at?.p99_ms?.[round] ?? null;
    const ratio = at?.delivered_ratio?.[round] ?? null;
    if (rate === null) return knee;
    knee ??= 0;
    if (p99 === null || p99 > KNEE_P99_MS || ratio === null || ratio < KNEE_MIN_RATIO) return knee;
    knee = rate;
  }
  return knee;
}

export function kneeRatio(s: ScenarioSummary | undefined): { ratio: RatioSummary | null; ws: number | null; tcp: number | null } {
  if (!s) return { ratio: null, ws: null, tcp: null };
  const ws: number[] = []; const tcp: number[] = [];
  for (let round = 0; round < s.rounds; round++) {
    const w = kneeRate(s, 'ws', round); const t = kneeRate(s, 'tcp', round);
    if (w !== null && t !== null && w > 0) { ws.push(w); tcp.push(t); }
  }
  return { ratio: ratioSummary(tcp, ws), ws: ws.length ? median(ws) : null, tcp: tcp.length ? median(tcp) : null };
}

export function tcpVsWsGoals(traffic: ScenarioSummary | undefined, idle: ScenarioSummary | undefined): Goal[] {
  const goals: Goal[] = [];
  const cpu = TCP_VS_WS_HZ.map((hz) => ({ hz, r: stepRatio(traffic, hz, 'cpu_us_per_delivered') }));
  const have = cpu.filter((c) => c.r !== null);
  goals.push({
    id: 'T1', goal: 'relay CPU per delivered frame, TCP members / WebSocket members, at each rate step (tcp-vs-ws)', target: '≤ 1.5x at every step',
    measured: have.length ? cpu.map((c) => `${c.hz} Hz ${fr(c.r)}`).join('; ') : 'n/a (run tcp-vs-ws)',
    verdict: have.length === 0 ? 'not measured' : have.every((c) => c.r!.median <= 1.5) ? 'met' : 'not met',
  });
  const knee = kneeRatio(traffic);
  goals.push({
    id: 'T2', goal: `delivered rate at the knee (last step before the first with < ${KNEE_MIN_RATIO * 100}% delivered or p99 > ${KNEE_P99_MS} ms), TCP / WebSocket (tcp-vs-ws)`, target: '≥ 0.7x',
    measured: knee.ratio ? `${fr(knee.ratio)} (median knee: TCP ${knee.tcp === null ? 'n/a' : Math.round(knee.tcp)}/s, WebSocket ${knee.ws === null ? 'n/a' : Math.round(knee.ws)}/s)` : 'n/a (run tcp-vs-ws)',
    verdict: knee.ratio === null ? 'not measured' : knee.ratio.median >= 0.7 ? 'met' : 'not met',
  });
  const rss = pairedRatio(idle, 'tcp-idle', 'ws-idle', same('rss_per_conn_kb'), same('rss_per_conn_kb'));
  goals.push({
    id: 'T3', goal: 'RSS per idle joined connection, TCP / WebSocket (tcp-vs-ws-idle)', target: '≤ 1.5x',
    measured: rss ? `${fr(rss)} (${idle?.medians['tcp-idle']?.rss_per_conn_kb ?? 'n/a'} vs ${idle?.medians['ws-idle']?.rss_per_conn_kb ?? 'n/a'} KiB)` : 'n/a (run tcp-vs-ws-idle)',
    verdict: rss === null ? 'not measured' : rss.median <= 1.5 ? 'met' : 'not met',
  });
  return goals;
}

/** The per-step table of tcp-vs-ws: medians of each transport and the TCP / WebSocket ratio (median, min-max). */
export function tcpVsWsTable(s: ScenarioSummary): string[] {
  const med = (t: 'ws' | 'tcp', hz: number, m: Metric): string => {
    const v = s.medians[tcpVsWsLabel(t, hz)]?.[m];
    return v === null || v === undefined ? '-' : String(sig(v, 4));
  };
  const rr = (r: RatioSummary | null): string => (r ? `${sig(r.median, 3)} (${sig(r.min, 3)}-${sig(r.max, 3)})` : '-');
  const out = ['TCP / WebSocket per rate step (medians over rounds; ratios paired by round, median (min-max)):', '',
    '| Hz per client | delivered/s ws | delivered/s tcp | ratio ws | ratio tcp | p99 ms ws | p99 ms tcp | CPU-µs/delivered ws | CPU-µs/delivered tcp | **CPU ratio tcp/ws** | delivered/s tcp/ws | server CPU % ws | server CPU % tcp | loadgen CPU % ws | loadgen CPU % tcp |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const hz of TCP_VS_WS_HZ) {
    out.push(`| ${hz} | ${med('ws', hz, 'delivered_per_sec')} | ${med('tcp', hz, 'delivered_per_sec')} | ${med('ws', hz, 'delivered_ratio')} | ${med('tcp', hz, 'delivered_ratio')} | `
      + `${med('ws', hz, 'p99_ms')} | ${med('tcp', hz, 'p99_ms')} | ${med('ws', hz, 'cpu_us_per_delivered')} | ${med('tcp', hz, 'cpu_us_per_delivered')} | `
      + `**${rr(stepRatio(s, hz, 'cpu_us_per_delivered'))}** | ${rr(stepRatio(s, hz, 'delivered_per_sec'))} | ${med('ws', hz, 'server_cpu_pct')} | ${med('tcp', hz, 'server_cpu_pct')} | `
      + `${med('ws', hz, 'loadgen_cpu_pct')} | ${med('tcp', hz, 'loadgen_cpu_pct')} |`);
  }
  const aa = (t: 'ws' | 'tcp', m: Metric): RatioSummary | null => {
    const label = tcpVsWsLabel(t, TCP_VS_WS_AA_HZ);
    return pairedRatio(s, `${label}-aa`, label, same(m), same(m));
  };
  if (s.labels.includes(`${tcpVsWsLabel('tcp', TCP_VS_WS_AA_HZ)}-aa`)) {
    out.push('', `A/A (the ${TCP_VS_WS_AA_HZ} Hz runs twice per round, second / first, median (min-max)): CPU-µs/delivered ws ${rr(aa('ws', 'cpu_us_per_delivered'))}, `
      + `tcp ${rr(aa('tcp', 'cpu_us_per_delivered'))}; p99 ws ${rr(aa('ws', 'p99_ms'))}, tcp ${rr(aa('tcp', 'p99_ms'))}.`);
  }
  const knee = kneeRatio(s);
  out.push('', `Knee (per round, the last step before the first with < ${KNEE_MIN_RATIO * 100}% delivered or p99 > ${KNEE_P99_MS} ms; rounds where WebSocket's first step already failed are left out): TCP / WebSocket ${fr(knee.ratio)}; `
    + `median knee TCP ${knee.tcp === null ? 'n/a' : Math.round(knee.tcp)}/s, WebSocket ${knee.ws === null ? 'n/a' : Math.round(knee.ws)}/s `
    + `(a lower bound when the ${TCP_VS_WS_HZ.at(-1)} Hz step still passes: the steps stop there).`);
  return out;
}
