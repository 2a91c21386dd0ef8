// One measured run: start a server process, drive it with the load tester (in this process, one
// worker thread), read its CPU / RSS / send syscalls, stop it.
import { DEFAULTS, runLoadTest, sampleProc, type Options, type Report } from '@roomcast/loadtest';
import { PerfCounter, type PerfResult } from './perf.js';
import type { Label, Scenario, Variant } from './scenarios.js';
import { cpus } from 'node:os';
import { pinSelf, SERVER_KINDS, startServer, type ServerKind } from './servers.js';

export interface RunResult {
  scenario: string;
  label: Label;
  round: number;
  cpu_us_per_delivered: number | null;
  wire_bytes_per_delivered: number | null;
  p99_ms: number | null;
  delivered_per_sec: number;
  delivered_ratio: number | null;
  server_cpu_pct: number | null;
  loadgen_cpu_pct: number;
  loadgen_bottleneck: boolean;
  rss_mb: number | null;
  rss_per_conn_kb: number | null;
  syscalls_per_delivered: number | null;
  saturation_rate: number | null;
  errors: Record<string, number>;
  report: Report;
  /** `latest`: p99 staleness of a receiver's view of a sender's value (null otherwise). */
  staleness_p99_ms?: number | null;
  /** Wire bytes per delivered minus payload bytes per delivered. */
  wire_overhead_bytes_per_delivered?: number | null;
  /** Downstream wire bytes per receiving client per second. */
  wire_bytes_per_receiver_per_sec?: number | null;
  /** Send syscalls per data frame received (deliver or batch): with `latest`, per recipient per tick. */
  syscalls_per_frame_rx?: number | null;
  /** Server CPU-µs per input frame (data frame sent by the clients in the window). */
  cpu_us_per_input?: number | null;
  /** kind 'knee': the rooms of this step, and whether it met the scenario's criterion (knee.ts). */
  step_rooms?: number;
  step_ok?: boolean;
  /** Cluster scenarios (cluster-measure.ts): p99 of deliveries whose sender sits on another relay node. */
  cross_node_p99_ms?: number | null;
  /** Cluster scenarios: Redis CPU over the window, % of one core and µs per delivered message. */
  redis_cpu_pct?: number | null;
  redis_cpu_us_per_delivered?: number | null;
  /** `latest`: p99 age of the newest value a receiver shows per sender. */
  value_age_p99_ms?: number | null;
  /** Cluster scenarios: bus messages dropped or lost (dropped_total + gaps_total, every node). */
  bus_lost?: number | null;
  /** 1-minute load average of the machine when the run started (shared machine: context for the figures). */
  loadavg_1m?: number | null;
}

/** The figures every run takes from the load tester's report. */
export function reportResult(s: Scenario, label: Label, round: number, report: Report): RunResult {
  return {
    scenario: s.name, label, round,
    cpu_us_per_delivered: report.server_cpu_us_per_delivered,
    wire_bytes_per_delivered: report.wire_bytes_per_delivered,
    p99_ms: report.latency_ms?.p99 ?? null,
    delivered_per_sec: report.delivered_per_sec,
    delivered_ratio: report.delivered_ratio,
    server_cpu_pct: report.server_cpu_pct,
    loadgen_cpu_pct: report.loadgen_cpu_pct,
    loadgen_bottleneck: report.loadgen_bottleneck,
    rss_mb: report.server_rss_mb,
    rss_per_conn_kb: null,
    syscalls_per_delivered: null,
    saturation_rate: report.saturation?.last_good?.delivered_per_sec ?? null,
    errors: report.errors,
    report,
    staleness_p99_ms: report.staleness_ms?.p99 ?? null,
    wire_overhead_bytes_per_delivered: report.wire_overhead_bytes_per_delivered,
    wire_bytes_per_receiver_per_sec: report.wire_bytes_per_receiver_per_sec,
  };
}

/** The server kind and options of a label: its variant if the scenario names one, else the label's own kind. */
export function variantOf(s: Scenario, label: Label): Variant {
  const v = s.variants?.[label];
  if (v) return v;
  if (label === 'roomcast-aa') return { server: 'roomcast' };
  if (label === 'uws-aa') return { server: 'uws' };
  if ((SERVER_KINDS as readonly string[]).includes(label)) return { server: label as ServerKind };
  throw new Error(`scenario ${s.name}: label ${label} is neither a server kind nor a variant`);
}

export function kindOf(label: Label, s?: Scenario): ServerKind {
  return s ? variantOf(s, label).server : label === 'roomcast-aa' ? 'roomcast' : (label as ServerKind);
}

/**
 * Send syscalls per event, as a ratio of rates: perf counts over its own interval (attach to
 * SIGINT, which brackets the load tester's window by up to ~0.2 s), so its count divided by its
 * counting time is compared with the window's event rate. Without perf's time, the plain ratio.
 */
export function syscallsPer(perf: PerfResult | undefined, events: number, windowSeconds: number): number | null {
  if (!perf || events <= 0 || windowSeconds <= 0) return null;
  if (perf.seconds === null || perf.seconds <= 0) return perf.total / events;
  return (perf.total / perf.seconds) / (events / windowSeconds);
}

export async function measureOnce(s: Scenario, label: Label, round: number, usePerf: boolean): Promise<RunResult> {
  const variant = variantOf(s, label);
  const server = await startServer(variant.server, 15_000, variant.env, variant.tcpListener === true || variant.transport === 'tcp', s.pin ? 0 : undefined);
  if (s.pin) pinSelf('1');
  try {
    const before = sampleProc(server.pid);
    const perf = new PerfCounter();
    let syscalls: PerfResult | undefined;
    const url = variant.transport === 'tcp' ? server.tcpUrl : server.url;
    if (url === undefined) throw new Error(`${label}: the server has no raw TCP listener`);
    const options: Options = { ...DEFAULTS, ...s.options, ...variant.options, url, target: server.target, serverPid: server.pid, quiet: true };
    const report = await runLoadTest(options, {
      onWindow: async (edge) => {
        if (!usePerf || s.kind === 'idle') return;
        if (edge === 'begin') {
          perf.begin(server.pid);
          await new Promise((r) => setTimeout(r, 150));
        } else syscalls = await perf.end();
      },
    });
    const rssPerConn = s.kind === 'idle' && before && report.server_rss_mb !== null && report.connected > 0
      ? ((report.server_rss_mb * 1048576 - before.rssBytes) / report.connected) / 1024 : null;
    return {
      ...reportResult(s, label, round, report),
      rss_per_conn_kb: rssPerConn === null ? null : Math.round(rssPerConn * 100) / 100,
      syscalls_per_delivered: syscallsPer(syscalls, report.delivered, report.seconds),
      syscalls_per_frame_rx: syscallsPer(syscalls, report.data_frames_rx, report.seconds),
      cpu_us_per_input: report.server_cpu_us !== null && report.sent > 0 ? Math.round((report.server_cpu_us / report.sent) * 1000) / 1000 : null,
    };
  } finally {
    if (s.pin) pinSelf(`0-${cpus().length - 1}`);
    await server.stop();
  }
}
