// Minting relay tokens (PROTOCOL.md §8.18, docs/decisions/0001-identity.md) with jose: the claims
// the relay reads, typed, so a backend cannot misspell `rooms` or forget `exp`.
import { SignJWT, type CryptoKey, type KeyObject } from 'jose';

/** What a member may do in a room; every action implies `join`. */
export type RoomAction = 'join' | 'send' | 'direct' | 'presence';

export interface TokenOptions {
  /** The user id every other member sees (`sub`). */
  userId: string;
  /**
   * Rooms the user may enter: names or prefixes ending in `*`. An array grants every action;
   * a map grants the listed actions per room.
   */
  rooms?: readonly string[] | Readonly<Record<string, readonly RoomAction[]>>;
  /** Trusted JSON shown to the room as the member's info (at most RELAY_MAX_INFO_BYTES). */
  info?: unknown;
  /** `server`: every action in every room (a game server joining as a peer). */
  role?: 'server';
  /** Lifetime: seconds, or a jose time span such as `'15m'`. Default 15 minutes. */
  expiresIn?: number | string;
  /** `aud`, when the relay sets RELAY_JWT_AUDIENCE. */
  audience?: string;
  /** `iss`, when the relay sets RELAY_JWT_ISSUER. */
  issuer?: string;
  /** Key id (`kid`), when the relay reads a JWKS. */
  keyId?: string;
}

export type SigningKey =
  /** The relay's RELAY_JWT_SECRET (HS256). */
  | { secret: string }
  /** A private key whose public half the relay holds (RS256, ES256, EdDSA, ...). */
  | { privateKey: CryptoKey | KeyObject; alg: string };

/**
 * Signs a relay token for one user.
 *
 * @example
 * const token = await mintToken({ secret: process.env.RELAY_JWT_SECRET! }, { userId: 'ada', rooms: ['match:*'] });
 */
export async function mintToken(key: SigningKey, options: TokenOptions): Promise<string> {
  const claims: Record<string, unknown> = {};
  if (options.rooms !== undefined) claims.rooms = options.rooms;
  if (options.info !== undefined) claims.info = options.info;
  if (options.role !== undefined) claims.role = options.role;
  const alg = 'secret' in key ? 'HS256' : key.alg;
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg, ...(options.keyId === undefined ? {} : { kid: options.keyId }) })
    .setSubject(options.userId)
    .setIssuedAt();
  const expiresIn = options.expiresIn ?? '15m';
  jwt = jwt.setExpirationTime(typeof expiresIn === 'number' ? `${expiresIn}s` : expiresIn);
  if (options.audience !== undefined) jwt = jwt.setAudience(options.audience);
  if (options.issuer !== undefined) jwt = jwt.setIssuer(options.issuer);
  return jwt.sign('secret' in key ? new TextEncoder().encode(key.secret) : key.privateKey);
}
