// A child process (the Python examples) whose stdout is read line by line, so a test can wait for
// the first line that matches, whether it was printed already or comes later.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface LineProcess {
  child: ChildProcessWithoutNullStreams;
  /** Every complete stdout line so far. */
  lines: string[];
  /** Resolves with the first stdout line (past or future) matching `pred`. */
  line(pred: (l: string) => boolean): Promise<string>;
  /** Exit code and all of stderr. */
  exited: Promise<{ code: number | null; stderr: string }>;
}

/** Spawns `command args`; the caller kills `child` after its test. */
export function spawnLines(command: string, args: string[]): LineProcess {
  const child = spawn(command, args);
  const lines: string[] = [];
  const waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let partial = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout.on('data', (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      for (const w of waiters.splice(0)) (w.pred(l) ? w.resolve(l) : waiters.push(w));
    }
  });
  return {
    child,
    lines,
    line(pred) {
      const found = lines.find(pred);
      return found !== undefined ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    exited: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr }))),
  };
}
