// One measured run: start a server process, drive it with the load tester (in this process, one
// worker thread), read its CPU / RSS / send syscalls, stop it.
import { DEFAULTS, runLoadTest, sampleProc, type Options, type Report } from '@roomcast/loadtest';
import { PerfCounter } from './perf.js';
import type { Label, Scenario } from './scenarios.js';
import { startServer, type ServerKind } from './servers.js';

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
}

export function kindOf(label: Label): ServerKind {
  return label === 'roomcast-aa' ? 'roomcast' : label;
}

export async function measureOnce(s: Scenario, label: Label, round: number, usePerf: boolean): Promise<RunResult> {
  const server = await startServer(kindOf(label));
  try {
    const before = sampleProc(server.pid);
    const perf = new PerfCounter();
    let syscalls: number | undefined;
    const options: Options = { ...DEFAULTS, ...s.options, url: server.url, target: server.target, serverPid: server.pid, quiet: true };
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
      rss_per_conn_kb: rssPerConn === null ? null : Math.round(rssPerConn * 100) / 100,
      syscalls_per_delivered: syscalls !== undefined && report.delivered > 0 ? syscalls / report.delivered : null,
      saturation_rate: report.saturation?.last_good?.delivered_per_sec ?? null,
      errors: report.errors,
      report,
    };
  } finally {
    await server.stop();
  }
}
