// The published packages, as a user outside this workspace gets them: `pnpm pack` tarballs of
// @roomcast/protocol and @roomcast/client (pnpm rewrites `workspace:*` to the version), installed
// with npm into an empty folder, type-checked there, bundled for the browser there, and run as a
// small Node client against this relay (loopback, port 0).
// npm fetches only the third-party dependencies (ws, msgpackr, zod), from its cache when it can
// (--prefer-offline); optional dependencies and install scripts are skipped (msgpackr works
// without its native add-on).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayServer } from '../src/index.js';
import { startTestRelay } from './helpers.js';
// @ts-expect-error: a plain ESM script without type declarations (also the client's size CLI).
import { measureBrowserBundle } from '../../../packages/client/scripts/size.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const PACKAGES = ['protocol', 'client'] as const;
const VERSION = '0.1.0';

let work: string;
let app: string;
let server: RelayServer;

async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  const { stdout } = await run(cmd, args, { cwd, timeout: 120_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false' } });
  return stdout;
}

/** True when some src/*.ts is newer than its dist/*.js (or that is missing). */
function staleDist(dir: string): boolean {
  return readdirSync(join(dir, 'src')).filter((f) => f.endsWith('.ts')).some((f) => {
    const out = join(dir, 'dist', f.replace(/\.ts$/, '.js'));
    return !existsSync(out) || statSync(out).mtimeMs < statSync(join(dir, 'src', f)).mtimeMs;
  });
}

/** pnpm as the test command was started (`npx -y pnpm@…` puts it in npm_execpath), else from PATH. */
function pnpm(args: string[], cwd: string): Promise<string> {
  const execPath = process.env['npm_execpath'];
  if (execPath === undefined || !/pnpm/.test(execPath)) return sh('pnpm', args, cwd);
  // A JavaScript entry runs under node; pnpm 12's own executable runs as it is.
  return /\.[cm]?js$/.test(execPath) ? sh(process.execPath, [execPath, ...args], cwd) : sh(execPath, args, cwd);
}

function tarList(tarball: string): Promise<string[]> {
  return sh('tar', ['-tzf', tarball], work).then((out) => out.split('\n').filter(Boolean));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'roomcast-packed-'));
  const packs = join(work, 'packs');
  app = join(work, 'app');
  mkdirSync(packs);
  mkdirSync(app);
  for (const name of PACKAGES) {
    const dir = join(root, 'packages', name);
    // Pack what the sources say now. The root test command has just built dist; rebuild only when
    // it is stale (a targeted run), since other tests run the relay from dist meanwhile.
    if (staleDist(dir)) await sh(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], dir);
    await pnpm(['pack', '--pack-destination', packs], dir);
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'packed-app', private: true, type: 'module' }));
  await sh('npm', [
    'install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional', '--ignore-scripts',
    ...PACKAGES.map((name) => join(packs, `roomcast-${name}-${VERSION}.tgz`)), 'ws@^8.18.0',
  ], app);
  server = await startTestRelay();
}, 240_000);

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('packed @roomcast/protocol and @roomcast/client', () => {
  it.each(PACKAGES)('%s: the tarball holds dist, README and package.json; every export target exists', async (name) => {
    const files = await tarList(join(work, 'packs', `roomcast-${name}-${VERSION}.tgz`));
    expect(files).toContain('package/package.json');
    expect(files).toContain('package/README.md');
    expect(files).toContain('package/LICENSE');
    expect(files.some((f) => f.startsWith('package/src/'))).toBe(false);
    expect(files.some((f) => f.endsWith('.map'))).toBe(false);
    expect(files.some((f) => /\/test\/|\.test\./.test(f))).toBe(false);

    const installed = join(app, 'node_modules', '@roomcast', name);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ license: 'MIT', sideEffects: false, engines: { node: '>=20' }, type: 'module' });
    expect(manifest['repository']).toMatchObject({ type: 'git', directory: `packages/${name}` });
    const exportsText = JSON.stringify(manifest['exports']);
    expect(exportsText).not.toContain('roomcast-source');
    expect(exportsText).not.toContain('workspace:');
    expect(JSON.stringify(manifest['dependencies'] ?? {})).not.toContain('workspace:');
    // Every target in the exports map is a file in the package, and `types` comes first in each condition object.
    const targets: string[] = [];
    const walk = (node: unknown): void => {
      if (typeof node === 'string') targets.push(node);
      else if (node !== null && typeof node === 'object') {
        const keys = Object.keys(node);
        if (keys.includes('types')) expect(keys[0]).toBe('types');
        Object.values(node).forEach(walk);
      }
    };
    walk(manifest['exports']);
    expect(targets.length).toBeGreaterThan(1);
    for (const target of targets) expect(existsSync(join(installed, target)), target).toBe(true);
  });

  it('the client depends on the packed protocol by version, and on ws only as an optional peer', () => {
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/@roomcast/client/package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(manifest['dependencies']).toEqual({ '@roomcast/protocol': VERSION });
    expect(manifest['peerDependencies']).toEqual({ ws: '^8.18.0' });
    expect(manifest['peerDependenciesMeta']).toEqual({ ws: { optional: true } });
  });

  it('a Node script in the empty folder connects, joins and exchanges a message through the relay', async () => {
    writeFileSync(join(app, 'main.mjs'), `
import { RoomcastClient, RoomcastError } from '@roomcast/client';
import { PROTOCOL_VERSION, decodeServerFrame } from '@roomcast/protocol';
import { roomFiles } from '@roomcast/client/files';
const url = process.argv[2];
const alice = new RoomcastClient(url);
const bob = new RoomcastClient(url);
await Promise.all([alice.connect({ retry: true, maxAttempts: 3 }), bob.connect()]);
const a = await alice.join('packed', { name: 'alice' });
const got = new Promise((resolve) => a.on('message', resolve));
const b = await bob.join('packed', { name: 'bob' });
b.send(Uint8Array.of(1, 2, 3));
const m = await got;
const fileBytes = new Promise((resolve) => roomFiles(a).on('file_end', ({ bytes }) => resolve([...bytes])));
roomFiles(b).sendFile(Uint8Array.of(9, 8, 7), { name: 'x.bin' });
const file = await fileBytes;
const refused = await alice.join('a b').catch((err) => err instanceof RoomcastError ? err.code : String(err));
console.log(JSON.stringify({
  v: PROTOCOL_VERSION, fromBob: m.sender === b.self, payload: [...m.payload],
  members: [...a.members.values()].map((x) => x.presence), refused, decode: typeof decodeServerFrame, file,
}));
alice.close();
bob.close();
`);
    const out = await sh('node', ['main.mjs', server.wsUrl], app);
    expect(JSON.parse(out)).toEqual({
      v: 2, fromBob: true, payload: [1, 2, 3], members: [{ name: 'alice' }, { name: 'bob' }], refused: 'bad_room_name', decode: 'function', file: [9, 8, 7],
    });
  }, 60_000);

  it('TypeScript resolves the packed types (types-first exports) and checks a typed client', async () => {
    writeFileSync(join(app, 'typed.ts'), `
import { RoomcastClient, type ClientOptions, type Room } from '@roomcast/client';
import { encodeControl, type ServerMessage } from '@roomcast/protocol/client';
const options: ClientOptions = { reconnect: { initialDelayMs: 100 }, throttleLatest: true };
const client = new RoomcastClient('ws://127.0.0.1:1/ws', options);
export async function enter(): Promise<Room> {
  await client.connect({ retry: true });
  return client.join('lobby', { name: 'ada' });
}
export const bytes: Uint8Array = encodeControl({ type: 'pong', id: 1 } satisfies ServerMessage);
// @ts-expect-error: join takes a room name string
void client.join(42);
`);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, types: [], lib: ['ES2022', 'DOM'] },
      files: ['typed.ts'],
    }));
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    await expect(sh('node', [tsc, '-p', app], app)).resolves.toBe('');
  }, 60_000);

  it('without ws installed: tcp:// works, and ws:// says which package to install (Node < 22)', async () => {
    const bare = join(work, 'bare');
    mkdirSync(bare);
    writeFileSync(join(bare, 'package.json'), JSON.stringify({ name: 'bare-app', private: true, type: 'module' }));
    await sh('npm', [
      'install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=optional', '--ignore-scripts',
      ...PACKAGES.map((name) => join(work, 'packs', `roomcast-${name}-${VERSION}.tgz`)),
    ], bare);
    expect(existsSync(join(bare, 'node_modules', 'ws'))).toBe(false);
    writeFileSync(join(bare, 'main.mjs'), `
import { RoomcastClient } from '@roomcast/client';
let wsResult;
try { new RoomcastClient(process.argv[2]); wsResult = 'created'; } catch (err) { wsResult = err.code + ': ' + err.message; }
const tcp = new RoomcastClient(process.argv[3]);
await tcp.connect();
const room = await tcp.join('bare', { via: 'tcp' });
console.log(JSON.stringify({ wsResult, globalWebSocket: typeof globalThis.WebSocket, members: room.members.size }));
tcp.close();
`);
    const out = JSON.parse(await sh('node', ['main.mjs', server.wsUrl, server.tcpUrl!], bare)) as Record<string, unknown>;
    expect(out['members']).toBe(1);
    if (out['globalWebSocket'] === 'function') expect(out['wsResult']).toBe('created');
    else expect(out['wsResult']).toMatch(/^no_websocket: .*npm install ws/);
  }, 120_000);

  it('bundled for the browser from the installed package: within the budget, without ws, zod or msgpackr', async () => {
    const m = (await measureBrowserBundle({ from: 'dist', resolveDir: app })) as { gzip: number; inputs: string[] };
    expect(m.gzip).toBeLessThanOrEqual(14_000);
    expect(m.inputs).toContain('node_modules/@roomcast/client/dist/browser.js');
    expect(m.inputs.filter((p) => /node_modules\/(ws|zod|msgpackr)\//.test(p))).toEqual([]);
  }, 60_000);
});
