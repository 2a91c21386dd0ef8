// The relay and the game backend as two child processes wired to each other (API key, token
// secret, seats, webhooks: fresh random secrets per start). Used by `pnpm game` (play.ts) and the
// load scenario (load/run.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface StackOptions {
  relayPort: number;
  gamePort: number;
  logLevel?: string;
  /** Extra environment for the backend (GAME_*). */
  gameEnv?: Record<string, string>;
  /** Called when a child exits before stop(). */
  onExit?: (name: string, how: string) => void;
}

export interface Stack {
  relayHttp: string;
  gameUrl: string;
  relay: ChildProcess;
  backend: ChildProcess;
  stop(): Promise<void>;
}

const relayMain = fileURLToPath(new URL('./main.js', import.meta.resolve('@roomcast/relay')));
const backendMain = fileURLToPath(new URL('./main.js', import.meta.url));

export async function startStack(options: StackOptions): Promise<Stack> {
  const apiKey = randomBytes(24).toString('hex');
  const jwtSecret = randomBytes(32).toString('hex');
  const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const relayHttp = `http://127.0.0.1:${options.relayPort}`;
  const gameUrl = `http://127.0.0.1:${options.gamePort}`;
  const logLevel = options.logLevel ?? 'warn';
  const children: ChildProcess[] = [];
  let stopping = false;
  let started = false;
  /** Why a child died during start-up (a busy port, a bad variable): fail at once, not after 10 s. */
  let dead: string | undefined;
  const isDead = () => dead;
  const start = (name: string, main: string, env: Record<string, string>): ChildProcess => {
    const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code, signal) => {
      dead ??= `the ${name} exited (${signal ?? `exit ${code}`})`;
      if (!stopping && started) options.onExit?.(name, signal ?? `exit ${code}`);
    });
    children.push(child);
    return child;
  };
  const stop = async () => {
    stopping = true;
    await Promise.all(children.map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    })));
  };
  // A relay or backend already there would answer the health checks below in place of ours.
  for (const [port, variable] of [[options.relayPort, 'PORT'], [options.gamePort, 'GAME_PORT']] as const) {
    if (await listening(port)) throw new Error(`port ${port} is in use on 127.0.0.1: stop what runs there or set ${variable}`);
  }
  try {
    const relay = start('relay', relayMain, {
      PORT: String(options.relayPort), HOST: '127.0.0.1', TCP_PORT: 'off', LOG_LEVEL: logLevel,
      RELAY_API_KEYS: apiKey, RELAY_JWT_SECRET: jwtSecret, RELAY_SEAT_GRACE_MS: '10000',
      RELAY_WEBHOOK_URL: `${gameUrl}/webhooks`, RELAY_WEBHOOK_SECRET: webhookSecret,
    });
    await waitFor(`${relayHttp}/healthz`, 'the relay', isDead);
    const backend = start('game backend', backendMain, {
      GAME_PORT: String(options.gamePort), RELAY_HTTP_URL: relayHttp, RELAY_API_KEY: apiKey, RELAY_JWT_SECRET: jwtSecret,
      GAME_WEBHOOK_SECRET: webhookSecret, LOG_LEVEL: logLevel, ...options.gameEnv,
    });
    await waitFor(`${gameUrl}/healthz`, 'the game backend', isDead);
    started = true;
    return { relayHttp, gameUrl, relay, backend, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `url` until it answers 2xx (at most 10 s). */
async function waitFor(url: string, what: string, dead: () => string | undefined): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const why = dead();
    if (why !== undefined) throw new Error(why);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not answer ${url} within 10 s`);
}
