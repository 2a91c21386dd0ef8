// Relay configuration: one zod schema read from environment variables, parsed once at start-up.
// No side effects here; main.ts reports a failure and exits.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { MAX_ROOM_HANDLE } from '@roomcast/protocol';
import { z } from 'zod';

const number = () => z.coerce.number({ error: 'must be a number' });
const int = (min: number, max: number) =>
  number().int({ error: 'must be a whole number' }).min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` });

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
  /** Largest data frame payload accepted, in bytes. */
  RELAY_MAX_PAYLOAD_BYTES: int(1, 16 * 1024 * 1024).default(16 * 1024),
  /** Largest control frame accepted, in bytes. */
  RELAY_MAX_CONTROL_BYTES: int(64, 1024 * 1024).default(4096),
  /** Rooms one connection may be in at once. */
  RELAY_MAX_ROOMS_PER_CONNECTION: int(1, 1024).default(16),
  /** Members one room may hold. */
  RELAY_MAX_MEMBERS_PER_ROOM: int(1, 65535).default(256),
  /** Rooms the relay hosts at once. */
  RELAY_MAX_ROOMS: int(1, MAX_ROOM_HANDLE).default(10_000),
  /** Size of one member's presence state serialised as JSON, in UTF-8 bytes. */
  RELAY_MAX_PRESENCE_BYTES: int(2, 64 * 1024).default(512),
  /** Sustained frames per second per connection (token bucket refill rate). */
  RELAY_MAX_MESSAGES_PER_SEC: number().positive({ error: 'must be above 0' }).max(1_000_000, { error: 'must be at most 1000000' }).default(200),
  /** Token bucket capacity: frames a connection may send in a burst. */
  RELAY_BURST_MESSAGES: int(1, 10_000_000).default(400),
  /** Rejected (rate-limited) frames within one 10-second window before the connection is closed with 4429. */
  RELAY_FLOOD_STRIKES: int(1, 1_000_000).default(100),
  /** Protocol errors (malformed or unexpected frames) on one connection before it is closed with 4400. */
  RELAY_MAX_PROTOCOL_ERRORS: int(1, 1_000_000).default(10),
  /** Time a new connection has to send `hello`, in milliseconds. */
  RELAY_HELLO_TIMEOUT_MS: int(100, 600_000).default(10_000),
  /** Seconds without traffic before a connection is closed (the relay pings before that). 0 disables. */
  RELAY_IDLE_TIMEOUT_SEC: int(0, 960)
    .refine((v) => v === 0 || v >= 8, { error: 'must be 0 (disabled) or at least 8 seconds (the WebSocket layer checks timeouts every 4 s)' })
    .default(32),
  /** Hard cap on a connection's send buffer, in bytes; above it the connection is closed with 4503. */
  RELAY_MAX_BUFFERED_BYTES: int(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  /** How often send buffers are checked against the hard cap, in milliseconds. */
  RELAY_BACKPRESSURE_CHECK_MS: int(10, 10_000).default(100),
  /** Send buffer above which a connection skips `latest` ticks and `droppable` frames (it gets a snapshot when it drains). */
  RELAY_SOFT_BUFFERED_BYTES: int(1024, 1024 * 1024 * 1024).default(64 * 1024),
  /** Sustained bytes per second per connection (token bucket; the burst is twice that). */
  RELAY_MAX_BYTES_PER_SEC: int(1024, 1024 * 1024 * 1024).default(256 * 1024),
  /** Default room tick: how often changed `latest` values are flushed, in Hz. */
  RELAY_TICK_HZ: int(1, 1000).default(30),
  /** Lowest tick rate a `join` may ask for, in Hz. */
  RELAY_MIN_TICK_HZ: int(1, 1000).default(1),
  /** Highest tick rate a `join` may ask for, in Hz. */
  RELAY_MAX_TICK_HZ: int(1, 1000).default(60),
  /** `latest` keys one member may hold in one room. */
  RELAY_MAX_KEYS_PER_MEMBER: int(1, 256).default(16),
  /** Interest groups one member may subscribe to in one room (PROTOCOL.md §4.5); 0 offers no groups. */
  RELAY_MAX_GROUPS_PER_MEMBER: int(0, 1024).default(64),
  /** Bytes per second one room may send out (all recipients); above it `latest` ticks are skipped and `droppable` frames dropped. */
  RELAY_ROOM_MAX_BYTES_OUT_PER_SEC: int(1024, 1024 * 1024 * 1024).default(8 * 1024 * 1024),
  /** Raw TCP port (length-prefixed frames, PROTOCOL.md appendix A); 0 picks a free port, `off` disables TCP. */
  TCP_PORT: z.string().default('8081').transform((value, ctx) => {
    if (value === 'off') return 'off' as const;
    const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
    if (port >= 0 && port <= 65535) return port;
    ctx.addIssue({ code: 'custom', message: "must be a port number from 0 to 65535, or 'off' to disable raw TCP" });
    return z.NEVER;
  }),
  /**
   * Seconds a raw TCP frame may take from the first byte of its length prefix to its last byte;
   * past it the connection is closed with 4408 however many bytes keep trickling in. 0 disables.
   */
  TCP_FRAME_TIMEOUT_SEC: int(0, 960).default(10),
  /** Answer Flash `<policy-file-request/>` on the TCP port. */
  TCP_FLASH_POLICY: z.enum(['on', 'off'], { error: "must be 'on' or 'off'" }).default('off').transform((v) => v === 'on'),
  /** File whose contents replace the default Flash policy XML (which allows the relay's TCP port). Empty: the default. */
  TCP_FLASH_POLICY_FILE: z.string().default(''),
  // ---- admission (PROTOCOL.md §8.19, SECURITY.md) ----------------------------------------
  /** Connections the relay holds at once; `auto`: the open-file limit minus a reserve (10%, at least 100) so /healthz and /metrics still answer. Above it: HTTP 503 / TCP close 1013. */
  RELAY_MAX_CONNECTIONS: z.string().default('auto').transform((value, ctx) => {
    if (value === 'auto') return 'auto' as const;
    const n = /^\d{1,7}$/.test(value) ? Number(value) : Number.NaN;
    if (n >= 1 && n <= 1_000_000) return n;
    ctx.addIssue({ code: 'custom', message: "must be 'auto' or a whole number from 1 to 1000000" });
    return z.NEVER;
  }),
  /** Open connections one address (IPv4, or IPv6 /64) may hold; 0 disables. Above it: HTTP 429 / TCP close 4429. */
  RELAY_MAX_CONNECTIONS_PER_IP: int(0, 1_000_000).default(256),
  /** New connections per second one address may open (token bucket refill); 0 disables. */
  RELAY_CONNECT_RATE_PER_IP: number().min(0, { error: 'must be at least 0' }).max(1_000_000, { error: 'must be at most 1000000' }).default(20),
  /** Connections one address may open in a burst before RELAY_CONNECT_RATE_PER_IP applies. */
  RELAY_CONNECT_BURST_PER_IP: int(1, 1_000_000).default(100),
  /** After a 4429 close, seconds during which the address's new connections are refused (429 / 4429); 0 disables. */
  RELAY_FLOOD_COOLDOWN_SEC: int(0, 3600).default(10),
  /** Client addresses remembered at once (open connections, leftover budgets, cool-downs); when full and nothing can expire, new addresses get 503. */
  RELAY_MAX_TRACKED_ADDRESSES: int(1, 10_000_000).default(100_000),
  /**
   * Client addresses exempt from the per-address limits (connection cap, connect rate, flood
   * cool-down, budgets carried across reconnects), comma-separated, exact addresses; `none` for
   * none. Default loopback: the README's load test and a local reverse proxy (whose clients all
   * arrive from 127.0.0.1) would otherwise share one address's limits. The relay-wide cap still applies.
   */
  RELAY_IP_LIMIT_EXEMPT: z.string().default('127.0.0.1,::1').transform((value, ctx) => {
    if (value.trim() === 'none') return [];
    const list = commaList(value);
    for (const entry of list) {
      if (isIP(entry) === 0) {
        ctx.addIssue({ code: 'custom', message: `has ${JSON.stringify(entry)}: each entry must be an IPv4 or IPv6 address (no ranges), or the whole value 'none'` });
        return z.NEVER;
      }
    }
    return list;
  }),
  /** Serve /metrics on this port instead of the public one (`off`: on PORT). 0 picks a free port. */
  METRICS_PORT: z.string().default('off').transform((value, ctx) => {
    if (value === 'off') return 'off' as const;
    const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
    if (port >= 0 && port <= 65535) return port;
    ctx.addIssue({ code: 'custom', message: "must be a port number from 0 to 65535, or 'off' to serve /metrics on PORT" });
    return z.NEVER;
  }),
  /** Address the METRICS_PORT listener binds to (loopback by default: scrape from the host or a sidecar). */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** When set, /metrics answers only requests with `Authorization: Bearer <token>` (401 otherwise). At least 16 characters. Never logged. */
  METRICS_TOKEN: z.string().default('').refine((v) => v === '' || v.length >= 16, { error: 'must be at least 16 characters' }),
  /**
   * Folder served at `/` (the demo page). Empty means this default, as for every variable; a folder
   * with no index.html (or none at all) makes `/` answer a plain-text pointer to /ws instead.
   */
  RELAY_STATIC_DIR: z.string().default(DEFAULT_STATIC_DIR),

  // ---- identity and access (PROTOCOL.md §8.18, docs/decisions/0001-identity.md) ----------
  // At most one key source. None: anonymous mode (anyone may join any room).
  /** HMAC secret for HS256/384/512 tokens (at least 32 characters). Never logged. */
  RELAY_JWT_SECRET: z.string().default(''),
  /** Public key for RS*, PS*, ES*, EdDSA tokens: PEM (SPKI) or a JWK as JSON. */
  RELAY_JWT_PUBLIC_KEY: z.string().default(''),
  /** File holding the public key (PEM or JWK JSON); read at start-up. */
  RELAY_JWT_PUBLIC_KEY_FILE: z.string().default(''),
  /** URL of a JWKS (keys picked by `kid`, cached, refetched when an unknown `kid` arrives). */
  RELAY_JWKS_URL: z.string().default('').refine((v) => v === '' || /^https?:\/\/\S+$/.test(v), { error: 'must be an http:// or https:// URL' }),
  /** File holding a JWKS (JSON `{"keys": [...]}`); read at start-up. */
  RELAY_JWKS_FILE: z.string().default(''),
  /** Accepted `alg` values, comma-separated. Empty: HS256 with a secret, the key's own algorithm with a public key, RS256 with a JWKS. */
  RELAY_JWT_ALGORITHMS: z.string().default('').transform((v, ctx) => {
    const algs = v.split(',').map((a) => a.trim()).filter((a) => a !== '');
    const unknown = algs.filter((a) => !(JWT_ALGORITHMS as readonly string[]).includes(a));
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `has unsupported algorithm ${unknown.join(', ')} (supported: ${JWT_ALGORITHMS.join(', ')}; never none)` });
      return z.NEVER;
    }
    return algs as JwtAlgorithm[];
  }),
  /** Required `aud` (comma-separated: any of them). Empty: `aud` is not checked. */
  RELAY_JWT_AUDIENCE: z.string().default('').transform(commaList),
  /** Required `iss` (comma-separated: any of them). Empty: `iss` is not checked. */
  RELAY_JWT_ISSUER: z.string().default('').transform(commaList),
  /** Clock skew allowed when checking `exp` and `nbf`, in seconds. */
  RELAY_JWT_CLOCK_TOLERANCE_SEC: int(0, 300).default(5),
  /** Connections without a token: `auto` allows them only when no key is configured. */
  RELAY_ALLOW_ANONYMOUS: z.enum(['auto', 'true', 'false'], { error: "must be 'auto', 'true' or 'false'" }).default('auto'),
  /** Largest `info` claim (compact JSON, UTF-8 bytes) attached to a member. */
  RELAY_MAX_INFO_BYTES: int(2, 16 * 1024).default(1024),
  /** How long a fetched JWKS is used before it is fetched again, in seconds. */
  RELAY_JWKS_CACHE_MAX_AGE_SEC: int(1, 86_400).default(600),
  /** Shortest time between two JWKS fetches (an unknown `kid` refetches at most this often), in seconds. */
  RELAY_JWKS_COOLDOWN_SEC: int(0, 3600).default(30),
  /** Timeout of one JWKS fetch, in milliseconds. */
  RELAY_JWKS_TIMEOUT_MS: int(100, 60_000).default(5000),
  /** Origins allowed to open a WebSocket (comma-separated; `https://*.example.com` matches subdomains). `*`: any. Upgrades without an Origin header are not refused. */
  RELAY_ALLOWED_ORIGINS: z.string().default('*').transform(commaList),

  // ---- clustering (docs/decisions/0002-cluster.md) -----------------------------------------
  /** Redis 7 (or Valkey) that joins this relay to a cluster: `redis://[user:pass@]host:port[/db]`. Empty: a single in-memory relay, no Redis code runs. */
  REDIS_URL: z.string().default('').refine((v) => v === '' || /^rediss?:\/\/\S+$/.test(v), { error: 'must be a redis:// or rediss:// URL' }),
  /** This node's id in the cluster (metrics label, lease key). Default: generated at start-up. */
  RELAY_NODE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'must be 1-64 characters of A-Z a-z 0-9 _ . -' })
    .default(() => `node-${randomBytes(4).toString('hex')}`),
  /** How long this node's lease in Redis lives without renewal, in milliseconds; its members vanish from other nodes this long after a crash. */
  RELAY_LEASE_TTL_MS: int(1000, 60_000).default(5000),
  /** A message from another node older than this on arrival is dropped (never delivered late), in milliseconds. */
  RELAY_BUS_STALE_MS: int(100, 60_000).default(1000),

  // ---- server API (docs/server-api.md) -------------------------------------------------
  /** Bearer keys of the HTTP server API under /api/v1 (comma-separated, each at least 24 characters). Empty: the API is off. Never logged. */
  RELAY_API_KEYS: z.string().default('').transform((v, ctx) => {
    const keys = commaList(v);
    const short = keys.findIndex((k) => k.length < 24 || !/^[\x21-\x7e]+$/.test(k));
    if (short >= 0) {
      // The position only: the value itself is a secret.
      ctx.addIssue({ code: 'custom', message: `key ${short + 1} must be at least 24 printable ASCII characters without spaces` });
      return z.NEVER;
    }
    return keys;
  }),

  /** Server API requests per second per key (sustained); above it 429 `rate_limited` with Retry-After. 0: no limit. */
  RELAY_API_RATE_PER_SEC: int(0, 1_000_000).default(200),
  /** Server API requests one key may make at once before RELAY_API_RATE_PER_SEC applies. */
  RELAY_API_BURST: int(1, 1_000_000).default(400),
  /** How long a member whose connection dropped keeps its seat (id, presence, latest values) for a reconnect, in milliseconds. 0: no seats (member_left at once). */
  RELAY_SEAT_GRACE_MS: int(0, 3_600_000).default(0),
  /** How long a room created by the server API may stay empty before nobody joined it, in seconds; then it is closed (webhook room.closed). 0: until closed. */
  RELAY_EMPTY_ROOM_TTL_SEC: int(0, 7 * 24 * 3600).default(600),
  /** Largest room metadata (server API settings), as compact JSON in UTF-8 bytes. */
  RELAY_MAX_ROOM_METADATA_BYTES: int(2, 64 * 1024).default(1024),

  // ---- webhooks (docs/server-api.md#webhooks) -------------------------------------------
  /** Where room and member events are POSTed (http:// or https://). Empty: no webhooks. */
  RELAY_WEBHOOK_URL: z.string().default('').refine((v) => v === '' || /^https?:\/\/\S+$/.test(v), { error: 'must be an http:// or https:// URL' }),
  /** Signing secret, `whsec_` + base64 of 24 to 64 random bytes (Standard Webhooks). Never logged. */
  RELAY_WEBHOOK_SECRET: z.string().default('').refine((v) => v === '' || webhookSecretBytes(v) !== undefined, {
    error: 'must be whsec_ followed by the base64 of 24 to 64 bytes (e.g. whsec_$(openssl rand -base64 32))',
  }),
  /** Events wait this long to be sent in one request, in milliseconds. */
  RELAY_WEBHOOK_BATCH_MS: int(0, 60_000).default(200),
  /** Events waiting to be sent at most; more are dropped (and counted in roomcast_webhook_events_dropped_total). */
  RELAY_WEBHOOK_QUEUE_MAX: int(1, 1_000_000).default(10_000),
  /** Timeout of one webhook request, in milliseconds. */
  RELAY_WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(5000),
  /** Tries of one batch, the first included, before its events are dropped. */
  RELAY_WEBHOOK_MAX_ATTEMPTS: int(1, 100).default(6),
  /** First retry delay in milliseconds; doubled per retry (capped at 30 s), with jitter. */
  RELAY_WEBHOOK_RETRY_MS: int(1, 60_000).default(500),
  /** At shutdown, how long queued webhook events may still be sent, in milliseconds; then the rest are dropped and counted. 0: not sent. */
  RELAY_WEBHOOK_DRAIN_MS: int(0, 60_000).default(5000),
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
  authRules(env, ctx);
  if ((env.RELAY_WEBHOOK_URL === '') !== (env.RELAY_WEBHOOK_SECRET === '')) {
    const missing = env.RELAY_WEBHOOK_URL === '' ? 'RELAY_WEBHOOK_URL' : 'RELAY_WEBHOOK_SECRET';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'must be set too: webhooks need both RELAY_WEBHOOK_URL and RELAY_WEBHOOK_SECRET' });
  }
});

/** The key bytes of a `whsec_` secret, or undefined when it is not one. */
function webhookSecretBytes(value: string): Buffer | undefined {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (match === null) return undefined;
  const bytes = Buffer.from(match[1]!, 'base64');
  return bytes.length >= 24 && bytes.length <= 64 ? bytes : undefined;
}

type Env = z.output<typeof envSchema>;

// ---- identity and access: helpers of the schema above ----------------------------------------

/** JWS algorithms a token may be signed with; `none` is not among them. */
export const JWT_ALGORITHMS = [
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** Variables whose values are secrets: never echoed in errors or logs. */
export const SECRET_ENV_NAMES: readonly string[] = ['RELAY_JWT_SECRET', 'METRICS_TOKEN', 'REDIS_URL', 'RELAY_API_KEYS', 'RELAY_WEBHOOK_SECRET'];

function commaList(value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter((v) => v !== '');
}

/** Cross-field rules of the identity settings, each reported on the variable to change. */
function authRules(
  env: {
    RELAY_JWT_SECRET: string; RELAY_JWT_PUBLIC_KEY: string; RELAY_JWT_PUBLIC_KEY_FILE: string;
    RELAY_JWKS_URL: string; RELAY_JWKS_FILE: string; RELAY_JWT_ALGORITHMS: JwtAlgorithm[];
    RELAY_ALLOWED_ORIGINS: string[];
  },
  ctx: z.RefinementCtx,
): void {
  const sources = (['RELAY_JWT_SECRET', 'RELAY_JWT_PUBLIC_KEY', 'RELAY_JWT_PUBLIC_KEY_FILE', 'RELAY_JWKS_URL', 'RELAY_JWKS_FILE'] as const)
    .filter((name) => env[name] !== '');
  if (sources.length > 1) {
    ctx.addIssue({ code: 'custom', path: [sources[1]!], message: `cannot be combined with ${sources[0]}: configure one key source` });
  }
  if (env.RELAY_JWT_SECRET !== '' && env.RELAY_JWT_SECRET.length < 32) {
    // The length only: the value itself is a secret.
    ctx.addIssue({ code: 'custom', path: ['RELAY_JWT_SECRET'], message: `must be at least 32 characters (got ${env.RELAY_JWT_SECRET.length})` });
  }
  const hmac = env.RELAY_JWT_ALGORITHMS.filter((a) => a.startsWith('HS'));
  if (sources.length === 0 && env.RELAY_JWT_ALGORITHMS.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['RELAY_JWT_ALGORITHMS'], message: 'is set but no key is: set RELAY_JWT_SECRET, RELAY_JWT_PUBLIC_KEY(_FILE) or RELAY_JWKS_URL/RELAY_JWKS_FILE' });
  } else if (env.RELAY_JWT_SECRET !== '' && hmac.length !== env.RELAY_JWT_ALGORITHMS.length) {
    ctx.addIssue({ code: 'custom', path: ['RELAY_JWT_ALGORITHMS'], message: 'must list only HS256, HS384, HS512 with RELAY_JWT_SECRET' });
  } else if (env.RELAY_JWT_SECRET === '' && hmac.length > 0) {
    // Algorithm confusion: an HMAC algorithm next to a public key would let anyone holding the public key sign.
    ctx.addIssue({ code: 'custom', path: ['RELAY_JWT_ALGORITHMS'], message: `must not list ${hmac.join(', ')} with a public key or JWKS (HMAC needs RELAY_JWT_SECRET)` });
  }
  for (const origin of env.RELAY_ALLOWED_ORIGINS) {
    if (origin !== '*' && origin !== 'null' && !/^[a-z][a-z0-9+.-]*:\/\/(\*\.)?[^/*\s]+$/i.test(origin)) {
      ctx.addIssue({ code: 'custom', path: ['RELAY_ALLOWED_ORIGINS'], message: `has ${JSON.stringify(origin)}: each entry must be *, null, or scheme://host[:port] (host may start with *.), without a path` });
    }
  }
}

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
