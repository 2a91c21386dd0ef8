// pnpm bench [--quick] [--rounds N] [--only a,b] [--md FILE] [--json FILE]: runs the scenarios,
// interleaving servers within each round, and writes docs/benchmarks.md + .json
// (docs/benchmarks.quick.* in quick mode).
import { execSync } from 'node:child_process';
import { GROUPS_DEFAULTS, runGroupsBench } from './groups.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { measureOnce, type RunResult } from './measure.js';
import { renderMarkdown } from './markdown.js';
import { perfInstructionsAvailable, perfSyscallsAvailable } from './perf.js';
import { scenarios, type Label, type Scenario } from './scenarios.js';
import { REPO_ROOT } from './servers.js';
import { evaluateGoals, summarise } from './summary.js';
import { tcpVsWsGoals } from './tcp-vs-ws.js';

export interface BenchArgs { quick: boolean; rounds?: number; only?: string[]; md: string; json: string }

export function parseBenchArgs(argv: string[]): BenchArgs {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const quick = args.includes('--quick');
  const out: BenchArgs = { quick, md: `${REPO_ROOT}docs/benchmarks${quick ? '.quick' : ''}.md`, json: `${REPO_ROOT}docs/benchmarks${quick ? '.quick' : ''}.json` };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') continue;
    else if (a === '--rounds') out.rounds = Math.max(1, Math.min(50, Number(next()) || 1));
    else if (a === '--only') out.only = next().split(',');
    else if (a === '--md') out.md = next();
    else if (a === '--json') out.json = next();
    else throw new Error(`unknown option ${a} (use --quick, --rounds N, --only a,b, --md FILE, --json FILE)`);
  }
  return out;
}

/** Round r runs the labels rotated by r, so no server always goes first. */
export function roundOrder(labels: readonly Label[], round: number): Label[] {
  const k = round % labels.length;
  return [...labels.slice(k), ...labels.slice(0, k)];
}

export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  let kernel = '';
  try { kernel = execSync('uname -r', { encoding: 'utf8' }).trim(); } catch { /* ignore */ }
  return `${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${kernel}, Node ${process.version}, load average at start ${execSync('cat /proc/loadavg', { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ')}`;
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const t0 = Date.now();
  const startedAt = new Date().toISOString();
  const machine = machineLine();
  const usePerf = perfSyscallsAvailable();
  const perfInstructions = perfInstructionsAvailable();
  // Interest groups (issue 16 §3) have their own runner and section: with `--only interest-groups`
  // alone nothing else runs (and the other sections stay); a full run ends with it.
  const groups = args.only ? args.only.includes(GROUPS_SCENARIO) : !args.quick;
  const groupsRun = () => runGroupsBench({ ...GROUPS_DEFAULTS, ...(args.rounds ? { rounds: args.rounds } : {}), md: args.md },
    `pnpm bench${args.quick ? ' --quick' : ''}${args.rounds ? ` --rounds ${args.rounds}` : ''}${args.only ? ` --only ${args.only.join(',')}` : ''}`,
    (line) => process.stdout.write(`${line}\n`));
  if (args.only?.length === 1 && groups) {
    await groupsRun();
    return;
  }
  const list: Scenario[] = scenarios(args.quick, args.only)
    .filter((s) => !args.only || args.only.includes(s.name))
    .map((s) => (args.rounds ? { ...s, rounds: s.kind === 'traffic' ? args.rounds : s.rounds } : s));
  const results: RunResult[] = [];
  process.stdout.write(`bench: ${list.map((s) => s.name).join(', ')}; perf syscalls ${usePerf ? 'on' : 'off'}\n`);
  for (const s of list) {
    for (let round = 0; round < s.rounds; round++) {
      for (const label of roundOrder(s.labels, round)) {
        const t = Date.now();
        try {
          const r = await measureOnce(s, label, round, usePerf);
          results.push(r);
          process.stdout.write(`${s.name} round ${round + 1}/${s.rounds} ${label.padEnd(11)} cpu-us/deliv ${r.cpu_us_per_delivered ?? '-'} p99 ${r.p99_ms ?? '-'} ms deliv/s ${r.delivered_per_sec} ratio ${r.delivered_ratio ?? '-'}`
            + `${r.rss_per_conn_kb !== null ? ` rss/conn ${r.rss_per_conn_kb} KiB` : ''}${r.saturation_rate !== null ? ` sat ${r.saturation_rate}/s` : ''} (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
        } catch (err) {
          process.stdout.write(`${s.name} round ${round + 1} ${label}: FAILED ${(err as Error).message}\n`);
        }
      }
    }
  }
  const sums = list.map((s) => summarise(s, results));
  const only = (name: string) => sums.find((x) => x.scenario === name);
  const goals = [...evaluateGoals(sums), ...tcpVsWsGoals(only('tcp-vs-ws'), only('tcp-vs-ws-idle'))];
  const command = `pnpm bench${args.quick ? ' --quick' : ''}${args.rounds ? ` --rounds ${args.rounds}` : ''}${args.only ? ` --only ${args.only.join(',')}` : ''}`;
  const meta = { command, quick: args.quick, machine, startedAt, durationSec: (Date.now() - t0) / 1000, perfSyscalls: usePerf, perfInstructions };
  writeFileSync(args.md, renderMarkdown(meta, sums, goals) + keptSections(args.md));
  const slim = results.map(({ report, ...r }) => ({ ...r, report: { ...report, timeline: undefined, histogram: undefined } }));
  writeFileSync(args.json, `${JSON.stringify({ meta, goals, scenarios: sums, runs: slim }, null, 2)}\n`);
  process.stdout.write(`bench: wrote ${args.md} and ${args.json} in ${Math.round(meta.durationSec)} s\n`);
  for (const g of goals) process.stdout.write(`  ${g.id} ${g.verdict.padEnd(12)} ${g.goal}: ${g.measured} (target ${g.target})\n`);
  if (groups) await groupsRun();
}

/** The `--only` name of the interest-groups run (bench/src/groups.ts). */
export const GROUPS_SCENARIO = 'interest-groups';

/** Marks where sections measured by other commands (e.g. `pnpm bench:files`) start: kept on regeneration. */
export const KEPT_MARKER = '<!-- Sections below are written by other commands; pnpm bench keeps them. -->';

/** The kept tail of an existing results file (from the marker on), or ''. */
export function keptSections(path: string): string {
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(KEPT_MARKER);
  return at < 0 ? '' : `\n${text.slice(at)}`;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().then(() => process.exit(0), (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
