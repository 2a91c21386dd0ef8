// provision.mjs: finding Chromium and redis-server (variable first, then PATH), installing the
// missing ones as root with apt-get, and stopping with the exact command otherwise. The PATH
// searched is made of temporary folders holding fake programs, so the tests never depend on (or
// change) what this machine has installed; apt-get is replaced by an injected `run`.
import { spawn, spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { findTool, installCommand, provision, requireTool, ToolMissingError, type Probes } from '../provision.mjs';

const SCRIPT = fileURLToPath(new URL('../provision.mjs', import.meta.url));
const dirs: string[] = [];

/** A folder (readable by everyone, for the non-root run) holding fake executables `names`. */
function binDir(...names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'roomcast-provision-'));
  chmodSync(dir, 0o755);
  dirs.push(dir);
  for (const name of names) addProgram(dir, name);
  return dir;
}

function addProgram(dir: string, name: string, mode = 0o755): string {
  const file = join(dir, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, mode);
  return file;
}

function probes(env: Record<string, string>, over: Partial<Probes> = {}): Probes & { commands: string[] } {
  const commands: string[] = [];
  return {
    env,
    isRoot: false,
    hasAptGet: true,
    run: (command) => {
      commands.push(command);
      return 0;
    },
    commands,
    ...over,
  };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('findTool', () => {
  it('takes CHROMIUM_PATH over a chromium on PATH', () => {
    const onPath = binDir('chromium');
    const custom = addProgram(binDir(), 'my-chrome');
    expect(findTool('chromium', probes({ PATH: onPath, CHROMIUM_PATH: custom }))).toBe(custom);
  });

  it('refuses a CHROMIUM_PATH that is not an executable file, naming the variable', () => {
    const onPath = binDir('chromium');
    const notExecutable = addProgram(binDir(), 'chrome', 0o644);
    expect(() => findTool('chromium', probes({ PATH: onPath, CHROMIUM_PATH: notExecutable })))
      .toThrow(`CHROMIUM_PATH=${notExecutable} is not an executable file: fix or unset CHROMIUM_PATH`);
    expect(() => findTool('chromium', probes({ PATH: onPath, CHROMIUM_PATH: onPath }))).toThrow(ToolMissingError);
  });

  it('searches PATH in order for the usual names, skipping files that are not executable', () => {
    const first = binDir('google-chrome');
    const second = binDir('chromium-browser');
    addProgram(first, 'chromium', 0o644);
    const path = `${first}:${second}`;
    // chromium (not executable) is skipped; chromium-browser comes before google-chrome by name.
    expect(findTool('chromium', probes({ PATH: path }))).toBe(join(second, 'chromium-browser'));
    expect(findTool('chromium', probes({ PATH: first }))).toBe(join(first, 'google-chrome'));
    expect(findTool('redis-server', probes({ PATH: binDir('redis-server') }))).toMatch(/\/redis-server$/);
  });

  it('returns undefined when nothing is found', () => {
    expect(findTool('chromium', probes({ PATH: binDir('redis-server') }))).toBeUndefined();
    expect(findTool('redis-server', probes({}))).toBeUndefined();
  });
});

describe('installCommand', () => {
  it('is the non-interactive apt-get line, with sudo when not root', () => {
    expect(installCommand(['chromium', 'redis-server'], true))
      .toBe('apt-get update && env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium redis-server');
    expect(installCommand(['chromium'], false))
      .toBe('sudo apt-get update && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium');
  });
});

describe('provision', () => {
  it('returns each variable with its path and installs nothing when all are present', () => {
    const dir = binDir('chromium', 'redis-server');
    const p = probes({ PATH: dir }, { isRoot: true });
    expect(provision(['chromium', 'redis-server'], p, () => {})).toEqual({
      CHROMIUM_PATH: join(dir, 'chromium'),
      REDIS_SERVER_PATH: join(dir, 'redis-server'),
    });
    expect(p.commands).toEqual([]);
  });

  it('as root with apt-get: installs every missing package with one command, then finds them', () => {
    const dir = binDir('redis-server');
    const logs: string[] = [];
    const p = probes({ PATH: dir }, {
      isRoot: true,
      run: (command) => {
        p.commands.push(command);
        addProgram(dir, 'chromium'); // what apt-get would put on PATH
        return 0;
      },
    });
    expect(provision(['chromium', 'redis-server'], p, (line) => logs.push(line)))
      .toEqual({ CHROMIUM_PATH: join(dir, 'chromium'), REDIS_SERVER_PATH: join(dir, 'redis-server') });
    expect(p.commands).toEqual(['apt-get update && env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium']);
    expect(logs[0]).toBe('provision: chromium missing; installing Debian packages: '
      + 'apt-get update && env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium');
  });

  it('as root: a failing apt-get stops with its exit status', () => {
    const p = probes({ PATH: binDir() }, { isRoot: true, run: () => 100 });
    expect(() => provision(['chromium', 'redis-server'], p, () => {})).toThrow(
      'provision: `apt-get update && env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium redis-server` exited 100; '
      + 'still missing: chromium, redis-server');
  });

  it('not root: stops at once with the exact sudo command, running nothing', () => {
    const p = probes({ PATH: binDir() });
    expect(() => provision(['chromium', 'redis-server'], p, () => {})).toThrow(
      'sudo apt-get update && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium redis-server');
    expect(p.commands).toEqual([]);
  });

  it('without apt-get: stops, naming the variables to set', () => {
    const p = probes({ PATH: binDir('redis-server') }, { isRoot: true, hasAptGet: false });
    expect(() => provision(['chromium', 'redis-server'], p, () => {})).toThrow(
      'chromium not found (searched CHROMIUM_PATH, then chromium/chromium-browser/google-chrome/google-chrome-stable on PATH). '
      + 'Install chromium with your package manager, or run with CHROMIUM_PATH=/path/to/chromium.');
    expect(p.commands).toEqual([]);
  });
});

describe('requireTool', () => {
  it('gives the path, or the command that installs the program', () => {
    const dir = binDir('chromium');
    expect(requireTool('chromium', probes({ PATH: dir }))).toBe(join(dir, 'chromium'));
    expect(() => requireTool('redis-server', probes({ PATH: dir }))).toThrow(
      'redis-server not found. Run this and start again:\n\n'
      + '  sudo apt-get update && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server\n\n'
      + '(or point REDIS_SERVER_PATH at an installed program).');
  });
});

describe('the programs this machine has (provided by the root pnpm test)', () => {
  // redis-server on a Unix socket in a temporary folder (port 0: no TCP at all), answering PING:
  // the path tests get from requireTool() is a working server, not just a file.
  it('redis-server starts and answers PING', async () => {
    const dir = binDir();
    const socket = join(dir, 'redis.sock');
    const server = spawn(requireTool('redis-server'), ['--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no', '--dir', dir]);
    const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
    const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        server.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (/ready to accept connections/i.test(out)) resolve();
        });
        void exited.then((code) => reject(new Error(`redis-server exited ${code}: ${out}`)));
      });
      const reply = await new Promise<string>((resolve, reject) => {
        const conn = createConnection(socket, () => conn.write('PING\r\n'));
        conn.once('data', (d) => { resolve(d.toString()); conn.end(); });
        conn.once('error', reject);
      });
      expect(reply).toBe('+PONG\r\n');
    } finally {
      server.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    }
  });
});

describe('node scripts/provision.mjs', () => {
  // A real process as a real non-root user (nobody, via runuser when the tests run as root),
  // with a PATH that has an apt-get but no chromium or redis-server.
  it('as a non-root user: exits 1 at once with the exact command, installing nothing', () => {
    const dir = binDir('apt-get');
    const asNobody = process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--'] : [];
    const argv = [...asNobody, 'env', `PATH=${dir}`, process.execPath, SCRIPT];
    const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
    expect(result.stderr).toBe('chromium and redis-server not found. Run this and start again:\n\n'
      + '  sudo apt-get update && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium redis-server\n\n'
      + '(or point CHROMIUM_PATH / REDIS_SERVER_PATH at an installed program).\n');
    expect(result.status).toBe(1);
  });

  it('prints the paths it found and exits 0', () => {
    const dir = binDir('chromium-browser', 'redis-server');
    const result = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { PATH: dir }, timeout: 10_000 });
    expect(result.stdout).toBe(`provision: chromium ${dir}/chromium-browser, redis-server ${dir}/redis-server\n`);
    expect(result.status).toBe(0);
  });
});
