// Knee scenarios (issue 16 §2): each server runs step after step with more rooms (a fresh server
// and fresh clients per step) until a step misses its criterion; the knee is the delivered rate of
// the last step that met it. Criteria are --saturate's (loadtest stepOk): `latest` staleness p99
// ≤ 100 ms; pass-through delivered ≥ 99% and p99 ≤ 100 ms; and the load generator on schedule.
import { sig, stepOk } from '@roomcast/loadtest';
import { measureOnce, variantOf, type RunResult } from './measure.js';
import { THROTTLED_TICK_HZ, type Label, type Scenario } from './scenarios.js';
import type { Goal } from './summary.js';

export const KNEE_BUDGET_MS = 100;
/** Target of issue 16 §2: Roomcast's delivered updates/s at its knee over bare uWS's. */
export const KNEE_TARGET = 3;

/** Whether a step met the criterion of its class, and if not, why. */
export function stepVerdict(cls: string, r: RunResult): { ok: boolean; why: string } {
  const rep = r.report;
  const ok = stepOk({ cls: cls as 'latest', budgetMs: KNEE_BUDGET_MS }, rep.delivered_ratio, rep.latency_ms?.p99 ?? null, rep.staleness_ms?.p99 ?? null, rep.lag_skipped);
  if (ok) return { ok, why: '' };
  if (rep.lag_skipped > 0) return { ok, why: 'load generator behind its send schedule' };
  if (cls === 'latest') return { ok, why: `staleness p99 ${rep.staleness_ms?.p99 ?? 'n/a'} ms` };
  return { ok, why: `delivered ${rep.delivered_ratio ?? 'n/a'}, p99 ${rep.latency_ms?.p99 ?? 'n/a'} ms` };
}

/** Steps one label up through `s.steps` (bounded by their number), stopping after the first failed step. */
export async function runKnee(s: Scenario, label: Label, log: (line: string) => void): Promise<RunResult[]> {
  const out: RunResult[] = [];
  const cls = variantOf(s, label).options?.cls ?? s.options.cls ?? 'reliable';
  for (const rooms of s.steps ?? []) {
    const t = Date.now();
    const r = await measureOnce({ ...s, options: { ...s.options, rooms } }, label, 0, false);
    const v = stepVerdict(cls, r);
    r.step_rooms = rooms;
    r.step_ok = v.ok;
    out.push(r);
    log(`${s.name} ${label.padEnd(9)} ${String(rooms).padStart(5)} rooms: in/s ${r.report.sent_per_sec} deliv/s ${r.delivered_per_sec} `
      + `p99 ${r.p99_ms ?? '-'} stale p99 ${r.staleness_p99_ms ?? '-'} server ${r.server_cpu_pct ?? '-'}% loadgen ${r.loadgen_cpu_pct}% (elu ${r.report.loadgen_elu_max}) `
      + `${v.ok ? 'ok' : `FAIL: ${v.why}`} (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
    if (!v.ok) break;
  }
  return out;
}

export interface KneeLabel {
  label: Label;
  steps: RunResult[];
  /** Delivered/s of the last step that met the criterion (0 if none did); a lower bound if no step failed. */
  knee: number;
  kneeRooms: number;
  /** True when every step met it: the knee lies beyond the largest step. */
  beyond: boolean;
  /** The failed step's reason, or ''. */
  why: string;
}

export interface KneeSummary {
  scenario: string;
  description: string;
  perRoom: number;
  kneeGoal: 'ratio' | 'clients';
  labels: KneeLabel[];
}

export function kneeSummary(s: Scenario, results: RunResult[]): KneeSummary {
  const labels = s.labels.map((label): KneeLabel => {
    const steps = results.filter((r) => r.scenario === s.name && r.label === label).sort((a, b) => (a.step_rooms ?? 0) - (b.step_rooms ?? 0));
    const good = steps.filter((r) => r.step_ok);
    const last = good[good.length - 1];
    const failed = steps.find((r) => !r.step_ok);
    const cls = variantOf(s, label).options?.cls ?? s.options.cls ?? 'reliable';
    return { label, steps, knee: last?.delivered_per_sec ?? 0, kneeRooms: last?.step_rooms ?? 0, beyond: failed === undefined && steps.length > 0,
      why: failed ? stepVerdict(cls, failed).why : '' };
  });
  return { scenario: s.name, description: s.description, perRoom: s.options.perRoom ?? 0, kneeGoal: s.kneeGoal ?? 'ratio', labels };
}

const byLoadgen = (k: KneeLabel): boolean => k.why.startsWith('load generator');

/**
 * Roomcast's knee over bare uWS's, and whether it is exact or a lower bound. Roomcast's knee is a
 * lower bound when every step passed or the load generator stopped it; when bare uWS failed its
 * first step on its own criterion, its knee lies below that step's delivered rate, which then
 * serves as an upper bound for it. A bare uWS stopped by the load generator bounds nothing.
 */
export function kneeRatio(rc: KneeLabel, uws: KneeLabel): { ratio: number | null; bound: 'exact' | 'lower' } {
  if (byLoadgen(uws) || uws.beyond) return { ratio: null, bound: 'lower' };
  const firstFailed = uws.knee === 0 ? uws.steps.find((r) => !r.step_ok) : undefined;
  const den = uws.knee > 0 ? uws.knee : firstFailed?.delivered_per_sec ?? 0;
  if (den <= 0 || rc.knee <= 0) return { ratio: null, bound: 'lower' };
  const exact = uws.knee > 0 && !rc.beyond && !byLoadgen(rc);
  return { ratio: rc.knee / den, bound: exact ? 'exact' : 'lower' };
}

const lbl = (k: KneeLabel): string => `${sig(k.knee, 4)}/s at ${k.kneeRooms} rooms${k.beyond ? ' (every step passed: a lower bound)' : k.why ? ` (next step: ${k.why})` : ''}`;

/** P3 restated (knee ratio per room size), CPU per delivered below both knees, and P4b at half of the latest saturation point. */
export function kneeGoals(knees: KneeSummary[]): Goal[] {
  const goals: Goal[] = [];
  for (const k of knees) {
    if (k.kneeGoal === 'clients') {
      goals.push(capacityGoal(k));
      continue;
    }
    const rc = k.labels.find((l) => l.label === 'roomcast');
    const uws = k.labels.find((l) => l.label === 'uws');
    const id = `P3-knee-${k.perRoom}`;
    const goal = `delivered updates/s at the knee, Roomcast latest / bare uWS pass-through (${k.perRoom}-member rooms, ${k.scenario})`;
    if (!rc || !uws || rc.steps.length === 0 || uws.steps.length === 0) {
      goals.push({ id, goal, target: `≥ ${KNEE_TARGET}x`, measured: `n/a (run ${k.scenario})`, verdict: 'not measured' });
      continue;
    }
    const { ratio, bound } = kneeRatio(rc, uws);
    // Below both knees: the largest step both passed.
    const both = rc.steps.filter((r) => r.step_ok && uws.steps.some((u) => u.step_ok && u.step_rooms === r.step_rooms)).pop();
    const u = both ? uws.steps.find((x) => x.step_rooms === both.step_rooms) : undefined;
    const cpu = both && u && both.cpu_us_per_delivered !== null && u.cpu_us_per_delivered ? both.cpu_us_per_delivered / u.cpu_us_per_delivered : null;
    goals.push({
      id, goal, target: `≥ ${KNEE_TARGET}x`,
      measured: `${ratio === null ? 'n/a (neither knee bounded)' : `${bound === 'lower' ? '≥ ' : ''}${sig(ratio, 3)}x`}: roomcast ${lbl(rc)}; uws ${lbl(uws)}. `
        + `CPU per delivered below both knees (${both?.step_rooms ?? '-'} rooms): ${cpu === null ? 'n/a' : `${sig(cpu, 3)}x (${both!.cpu_us_per_delivered} vs ${u!.cpu_us_per_delivered} µs)`}`,
      // A lower bound decides only when it already reaches the target.
      verdict: ratio === null ? 'not measured' : bound === 'exact' ? (ratio >= KNEE_TARGET ? 'met' : 'not met') : ratio >= KNEE_TARGET ? 'met' : 'not measured',
    });
    if (k.perRoom === 10) {
      // P4b at the load it names: the largest step at or below half of the latest saturation point.
      const half = rc.kneeRooms / 2;
      const at = rc.steps.filter((r) => (r.step_rooms ?? 0) <= half).pop();
      const tick = 1000 / THROTTLED_TICK_HZ + 5;
      goals.push({
        id: 'P4b-half', goal: `throttled staleness p99 at half of the latest saturation point (${k.scenario}: knee ${rc.kneeRooms} rooms${rc.beyond ? ' or more' : ''}, half ${half})`,
        target: `≤ tick + 5 ms = ${sig(tick, 3)} ms`,
        measured: at ? `${at.staleness_p99_ms} ms at ${at.step_rooms} rooms (${at.report.clients} clients, ${at.delivered_per_sec} updates/s)` : 'n/a (no step at or below half)',
        verdict: at?.staleness_p99_ms == null ? 'not measured' : at.staleness_p99_ms <= tick ? 'met' : 'not met',
      });
    }
  }
  return goals;
}

/** The clients a label held within the budget: its last passing step's, with '≥' when every step passed. */
function held(l: KneeLabel): string {
  const last = l.steps.filter((r) => r.step_ok).pop();
  if (!last) return `${l.label}: none of the steps (${l.why || 'no step ran'})`;
  const figure = l.label === 'roomcast' ? `staleness p99 ${last.staleness_p99_ms} ms` : `p99 ${last.p99_ms} ms, delivered ${last.delivered_ratio}`;
  return `${l.label}: ${l.beyond ? '≥ ' : ''}${last.report.clients.toLocaleString('en-US')} clients (${figure})${l.why ? `; next step: ${l.why}` : ''}`;
}

/** P8's curve (scale-steps): how many clients each server holds within the budget on this machine. */
export function capacityGoal(k: KneeSummary): Goal {
  const ran = k.labels.filter((l) => l.steps.length > 0);
  return {
    id: 'P8-steps', goal: `clients held within ${KNEE_BUDGET_MS} ms on this machine, load generator included (${k.scenario}; Roomcast: staleness p99; others: delivered ≥ 99% and p99)`,
    target: 'reported (P8 reads it at 10,000)',
    measured: ran.length === 0 ? `n/a (run ${k.scenario})` : ran.map(held).join('; '),
    verdict: ran.length === 0 ? 'not measured' : 'reported',
  };
}

export function kneeMarkdown(k: KneeSummary): string[] {
  const out = [`## ${k.scenario}`, '', `${k.description}. One fresh server and fresh clients per step; a label stops at its first failed step.`, ''];
  out.push('| server | rooms | clients | input frames / s | delivered / s | delivered ratio | p99 ms | staleness p99 ms | server CPU % | server CPU-µs / delivered | server CPU-µs / input frame | loadgen CPU % | loadgen ELU | step |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const l of k.labels) {
    for (const r of l.steps) {
      const rep = r.report;
      out.push(`| ${l.label} | ${r.step_rooms} | ${rep.clients} | ${rep.sent_per_sec} | ${r.delivered_per_sec} | ${r.delivered_ratio ?? '-'} | ${r.p99_ms ?? '-'} | ${r.staleness_p99_ms ?? '-'} | `
        + `${r.server_cpu_pct ?? '-'} | ${r.cpu_us_per_delivered ?? '-'} | ${r.cpu_us_per_input ?? '-'} | ${r.loadgen_cpu_pct} | ${rep.loadgen_elu_max} | ${r.step_ok ? 'ok' : 'failed'} |`);
    }
  }
  out.push('', ...k.labels.map((l) => `- ${l.label}: knee ${lbl(l)}`), '');
  return out;
}
