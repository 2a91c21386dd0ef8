// The production bundle (scripts/bundle.mjs): a folder outside the repository whose relay starts
// with plain `node` and an empty environment, answers /healthz, serves the demo, and stops on
// SIGTERM. Uses the builds of the root test command (--no-build), so it never rewrites a dist/
// that other tests are running.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../bundle.mjs', import.meta.url));
const RELAY_DIST = fileURLToPath(new URL('../../apps/relay/dist/main.js', import.meta.url));
const DEMO_DIST = fileURLToPath(new URL('../../apps/demo-client/dist/index.html', import.meta.url));
let out: string;

beforeAll(() => {
  for (const built of [RELAY_DIST, DEMO_DIST]) {
    if (!existsSync(built)) throw new Error(`${built} is missing: run the build first (pnpm build, or the root pnpm test)`);
  }
  out = join(mkdtempSync(join(tmpdir(), 'roomcast-bundle-')), 'roomcast-relay');
  const result = spawnSync(process.execPath, [SCRIPT, '--no-build', out], { encoding: 'utf8', timeout: 120_000 });
  expect(result.stderr).not.toContain('bundle:');
  expect(result.status).toBe(0);
}, 150_000);

afterAll(() => {
  if (out !== undefined) rmSync(join(out, '..'), { recursive: true, force: true });
});

describe('production bundle', () => {
  it('holds the relay with production dependencies only, the demo, and one uWS binary', () => {
    expect(readdirSync(out).sort()).toEqual(['demo-client', 'relay']);
    expect(existsSync(join(out, 'relay', 'dist', 'main.js'))).toBe(true);
    expect(existsSync(join(out, 'relay', 'src'))).toBe(false);
    expect(existsSync(join(out, 'demo-client', 'dist', 'index.html'))).toBe(true);
    const modules = readdirSync(join(out, 'relay', 'node_modules'));
    expect(modules).toContain('uWebSockets.js');
    expect(modules).not.toContain('ws'); // a devDependency of the relay
    const found = spawnSync('find', [out, '-name', 'uws_*.node', '-path', '*binaries*'], { encoding: 'utf8' });
    expect(found.stdout.trim().split('\n').map((p) => p.replace(/.*\//, ''))).toEqual([
      `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`,
    ]);
  });

  it('runs with plain node outside the repository: /healthz, the demo page, SIGTERM exits 0', async () => {
    const child = spawn(process.execPath, [join(out, 'relay', 'dist', 'main.js')], {
      cwd: tmpdir(),
      env: { PATH: '/usr/bin:/bin', HOST: '127.0.0.1', PORT: '0', TCP_PORT: '0' },
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const match = /"port":(\d+)/.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
      child.on('exit', (code) => reject(new Error(`relay exited ${code} before listening: ${stderr}`)));
    });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', version: '0.1.0', connections: 0, rooms: 0 });
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/^<!doctype html>/i);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    clearTimeout(timer);
    expect(stderr).toBe('');
  });
});
