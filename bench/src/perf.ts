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
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const f = line.split(',');
    const m = /syscalls:sys_enter_(\w+)/.exec(f[2] ?? '');
    if (m && /^\d+$/.test(f[0] ?? '')) out[m[1]!] = Number(f[0]);
  }
  return out;
}

export class PerfCounter {
  private child: ChildProcess | undefined;
  private output = '';

  begin(pid: number): void {
    const events = SEND_SYSCALLS.map((s) => `syscalls:sys_enter_${s}`).join(',');
    this.child = spawn('perf', ['stat', '-x,', '-e', events, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => { this.output += d.toString(); });
    this.child.on('error', () => {});
  }

  /** Stops counting; resolves with the total of send syscalls (undefined if perf failed). */
  end(): Promise<number | undefined> {
    const child = this.child;
    if (!child) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const t = setTimeout(() => { child.kill('SIGKILL'); resolve(undefined); }, 3000);
      child.once('exit', () => {
        clearTimeout(t);
        const counts = parsePerfCsv(this.output);
        const n = Object.values(counts).reduce((a, b) => a + b, 0);
        resolve(Object.keys(counts).length > 0 ? n : undefined);
      });
      child.kill('SIGINT');
    });
  }
}
