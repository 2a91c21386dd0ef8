// Interest groups in a 1,000-member room (issue 16 §3): the same bots with and without groups,
// bytes per member per second and relay CPU per room tick. `pnpm bench --only interest-groups`
// (part of the full `pnpm bench`) or `pnpm bench:groups [--rounds N] [--bots N] [--seconds S]`.
// Labels, interleaved and rotated each round (performance.md):
//   room        every bot in the room as a whole: each receives every cursor (N entries per tick)
//   groups-16   16 x 16 cells; each bot subscribes to the 3 x 3 cells around it (3.5% of the canvas)
//               and sends to its own cell
//   groups-8    8 x 8 cells, 3 x 3 viewport (14% of the canvas): bytes follow the viewport's share
// Bots move a 4-byte cursor (two u16) inside their cell at HZ on average, `latest` class, key 0.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { sampleProc } from '@roomcast/loadtest';
import { placeBots, viewportMembers } from './groups-grid.js';
import type { GroupsWorkerCounts, GroupsWorkerData } from './groups-worker.js';
import { PerfCounter, perfSyscallsAvailable, type PerfResult } from './perf.js';
import { REPO_ROOT, startServer } from './servers.js';

export interface GroupsArgs { rounds: number; bots: number; seconds: number; warmup: number; workers: number; md?: string; json?: string }
// 4 worker threads on 2 cores: on a shared machine the scheduler shares CPU per thread, and the
// ungrouped room asks the load generator to read about 40 MB/s.
export const GROUPS_DEFAULTS: GroupsArgs = { rounds: 3, bots: 1000, seconds: 4, warmup: 1.5, workers: 4 };
/** Cursor moves per bot per second: a realistic duty (cursors move part of the time; issue 16 §1 uses 5 Hz too). */
export const HZ = 5;
export const TICK_HZ = 30;
/** Every this many bots, one decodes its batches to count entries (the others count bytes only). */
const SAMPLE_EVERY = 10;
const LABELS = [
  { label: 'room', grid: 16, groups: false },
  { label: 'groups-16', grid: 16, groups: true },
  { label: 'groups-8', grid: 8, groups: true },
] as const;
export const SECTION_TITLE = '## Interest groups: a 1,000-member room (issue 16 §3)';

export interface GroupsRun {
  label: string; round: number; bots: number; grid: number; groups: boolean;
  bytes_per_member_per_sec: number; bytes_per_member_p10: number; bytes_per_member_p90: number;
  frames_per_member_per_sec: number; entries_per_member_per_sec: number; expected_entries_per_member_per_sec: number;
  relay_cpu_pct: number | null; relay_cpu_ms_per_tick: number | null; loadgen_cpu_pct: number; sent_per_sec: number;
  /** Cursor moves sent / (bots x HZ): below FULL_INPUT the load generator fell behind (a busy machine). */
  sent_ratio: number;
  /** Entries received / what the layout predicts at the rate actually sent. */
  delivered_ratio: number;
  /** The relay's send syscalls (sendto, sendmsg, write, writev; perf) per member per room tick; null without perf. */
  send_syscalls_per_member_per_tick: number | null;
  errors: number; loadavg: string;
}

/** A run whose bots sent less than this share of their cursor moves is flagged and left out of the ratios. */
export const FULL_INPUT = 0.95;
/** ... or whose sampled bots received less than this share of the entries sent to them (they fell behind). */
export const FULL_DELIVERY = 0.9;

/** The built worker: next to this file when built; from the sources (tests), the copy in ../dist. */
function workerScript(): URL {
  const here = new URL('./groups-worker.js', import.meta.url);
  return existsSync(here) ? here : new URL('../dist/groups-worker.js', import.meta.url);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
export const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);

/** One measured run: a fresh relay, `workers` threads of bots, a warm-up, then a window. */
export async function measureGroups(spec: (typeof LABELS)[number], round: number, args: GroupsArgs): Promise<GroupsRun> {
  const server = await startServer('roomcast', 15_000, {
    RELAY_TICK_HZ: String(TICK_HZ), RELAY_MAX_MEMBERS_PER_ROOM: String(Math.max(args.bots, 256)),
    // The default room output budget (8 MiB/s) would skip most ticks of the ungrouped room: the
    // comparison is of bytes sent when nothing holds them back.
    RELAY_ROOM_MAX_BYTES_OUT_PER_SEC: String(1024 ** 3),
  });
  const bots = placeBots(args.bots, spec.grid);
  const expected = viewportMembers(bots);
  const workers: Worker[] = [];
  const inbox: unknown[][] = [];
  const wakers: ((() => void) | undefined)[] = [];
  const next = async (i: number): Promise<unknown> => {
    while (inbox[i]!.length === 0) await new Promise<void>((r) => { wakers[i] = r; });
    return inbox[i]!.shift();
  };
  try {
    const load = loadavg();
    for (let w = 0; w < args.workers; w++) {
      const share = bots.filter((b) => b.index % args.workers === w);
      const data: GroupsWorkerData = { url: server.url, room: 'canvas', bots: share, groups: spec.groups, grid: spec.grid, hz: HZ, sampleEvery: SAMPLE_EVERY, seed: 1000 + w };
      // execArgv []: the built worker resolves packages to their builds even when the parent runs under
      // vitest (whose `roomcast-source` condition would point it at TypeScript sources).
      const worker = new Worker(workerScript(), { workerData: data, execArgv: [] });
      inbox.push([]);
      wakers.push(undefined);
      worker.on('message', (m) => { inbox[w]!.push(m); wakers[w]?.(); });
      worker.on('error', (err) => { inbox[w]!.push(err); wakers[w]?.(); });
      workers.push(worker);
    }
    for (let w = 0; w < workers.length; w++) {
      const m = await next(w);
      if (m instanceof Error) throw m;
    }
    for (const worker of workers) worker.postMessage('go');
    await sleep(args.warmup * 1000);
    for (const worker of workers) worker.postMessage('start');
    const perf = usePerf() ? new PerfCounter() : undefined;
    perf?.begin(server.pid);
    const cpu0 = sampleProc(server.pid);
    const own0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(args.seconds * 1000);
    for (const worker of workers) worker.postMessage('stop');
    const syscalls: PerfResult | undefined = await perf?.end();
    const counts: GroupsWorkerCounts[] = [];
    for (let w = 0; w < workers.length; w++) counts.push((await next(w)) as GroupsWorkerCounts);
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = sampleProc(server.pid);
    const own = process.cpuUsage(own0);
    const perBot = counts.flatMap((c) => c.perBot).map((b) => b / seconds).sort((a, b) => a - b);
    const total = (k: 'bytes' | 'frames' | 'sampledEntries' | 'sampledBots' | 'sent' | 'errors') => counts.reduce((s, c) => s + c[k], 0);
    const relayCpuUs = cpu0 && cpu1 ? cpu1.cpuUs - cpu0.cpuUs : null;
    const round2 = (v: number) => Math.round(v * 100) / 100;
    // Entries are counted on every SAMPLE_EVERY-th bot: predict them for those bots.
    const sampled = expected.filter((_, i) => i % SAMPLE_EVERY === 0);
    const meanExpected = sampled.reduce((s, n) => s + n - 1, 0) / sampled.length;
    const sentRatio = total('sent') / seconds / (args.bots * HZ);
    const entries = total('sampledEntries') / Math.max(1, total('sampledBots')) / seconds;
    return {
      label: spec.label, round, bots: args.bots, grid: spec.grid, groups: spec.groups,
      bytes_per_member_per_sec: Math.round(total('bytes') / args.bots / seconds),
      bytes_per_member_p10: Math.round(percentile(perBot, 10)), bytes_per_member_p90: Math.round(percentile(perBot, 90)),
      frames_per_member_per_sec: round2(total('frames') / args.bots / seconds),
      entries_per_member_per_sec: round2(total('sampledEntries') / Math.max(1, total('sampledBots')) / seconds),
      expected_entries_per_member_per_sec: round2((spec.groups ? meanExpected : args.bots - 1) * HZ),
      relay_cpu_pct: relayCpuUs === null ? null : round2(relayCpuUs / 10_000 / seconds),
      relay_cpu_ms_per_tick: relayCpuUs === null ? null : Math.round((relayCpuUs / 1000 / (seconds * TICK_HZ)) * 1000) / 1000,
      loadgen_cpu_pct: round2((own.user + own.system) / 10_000 / seconds),
      sent_per_sec: Math.round(total('sent') / seconds), sent_ratio: round2(sentRatio),
      delivered_ratio: round2(entries / ((spec.groups ? meanExpected : args.bots - 1) * HZ * sentRatio)),
      send_syscalls_per_member_per_tick: syscalls === undefined
        ? null : round2(syscalls.total / (syscalls.seconds ?? seconds) / (args.bots * TICK_HZ)),
      errors: total('errors'), loadavg: load,
    };
  } finally {
    for (const worker of workers) worker.postMessage('close');
    await Promise.all(workers.map((w) => w.terminate()));
    await server.stop();
  }
}

let perfChecked: boolean | undefined;
/** Whether perf counts syscall tracepoints here (checked once). */
function usePerf(): boolean {
  perfChecked ??= perfSyscallsAvailable();
  return perfChecked;
}

const full = (r: GroupsRun): boolean => r.sent_ratio >= FULL_INPUT && r.delivered_ratio >= FULL_DELIVERY;

/** Median of each label and the paired ratio room / groups per round (median, min-max), over unflagged runs. */
export function groupsMarkdown(runs: readonly GroupsRun[], command: string, args: GroupsArgs, startLoad: string, endLoad: string): string {
  const by = (label: string) => runs.filter((r) => r.label === label);
  const room = by('room');
  const lines = [
    SECTION_TITLE, '',
    `Command: \`${command}\` (${args.bots} bots, ${args.rounds} rounds, ${args.seconds} s windows after ${args.warmup} s warm-up; `
      + `load generator in ${args.workers} worker threads in the bench process; \`uptime\` load average ${startLoad} at start, ${endLoad} at the end: `
      + 'the machine is shared with other sessions).',
    '',
    `One room of ${args.bots} bots placed uniformly at random (seed 42) on a canvas of grid cells; each moves a 4-byte cursor inside its cell `
      + `at ${HZ} Hz on average (\`latest\`, key 0; room tick ${TICK_HZ} Hz). \`room\`: no groups, every bot receives every cursor. `
      + '`groups-16` / `groups-8`: each cell is an interest group; every bot subscribes to the 3 x 3 cells around it and sends to its own. '
      + 'Bytes are downstream WebSocket bytes per bot (frames + framing); relay CPU from `/proc/<pid>/stat`, per room tick = CPU time / (window x 30).',
    '',
    `A run is flagged and left out of the medians and ratios when its bots sent less than ${FULL_INPUT * 100}% of their cursor moves, or received less than `
      + `${FULL_DELIVERY * 100}% of the entries the layout predicts at the rate actually sent ("received"): then the load generator, starved of CPU by the `
      + 'other sessions, measured itself. A receiver that falls behind is not queued for: the relay skips its ticks and sends it one snapshot when it '
      + 'drains (PROTOCOL.md §8.17), which shows as fewer, larger batches per second. n: runs kept of all runs.',
    '',
    '| label | grid | bytes / member / s (median) | p10-p90 over members | batches / member / s | entries / member / s (sampled) | expected entries | input sent | received | relay CPU % | relay CPU ms / tick | relay send syscalls / member / tick | load gen CPU % | relay errors | n |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { label } of LABELS) {
    const all = by(label);
    if (all.length === 0) continue;
    const kept = all.filter(full);
    const rs = kept.length > 0 ? kept : all;
    const m = (f: (r: GroupsRun) => number | null) => {
      const xs = rs.map(f).filter((x): x is number => x !== null);
      return xs.length === 0 ? '-' : String(Math.round(median(xs) * 1000) / 1000);
    };
    lines.push(`| ${label} | ${rs[0]!.grid}x${rs[0]!.grid} | ${m((r) => r.bytes_per_member_per_sec)} | ${m((r) => r.bytes_per_member_p10)}-${m((r) => r.bytes_per_member_p90)} | ${m((r) => r.frames_per_member_per_sec)} | ${m((r) => r.entries_per_member_per_sec)} | ${m((r) => r.expected_entries_per_member_per_sec)} | ${m((r) => r.sent_ratio * 100)}% | ${m((r) => r.delivered_ratio * 100)}% | ${m((r) => r.relay_cpu_pct)} | ${m((r) => r.relay_cpu_ms_per_tick)} | ${m((r) => r.send_syscalls_per_member_per_tick)} | ${m((r) => r.loadgen_cpu_pct)} | ${all.reduce((s, r) => s + r.errors, 0)} | ${kept.length > 0 ? `${kept.length} of ${all.length}` : `0 of ${all.length} (all flagged: medians of all)`} |`);
  }
  lines.push('', '| ratio (same round, room / groups) | bytes per member: median (min-max) | relay CPU per tick: median (min-max) | verdict (target: ≥ 10x fewer bytes) |', '|---|---|---|---|');
  for (const label of ['groups-16', 'groups-8']) {
    const bytes: number[] = [];
    const cpu: number[] = [];
    for (const g of by(label)) {
      const r = room.find((x) => x.round === g.round);
      if (r === undefined || !full(r) || !full(g)) continue;
      bytes.push(r.bytes_per_member_per_sec / g.bytes_per_member_per_sec);
      if (r.relay_cpu_ms_per_tick !== null && g.relay_cpu_ms_per_tick !== null) cpu.push(r.relay_cpu_ms_per_tick / g.relay_cpu_ms_per_tick);
    }
    if (bytes.length === 0) {
      if (by(label).length > 0) lines.push(`| room / ${label} | - | - | not established: no round where both runs kept up |`);
      continue;
    }
    const fmt = (xs: number[]) => xs.length === 0 ? '-' : `${median(xs).toFixed(1)}x (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
    // The target is for the canvas-sized viewport (16 x 16); 8 x 8 shows bytes following a bigger viewport.
    const verdict = label === 'groups-16' ? `${median(bytes) >= 10 ? 'met' : 'not met'} (n=${bytes.length})` : `reference: a viewport of 14% of the canvas (n=${bytes.length})`;
    lines.push(`| room / ${label} | ${fmt(bytes)} | ${fmt(cpu)} | ${verdict} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Puts `section` into the results file: replaces its previous copy, else appends it at the end. */
export function withSection(text: string, section: string): string {
  const at = text.indexOf(SECTION_TITLE);
  if (at < 0) return `${text.replace(/\n*$/, '\n\n')}${section}`;
  const after = text.indexOf('\n## ', at + SECTION_TITLE.length);
  return `${text.slice(0, at)}${section}${after < 0 ? '' : `\n${text.slice(after + 1)}`}`;
}

/** Runs every label `rounds` times (rotated order per round), printing progress; writes the section. */
export async function runGroupsBench(args: GroupsArgs, command: string, log: (line: string) => void): Promise<GroupsRun[]> {
  const runs: GroupsRun[] = [];
  const startLoad = loadavg();
  log(`interest-groups: ${args.bots} bots, labels ${LABELS.map((l) => l.label).join(', ')}, ${args.rounds} rounds`);
  for (let round = 0; round < args.rounds; round++) {
    const order = [...LABELS.slice(round % LABELS.length), ...LABELS.slice(0, round % LABELS.length)];
    for (const spec of order) {
      const t = Date.now();
      try {
        const r = await measureGroups(spec, round, args);
        runs.push(r);
        log(`interest-groups round ${round + 1}/${args.rounds} ${spec.label.padEnd(9)} bytes/member/s ${r.bytes_per_member_per_sec} entries/member/s ${r.entries_per_member_per_sec} (expected ${r.expected_entries_per_member_per_sec}) relay CPU ${r.relay_cpu_pct}% ${r.relay_cpu_ms_per_tick} ms/tick load gen ${r.loadgen_cpu_pct}% (${((Date.now() - t) / 1000).toFixed(1)} s, load ${r.loadavg})`);
      } catch (err) {
        log(`interest-groups round ${round + 1} ${spec.label}: FAILED ${(err as Error).message}`);
      }
    }
  }
  const md = args.md ?? `${REPO_ROOT}docs/benchmarks.md`;
  const section = groupsMarkdown(runs, command, args, startLoad, loadavg());
  writeFileSync(md, withSection(existsSync(md) ? readFileSync(md, 'utf8') : '', section));
  const json = args.json ?? `${REPO_ROOT}docs/benchmarks.groups.json`;
  writeFileSync(json, `${JSON.stringify({ command, args, machine: execSync('nproc', { encoding: 'utf8' }).trim() + ' cores', runs }, null, 2)}\n`);
  log(`interest-groups: wrote its section of ${md} and ${json}`);
  return runs;
}

export function parseGroupsArgs(argv: string[]): GroupsArgs {
  const list = argv[0] === '--' ? argv.slice(1) : argv;
  const out: GroupsArgs = { ...GROUPS_DEFAULTS };
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    const v = list[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    if (a === '--rounds') out.rounds = Math.max(1, Math.min(20, Number(v) || 1));
    else if (a === '--bots') out.bots = Math.max(10, Math.min(5000, Number(v) || 10));
    else if (a === '--seconds') out.seconds = Math.max(1, Math.min(60, Number(v) || 1));
    else if (a === '--md') out.md = v;
    else if (a === '--json') out.json = v;
    else throw new Error(`unknown option ${a} (use --rounds N, --bots N, --seconds S, --md FILE, --json FILE)`);
  }
  return out;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const args = parseGroupsArgs(process.argv.slice(2));
  const command = `pnpm bench:groups${process.argv.slice(2).filter((a) => a !== '--').map((a) => ` ${a}`).join('')}`;
  runGroupsBench(args, command, (line) => process.stdout.write(`${line}\n`)).then(() => process.exit(0), (err: unknown) => {
    process.stderr.write(`bench:groups: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
