// The report: JSON field names (a stable interface other tools read, documented in README.md)
// and the summary table printed at the end of a run.
import type { Options } from './args.js';
import type { Percentiles } from './histogram.js';
import { sig } from './stats.js';
import { describeResult, type ThresholdResult } from './threshold.js';

export interface TimelinePoint {
  second: number;
  sent: number;
  delivered: number;
  p50_ms: number | null;
  p99_ms: number | null;
}

export interface SaturationStep {
  hz: number;
  offered_per_sec: number;
  delivered_per_sec: number;
  delivered_ratio: number | null;
  p99_ms: number | null;
  server_cpu_pct: number | null;
  loadgen_cpu_pct: number;
  ok: boolean;
}

export interface Report {
  // ---- the fields issue 6 fixes (names and units are an interface) ----
  clients: number;
  rooms: number;
  /** Measured seconds (the measurement window, without warm-up and drain). */
  seconds: number;
  sent: number;
  sent_per_sec: number;
  /** Deliveries the sent messages should produce: each message x other (normal) members of its room. */
  expected: number;
  delivered: number;
  delivered_per_sec: number;
  /** delivered / expected (null when nothing was expected). */
  delivered_ratio: number | null;
  latency_ms: Percentiles | null;
  staleness_ms: Percentiles | null;
  wire_bytes_rx: number;
  wire_bytes_per_delivered: number | null;
  payload_bytes_per_delivered: number | null;
  loadgen_cpu_pct: number;
  server_cpu_pct: number | null;
  server_rss_mb: number | null;
  errors: Record<string, number>;
  // ---- further figures ----
  url: string;
  target: string;
  class: string;
  per_room: number;
  hz: number;
  payload: string;
  workers: number;
  warmup: number;
  probe_ratio: number;
  seed: number;
  connected: number;
  connect_failed: number;
  /** Clients that joined and were then closed by the server or the network before the run ended. */
  connections_lost: number;
  latency_samples: number;
  loadgen_elu_max: number;
  loadgen_bottleneck: boolean;
  lag_skipped: number;
  /** `latest`: age of the newest value each probe shows per sender (now − its send time), sampled like staleness. */
  value_age_ms: Percentiles | null;
  /** Several `--url`s (relay nodes): latency of the deliveries whose sender is on another node than the receiver. */
  cross_node_latency_ms: Percentiles | null;
  staleness_samples: number;
  /** Counted, normal (not slow) clients connected at the end of the window. */
  receivers: number;
  /** Frames carrying data (deliver or batch) received by those clients in the window. */
  data_frames_rx: number;
  /** wire_bytes_rx / receivers / seconds. */
  wire_bytes_per_receiver_per_sec: number | null;
  /** wire_bytes_per_delivered − payload_bytes_per_delivered: framing, headers, skipped own entries, control frames. */
  wire_overhead_bytes_per_delivered: number | null;
  server_cpu_us: number | null;
  server_cpu_us_per_delivered: number | null;
  server_rss_before_connect_mb: number | null;
  slow: { ratio: number; expected: number; delivered: number; delivered_ratio: number | null } | null;
  churn: { per_sec: number; connects: number; failures: number } | null;
  warnings: string[];
  timeline: TimelinePoint[];
  histogram: { up_to_ms: number; count: number }[];
  saturation: { budget_ms: number; steps: SaturationStep[]; last_good: SaturationStep | null } | null;
  /** `latest` only: staleness samples in buckets of equal width from 0 ms (`up_to_ms` = upper bound), else null. */
  staleness_histogram: { up_to_ms: number; count: number }[] | null;
  started_at: string;
  node: string;
  /** Each --threshold with its measured value and verdict (empty without --threshold). */
  thresholds: ThresholdResult[];
}

/** The required top-level fields, in order (tests check the JSON carries them all). */
export const REQUIRED_FIELDS = [
  'clients', 'rooms', 'seconds', 'sent', 'sent_per_sec', 'expected', 'delivered', 'delivered_per_sec',
  'delivered_ratio', 'latency_ms', 'staleness_ms', 'wire_bytes_rx', 'wire_bytes_per_delivered',
  'payload_bytes_per_delivered', 'loadgen_cpu_pct', 'server_cpu_pct', 'server_rss_mb', 'errors',
] as const;

export function describePayload(o: Options): string {
  if (o.cursor3) return 'cursor3 (3 bytes, no timestamp)';
  return o.cursor ? 'cursor (8 bytes)' : `${o.payload} bytes`;
}

/**
 * Counts print exactly, with thousands separators (30,008 is what the JSON says). Figures print
 * as the JSON holds them (already rounded there to 3-4 significant digits, so the two agree);
 * figures computed only for the summary are marked with "~".
 */
const count = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : v.toLocaleString('en-US'));
const fmt = (v: number | null | undefined, unit = ''): string =>
  v === null || v === undefined || Number.isNaN(v) ? '-' : `${v.toLocaleString('en-US', { maximumFractionDigits: 20 })}${unit}`;
const approx = (v: number | null, unit = ''): string => (v === null ? '-' : `~${sig(v, 3).toLocaleString('en-US', { maximumFractionDigits: 20 })}${unit}`);
const pct = (p: Percentiles): string => `p50 ${p.p50}  p90 ${p.p90}  p95 ${p.p95}  p99 ${p.p99}  p999 ${p.p999}  max ${p.max}`;

/** A plain-text summary table (the numbers agree with the JSON: see `count` and `fmt`). */
export function summaryTable(r: Report): string {
  const l = r.latency_ms;
  const rows: [string, string][] = [
    ['target', `${r.url} (${r.target}, class ${r.class})`],
    ['clients', `${count(r.clients)} in ${count(r.rooms)} rooms of ${count(r.per_room)}; connected ${count(r.connected)}, failed ${count(r.connect_failed)}, lost ${count(r.connections_lost)}`],
    ['load', `${r.hz} Hz per client, payload ${r.payload}, ${r.workers} worker(s)`],
    ['measured', `${fmt(r.seconds, ' s')} after ${r.warmup} s warm-up`],
    ['sent', `${count(r.sent)} (${fmt(r.sent_per_sec, '/s')})`],
    ['delivered', `${count(r.delivered)} of ${count(r.expected)} expected (${fmt(r.delivered_per_sec, '/s')})`],
    ['delivered ratio', r.delivered_ratio === null ? '-' : String(r.delivered_ratio)],
    ['latency ms', l ? `${pct(l)}  (${count(r.latency_samples)} samples)` : '-'],
  ];
  if (r.cross_node_latency_ms) rows.push(['cross-node ms', pct(r.cross_node_latency_ms)]);
  if (r.staleness_ms) {
    rows.push(['staleness ms', `${pct(r.staleness_ms)}  (${count(r.staleness_samples)} samples)`]);
    const a = r.value_age_ms;
    if (a) rows.push(['value age ms', pct(a)]);
  }
  rows.push(
    ['wire bytes rx', `${count(r.wire_bytes_rx)} (${fmt(r.wire_bytes_per_delivered)} per delivered: payload ${fmt(r.payload_bytes_per_delivered)} + overhead ${fmt(r.wire_overhead_bytes_per_delivered)}; ${fmt(r.wire_bytes_per_receiver_per_sec)} per receiver per s)`],
    ['data frames rx', `${count(r.data_frames_rx)} (${approx(r.delivered > 0 && r.data_frames_rx > 0 ? r.delivered / r.data_frames_rx : null)} delivered per frame)`],
    ['loadgen', `CPU ${fmt(r.loadgen_cpu_pct, '%')} of a core, event loop ${approx(r.loadgen_elu_max * 100, '%')} busy (busiest thread)`],
    ['server', r.server_cpu_pct === null ? '- (pass --server-pid)'
      : `CPU ${fmt(r.server_cpu_pct, '%')}, RSS ${fmt(r.server_rss_mb, ' MiB')}, ${fmt(r.server_cpu_us_per_delivered)} CPU-µs per delivered`],
  );
  if (r.slow) rows.push(['slow receivers', `${count(r.slow.delivered)} of ${count(r.slow.expected)} delivered`]);
  if (r.churn) rows.push(['churn', `${count(r.churn.connects)} connects (${count(r.churn.failures)} failed) at ${r.churn.per_sec}/s`]);
  const errs = Object.entries(r.errors);
  rows.push(['errors', errs.length === 0 ? 'none' : errs.map(([k, v]) => `${k}: ${count(v)}`).join(', ')]);
  if (r.saturation) {
    const g = r.saturation.last_good;
    rows.push(['saturation', g ? `last good: ${g.hz} Hz per client = ${fmt(g.delivered_per_sec)} delivered/s (p99 ${fmt(g.p99_ms)} ms)` : 'no step met the targets']);
  }
  if (r.thresholds.length > 0) {
    const failed = r.thresholds.filter((t) => !t.ok).length;
    rows.push(['thresholds', failed === 0 ? `all ${r.thresholds.length} passed` : `${failed} of ${r.thresholds.length} FAILED`]);
    for (const t of r.thresholds) rows.push(['', describeResult(t)]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  for (const w of r.warnings) lines.push(`WARNING: ${w}`);
  return lines.join('\n');
}
