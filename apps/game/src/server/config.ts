// The backend's configuration: one zod schema over its environment variables, parsed once at
// start-up. A bad value stops the process with a message naming the variable. No side effects.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  GAME_PORT: int(0, 65535).default(8090),
  GAME_HOST: z.string().min(1).default('127.0.0.1'),
  /** The relay's HTTP base URL, for the server API. */
  RELAY_HTTP_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
  /** The WebSocket URL players (and this backend) connect to; default: RELAY_HTTP_URL's /ws. */
  RELAY_WS_URL: z.url({ protocol: /^wss?$/ }).optional(),
  /** One of the relay's RELAY_API_KEYS. */
  RELAY_API_KEY: z.string().min(24, 'must be one of the relay\'s RELAY_API_KEYS (24 or more characters)'),
  /** The relay's RELAY_JWT_SECRET: player and backend tokens are signed with it. */
  RELAY_JWT_SECRET: z.string().min(32, 'must be the relay\'s RELAY_JWT_SECRET (32 or more characters)'),
  /** Verifies the relay's webhooks at POST /webhooks; empty: webhooks are refused. */
  GAME_WEBHOOK_SECRET: z.string().regex(/^(whsec_[A-Za-z0-9+/=]+)?$/, 'must be whsec_ + base64 (the relay\'s RELAY_WEBHOOK_SECRET)').default(''),
  GAME_MAX_PLAYERS: int(2, 8).default(8),
  GAME_SIM_HZ: int(5, 60).default(20),
  /** The room tick the backend creates rooms with: how often `latest` values are flushed. */
  GAME_ROOM_TICK_HZ: int(1, 60).default(60),
  GAME_ROUND_SECONDS: z.coerce.number().min(0.5).max(3600).default(60),
  GAME_ROUND_PAUSE_MS: int(0, 60_000).default(3000),
  /** Reliable frames (actions) a player may send per second; above it the player is kicked. */
  GAME_MAX_ACTIONS_PER_SEC: int(1, 1000).default(10),
  /** How long a seat handed out by /play waits for its player to join. */
  GAME_RESERVATION_MS: int(100, 600_000).default(15_000),
  /** A match with no player (and no reservation) this long is closed. */
  GAME_EMPTY_CLOSE_MS: int(0, 3_600_000).default(10_000),
  GAME_ROOM_PREFIX: z.string().regex(/^[\x21-\x7e]{1,64}$/, 'must be 1-64 printable ASCII characters').default('tag:'),
  /** Folder of the built page served at `/` (default: dist/web beside this file); `off`: no page. */
  GAME_STATIC_DIR: z.string().default(fileURLToPath(new URL('../web', import.meta.url))),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type GameConfig = ReturnType<typeof toConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function toConfig(env: z.infer<typeof schema>) {
  return {
    port: env.GAME_PORT,
    host: env.GAME_HOST,
    relayHttpUrl: env.RELAY_HTTP_URL.replace(/\/+$/, ''),
    relayWsUrl: env.RELAY_WS_URL ?? `${env.RELAY_HTTP_URL.replace(/^http/, 'ws').replace(/\/+$/, '')}/ws`,
    apiKey: env.RELAY_API_KEY,
    jwtSecret: env.RELAY_JWT_SECRET,
    webhookSecret: env.GAME_WEBHOOK_SECRET,
    maxPlayers: env.GAME_MAX_PLAYERS,
    simHz: env.GAME_SIM_HZ,
    roomTickHz: env.GAME_ROOM_TICK_HZ,
    roundMs: Math.round(env.GAME_ROUND_SECONDS * 1000),
    pauseMs: env.GAME_ROUND_PAUSE_MS,
    maxActionsPerSec: env.GAME_MAX_ACTIONS_PER_SEC,
    reservationMs: env.GAME_RESERVATION_MS,
    emptyCloseMs: env.GAME_EMPTY_CLOSE_MS,
    roomPrefix: env.GAME_ROOM_PREFIX,
    staticDir: env.GAME_STATIC_DIR === 'off' ? '' : env.GAME_STATIC_DIR,
    logLevel: env.LOG_LEVEL,
  };
}

/** Parses the environment; throws ConfigError naming the first bad variable. */
export function parseGameConfig(env: Record<string, string | undefined>): GameConfig {
  // An empty variable counts as unset, so `GAME_PORT= node ...` takes the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const got = cleaned[name] === undefined ? 'unset' : name.includes('SECRET') || name.includes('KEY') ? 'hidden' : JSON.stringify(cleaned[name]);
    throw new ConfigError(`${name}: ${issue.message} (got ${got})`);
  }
  return toConfig(result.data);
}
