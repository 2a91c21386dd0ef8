// Config: every setting has a default, bad values name their variable, and the README documents them all.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ConfigError, ENV_NAMES, parseConfig, type Config, type EnvName } from '../src/config.js';

const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../demo-client/dist', import.meta.url));

/** The field of Config each variable sets. */
const FIELD_OF: Record<EnvName, keyof Config> = {
  PORT: 'port', HOST: 'host', LOG_LEVEL: 'logLevel',
  RELAY_MAX_PAYLOAD_BYTES: 'maxPayloadBytes', RELAY_MAX_CONTROL_BYTES: 'maxControlBytes',
  RELAY_MAX_ROOMS_PER_CONNECTION: 'maxRoomsPerConnection', RELAY_MAX_MEMBERS_PER_ROOM: 'maxMembersPerRoom',
  RELAY_MAX_ROOMS: 'maxRooms', RELAY_MAX_PRESENCE_BYTES: 'maxPresenceBytes',
  RELAY_MAX_MESSAGES_PER_SEC: 'maxMessagesPerSec', RELAY_BURST_MESSAGES: 'burstMessages',
  RELAY_FLOOD_STRIKES: 'floodStrikes', RELAY_MAX_PROTOCOL_ERRORS: 'maxProtocolErrors',
  RELAY_HELLO_TIMEOUT_MS: 'helloTimeoutMs', RELAY_IDLE_TIMEOUT_SEC: 'idleTimeoutSec',
  RELAY_MAX_BUFFERED_BYTES: 'maxBufferedBytes', RELAY_BACKPRESSURE_CHECK_MS: 'backpressureCheckMs',
  RELAY_SOFT_BUFFERED_BYTES: 'softBufferedBytes', RELAY_MAX_BYTES_PER_SEC: 'maxBytesPerSec',
  RELAY_TICK_HZ: 'tickHz', RELAY_MIN_TICK_HZ: 'minTickHz', RELAY_MAX_TICK_HZ: 'maxTickHz',
  RELAY_MAX_KEYS_PER_MEMBER: 'maxKeysPerMember', RELAY_MAX_GROUPS_PER_MEMBER: 'maxGroupsPerMember', RELAY_ROOM_MAX_BYTES_OUT_PER_SEC: 'roomMaxBytesOutPerSec',
  TCP_PORT: 'tcpPort', TCP_FLASH_POLICY: 'tcpFlashPolicy', TCP_FLASH_POLICY_FILE: 'tcpFlashPolicyFile',
  RELAY_STATIC_DIR: 'staticDir', TCP_FRAME_TIMEOUT_SEC: 'tcpFrameTimeoutSec',
  RELAY_JWT_SECRET: 'jwtSecret', RELAY_JWT_PUBLIC_KEY: 'jwtPublicKey', RELAY_JWT_PUBLIC_KEY_FILE: 'jwtPublicKeyFile',
  RELAY_JWKS_URL: 'jwksUrl', RELAY_JWKS_FILE: 'jwksFile', RELAY_JWT_ALGORITHMS: 'jwtAlgorithms',
  RELAY_JWT_AUDIENCE: 'jwtAudience', RELAY_JWT_ISSUER: 'jwtIssuer', RELAY_JWT_CLOCK_TOLERANCE_SEC: 'jwtClockToleranceSec',
  RELAY_ALLOW_ANONYMOUS: 'allowAnonymous', RELAY_MAX_INFO_BYTES: 'maxInfoBytes',
  RELAY_JWKS_CACHE_MAX_AGE_SEC: 'jwksCacheMaxAgeSec', RELAY_JWKS_COOLDOWN_SEC: 'jwksCooldownSec',
  RELAY_JWKS_TIMEOUT_MS: 'jwksTimeoutMs', RELAY_ALLOWED_ORIGINS: 'allowedOrigins',
  RELAY_MAX_CONNECTIONS: 'maxConnections', RELAY_MAX_CONNECTIONS_PER_IP: 'maxConnectionsPerIp',
  RELAY_CONNECT_RATE_PER_IP: 'connectRatePerIp', RELAY_CONNECT_BURST_PER_IP: 'connectBurstPerIp',
  RELAY_FLOOD_COOLDOWN_SEC: 'floodCooldownSec', RELAY_MAX_TRACKED_ADDRESSES: 'maxTrackedAddresses',
  RELAY_IP_LIMIT_EXEMPT: 'ipLimitExempt', METRICS_PORT: 'metricsPort', METRICS_HOST: 'metricsHost', METRICS_TOKEN: 'metricsToken',
  REDIS_URL: 'redisUrl', RELAY_NODE_ID: 'nodeId', RELAY_LEASE_TTL_MS: 'leaseTtlMs', RELAY_BUS_STALE_MS: 'busStaleMs',
  RELAY_API_KEYS: 'apiKeys', RELAY_API_RATE_PER_SEC: 'apiRatePerSec', RELAY_API_BURST: 'apiBurst', RELAY_MAX_ROOM_METADATA_BYTES: 'maxRoomMetadataBytes', RELAY_SEAT_GRACE_MS: 'seatGraceMs', RELAY_EMPTY_ROOM_TTL_SEC: 'emptyRoomTtlSec',
  RELAY_WEBHOOK_URL: 'webhookUrl', RELAY_WEBHOOK_SECRET: 'webhookSecret', RELAY_WEBHOOK_BATCH_MS: 'webhookBatchMs',
  RELAY_WEBHOOK_QUEUE_MAX: 'webhookQueueMax', RELAY_WEBHOOK_TIMEOUT_MS: 'webhookTimeoutMs',
  RELAY_WEBHOOK_MAX_ATTEMPTS: 'webhookMaxAttempts', RELAY_WEBHOOK_RETRY_MS: 'webhookRetryMs', RELAY_WEBHOOK_DRAIN_MS: 'webhookDrainMs',
};

/** Every default, exactly (the README's table states the same values; docs-config.test.ts checks that). */
const DEFAULTS: Record<EnvName, unknown> = {
  PORT: 8080, HOST: '0.0.0.0', LOG_LEVEL: 'info',
  RELAY_MAX_PAYLOAD_BYTES: 16384, RELAY_MAX_CONTROL_BYTES: 4096, RELAY_MAX_ROOMS_PER_CONNECTION: 16,
  RELAY_MAX_MEMBERS_PER_ROOM: 256, RELAY_MAX_ROOMS: 10000, RELAY_MAX_PRESENCE_BYTES: 512,
  RELAY_MAX_MESSAGES_PER_SEC: 200, RELAY_BURST_MESSAGES: 400, RELAY_FLOOD_STRIKES: 100,
  RELAY_MAX_PROTOCOL_ERRORS: 10, RELAY_HELLO_TIMEOUT_MS: 10000, RELAY_IDLE_TIMEOUT_SEC: 32,
  RELAY_MAX_BUFFERED_BYTES: 1048576, RELAY_BACKPRESSURE_CHECK_MS: 100, RELAY_SOFT_BUFFERED_BYTES: 65536,
  RELAY_MAX_BYTES_PER_SEC: 262144, RELAY_TICK_HZ: 30, RELAY_MIN_TICK_HZ: 1, RELAY_MAX_TICK_HZ: 60,
  RELAY_MAX_KEYS_PER_MEMBER: 16, RELAY_MAX_GROUPS_PER_MEMBER: 64, RELAY_ROOM_MAX_BYTES_OUT_PER_SEC: 8388608,
  TCP_PORT: 8081, TCP_FLASH_POLICY: false, TCP_FLASH_POLICY_FILE: '', RELAY_STATIC_DIR: DEFAULT_STATIC_DIR,
  TCP_FRAME_TIMEOUT_SEC: 10,
  RELAY_JWT_SECRET: '', RELAY_JWT_PUBLIC_KEY: '', RELAY_JWT_PUBLIC_KEY_FILE: '', RELAY_JWKS_URL: '', RELAY_JWKS_FILE: '',
  RELAY_JWT_ALGORITHMS: [], RELAY_JWT_AUDIENCE: [], RELAY_JWT_ISSUER: [], RELAY_JWT_CLOCK_TOLERANCE_SEC: 5,
  RELAY_ALLOW_ANONYMOUS: 'auto', RELAY_MAX_INFO_BYTES: 1024, RELAY_JWKS_CACHE_MAX_AGE_SEC: 600,
  RELAY_JWKS_COOLDOWN_SEC: 30, RELAY_JWKS_TIMEOUT_MS: 5000, RELAY_ALLOWED_ORIGINS: ['*'],
  RELAY_MAX_CONNECTIONS: 'auto', RELAY_MAX_CONNECTIONS_PER_IP: 256, RELAY_CONNECT_RATE_PER_IP: 20,
  RELAY_CONNECT_BURST_PER_IP: 100, RELAY_FLOOD_COOLDOWN_SEC: 10, RELAY_MAX_TRACKED_ADDRESSES: 100000,
  RELAY_IP_LIMIT_EXEMPT: ['127.0.0.1', '::1'], METRICS_PORT: 'off', METRICS_HOST: '127.0.0.1', METRICS_TOKEN: '',
  // Generated at start-up when unset: `node-` and 8 random hex digits.
  REDIS_URL: '', RELAY_NODE_ID: expect.stringMatching(/^node-[0-9a-f]{8}$/), RELAY_LEASE_TTL_MS: 5000, RELAY_BUS_STALE_MS: 1000,
  RELAY_API_KEYS: [], RELAY_API_RATE_PER_SEC: 200, RELAY_API_BURST: 400, RELAY_MAX_ROOM_METADATA_BYTES: 1024, RELAY_SEAT_GRACE_MS: 0, RELAY_EMPTY_ROOM_TTL_SEC: 600, RELAY_WEBHOOK_URL: '',
  RELAY_WEBHOOK_SECRET: '', RELAY_WEBHOOK_BATCH_MS: 200, RELAY_WEBHOOK_QUEUE_MAX: 10000, RELAY_WEBHOOK_TIMEOUT_MS: 5000,
  RELAY_WEBHOOK_MAX_ATTEMPTS: 6, RELAY_WEBHOOK_RETRY_MS: 500, RELAY_WEBHOOK_DRAIN_MS: 5000,
};

const SECRET = 'k'.repeat(32);
/** A Standard Webhooks secret: `whsec_` and 32 bytes in base64. */
const WHSEC = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const HOOK_URL = 'http://127.0.0.1:9999/hooks';

/**
 * For each variable: a valid non-default value as set in the environment, the parsed field, and
 * (when a cross-field rule needs one) the other variables it is parsed with.
 */
const SAMPLES: Record<EnvName, [string, unknown, Record<string, string>?]> = {
  PORT: ['9000', 9000], HOST: ['127.0.0.1', '127.0.0.1'], LOG_LEVEL: ['warn', 'warn'],
  RELAY_MAX_PAYLOAD_BYTES: ['1000', 1000], RELAY_MAX_CONTROL_BYTES: ['2000', 2000],
  RELAY_MAX_ROOMS_PER_CONNECTION: ['3', 3], RELAY_MAX_MEMBERS_PER_ROOM: ['12', 12], RELAY_MAX_ROOMS: ['65535', 65535],
  RELAY_MAX_PRESENCE_BYTES: ['100', 100], RELAY_MAX_MESSAGES_PER_SEC: ['2.5', 2.5], RELAY_BURST_MESSAGES: ['7', 7],
  RELAY_FLOOD_STRIKES: ['5', 5], RELAY_MAX_PROTOCOL_ERRORS: ['3', 3], RELAY_HELLO_TIMEOUT_MS: ['100', 100],
  RELAY_IDLE_TIMEOUT_SEC: ['0', 0], RELAY_MAX_BUFFERED_BYTES: ['4096', 4096, { RELAY_SOFT_BUFFERED_BYTES: '2048' }], RELAY_BACKPRESSURE_CHECK_MS: ['10', 10],
  RELAY_SOFT_BUFFERED_BYTES: ['2048', 2048], RELAY_MAX_BYTES_PER_SEC: ['1024', 1024], RELAY_TICK_HZ: ['20', 20],
  RELAY_MIN_TICK_HZ: ['2', 2], RELAY_MAX_TICK_HZ: ['1000', 1000], RELAY_MAX_KEYS_PER_MEMBER: ['256', 256], RELAY_MAX_GROUPS_PER_MEMBER: ['0', 0],
  RELAY_ROOM_MAX_BYTES_OUT_PER_SEC: ['1024', 1024], TCP_PORT: ['9001', 9001], TCP_FLASH_POLICY: ['on', true],
  TCP_FLASH_POLICY_FILE: ['/tmp/policy.xml', '/tmp/policy.xml', { TCP_FLASH_POLICY: 'on' }],
  RELAY_STATIC_DIR: ['/srv/www', '/srv/www'], TCP_FRAME_TIMEOUT_SEC: ['960', 960],
  RELAY_JWT_SECRET: [SECRET, SECRET], RELAY_JWT_PUBLIC_KEY: ['{"kty":"OKP"}', '{"kty":"OKP"}'],
  RELAY_JWT_PUBLIC_KEY_FILE: ['/etc/key.pem', '/etc/key.pem'],
  RELAY_JWKS_URL: ['https://id.example.com/jwks.json', 'https://id.example.com/jwks.json'],
  RELAY_JWKS_FILE: ['/etc/jwks.json', '/etc/jwks.json'],
  RELAY_JWT_ALGORITHMS: [' HS384,HS512 ', ['HS384', 'HS512'], { RELAY_JWT_SECRET: SECRET }],
  RELAY_JWT_AUDIENCE: ['roomcast, other', ['roomcast', 'other']], RELAY_JWT_ISSUER: ['https://id.example.com', ['https://id.example.com']],
  RELAY_JWT_CLOCK_TOLERANCE_SEC: ['300', 300], RELAY_ALLOW_ANONYMOUS: ['false', 'false'], RELAY_MAX_INFO_BYTES: ['2', 2],
  RELAY_JWKS_CACHE_MAX_AGE_SEC: ['86400', 86400], RELAY_JWKS_COOLDOWN_SEC: ['0', 0], RELAY_JWKS_TIMEOUT_MS: ['100', 100],
  RELAY_ALLOWED_ORIGINS: ['https://*.example.com,null', ['https://*.example.com', 'null']],
  RELAY_MAX_CONNECTIONS: ['500', 500], RELAY_MAX_CONNECTIONS_PER_IP: ['8', 8], RELAY_CONNECT_RATE_PER_IP: ['2.5', 2.5],
  RELAY_CONNECT_BURST_PER_IP: ['5', 5], RELAY_FLOOD_COOLDOWN_SEC: ['0', 0], RELAY_MAX_TRACKED_ADDRESSES: ['1000', 1000],
  RELAY_IP_LIMIT_EXEMPT: ['10.0.0.1, ::1', ['10.0.0.1', '::1']], METRICS_PORT: ['9090', 9090],
  METRICS_HOST: ['0.0.0.0', '0.0.0.0', { METRICS_PORT: '9090' }], METRICS_TOKEN: ['t'.repeat(16), 't'.repeat(16)],
  REDIS_URL: ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'], RELAY_NODE_ID: ['relay-a.1', 'relay-a.1'],
  RELAY_LEASE_TTL_MS: ['2000', 2000], RELAY_BUS_STALE_MS: ['250', 250],
  RELAY_API_KEYS: [`${'a'.repeat(24)}, ${'b'.repeat(30)}`, ['a'.repeat(24), 'b'.repeat(30)]],
  RELAY_API_RATE_PER_SEC: ['0', 0], RELAY_API_BURST: ['10', 10],
  RELAY_MAX_ROOM_METADATA_BYTES: ['2048', 2048], RELAY_SEAT_GRACE_MS: ['5000', 5000], RELAY_EMPTY_ROOM_TTL_SEC: ['0', 0],
  RELAY_WEBHOOK_URL: [HOOK_URL, HOOK_URL, { RELAY_WEBHOOK_SECRET: WHSEC }],
  RELAY_WEBHOOK_SECRET: [WHSEC, WHSEC, { RELAY_WEBHOOK_URL: HOOK_URL }],
  RELAY_WEBHOOK_BATCH_MS: ['50', 50], RELAY_WEBHOOK_QUEUE_MAX: ['100', 100], RELAY_WEBHOOK_TIMEOUT_MS: ['1000', 1000],
  RELAY_WEBHOOK_MAX_ATTEMPTS: ['3', 3], RELAY_WEBHOOK_RETRY_MS: ['100', 100], RELAY_WEBHOOK_DRAIN_MS: ['0', 0],
};

/** The key sources exclude each other (one per configuration), so they are parsed one at a time. */
const KEY_SOURCES: readonly EnvName[] = ['RELAY_JWT_SECRET', 'RELAY_JWT_PUBLIC_KEY', 'RELAY_JWT_PUBLIC_KEY_FILE', 'RELAY_JWKS_URL', 'RELAY_JWKS_FILE'];

describe('config', () => {
  it('has a default for every setting, each exactly the documented value', () => {
    // The list is checked against the schema (ENV_NAMES), so a new option fails here until its default is added.
    expect(Object.keys(DEFAULTS).sort()).toEqual([...ENV_NAMES].sort());
    const c = parseConfig({});
    expect(Object.keys(c).sort()).toEqual(Object.values(FIELD_OF).sort());
    for (const name of ENV_NAMES) expect(c[FIELD_OF[name]], name).toStrictEqual(DEFAULTS[name]);
  });

  it('parses every option to its field', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...ENV_NAMES].sort());
    // All at once (so no two variables set the same field), except the key sources.
    const together = ENV_NAMES.filter((name) => !KEY_SOURCES.includes(name));
    const c = parseConfig({ ...Object.fromEntries(together.map((name) => [name, SAMPLES[name][0]])), RELAY_JWT_SECRET: SECRET });
    for (const name of ENV_NAMES) {
      const alone = parseConfig({ ...SAMPLES[name][2], [name]: SAMPLES[name][0] });
      expect(alone[FIELD_OF[name]], name).toStrictEqual(SAMPLES[name][1]);
      if (together.includes(name)) expect(c[FIELD_OF[name]], name).toStrictEqual(SAMPLES[name][1]);
      expect(SAMPLES[name][1], `${name}: pick a sample that differs from the default`).not.toStrictEqual(DEFAULTS[name]);
    }
  });

  it('RELAY_STATIC_DIR: empty means the default, like every variable', () => {
    expect(parseConfig({ RELAY_STATIC_DIR: '' }).staticDir).toBe(DEFAULT_STATIC_DIR);
  });

  it.each([
    [{ RELAY_SOFT_BUFFERED_BYTES: '2048', RELAY_MAX_BUFFERED_BYTES: '2048' }, 'RELAY_SOFT_BUFFERED_BYTES must be below RELAY_MAX_BUFFERED_BYTES (2048)'],
    [{ RELAY_MIN_TICK_HZ: '10', RELAY_MAX_TICK_HZ: '9', RELAY_TICK_HZ: '9' }, 'RELAY_MIN_TICK_HZ must not be above RELAY_MAX_TICK_HZ (9)'],
    [{ RELAY_TICK_HZ: '61' }, 'RELAY_TICK_HZ must be between RELAY_MIN_TICK_HZ (1) and RELAY_MAX_TICK_HZ (60)'],
    [{ RELAY_TICK_HZ: '4', RELAY_MIN_TICK_HZ: '5' }, 'RELAY_TICK_HZ must be between RELAY_MIN_TICK_HZ (5) and RELAY_MAX_TICK_HZ (60)'],
  ])('cross-field rule %j', (env, message) => {
    expect(() => parseConfig(env)).toThrow(message);
  });

  it('cross-field rules accept their edges', () => {
    expect(parseConfig({ RELAY_SOFT_BUFFERED_BYTES: '2047', RELAY_MAX_BUFFERED_BYTES: '2048' }).softBufferedBytes).toBe(2047);
    expect(parseConfig({ RELAY_MIN_TICK_HZ: '9', RELAY_MAX_TICK_HZ: '9', RELAY_TICK_HZ: '9' }).tickHz).toBe(9);
  });

  it('reads values from the environment and treats empty strings as unset', () => {
    const c = parseConfig({ PORT: '9000', RELAY_MAX_MEMBERS_PER_ROOM: '12', HOST: '' });
    expect(c.port).toBe(9000);
    expect(c.maxMembersPerRoom).toBe(12);
    expect(c.host).toBe('0.0.0.0');
  });

  it.each([
    ['PORT', '70000', 'PORT must be at most 65535'],
    ['PORT', 'eighty', 'PORT must be a number'],
    ['RELAY_MAX_PAYLOAD_BYTES', '0', 'RELAY_MAX_PAYLOAD_BYTES must be at least 1'],
    ['RELAY_MAX_ROOMS', '1.5', 'RELAY_MAX_ROOMS must be a whole number'],
    ['RELAY_MAX_ROOMS', '70000', 'RELAY_MAX_ROOMS must be at most 65535'],
    ['RELAY_IDLE_TIMEOUT_SEC', '4', 'RELAY_IDLE_TIMEOUT_SEC must be 0 (disabled) or at least 8'],
    ['RELAY_MAX_MESSAGES_PER_SEC', '-1', 'RELAY_MAX_MESSAGES_PER_SEC must be above 0'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL'],
  ])('%s=%s fails naming the variable', (name, value, message) => {
    let error: unknown;
    try {
      parseConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toContain(JSON.stringify(value));
  });

  it.each(['1e3', ' 80', '0x50', '+80', '80 ', '123456'])('TCP_PORT=%j is not a port (digits only)', (value) => {
    expect(() => parseConfig({ TCP_PORT: value })).toThrow(`TCP_PORT must be a port number from 0 to 65535, or 'off' to disable raw TCP (got ${JSON.stringify(value)})`);
  });

  it('TCP_PORT takes 65535, and 0', () => {
    expect(parseConfig({ TCP_PORT: '65535' }).tcpPort).toBe(65535);
    expect(parseConfig({ TCP_PORT: '00000' }).tcpPort).toBe(0);
  });

  it('RELAY_MAX_MESSAGES_PER_SEC: at most 1000000, fractions allowed', () => {
    expect(parseConfig({ RELAY_MAX_MESSAGES_PER_SEC: '1000000' }).maxMessagesPerSec).toBe(1_000_000);
    expect(() => parseConfig({ RELAY_MAX_MESSAGES_PER_SEC: '1000001' })).toThrow('RELAY_MAX_MESSAGES_PER_SEC must be at most 1000000 (got "1000001")');
    expect(() => parseConfig({ RELAY_MAX_MESSAGES_PER_SEC: '0' })).toThrow('RELAY_MAX_MESSAGES_PER_SEC must be above 0 (got "0")');
  });

  it('the error text: one line per problem, naming the variable, with the value only when it was set', () => {
    let error: unknown;
    try {
      parseConfig({ PORT: '-1' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).name).toBe('ConfigError');
    expect((error as ConfigError).problems).toEqual(['PORT must be at least 0 (got "-1")']);
    let second: unknown;
    try {
      parseConfig({ RELAY_MIN_TICK_HZ: '61' });
    } catch (err) {
      second = err;
    }
    expect((second as Error).message).toBe([
      'invalid configuration:',
      '  - RELAY_MIN_TICK_HZ must not be above RELAY_MAX_TICK_HZ (60) (got "61")',
      '  - RELAY_TICK_HZ must be between RELAY_MIN_TICK_HZ (61) and RELAY_MAX_TICK_HZ (60)',
    ].join('\n'));
  });

  it('reports every bad variable at once', () => {
    expect(() => parseConfig({ PORT: 'x', RELAY_MAX_ROOMS: '0' })).toThrow(/PORT[\s\S]*RELAY_MAX_ROOMS/);
  });

  it('is documented in the README, every variable', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const name of ENV_NAMES) expect(readme).toContain(`| \`${name}\` |`);
  });
});
