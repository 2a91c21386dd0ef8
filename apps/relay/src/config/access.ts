// Relay configuration, part 3 of 5: identity and access (tokens, keys, origins) and its cross-field rules.
import { z } from 'zod';
import { commaList, int } from './kit.js';

/** JWS algorithms a token may be signed with; `none` is not among them. */
export const JWT_ALGORITHMS = [
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** Identity and access (PROTOCOL.md §8.18, docs/decisions/0001-identity.md). At most one key source; none: anonymous mode (anyone may join any room). */
export const accessEnv = {
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
};

/** Cross-field rules of the identity settings, each reported on the variable to change. */
export function authRules(
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
