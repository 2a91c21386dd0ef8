#!/usr/bin/env node
// `pnpm game`: the Tag arena for a newcomer in one command. Starts the relay (API key, token
// secret, seats, webhooks: fresh random secrets each run) and the game backend (which serves the
// page) as two child processes, and stops both on Ctrl-C. PORT (relay, default 8080) and
// GAME_PORT (page and backend, default 8090) move them.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const relayPort = process.env.PORT ?? '8080';
const gamePort = process.env.GAME_PORT ?? '8090';
const relayMain = fileURLToPath(new URL('./main.js', import.meta.resolve('@roomcast/relay')));
const backendMain = fileURLToPath(new URL('./main.js', import.meta.url));
const apiKey = randomBytes(24).toString('hex');
const jwtSecret = randomBytes(32).toString('hex');
const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
const relayHttp = `http://127.0.0.1:${relayPort}`;
const children: ChildProcess[] = [];

function start(name: string, main: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  child.once('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`game: the ${name} stopped (${signal ?? `exit ${code}`}); stopping\n`);
    stop(1);
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code: number): void {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
  Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.once('exit', resolve))))).then(() => process.exit(code), () => process.exit(code));
}
process.once('SIGINT', () => stop(0));
process.once('SIGTERM', () => stop(0));

async function waitFor(url: string, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not answer ${url} within 10 s`);
}

start('relay', relayMain, {
  PORT: relayPort, HOST: '127.0.0.1', TCP_PORT: 'off', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  RELAY_API_KEYS: apiKey, RELAY_JWT_SECRET: jwtSecret, RELAY_SEAT_GRACE_MS: '10000',
  RELAY_WEBHOOK_URL: `http://127.0.0.1:${gamePort}/webhooks`, RELAY_WEBHOOK_SECRET: webhookSecret,
});
try {
  await waitFor(`${relayHttp}/healthz`, 'the relay');
  start('game backend', backendMain, {
    GAME_PORT: gamePort, RELAY_HTTP_URL: relayHttp, RELAY_API_KEY: apiKey, RELAY_JWT_SECRET: jwtSecret,
    GAME_WEBHOOK_SECRET: webhookSecret, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  await waitFor(`http://127.0.0.1:${gamePort}/healthz`, 'the game backend');
  process.stdout.write(`Tag arena: open http://127.0.0.1:${gamePort} in two tabs (relay on ${relayHttp}). Ctrl-C stops both.\n`);
} catch (err) {
  process.stderr.write(`game: ${(err as Error).message}\n`);
  stop(1);
}
