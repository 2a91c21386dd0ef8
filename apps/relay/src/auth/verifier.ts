// Verifies connection tokens with jose and turns them into an Identity. Never throws: every
// failure is a typed result the relay maps to an error frame and a close code (PROTOCOL.md §8.18).
import { errors, jwtVerify, type JWTVerifyOptions } from 'jose';
import { MAX_TOKEN_CHARS } from '@roomcast/protocol';
import { identityFromClaims, type Identity } from './identity.js';
import { KeySetUnavailable, type KeySource } from './keys.js';

/**
 * `unauthorized` → error + close 4401; `token_expired` → error + close 4440; `internal` (the key
 * set could not be fetched) → the relay's fault: close 4500, the client reconnects later.
 */
export type VerifyFailure = { ok: false; code: 'unauthorized' | 'token_expired' | 'internal'; reason: string };
export type VerifyResult = { ok: true; identity: Identity } | VerifyFailure;

export interface VerifierOptions {
  audience: readonly string[];
  issuer: readonly string[];
  clockToleranceSec: number;
  maxInfoBytes: number;
  /** Injected clock (ms since the epoch), so tests and the core share one notion of now. */
  now?: () => number;
}

export class TokenVerifier {
  readonly #keys: KeySource;
  readonly #options: VerifierOptions;
  readonly #now: () => number;

  constructor(keys: KeySource, options: VerifierOptions) {
    this.#keys = keys;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The algorithms a token may use (for the start-up log). */
  get algorithms(): readonly string[] {
    return this.#keys.algorithms;
  }

  /** Checks signature, algorithm, `exp` (required), `nbf`, `aud`, `iss`, then the claims. */
  async verify(token: string): Promise<VerifyResult> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_CHARS) {
      return fail('unauthorized', 'token is empty or too long');
    }
    const options: JWTVerifyOptions = {
      algorithms: [...this.#keys.algorithms],
      // jose checks exp only when present (reliability.md): require it, and sub (the user id).
      requiredClaims: ['exp', 'sub'],
      clockTolerance: this.#options.clockToleranceSec,
      currentDate: new Date(this.#now()),
    };
    if (this.#options.audience.length > 0) options.audience = [...this.#options.audience];
    if (this.#options.issuer.length > 0) options.issuer = [...this.#options.issuer];
    try {
      const keys = this.#keys;
      const { payload } = keys.kind === 'jwks'
        ? await jwtVerify(token, keys.getKey, options)
        : await jwtVerify(token, keys.key, options);
      const claims = identityFromClaims(payload, this.#options.maxInfoBytes);
      return claims.ok ? claims : fail('unauthorized', claims.reason);
    } catch (err) {
      return describe(err);
    }
  }
}

function fail(code: VerifyFailure['code'], reason: string): VerifyFailure {
  return { ok: false, code, reason };
}

/** Maps a jose error to a result. Reasons are ours: they never quote the token. */
function describe(err: unknown): VerifyFailure {
  if (err instanceof KeySetUnavailable) return fail('internal', 'the key set (JWKS) could not be fetched');
  if (err instanceof errors.JWTExpired) return fail('token_expired', 'token expired (exp)');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return fail('unauthorized', `token has no ${err.claim} claim`);
    if (err.claim === 'nbf') return fail('unauthorized', 'token is not valid yet (nbf)');
    if (err.claim === 'aud') return fail('unauthorized', 'token audience (aud) is not accepted');
    if (err.claim === 'iss') return fail('unauthorized', 'token issuer (iss) is not accepted');
    return fail('unauthorized', `token claim ${err.claim} is invalid`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return fail('unauthorized', 'token algorithm (alg) is not accepted');
  if (err instanceof errors.JWSSignatureVerificationFailed) return fail('unauthorized', 'token signature is invalid');
  if (err instanceof errors.JWKSNoMatchingKey) return fail('unauthorized', 'token key id (kid) is unknown');
  if (err instanceof errors.JWKSMultipleMatchingKeys) return fail('unauthorized', 'token key id (kid) is ambiguous');
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return fail('unauthorized', 'token is not a well-formed JWT');
  if (err instanceof errors.JOSENotSupported) return fail('unauthorized', 'token uses an unsupported algorithm or key');
  // jose refusing the key for the algorithm (a TypeError) and anything else: still the token's fault.
  return fail('unauthorized', 'token could not be verified');
}
