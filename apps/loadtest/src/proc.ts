// CPU and memory of a process read from /proc (Linux): used for --server-pid and by the bench.
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times (USER_HZ; 100 on every Linux we run). */
export const CLK_TCK = 100;

export interface ProcSample {
  /** user + system CPU time of the whole process (all threads), in microseconds. */
  cpuUs: number;
  /** Resident set size in bytes. */
  rssBytes: number;
  /** When the sample was taken (performance.now(), ms). */
  atMs: number;
}

/** Parses the utime + stime fields (14 and 15) of a /proc/<pid>/stat line, in clock ticks. */
export function parseStatCpuTicks(stat: string): number {
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  return Number(rest[11]) + Number(rest[12]);
}

/** Parses VmRSS from /proc/<pid>/status, in bytes. */
export function parseStatusRssBytes(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Samples a process; undefined if it is gone. */
export function sampleProc(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { cpuUs: (parseStatCpuTicks(stat) * 1_000_000) / CLK_TCK, rssBytes: parseStatusRssBytes(status), atMs: performance.now() };
  } catch {
    return undefined;
  }
}

/** CPU use between two samples as a percentage of one core. */
export function cpuPct(a: ProcSample, b: ProcSample): number {
  const wallUs = (b.atMs - a.atMs) * 1000;
  return wallUs > 0 ? ((b.cpuUs - a.cpuUs) / wallUs) * 100 : 0;
}
