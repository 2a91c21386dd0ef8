#!/usr/bin/env node
// Finds the system programs the tests drive (Chromium for the demo's browser tests, redis-server
// for cluster tests) and, on a fresh Debian machine as root, installs the missing ones with
// apt-get; anywhere else it stops at once with the exact command to run. Never a silent skip.
// The root `test` script runs this first; tests call `requireTool()` for a program's path.
// Debian's chromium rather than @sparticuz/chromium from npm: that build still needs Debian's
// libnss3 and libnspr4, so apt-get would be needed either way.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import which from 'which';

/** The programs, the variable that overrides the search, the names tried on PATH, the Debian package. */
export const TOOLS = {
  chromium: {
    env: 'CHROMIUM_PATH',
    names: ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'],
    aptPackage: 'chromium',
  },
  'redis-server': { env: 'REDIS_SERVER_PATH', names: ['redis-server'], aptPackage: 'redis-server' },
};

export class ToolMissingError extends Error {
  name = 'ToolMissingError';
}

/** What the search depends on; tests inject their own (a PATH of temporary folders, not root). */
export function systemProbes() {
  return {
    env: process.env,
    isRoot: process.getuid?.() === 0,
    hasAptGet: which.sync('apt-get', { nothrow: true }) !== null,
    /** Runs a shell command with the terminal attached; returns its exit status. */
    run: (command) => spawnSync('sh', ['-c', command], { stdio: 'inherit' }).status ?? 1,
  };
}

/**
 * Where `name` is: the tool's variable when set (it wins, and must name an executable file), else
 * the first of its names on PATH, else undefined.
 */
export function findTool(name, probes = systemProbes()) {
  const tool = TOOLS[name];
  const fromEnv = probes.env[tool.env];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isExecutable(fromEnv)) {
      throw new ToolMissingError(`${tool.env}=${fromEnv} is not an executable file: fix or unset ${tool.env}`);
    }
    return fromEnv;
  }
  // `which` (npm's own PATH search) rather than a hand-rolled loop: it handles empty entries,
  // PATHEXT on Windows and the executable bit.
  const path = probes.env.PATH ?? '';
  for (const candidate of tool.names) {
    const found = which.sync(candidate, { nothrow: true, path });
    if (found !== null) return found;
  }
  return undefined;
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The apt-get line that installs `packages` (with sudo when not root). */
export function installCommand(packages, isRoot) {
  const sudo = isRoot ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(' ')}`;
}

function missingMessage(names, probes) {
  const tools = names.map((n) => TOOLS[n]);
  const what = names.join(' and ');
  const vars = tools.map((t) => `${t.env}=/path/to/${t.names[0]}`).join(' ');
  if (!probes.hasAptGet) {
    return `${what} not found (searched ${tools.map((t) => `${t.env}, then ${t.names.join('/')} on PATH`).join('; ')}). `
      + `Install ${what} with your package manager, or run with ${vars}.`;
  }
  return `${what} not found. Run this and start again:\n\n  ${installCommand(tools.map((t) => t.aptPackage), probes.isRoot)}\n\n`
    + `(or point ${tools.map((t) => t.env).join(' / ')} at an installed program).`;
}

/** The path of `name`, or a ToolMissingError saying exactly how to get it. For tests. */
export function requireTool(name, probes = systemProbes()) {
  const found = findTool(name, probes);
  if (found === undefined) throw new ToolMissingError(missingMessage([name], probes));
  return found;
}

/**
 * Finds every tool in `names`; installs the missing ones with one apt-get when root on Debian, else
 * throws with the command to run. Returns `{ [envVar]: path }` for the tests' environment.
 */
export function provision(names = Object.keys(TOOLS), probes = systemProbes(), log = console.log) {
  let missing = names.filter((n) => findTool(n, probes) === undefined);
  if (missing.length > 0) {
    if (!probes.isRoot || !probes.hasAptGet) throw new ToolMissingError(missingMessage(missing, probes));
    const command = installCommand(missing.map((n) => TOOLS[n].aptPackage), true);
    log(`provision: ${missing.join(', ')} missing; installing Debian packages: ${command}`);
    const status = probes.run(command);
    missing = missing.filter((n) => findTool(n, probes) === undefined);
    if (status !== 0 || missing.length > 0) {
      throw new ToolMissingError(`provision: \`${command}\` exited ${status}`
        + (missing.length > 0 ? `; still missing: ${missing.join(', ')}` : ''));
    }
  }
  const paths = {};
  for (const n of names) paths[TOOLS[n].env] = findTool(n, probes);
  log(`provision: ${names.map((n) => `${n} ${paths[TOOLS[n].env]}`).join(', ')}`);
  return paths;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    provision();
  } catch (err) {
    if (!(err instanceof ToolMissingError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
