// Relay configuration: one zod schema read from environment variables, parsed once at start-up.
// No side effects here; main.ts reports a failure and exits.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { accessEnv, authRules } from './config/access.js';
import { clusterEnv } from './config/cluster.js';
import { int } from './config/kit.js';
import { limitsEnv } from './config/limits.js';
import { networkEnv } from './config/network.js';
import { webhooksEnv } from './config/webhooks.js';

export { JWT_ALGORITHMS, type JwtAlgorithm } from './config/access.js';

/** Default location of the built demo page (apps/demo-client/dist), relative to this file. */
const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../demo-client/dist', import.meta.url));

/**
 * Every setting: the environment variable that sets it, its default and its unit.
 * Keys are environment variable names; `parseConfig` maps them to the camelCase fields of `Config`.
 */
const envSchema = z.object({
  /** TCP port for HTTP and WebSocket. 0 picks a free port. */
  PORT: int(0, 65535).default(8080),
  /** Address to listen on. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** pino log level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ...limitsEnv,
  ...networkEnv,
  /**
   * Folder served at `/` (the demo page). Empty means this default, as for every variable; a folder
   * with no index.html (or none at all) makes `/` answer a plain-text pointer to /ws instead.
   */
  RELAY_STATIC_DIR: z.string().default(DEFAULT_STATIC_DIR),
  ...accessEnv,
  ...clusterEnv,
  ...webhooksEnv,
}).superRefine((env, ctx) => {
  // Cross-field rules, each reported on the variable to change.
  if (env.TCP_FLASH_POLICY_FILE !== '' && !(env.TCP_FLASH_POLICY && env.TCP_PORT !== 'off')) {
    ctx.addIssue({ code: 'custom', path: ['TCP_FLASH_POLICY_FILE'], message: 'is only used with TCP_FLASH_POLICY=on and TCP enabled (TCP_PORT not off)' });
  }
  if (env.RELAY_SOFT_BUFFERED_BYTES >= env.RELAY_MAX_BUFFERED_BYTES) {
    ctx.addIssue({ code: 'custom', path: ['RELAY_SOFT_BUFFERED_BYTES'], message: `must be below RELAY_MAX_BUFFERED_BYTES (${env.RELAY_MAX_BUFFERED_BYTES})` });
  }
  if (env.METRICS_HOST !== '127.0.0.1' && env.METRICS_PORT === 'off') {
    ctx.addIssue({ code: 'custom', path: ['METRICS_HOST'], message: 'is only used with METRICS_PORT' });
  }
  if (env.RELAY_MAX_CONNECTIONS !== 'auto' && env.RELAY_MAX_CONNECTIONS_PER_IP > env.RELAY_MAX_CONNECTIONS) {
    ctx.addIssue({ code: 'custom', path: ['RELAY_MAX_CONNECTIONS_PER_IP'], message: `must not be above RELAY_MAX_CONNECTIONS (${env.RELAY_MAX_CONNECTIONS})` });
  }
  if (env.RELAY_MIN_TICK_HZ > env.RELAY_MAX_TICK_HZ) {
    ctx.addIssue({ code: 'custom', path: ['RELAY_MIN_TICK_HZ'], message: `must not be above RELAY_MAX_TICK_HZ (${env.RELAY_MAX_TICK_HZ})` });
  }
  if (env.RELAY_TICK_HZ < env.RELAY_MIN_TICK_HZ || env.RELAY_TICK_HZ > env.RELAY_MAX_TICK_HZ) {
    ctx.addIssue({ code: 'custom', path: ['RELAY_TICK_HZ'], message: `must be between RELAY_MIN_TICK_HZ (${env.RELAY_MIN_TICK_HZ}) and RELAY_MAX_TICK_HZ (${env.RELAY_MAX_TICK_HZ})` });
  }
  if (env.REDIS_URL !== '' && env.REDIS_CLUSTER_NODES.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_CLUSTER_NODES'], message: 'cannot be combined with REDIS_URL: set one (a single Redis, or the seed nodes of a Redis Cluster)' });
  }
  authRules(env, ctx);
  if ((env.RELAY_WEBHOOK_URL === '') !== (env.RELAY_WEBHOOK_SECRET === '')) {
    const missing = env.RELAY_WEBHOOK_URL === '' ? 'RELAY_WEBHOOK_URL' : 'RELAY_WEBHOOK_SECRET';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'must be set too: webhooks need both RELAY_WEBHOOK_URL and RELAY_WEBHOOK_SECRET' });
  }
});

type Env = z.output<typeof envSchema>;

/** Variables whose values are secrets: never echoed in errors or logs. */
export const SECRET_ENV_NAMES: readonly string[] = ['RELAY_JWT_SECRET', 'METRICS_TOKEN', 'REDIS_URL', 'RELAY_API_KEYS', 'RELAY_WEBHOOK_SECRET'];

/** Which variable sets which field. */
const FIELDS = {
  port: 'PORT',
  host: 'HOST',
  logLevel: 'LOG_LEVEL',
  maxPayloadBytes: 'RELAY_MAX_PAYLOAD_BYTES',
  maxControlBytes: 'RELAY_MAX_CONTROL_BYTES',
  maxRoomsPerConnection: 'RELAY_MAX_ROOMS_PER_CONNECTION',
  maxMembersPerRoom: 'RELAY_MAX_MEMBERS_PER_ROOM',
  maxRooms: 'RELAY_MAX_ROOMS',
  maxPresenceBytes: 'RELAY_MAX_PRESENCE_BYTES',
  maxMessagesPerSec: 'RELAY_MAX_MESSAGES_PER_SEC',
  burstMessages: 'RELAY_BURST_MESSAGES',
  floodStrikes: 'RELAY_FLOOD_STRIKES',
  maxProtocolErrors: 'RELAY_MAX_PROTOCOL_ERRORS',
  helloTimeoutMs: 'RELAY_HELLO_TIMEOUT_MS',
  idleTimeoutSec: 'RELAY_IDLE_TIMEOUT_SEC',
  maxBufferedBytes: 'RELAY_MAX_BUFFERED_BYTES',
  backpressureCheckMs: 'RELAY_BACKPRESSURE_CHECK_MS',
  softBufferedBytes: 'RELAY_SOFT_BUFFERED_BYTES',
  maxBytesPerSec: 'RELAY_MAX_BYTES_PER_SEC',
  tickHz: 'RELAY_TICK_HZ',
  minTickHz: 'RELAY_MIN_TICK_HZ',
  maxTickHz: 'RELAY_MAX_TICK_HZ',
  maxKeysPerMember: 'RELAY_MAX_KEYS_PER_MEMBER',
  maxGroupsPerMember: 'RELAY_MAX_GROUPS_PER_MEMBER',
  roomMaxBytesOutPerSec: 'RELAY_ROOM_MAX_BYTES_OUT_PER_SEC',
  staticDir: 'RELAY_STATIC_DIR',
  maxConnections: 'RELAY_MAX_CONNECTIONS',
  maxConnectionsPerIp: 'RELAY_MAX_CONNECTIONS_PER_IP',
  connectRatePerIp: 'RELAY_CONNECT_RATE_PER_IP',
  connectBurstPerIp: 'RELAY_CONNECT_BURST_PER_IP',
  floodCooldownSec: 'RELAY_FLOOD_COOLDOWN_SEC',
  maxTrackedAddresses: 'RELAY_MAX_TRACKED_ADDRESSES',
  ipLimitExempt: 'RELAY_IP_LIMIT_EXEMPT',
  metricsPort: 'METRICS_PORT',
  metricsHost: 'METRICS_HOST',
  metricsToken: 'METRICS_TOKEN',
  tcpPort: 'TCP_PORT',
  tcpFrameTimeoutSec: 'TCP_FRAME_TIMEOUT_SEC',
  tcpFlashPolicy: 'TCP_FLASH_POLICY',
  tcpFlashPolicyFile: 'TCP_FLASH_POLICY_FILE',
  jwtSecret: 'RELAY_JWT_SECRET',
  jwtPublicKey: 'RELAY_JWT_PUBLIC_KEY',
  jwtPublicKeyFile: 'RELAY_JWT_PUBLIC_KEY_FILE',
  jwksUrl: 'RELAY_JWKS_URL',
  jwksFile: 'RELAY_JWKS_FILE',
  jwtAlgorithms: 'RELAY_JWT_ALGORITHMS',
  jwtAudience: 'RELAY_JWT_AUDIENCE',
  jwtIssuer: 'RELAY_JWT_ISSUER',
  jwtClockToleranceSec: 'RELAY_JWT_CLOCK_TOLERANCE_SEC',
  allowAnonymous: 'RELAY_ALLOW_ANONYMOUS',
  maxInfoBytes: 'RELAY_MAX_INFO_BYTES',
  jwksCacheMaxAgeSec: 'RELAY_JWKS_CACHE_MAX_AGE_SEC',
  jwksCooldownSec: 'RELAY_JWKS_COOLDOWN_SEC',
  jwksTimeoutMs: 'RELAY_JWKS_TIMEOUT_MS',
  allowedOrigins: 'RELAY_ALLOWED_ORIGINS',
  redisUrl: 'REDIS_URL',
  redisClusterNodes: 'REDIS_CLUSTER_NODES',
  nodeId: 'RELAY_NODE_ID',
  leaseTtlMs: 'RELAY_LEASE_TTL_MS',
  busStaleMs: 'RELAY_BUS_STALE_MS',
  apiKeys: 'RELAY_API_KEYS',
  apiRatePerSec: 'RELAY_API_RATE_PER_SEC',
  apiBurst: 'RELAY_API_BURST',
  maxRoomMetadataBytes: 'RELAY_MAX_ROOM_METADATA_BYTES',
  seatGraceMs: 'RELAY_SEAT_GRACE_MS',
  emptyRoomTtlSec: 'RELAY_EMPTY_ROOM_TTL_SEC',
  webhookUrl: 'RELAY_WEBHOOK_URL',
  webhookSecret: 'RELAY_WEBHOOK_SECRET',
  webhookBatchMs: 'RELAY_WEBHOOK_BATCH_MS',
  webhookQueueMax: 'RELAY_WEBHOOK_QUEUE_MAX',
  webhookTimeoutMs: 'RELAY_WEBHOOK_TIMEOUT_MS',
  webhookMaxAttempts: 'RELAY_WEBHOOK_MAX_ATTEMPTS',
  webhookRetryMs: 'RELAY_WEBHOOK_RETRY_MS',
  webhookDrainMs: 'RELAY_WEBHOOK_DRAIN_MS',
} as const satisfies Record<string, keyof Env>;

/** The parsed configuration: a camelCase field for each variable, typed by its schema. */
export type Config = { -readonly [F in keyof typeof FIELDS]: Env[(typeof FIELDS)[F]] };

export type EnvName = keyof z.input<typeof envSchema>;
/** Every environment variable the relay reads. */
export const ENV_NAMES = Object.keys(envSchema.shape) as EnvName[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the relay configuration from environment variables (only the ones in ENV_NAMES are
 * read; empty strings count as unset). Throws ConfigError naming every bad variable.
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const input: Record<string, string> = {};
  for (const name of ENV_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== '') input[name] = value;
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'config');
      const got = input[name] === undefined || SECRET_ENV_NAMES.includes(name) ? '' : ` (got ${JSON.stringify(input[name])})`;
      return `${name} ${issue.message}${got}`;
    }));
  }
  const values = parsed.data;
  return Object.fromEntries(Object.entries(FIELDS).map(([field, name]) => [field, values[name]])) as Config;
}
