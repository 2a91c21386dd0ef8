// Runs a load test: connect at the ramp rate, warm up, measure one window (or a series of
// --saturate steps), drain in-flight messages, and merge every driver's counts into a Report.
import { describeNoLoad, LoadAbortedError } from './abort.js';
import { validate, type Options } from './args.js';
import { sleep, type WindowResult } from './driver.js';
import { LatencyHistogram, round3 } from './histogram.js';
import { createDrivers, type DriverHandle } from './pool.js';
import { cpuPct, sampleProc, type ProcSample } from './proc.js';
import { describePayload, type Report, type SaturationStep, type TimelinePoint } from './report.js';
import { sig } from './stats.js';
import { evaluateThresholds } from './threshold.js';
import { ConnectionWatch } from './watch.js';

export interface ProgressInfo {
  phase: string;
  connected: number;
  clients: number;
  sentPerSec: number;
  deliveredPerSec: number;
  p99Ms: number | null;
  elu: number;
}

export interface RunHooks {
  onProgress?: (p: ProgressInfo) => void;
  /** Awaited right before and right after each measurement window (the bench attaches perf here). */
  onWindow?: (edge: 'begin' | 'end') => Promise<void> | void;
}

/** Event-loop utilisation above which the load generator is reported as the likely bottleneck. */
export const BOTTLENECK_ELU = 0.85;

interface Measured {
  win: WindowResult;
  latency: LatencyHistogram;
  staleness: LatencyHistogram | null;
  valueAge: LatencyHistogram | null;
  crossLatency: LatencyHistogram | null;
  timeline: TimelinePoint[];
  seconds: number;
  loadgenCpuPct: number;
  eluMax: number;
  server: { cpuPct: number; cpuUs: number; rssMb: number } | null;
}

export async function runLoadTest(options: Options, hooks: RunHooks = {}): Promise<Report> {
  validate(options);
  const o = options;
  const clients = o.rooms * o.perRoom;
  const startedAt = new Date().toISOString();
  const serverBefore = o.serverPid !== undefined ? sampleProc(o.serverPid) : undefined;
  const drivers = createDrivers(o);
  let phase = 'connect';
  let lastTotals = { sent: 0, delivered: 0, at: performance.now() };
  let progressBusy = false;
  const progressTimer = setInterval(() => {
    if (progressBusy || !hooks.onProgress) return;
    progressBusy = true;
    Promise.all(drivers.map((d) => d.progress())).then((ps) => {
      const now = performance.now();
      const sent = ps.reduce((a, p) => a + p.sentTotal, 0);
      const delivered = ps.reduce((a, p) => a + p.deliveredTotal, 0);
      const dt = (now - lastTotals.at) / 1000;
      const p99s = ps.map((p) => p.recentP99Ms).filter((v): v is number => v !== null);
      hooks.onProgress?.({
        phase, clients, connected: ps.reduce((a, p) => a + p.connected, 0),
        sentPerSec: (sent - lastTotals.sent) / dt, deliveredPerSec: (delivered - lastTotals.delivered) / dt,
        p99Ms: p99s.length ? Math.max(...p99s) : null, elu: Math.max(...ps.map((p) => p.elu)),
      });
      lastTotals = { sent, delivered, at: now };
    }, () => {}).finally(() => { progressBusy = false; });
  }, 1000);

  let watch: ConnectionWatch | undefined;
  try {
    const conn = await Promise.all(drivers.map((d) => d.connect()));
    const connected = conn.reduce((a, c) => a + c.connected, 0);
    const failed = conn.reduce((a, c) => a + c.failed, 0);
    if (connected === 0) {
      // Nothing to measure: say why now rather than report zeros after the whole window.
      const failures: Record<string, number> = {};
      for (const c of conn) for (const [k, v] of Object.entries(c.failures)) failures[k] = (failures[k] ?? 0) + v;
      const attempted = conn.reduce((a, c) => a + c.attempted, 0);
      throw new LoadAbortedError(describeNoLoad(o.url, clients, attempted, failures, conn.find((c) => c.detail)?.detail), failures);
    }
    watch = new ConnectionWatch(drivers);
    await Promise.all(drivers.map((d) => d.start()));
    await Promise.all(drivers.map((d) => d.setHz(o.hz)));
    phase = 'warm-up';
    await watch.sleep(o.warmup * 1000);

    let result: Measured;
    let saturation: Report['saturation'] = null;
    if (!o.saturate) {
      phase = 'measure';
      result = await measure(drivers, o, hooks, watch);
    } else {
      const steps: SaturationStep[] = [];
      let lastGood: { step: SaturationStep; m: Measured } | null = null;
      let first: Measured | null = null;
      let hz = o.hz;
      for (let i = 0; i < o.maxSteps; i++) {
        phase = `saturate ${i + 1}/${o.maxSteps} @ ${sig(hz)} Hz`;
        if (i > 0) {
          await Promise.all(drivers.map((d) => d.setHz(hz)));
          await watch.sleep(Math.min(2, Math.max(0.5, o.warmup)) * 1000);
        }
        const m = await measure(drivers, o, hooks, watch);
        first ??= m;
        const ratio = m.win.expected > 0 ? m.win.delivered / m.win.expected : null;
        const p99 = m.latency.percentilesMs()?.p99 ?? null;
        const ok = stepOk(o, ratio, p99, m.staleness?.percentilesMs()?.p99 ?? null, m.win.lagSkipped);
        const step: SaturationStep = {
          hz: sig(hz, 4), offered_per_sec: sig(m.win.expected / m.seconds, 4), delivered_per_sec: sig(m.win.delivered / m.seconds, 4),
          delivered_ratio: ratio === null ? null : round3(ratio), p99_ms: p99, server_cpu_pct: m.server ? sig(m.server.cpuPct) : null,
          loadgen_cpu_pct: sig(m.loadgenCpuPct), ok,
        };
        steps.push(step);
        if (!ok || watch.lost) break;
        lastGood = { step, m };
        hz = Math.min(hz * o.stepFactor, 10_000);
      }
      result = lastGood?.m ?? first!;
      saturation = { budget_ms: o.budgetMs, steps, last_good: lastGood?.step ?? null };
    }
    phase = 'stop';
    const finals = await Promise.all(drivers.map((d) => d.stop()));
    const errors: Record<string, number> = {};
    for (const f of finals) for (const [k, v] of Object.entries(f.errors)) errors[k] = (errors[k] ?? 0) + v;
    return buildReport(o, result, { connected, failed, errors, startedAt, saturation, serverBefore, lost: sum(finals.map((f) => f.closedDuringRun)),
      churn: o.churn > 0 ? { per_sec: o.churn, connects: sum(finals.map((f) => f.churnConnects)), failures: sum(finals.map((f) => f.churnFailures)) } : null });
  } catch (err) {
    await Promise.all(drivers.map((d) => d.stop().catch(() => undefined)));
    throw err;
  } finally {
    clearInterval(progressTimer);
    watch?.stop();
  }
}

async function measure(drivers: DriverHandle[], o: Options, hooks: RunHooks, watch: ConnectionWatch): Promise<Measured> {
  await hooks.onWindow?.('begin');
  const s0: ProcSample | undefined = o.serverPid !== undefined ? sampleProc(o.serverPid) : undefined;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(drivers.map((d) => d.beginWindow()));
  await watch.sleep(o.seconds * 1000);
  const elus = await Promise.all(drivers.map((d) => d.endWindow()));
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  const s1 = o.serverPid !== undefined ? sampleProc(o.serverPid) : undefined;
  await hooks.onWindow?.('end');
  // Drain: wait (bounded) for messages sent inside the window that are still in flight. With
  // `latest`, merged values never arrive, so delivered stays below expected: wait until in-window
  // deliveries stop growing instead (DRAIN_QUIET_MS covers several 30 Hz ticks).
  const drainUntil = performance.now() + o.drainMs;
  let lastDelivered = -1;
  let quietSince = performance.now();
  while (performance.now() < drainUntil && !watch.lost) {
    const counts = await Promise.all(drivers.map((d) => d.counts()));
    const delivered = sum(counts.map((c) => c.delivered));
    if (delivered >= sum(counts.map((c) => c.expected))) break;
    if (delivered !== lastDelivered) {
      lastDelivered = delivered;
      quietSince = performance.now();
    } else if (o.cls === 'latest' && performance.now() - quietSince >= DRAIN_QUIET_MS) break;
    await sleep(50);
  }
  const wins = await Promise.all(drivers.map((d) => d.collect()));
  const seconds = (t1 - t0) / 1000;
  const latency = new LatencyHistogram();
  const tracks = o.cls === 'latest' && !o.cursor3;
  const staleness = tracks ? new LatencyHistogram() : null;
  const valueAge = tracks ? new LatencyHistogram() : null;
  const crossLatency = wins.some((w) => w.crossLatency !== null) ? new LatencyHistogram() : null;
  const slots: { sent: number; delivered: number; hist: LatencyHistogram }[] = [];
  const win: WindowResult = {
    sent: 0, expected: 0, delivered: 0, slowExpected: 0, slowDelivered: 0, wireBytesRx: 0, payloadBytesRx: 0,
    dataFramesRx: 0, receivers: 0, latency: '', crossLatency: null, staleness: null, valueAge: null, timeline: [], elu: 0, lagSkipped: 0, maxClientBufferedBytes: 0,
  };
  for (const w of wins) {
    win.sent += w.sent; win.expected += w.expected; win.delivered += w.delivered;
    win.slowExpected += w.slowExpected; win.slowDelivered += w.slowDelivered;
    win.wireBytesRx += w.wireBytesRx; win.payloadBytesRx += w.payloadBytesRx; win.lagSkipped += w.lagSkipped;
    win.dataFramesRx += w.dataFramesRx; win.receivers += w.receivers;
    win.maxClientBufferedBytes = Math.max(win.maxClientBufferedBytes, w.maxClientBufferedBytes);
    latency.merge(LatencyHistogram.decode(w.latency));
    if (staleness && w.staleness) staleness.merge(LatencyHistogram.decode(w.staleness));
    if (valueAge && w.valueAge) valueAge.merge(LatencyHistogram.decode(w.valueAge));
    if (crossLatency && w.crossLatency) crossLatency.merge(LatencyHistogram.decode(w.crossLatency));
    w.timeline.forEach((t, i) => {
      while (slots.length <= i) slots.push({ sent: 0, delivered: 0, hist: new LatencyHistogram() });
      const slot = slots[i]!;
      slot.sent += t.sent; slot.delivered += t.delivered;
      slot.hist.merge(LatencyHistogram.decode(t.hist));
    });
  }
  const timeline = slots.slice(0, Math.ceil(seconds)).map((s, i) => {
    const p = s.hist.percentilesMs();
    return { second: i, sent: s.sent, delivered: s.delivered, p50_ms: p?.p50 ?? null, p99_ms: p?.p99 ?? null };
  });
  const wallUs = (t1 - t0) * 1000;
  return {
    win, latency, staleness, valueAge, crossLatency, timeline, seconds,
    loadgenCpuPct: ((c1.user + c1.system) / wallUs) * 100,
    eluMax: Math.max(...elus.map((e) => e.elu)),
    server: s0 && s1 ? { cpuPct: cpuPct(s0, s1), cpuUs: s1.cpuUs - s0.cpuUs, rssMb: s1.rssBytes / 1048576 } : null,
  };
}

function buildReport(o: Options, m: Measured, extra: {
  connected: number; failed: number; lost: number; errors: Record<string, number>; startedAt: string;
  saturation: Report['saturation']; serverBefore: ProcSample | undefined; churn: Report['churn'];
}): Report {
  const w = m.win;
  const warnings: string[] = [];
  const bottleneck = m.eluMax > BOTTLENECK_ELU || w.lagSkipped > 0;
  if (m.eluMax > BOTTLENECK_ELU) {
    warnings.push(`the load generator's busiest event loop was ${(m.eluMax * 100).toFixed(0)}% busy: it, not the server, may be the bottleneck (add --workers, or lower the load)`);
  }
  if (w.lagSkipped > 0) warnings.push(`the load generator fell more than 1 s behind its send schedule and skipped ${w.lagSkipped} sends`);
  if (extra.lost > 0) {
    const closes = Object.entries(extra.errors).filter(([k]) => k.startsWith('closed_')).map(([k, v]) => `${k}: ${v}`).join(', ');
    warnings.push(`${extra.lost} of ${extra.connected} connections were closed by the server or the network during the run (${closes || 'see errors'})`);
  }
  if (extra.failed > 0) warnings.push(`${extra.failed} of ${o.rooms * o.perRoom} clients failed to connect or join`);
  if (o.cls !== 'reliable' && (extra.errors.unsupported_class ?? 0) > 0) {
    warnings.push(`the server answered class ${o.cls} with unsupported_class (this relay routes only reliable frames)`);
  }
  if (m.server && m.server.cpuPct < 50 && m.loadgenCpuPct > 90 && (w.expected === 0 || (o.cls !== 'latest' && w.delivered / w.expected < 0.99))) {
    warnings.push('the server is mostly idle while the load generator is busy: figures describe the load generator');
  }
  const per = (v: number): number | null => (w.delivered > 0 ? sig(v / w.delivered, 4) : null);
  const report: Report = {
    clients: o.rooms * o.perRoom,
    rooms: o.rooms,
    seconds: sig(m.seconds, 4),
    sent: w.sent,
    sent_per_sec: sig(w.sent / m.seconds, 4),
    expected: w.expected,
    delivered: w.delivered,
    delivered_per_sec: sig(w.delivered / m.seconds, 4),
    delivered_ratio: w.expected > 0 ? Math.round((w.delivered / w.expected) * 1e5) / 1e5 : null,
    latency_ms: m.latency.percentilesMs(),
    staleness_ms: m.staleness ? m.staleness.percentilesMs() : null,
    wire_bytes_rx: w.wireBytesRx,
    wire_bytes_per_delivered: per(w.wireBytesRx),
    payload_bytes_per_delivered: per(w.payloadBytesRx),
    wire_overhead_bytes_per_delivered: w.delivered > 0 ? sig((w.wireBytesRx - w.payloadBytesRx) / w.delivered, 4) : null,
    loadgen_cpu_pct: sig(m.loadgenCpuPct),
    server_cpu_pct: m.server ? sig(m.server.cpuPct) : null,
    server_rss_mb: m.server ? sig(m.server.rssMb, 4) : null,
    errors: extra.errors,
    url: o.url,
    target: o.target,
    class: o.cls,
    per_room: o.perRoom,
    hz: o.hz,
    payload: describePayload(o),
    workers: o.workers,
    warmup: o.warmup,
    probe_ratio: o.probeRatio,
    seed: o.seed,
    connected: extra.connected,
    connect_failed: extra.failed,
    connections_lost: extra.lost,
    latency_samples: m.latency.count,
    loadgen_elu_max: round3(m.eluMax),
    loadgen_bottleneck: bottleneck,
    lag_skipped: w.lagSkipped,
    value_age_ms: m.valueAge ? m.valueAge.percentilesMs() : null,
    cross_node_latency_ms: m.crossLatency ? m.crossLatency.percentilesMs() : null,
    staleness_samples: m.staleness ? m.staleness.count : 0,
    receivers: w.receivers,
    data_frames_rx: w.dataFramesRx,
    wire_bytes_per_receiver_per_sec: w.receivers > 0 && m.seconds > 0 ? sig(w.wireBytesRx / w.receivers / m.seconds, 4) : null,
    server_cpu_us: m.server ? Math.round(m.server.cpuUs) : null,
    server_cpu_us_per_delivered: m.server && w.delivered > 0 ? sig(m.server.cpuUs / w.delivered, 4) : null,
    server_rss_before_connect_mb: extra.serverBefore ? sig(extra.serverBefore.rssBytes / 1048576, 4) : null,
    slow: o.slowRatio > 0 ? {
      ratio: o.slowRatio, expected: w.slowExpected, delivered: w.slowDelivered,
      delivered_ratio: w.slowExpected > 0 ? round3(w.slowDelivered / w.slowExpected) : null,
    } : null,
    churn: extra.churn,
    warnings,
    timeline: m.timeline,
    histogram: m.latency.buckets().map((b) => ({ up_to_ms: b.upToMs, count: b.count })),
    staleness_histogram: m.staleness ? m.staleness.linearBuckets().map((b) => ({ up_to_ms: b.upToMs, count: b.count })) : null,
    saturation: extra.saturation,
    started_at: extra.startedAt,
    node: process.version,
    thresholds: [],
  };
  report.thresholds = evaluateThresholds(o.thresholds, report);
  return report;
}

/** Quiet time after which the drain of a `latest` window stops (in-window deliveries stopped growing). */
export const DRAIN_QUIET_MS = 250;

/**
 * Whether a --saturate step meets its targets. For `latest`, delivered < expected is the point of
 * merging, so the delivered ratio is not a criterion: the staleness p99 must stay within the budget.
 */
export function stepOk(o: Pick<Options, 'cls' | 'budgetMs'>, ratio: number | null, latencyP99: number | null, stalenessP99: number | null, lagSkipped: number): boolean {
  if (lagSkipped > 0) return false;
  if (o.cls === 'latest') return stalenessP99 !== null && stalenessP99 <= o.budgetMs;
  return ratio !== null && ratio >= 0.99 && latencyP99 !== null && latencyP99 <= o.budgetMs;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
