#!/usr/bin/env node
// Production bundle: a folder that runs the relay and serves the demo with plain `node`, anywhere,
// without the repository or pnpm. `pnpm deploy --prod` lays out the relay with only its production
// dependencies (a real node_modules, native uWS included: no bundler rewriting pino or uWS), and
// the built demo page goes beside it where the relay looks by default:
//
//   <out>/relay/dist/main.js      node --max-semi-space-size=4 <out>/relay/dist/main.js
//   <out>/relay/node_modules/     production dependencies only
//   <out>/demo-client/dist/       the page (RELAY_STATIC_DIR's default, relative to relay/dist)
//
// Usage: node scripts/bundle.mjs [--no-build] [out]   (default out: dist/roomcast-relay)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const UWS_PACKAGE = '@trufflesuite+uws-js-unofficial';

/** pnpm as it was started (npx's copy or a global one), else pnpm on PATH. */
function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath === undefined || !basename(execPath).startsWith('pnpm')) return ['pnpm'];
  return /\.[cm]?js$/.test(execPath) ? [process.execPath, execPath] : [execPath];
}

function pnpm(args) {
  const [command, ...pre] = pnpmCommand();
  const result = spawnSync(command, [...pre, ...args], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`pnpm ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
}

/** A previous bundle may be replaced; any other non-empty folder is refused. */
function clearOut(out) {
  if (!existsSync(out) || readdirSync(out).length === 0) return;
  const pkg = join(out, 'relay', 'package.json');
  if (!existsSync(pkg) || JSON.parse(readFileSync(pkg, 'utf8')).name !== '@roomcast/relay') {
    throw new Error(`${out} is not empty and holds no earlier bundle: choose an empty or new folder`);
  }
  rmSync(out, { recursive: true, force: true });
}

/**
 * The uWS package ships 21 native binaries (every platform and Node ABI, ~110 MB); the bundle keeps
 * the one for the platform, CPU and Node it is built with (~14 MB). Build it where it will run
 * (same OS, CPU and Node major); anywhere else the relay refuses to start and says why.
 */
function pruneUwsBinaries(relayDir) {
  const store = join(relayDir, 'node_modules', '.pnpm');
  const keep = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  for (const entry of readdirSync(store).filter((e) => e.startsWith(UWS_PACKAGE))) {
    const pkg = join(store, entry, 'node_modules', '@trufflesuite', 'uws-js-unofficial');
    for (const folder of ['binaries', 'dist']) {
      for (const file of readdirSync(join(pkg, folder))) {
        if (file.endsWith('.node') && file !== keep) rmSync(join(pkg, folder, file));
      }
    }
  }
}

export function bundle({ out, build = true }) {
  const target = resolve(out);
  clearOut(target);
  if (build) pnpm(['--filter', '@roomcast/relay...', '--filter', '@roomcast/demo-client...', 'build']);
  const demo = join(ROOT, 'apps', 'demo-client', 'dist', 'index.html');
  if (!existsSync(demo)) throw new Error(`${demo} is missing: build first (pnpm build) or drop --no-build`);
  pnpm(['--filter', '@roomcast/relay', 'deploy', '--prod', join(target, 'relay')]);
  cpSync(join(ROOT, 'apps', 'demo-client', 'dist'), join(target, 'demo-client', 'dist'), { recursive: true });
  pruneUwsBinaries(join(target, 'relay'));
  return target;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2).filter((a) => a !== '--'); // `pnpm bundle -- x` passes the `--`
  const build = !args.includes('--no-build');
  const out = args.find((a) => !a.startsWith('--')) ?? join(ROOT, 'dist', 'roomcast-relay');
  try {
    const target = bundle({ out, build });
    process.stdout.write(`bundle: ${target}\n  run it with: node --max-semi-space-size=4 ${join(target, 'relay', 'dist', 'main.js')}\n`);
  } catch (err) {
    process.stderr.write(`bundle: ${err.message}\n`);
    process.exit(1);
  }
}
