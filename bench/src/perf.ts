// Send-syscall counts of a server process with `perf stat` on syscall tracepoints, where perf
// works. (Hardware counters such as `instructions` are not supported on these VMs; the syscall
// tracepoints are, when run as root.)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const SEND_SYSCALLS = ['sendto', 'sendmsg', 'write', 'writev'] as const;

/** True if `perf stat` can count syscall tracepoints here. */
export function perfSyscallsAvailable(): boolean {
  const r = spawnSync('perf', ['stat', '-x,', '-e', 'syscalls:sys_enter_write', '--', 'true'], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 && /sys_enter_write/.test(r.stderr) && !/not supported|not counted/.test(r.stderr);
}

/** True if `perf stat -e instructions true` counts instructions (the brief's check). */
export function perfInstructionsAvailable(): boolean {
  const r = spawnSync('perf', ['stat', '-x,', '-e', 'instructions', '--', 'true'], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 && !/not supported|not counted/.test(r.stderr);
}

/** Parses `perf stat -x,` output into counts per syscall name. */
export function parsePerfCsv(text: string): Record<string, number> {
  return parsePerfIntervals(text).counts;
}

/**
 * Parses `perf stat -x,` output, plain or with `-I` (each line then starts with the interval's end
 * time in seconds): counts per syscall name summed over intervals, and the counting time (the last
 * interval's end; null without -I). `<not counted>` lines are skipped.
 */
export function parsePerfIntervals(text: string): { counts: Record<string, number>; seconds: number | null } {
  const counts: Record<string, number> = {};
  let seconds: number | null = null;
  for (const line of text.split('\n')) {
    let f = line.trim().split(',');
    if (f.length > 3 && /^\d+\.\d+$/.test(f[0]!) && /syscalls:/.test(f[3] ?? '')) {
      seconds = Math.max(seconds ?? 0, Number(f[0]));
      f = f.slice(1);
    }
    const m = /syscalls:sys_enter_(\w+)/.exec(f[2] ?? '');
    if (!m) continue;
    if (/^\d+$/.test(f[0] ?? '')) counts[m[1]!] = (counts[m[1]!] ?? 0) + Number(f[0]);
  }
  return { counts, seconds };
}

/** Send syscalls counted by perf: total and the time perf counted them (so rates can be formed). */
export interface PerfResult {
  total: number;
  seconds: number | null;
}

export class PerfCounter {
  private child: ChildProcess | undefined;
  private output = '';

  begin(pid: number): void {
    const events = SEND_SYSCALLS.map((s) => `syscalls:sys_enter_${s}`).join(',');
    // -I 100: interval lines carry perf's own elapsed time, so the count can be turned into a rate
    // (the attach and the SIGINT do not line up exactly with the load tester's window).
    this.child = spawn('perf', ['stat', '-x,', '-I', '100', '-e', events, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => { this.output += d.toString(); });
    this.child.on('error', () => {});
  }

  /** Stops counting; resolves with the total of send syscalls and perf's counting time (undefined if perf failed). */
  end(): Promise<PerfResult | undefined> {
    const child = this.child;
    if (!child) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const t = setTimeout(() => { child.kill('SIGKILL'); resolve(undefined); }, 3000);
      child.once('exit', () => {
        clearTimeout(t);
        const { counts, seconds } = parsePerfIntervals(this.output);
        const n = Object.values(counts).reduce((a, b) => a + b, 0);
        resolve(Object.keys(counts).length > 0 ? { total: n, seconds } : undefined);
      });
      child.kill('SIGINT');
    });
  }
}
