// Tokens and secrets never reach the logs: every log line of a relay at trace level, captured while
// clients hello, refresh, get refused and expire over both transports, contains neither the
// secret nor any part of a token's signature or payload. Start-up logs which key source is used and
// warns about open relays; the relay process (dist/main.js) does the same without the secret.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../fakes.js';
import { TRANSPORTS, useAuthRelays } from './harness.js';
import { NOW_SEC, SECRET, hmacKey, sign } from './tokens.js';

const relays = useAuthRelays();
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } });
  return { logger: pino({ level: 'trace' }, stream), text: () => lines.join('') };
}

describe('logs', () => {
  it('hold no secret and no token through hello, refresh, refusals and expiry', async () => {
    const { logger, text } = capture();
    const clock = new FakeClock();
    const server = await relays.start({ RELAY_JWT_SECRET: SECRET, RELAY_IDLE_TIMEOUT_SEC: '0' }, { clock, logger });
    const tokens: string[] = [];
    /** `s` seconds after the relay's current (fake) time. */
    const at = (s: number) => NOW_SEC + Math.floor(clock.now() / 1000) + s;
    const mint = async (claims: Record<string, unknown>) => {
      const t = await sign(hmacKey(), 'HS256', claims);
      tokens.push(t);
      return t;
    };
    for (const transport of TRANSPORTS) {
      const client = await relays.welcomed(server, transport, await mint({ exp: at(60), rooms: ['r'], info: { name: 'Ada' } }));
      await client.join('r');
      await client.request({ type: 'refresh', token: await mint({ exp: at(120), rooms: ['r'] }) }, 'refreshed');
      await client.requestAny({ type: 'refresh', token: await mint({ sub: 'eve', exp: at(120) }) });
      const bad = await relays.hello(server, transport, `${(await mint({})).slice(0, -4)}AAAA`);
      await bad.client.closed;
      const expired = await relays.hello(server, transport, await mint({ exp: at(-600) }));
      await expired.client.closed;
      clock.advance(200_000);
      expect((await client.closed).code).toBe(4440);
    }
    await server.close();
    const logs = text();
    expect(logs).toContain('"keySource":"secret"');
    expect(logs).toContain('hello refused');
    expect(logs).toContain('closing connection');
    expect(logs).not.toContain(SECRET);
    for (const t of tokens) {
      const [, payload, signature] = t.split('.');
      expect(logs).not.toContain(payload);
      expect(logs).not.toContain(signature!.slice(0, 20));
    }
  });

  it('start-up warns that a relay without a key lets anyone in, and about Origin *', async () => {
    const { logger, text } = capture();
    await relays.start({}, { logger });
    const warnings = text().split('\n').filter((l) => l.includes('"level":40')).map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(warnings).toStrictEqual([
      'no token key configured (RELAY_JWT_SECRET, RELAY_JWT_PUBLIC_KEY(_FILE), RELAY_JWKS_URL/_FILE): anyone who can reach the relay may join any room under any name',
      'RELAY_ALLOWED_ORIGINS=*: web pages of any site may open WebSockets to the relay',
    ]);
  });

  it('the relay process starts with a secret, logs its key source and never the secret', { timeout: 20_000 }, async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run the build first (pnpm build, or the root pnpm test)`);
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', TCP_PORT: '0', RELAY_JWT_SECRET: SECRET, RELAY_ALLOWED_ORIGINS: 'https://app.example' },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('relay listening')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`relay exited with ${code}: ${stderr}`)));
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const auth = stdout.split('\n').filter((l) => l.includes('identity and access')).map((l) => JSON.parse(l) as { auth: unknown });
    expect(auth.map((l) => l.auth)).toStrictEqual([{ keySource: 'secret', algorithms: ['HS256'], allowAnonymous: false, allowedOrigins: ['https://app.example'] }]);
    expect(stdout).not.toContain('"level":40'); // a key and an Origin list: nothing to warn about
    expect(stdout + stderr).not.toContain(SECRET);
  });
});

describe('relay process start-up', () => {
  it('stops with exit 1 naming the variable when a key file cannot be read', { timeout: 20_000 }, async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run the build first (pnpm build, or the root pnpm test)`);
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', TCP_PORT: '0', RELAY_JWT_PUBLIC_KEY_FILE: '/nonexistent/roomcast.pem' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    expect(await new Promise<number | null>((resolve) => child.on('exit', resolve))).toBe(1);
    expect(stderr).toContain('RELAY_JWT_PUBLIC_KEY_FILE cannot be read (/nonexistent/roomcast.pem)');
    expect(stderr).toContain('Fix the environment variables above and start again.');
    expect(stdout).not.toContain('relay listening');
  });
});
