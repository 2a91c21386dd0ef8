// Identity and access for the relay, built once at start-up from the config: the token verifier,
// whether anonymous connections are allowed, and the Origin allow-list. Imports nothing from the
// core or the transports; they ask it (see docs/decisions/0001-identity.md for the wiring).
import type { Config } from '../config.js';
import { loadKeySource } from './keys.js';
import { originPolicy } from './origin.js';
import type { Auth, AuthConfig } from './settings.js';
import { TokenVerifier } from './verifier.js';

export { ANONYMOUS, applyRefresh, closeDelayMs, expiresInSec, identityFromClaims, type Identity } from './identity.js';
export { ACTIONS, ALL_RIGHTS, NO_RIGHTS, can, canJoin, rightsFromClaim, type Action, type Rights } from './rights.js';
export { isOriginAllowed, originPolicy, type OriginPolicy } from './origin.js';
export { TokenVerifier, type VerifyFailure, type VerifyResult } from './verifier.js';
export { KeySetUnavailable, algorithmsForKey, loadKeySource, type KeySource } from './keys.js';
export { authenticateHello, authenticateRefresh, dataRights, memberFields, type Accepted, type DataRights, type Refusal } from './handshake.js';
export type { Auth, AuthConfig } from './settings.js';
export { ExpiryTimer, MAX_TIMER_MS, type TimerClock } from './expiry.js';

/** Builds the auth settings; reads key files. Throws ConfigError naming the variable. */
export async function createAuth(config: AuthConfig, options: { now?: () => number } = {}): Promise<Auth> {
  const keys = await loadKeySource(config);
  const allowAnonymous = config.allowAnonymous === 'auto' ? keys === undefined : config.allowAnonymous === 'true';
  const verifier = keys === undefined ? undefined : new TokenVerifier(keys, {
    audience: config.jwtAudience,
    issuer: config.jwtIssuer,
    clockToleranceSec: config.jwtClockToleranceSec,
    maxInfoBytes: config.maxInfoBytes,
    ...(options.now ? { now: options.now } : {}),
  });
  const warnings: string[] = [];
  if (keys === undefined) {
    warnings.push('no token key configured (RELAY_JWT_SECRET, RELAY_JWT_PUBLIC_KEY(_FILE), RELAY_JWKS_URL/_FILE): anyone who can reach the relay may join any room under any name');
  } else if (allowAnonymous) {
    warnings.push('RELAY_ALLOW_ANONYMOUS=true: connections without a token may join any room');
  }
  if (config.allowedOrigins.includes('*')) {
    warnings.push('RELAY_ALLOWED_ORIGINS=*: web pages of any site may open WebSockets to the relay');
  }
  const keySource = keys === undefined ? 'none'
    : keys.kind === 'jwks' ? (keys.url !== undefined ? `jwks ${displayUrl(keys.url)}` : 'jwks file') : keys.kind;
  return {
    verifier,
    allowAnonymous,
    origins: originPolicy(config.allowedOrigins),
    clockToleranceSec: config.jwtClockToleranceSec,
    summary: { keySource, algorithms: keys?.algorithms ?? [], allowAnonymous, allowedOrigins: config.allowedOrigins },
    warnings,
    async warmUp() {
      if (keys?.kind !== 'jwks' || keys.reload === undefined) return undefined;
      try {
        await keys.reload();
        return undefined;
      } catch (err) {
        return `the JWKS at ${keySource.slice('jwks '.length)} could not be fetched at start-up (${(err as Error).message}); hellos with a token answer internal (4500) until it can`;
      }
    },
  };
}

/** The config with every secret replaced, for logs and diagnostics. */
export function redactConfig<C extends Partial<Config>>(config: C): C {
  const out: Record<string, unknown> = { ...config };
  // RELAY_JWT_SECRET (config.ts SECRET_ENV_NAMES). A public key is not secret, but long and useless in logs.
  if (typeof out.jwtSecret === 'string' && out.jwtSecret !== '') out.jwtSecret = '[redacted]';
  if (typeof out.jwtPublicKey === 'string' && out.jwtPublicKey !== '') out.jwtPublicKey = '[public key]';
  return out as C;
}

/** A URL for logs: without user info, query or fragment (either may carry credentials). */
function displayUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

