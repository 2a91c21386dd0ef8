// The Tag arena's test fixture: a real relay (in-process, 127.0.0.1, port 0, tokens, API key,
// seats, webhooks to the backend) and the real backend as its own process (dist/main.js, built
// by `pnpm -r build`), plus bots that are closed after each test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseConfig, startRelay, type RelayServer } from '@roomcast/relay';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { freePort } from '../../../scripts/ports.mjs';
import { GameBot, type BotOptions } from '../src/index.js';

export const API_KEY = 'game-test-api-key-0123456789abcdef';
export const JWT_SECRET = 'game-test-jwt-secret-0123456789abcdef0123';
export const WEBHOOK_SECRET = `whsec_${Buffer.from('game-test-webhook-secret-32bytes').toString('base64')}`;
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface RelayOptions {
  seatGraceMs?: number;
  /** The backend's port, for RELAY_WEBHOOK_URL. */
  webhookPort?: number;
  port?: number;
}

export function startGameRelay(options: RelayOptions = {}): Promise<RelayServer> {
  return startRelay({
    config: parseConfig({
      TCP_PORT: 'off',
      RELAY_STATIC_DIR: '',
      RELAY_API_KEYS: API_KEY,
      RELAY_JWT_SECRET: JWT_SECRET,
      RELAY_SEAT_GRACE_MS: String(options.seatGraceMs ?? 3000),
      ...(options.webhookPort === undefined ? {} : {
        RELAY_WEBHOOK_URL: `http://127.0.0.1:${options.webhookPort}/webhooks`,
        RELAY_WEBHOOK_SECRET: WEBHOOK_SECRET,
        RELAY_WEBHOOK_BATCH_MS: '20',
      }),
    }),
    overrides: { host: '127.0.0.1', port: options.port ?? 0, logLevel: 'silent' },
  });
}

export interface Backend {
  url: string;
  child: ChildProcess;
  /** What the process wrote to stderr (its pino log lines). */
  log: string[];
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
}

/** Starts the backend process against `relay`; resolves once it listens. */
export async function startBackend(relay: RelayServer, env: Record<string, string> = {}): Promise<Backend> {
  const port = env.GAME_PORT ?? String(await freePort());
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      GAME_PORT: port,
      RELAY_HTTP_URL: relay.httpUrl,
      RELAY_API_KEY: API_KEY,
      RELAY_JWT_SECRET: JWT_SECRET,
      GAME_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => log.push(...chunk.split('\n').filter((l) => l !== '')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`backend did not listen within 15 s:\n${log.join('\n')}`)), 15_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const m = /\{"listening":"([^"]+)"\}/.exec(chunk);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`backend exited with ${code}:\n${log.join('\n')}`));
    });
  });
  const end = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, child, log, stop: end('SIGTERM'), kill: end('SIGKILL') };
}

/**
 * One relay and one backend process for a test file (beforeAll/afterAll), and `bot()` to join
 * players through /play; bots are closed after each test.
 */
export function useGame(env: Record<string, string> = {}, relayOptions: RelayOptions = {}) {
  let relay: RelayServer | undefined;
  let backend: Backend | undefined;
  const bots: GameBot[] = [];
  beforeAll(async () => {
    const port = await freePort();
    relay = await startGameRelay({ ...relayOptions, webhookPort: port });
    backend = await startBackend(relay, { GAME_PORT: String(port), ...env });
  });
  afterEach(() => {
    for (const b of bots.splice(0)) b.close();
  });
  afterAll(async () => {
    await backend?.stop();
    await relay?.close();
  });
  return {
    get relay(): RelayServer { return relay!; },
    get backend(): Backend { return backend!; },
    async bot(options: BotOptions = {}): Promise<GameBot> {
      const b = await GameBot.join(backend!.url, options);
      bots.push(b);
      return b;
    },
    /** The relay's server API, as the tests' own eyes. */
    api(path: string): Promise<unknown> {
      return fetch(`${relay!.httpUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${API_KEY}` } }).then((r) => r.json());
    },
  };
}
