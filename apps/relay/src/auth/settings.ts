// The auth settings the relay builds once at start-up (index.ts createAuth) and hands to whoever
// checks a connection: a module of its own so that handshake.ts and index.ts do not import each other.
import type { Config } from '../config.js';
import type { KeyConfig } from './keys.js';
import type { OriginPolicy } from './origin.js';
import type { TokenVerifier } from './verifier.js';

export type AuthConfig = KeyConfig & Pick<Config,
  'jwtAudience' | 'jwtIssuer' | 'jwtClockToleranceSec' | 'allowAnonymous' | 'maxInfoBytes' | 'allowedOrigins'>;

export interface Auth {
  /** Undefined when no key is configured: every connection is anonymous. */
  readonly verifier: TokenVerifier | undefined;
  /** Whether a `hello` without a token is welcomed (as an anonymous connection with every right). */
  readonly allowAnonymous: boolean;
  readonly origins: OriginPolicy;
  readonly clockToleranceSec: number;
  /** Lines for the start-up log: which key source, and loud warnings about open relays. No secrets. */
  readonly summary: { keySource: string; algorithms: readonly string[]; allowAnonymous: boolean; allowedOrigins: readonly string[] };
  readonly warnings: readonly string[];
  /**
   * Fetches a remote JWKS once, so the first `hello` does not pay for it. Resolves with a warning
   * when the fetch failed (the relay still starts: jose fetches again on the next token), else
   * undefined. Nothing to do for other key sources.
   */
  warmUp(): Promise<string | undefined>;
}
