// The root `start` script on a terminal: Ctrl-C must end it with exit 0. pnpm runs scripts with
// `sh -c`; Debian's sh (dash) that is waiting for a child when SIGINT arrives kills itself with
// SIGINT after the child exits, even when the child exited 0, and pnpm then prints
// "[ELIFECYCLE] Command failed". So the script `exec`s node. This runs the script's relay command
// in a real pseudo-terminal (util-linux `script`) and types Ctrl-C (0x03) into it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { scripts } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };

function ctrlC(command: string): Promise<{ code: number | null; output: string }> {
  // `script` runs the command with $SHELL -c, as pnpm runs scripts with sh -c.
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', SHELL: '/bin/sh', HOST: '127.0.0.1', PORT: '0', TCP_PORT: '0' },
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  let output = '';
  let typed = false;
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
    if (!typed && /relay listening[^\n]*\n/.test(output)) {
      typed = true;
      child.stdin.write('\x03');
    }
  });
  return new Promise((resolve) => child.on('exit', (code) => {
    clearTimeout(timer);
    resolve({ code, output });
  }));
}

it('pnpm start: Ctrl-C on a terminal stops the relay and the script exits 0', async () => {
  const relayCommand = scripts.start!.split(' && ').at(-1)!;
  expect(relayCommand).toBe('exec node --max-semi-space-size=4 apps/relay/dist/main.js');
  if (!existsSync(`${ROOT}apps/relay/dist/main.js`)) throw new Error('apps/relay/dist is missing: build first (pnpm build)');
  const { code, output } = await ctrlC(`true && ${relayCommand}`);
  expect(output).toContain('shutting down');
  expect(output).toContain('relay stopped');
  expect(code).toBe(0);
});
