// Pass/fail thresholds on a run's figures, as k6 users know them: `--threshold 'p99<100'`
// (repeatable). A failing threshold sets the exit code (exit-codes.ts) and is listed in the summary.
//
//   threshold = metric op number        ; spaces allowed around op
//   op        = "<" / "<=" / ">" / ">="
//   metric    = see METRICS below; k6's spelling p(99) is accepted for p99
import type { Percentiles } from './histogram.js';

/**
 * The report figures a threshold can read: a structural subset of `Report` (report.ts), declared
 * here so that this module does not import report.ts (which imports it: no cycles).
 */
export interface Figures {
  latency_ms: Percentiles | null;
  staleness_ms: Percentiles | null;
  delivered_ratio: number | null;
  errors: Record<string, number>;
  connect_failed: number;
  connections_lost: number;
  wire_bytes_per_delivered: number | null;
  delivered_per_sec: number;
}

export const OPS = ['<=', '>=', '<', '>'] as const;
export type Op = (typeof OPS)[number];

interface Metric {
  /** What the value is, with its unit, for --help, README and the summary. */
  doc: string;
  unit: string;
  value: (r: Figures) => number | null;
}

/** Every metric a threshold can name, with the report field it reads. */
export const METRICS: Record<string, Metric> = {
  p50: { doc: 'latency p50', unit: 'ms', value: (r) => r.latency_ms?.p50 ?? null },
  p90: { doc: 'latency p90', unit: 'ms', value: (r) => r.latency_ms?.p90 ?? null },
  p95: { doc: 'latency p95', unit: 'ms', value: (r) => r.latency_ms?.p95 ?? null },
  p99: { doc: 'latency p99', unit: 'ms', value: (r) => r.latency_ms?.p99 ?? null },
  p999: { doc: 'latency p99.9', unit: 'ms', value: (r) => r.latency_ms?.p999 ?? null },
  max: { doc: 'latency max', unit: 'ms', value: (r) => r.latency_ms?.max ?? null },
  staleness_p50: { doc: 'staleness p50 (--class latest)', unit: 'ms', value: (r) => r.staleness_ms?.p50 ?? null },
  staleness_p99: { doc: 'staleness p99 (--class latest)', unit: 'ms', value: (r) => r.staleness_ms?.p99 ?? null },
  staleness_max: { doc: 'staleness max (--class latest)', unit: 'ms', value: (r) => r.staleness_ms?.max ?? null },
  ratio: { doc: 'delivered / expected (delivered_ratio)', unit: '', value: (r) => r.delivered_ratio },
  errors: { doc: 'sum of all error counts (errors)', unit: '', value: (r) => Object.values(r.errors).reduce((a, b) => a + b, 0) },
  connect_failed: { doc: 'clients that failed to connect or join', unit: '', value: (r) => r.connect_failed },
  connections_lost: { doc: 'joined clients closed by the server or network during the run', unit: '', value: (r) => r.connections_lost },
  bytes: { doc: 'wire bytes per delivered update (wire_bytes_per_delivered)', unit: 'B', value: (r) => r.wire_bytes_per_delivered },
  delivered_per_sec: { doc: 'deliveries per second', unit: '/s', value: (r) => r.delivered_per_sec },
};

export interface Threshold {
  /** The expression as given (normalised: no spaces), e.g. `p99<100`. */
  expr: string;
  metric: string;
  op: Op;
  limit: number;
}

export interface ThresholdResult extends Threshold {
  /** The measured value (null when the run produced none, e.g. no latency samples). */
  value: number | null;
  ok: boolean;
}

export class ThresholdSyntaxError extends Error {}

const PATTERN = /^\s*([a-z_0-9]+|p\([0-9]+(?:\.[0-9]+)?\))\s*(<=|>=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$/;

/** Parses `p99<100`, `ratio >= 0.99`, `p(95)<50`; throws ThresholdSyntaxError naming what is wrong. */
export function parseThreshold(text: string): Threshold {
  const m = PATTERN.exec(text.toLowerCase());
  if (!m) {
    throw new ThresholdSyntaxError(`"${text}" is not METRIC OP NUMBER (e.g. p99<100, ratio>=0.99; OP is <, <=, > or >=)`);
  }
  const metric = m[1]!.replace(/^p\((\d+(?:\.\d+)?)\)$/, (_, p: string) => `p${p.replace('.', '')}`);
  if (!(metric in METRICS)) {
    throw new ThresholdSyntaxError(`unknown metric "${m[1]}" in "${text}"; known: ${Object.keys(METRICS).join(', ')}`);
  }
  const limit = Number(m[3]);
  return { expr: `${metric}${m[2]}${m[3]}`, metric, op: m[2] as Op, limit };
}

function holds(value: number, op: Op, limit: number): boolean {
  switch (op) {
    case '<': return value < limit;
    case '<=': return value <= limit;
    case '>': return value > limit;
    case '>=': return value >= limit;
  }
}

/** Evaluates thresholds on a report. A metric the run did not produce (null) fails its threshold. */
export function evaluateThresholds(thresholds: readonly Threshold[], r: Figures): ThresholdResult[] {
  return thresholds.map((t) => {
    const value = METRICS[t.metric]!.value(r);
    return { ...t, value, ok: value !== null && holds(value, t.op, t.limit) };
  });
}

/** One line per threshold for the summary: `ok     p99<100 (p99 = 12.3 ms)` / `FAILED ...`. */
export function describeResult(t: ThresholdResult): string {
  const unit = METRICS[t.metric]!.unit;
  const none = /^(p\d+|max)$/.test(t.metric) ? 'no value: no latency samples; with few clients, raise --probe-ratio' : 'no value: the run produced none';
  const shown = t.value === null ? none : `${t.metric} = ${t.value}${unit ? ` ${unit}` : ''}`;
  return `${t.ok ? 'ok    ' : 'FAILED'} ${t.expr} (${shown})`;
}
