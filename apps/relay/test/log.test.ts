// Log format of the relay process: JSON lines when stdout is a pipe or file, pino-pretty's
// one-line form when it is a terminal. The terminal is a real pseudo-terminal from util-linux
// `script` (Debian's essential bsdutils package); the relay is stopped with SIGINT, as Ctrl-C does.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const ENV = { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', TCP_PORT: '0', LOG_LEVEL: 'info' };

/**
 * Runs `argv`, waits for `ready` in its output, sends SIGINT to `pidOf(output)`, and resolves
 * with everything printed and the exit code.
 */
function runUntil(argv: string[], ready: RegExp, pidOf: (output: string, childPid: number) => number): Promise<{ output: string; code: number | null }> {
  const child = spawn(argv[0]!, argv.slice(1), { env: ENV });
  let output = '';
  let signalled = false;
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) => {
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (!signalled && ready.test(output)) {
        signalled = true;
        process.kill(pidOf(output, child.pid!), 'SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ output, code });
    });
  });
}

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run the build first (pnpm build, or the root pnpm test)`);
});

describe('relay log format', () => {
  it('writes JSON lines when stdout is not a terminal', async () => {
    const { output, code } = await runUntil([process.execPath, MAIN], /relay listening[^\n]*\n/, (_, pid) => pid);
    expect(code).toBe(0);
    const lines = output.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; service: string });
    // Start-up says which token key is used (none here) and warns about an open relay (issue 11).
    expect(lines.map((l) => l.msg)).toEqual([
      'identity and access',
      expect.stringMatching(/^no token key configured .*: anyone who can reach the relay may join any room under any name$/),
      'RELAY_ALLOWED_ORIGINS=*: web pages of any site may open WebSockets to the relay',
      expect.stringMatching(/^relay listening on http:\/\/127\.0\.0\.1:\d+ /), 'shutting down', 'relay stopped',
    ]);
    expect(lines[0]!.service).toBe('roomcast-relay');
  });

  it('pretty-prints on a terminal', async () => {
    // `exec` keeps the shell's pid for node, so the printed pid is the relay's.
    const command = `echo "pid=$$"; exec '${process.execPath}' '${MAIN}'`;
    const { output, code } = await runUntil(['script', '-qefc', command, '/dev/null'], /relay listening[^\n]*\n/,
      (out) => Number(/pid=(\d+)/.exec(out)![1]));
    expect(code).toBe(0);
    const plain = stripVTControlCharacters(output).replace(/\r/g, '');
    expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: relay listening on http:\/\/127\.0\.0\.1:\d+ .*\{"port":\d+,/m);
    expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: shutting down \{"signal":"SIGINT"\}$/m);
    expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: relay stopped/m);
    expect(plain).not.toContain('"level"');
  });
});
