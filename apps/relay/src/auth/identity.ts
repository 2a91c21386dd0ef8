// Who a connection is, from a verified token: user id, rights, trusted info and expiry
// (PROTOCOL.md §8.18). The claims are validated here with zod after jose checked the signature.
import { MAX_USER_ID_CHARS, PRESENCE_MAX_DEPTH, type Presence } from '@roomcast/protocol';
import { z } from 'zod';
import { ACTIONS, ALL_RIGHTS, rightsFromClaim, type Rights } from './rights.js';

export interface Identity {
  /** The token's `sub`; undefined for anonymous connections. */
  readonly userId: string | undefined;
  /** `server`: a game backend's token (`role: "server"`): every action in every room. */
  readonly role: 'server' | 'user' | 'anonymous';
  readonly rights: Rights;
  /** Trusted JSON shown as the member's `info`; undefined when the token has none. */
  readonly info: Presence | undefined;
  /** When the token expires, ms since the epoch; undefined for anonymous connections. */
  readonly expiresAtMs: number | undefined;
}

/** A connection without a token, on a relay that allows them: v1 behaviour, every right. */
export const ANONYMOUS: Identity = Object.freeze({
  userId: undefined, role: 'anonymous', rights: ALL_RIGHTS, info: undefined, expiresAtMs: undefined,
});

/** Patterns per token and their size: a token is input too (reliability.md: every input has a budget). */
export const MAX_ROOM_PATTERNS = 64;
const roomPattern = z.string().regex(/^[\x21-\x7e]{1,129}$/, 'room patterns are 1-128 printable ASCII characters, optionally ending in *');
const roomsClaim = z.union([
  z.array(roomPattern).max(MAX_ROOM_PATTERNS),
  z.record(roomPattern, z.array(z.enum(ACTIONS)).max(ACTIONS.length))
    .refine((r) => Object.keys(r).length <= MAX_ROOM_PATTERNS, `at most ${MAX_ROOM_PATTERNS} room patterns`),
], { error: 'rooms must be an array of room patterns or a map from room pattern to actions (join, send, direct, presence)' });

const claimsSchema = z.object({
  sub: z.string().min(1).max(MAX_USER_ID_CHARS),
  exp: z.number(),
  rooms: roomsClaim.optional(),
  /** Only `server` means anything; other values (an application's own roles) grant nothing extra. */
  role: z.unknown().optional(),
  info: z.json().optional(),
});

export type ClaimsResult = { ok: true; identity: Identity } | { ok: false; reason: string };

/** Turns a verified JWT payload into an Identity, or says which claim is wrong. */
export function identityFromClaims(payload: unknown, maxInfoBytes: number): ClaimsResult {
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: `claim ${issue.path.map(String).join('.') || '(payload)'}: ${issue.message}` };
  }
  const claims = parsed.data;
  let info: Presence | undefined;
  if (claims.info !== undefined) {
    const bytes = Buffer.byteLength(JSON.stringify(claims.info), 'utf8');
    if (bytes > maxInfoBytes) return { ok: false, reason: `claim info is ${bytes} bytes of JSON, above RELAY_MAX_INFO_BYTES (${maxInfoBytes})` };
    // Like presence (PROTOCOL.md §8.4): info sits in member maps, so it must leave room for the envelope.
    if (jsonDepth(claims.info) > PRESENCE_MAX_DEPTH) return { ok: false, reason: `claim info nests deeper than ${PRESENCE_MAX_DEPTH}` };
    info = claims.info as Presence;
  }
  const server = claims.role === 'server';
  return {
    ok: true,
    identity: {
      userId: claims.sub,
      role: server ? 'server' : 'user',
      rights: server ? ALL_RIGHTS : rightsFromClaim(claims.rooms),
      info,
      expiresAtMs: claims.exp * 1000,
    },
  };
}

/** `welcome.expiresInSec` / `refreshed.expiresInSec`: whole seconds left, never negative. */
export function expiresInSec(identity: Identity, nowMs: number): number | undefined {
  if (identity.expiresAtMs === undefined) return undefined;
  return Math.max(0, Math.floor((identity.expiresAtMs - nowMs) / 1000));
}

/**
 * Milliseconds from now until the relay closes the connection with 4440 (expiry plus the clock
 * tolerance, so a client refreshing "just in time" by its own clock is not cut off). Undefined:
 * nothing expires.
 */
export function closeDelayMs(identity: Identity, nowMs: number, clockToleranceSec: number): number | undefined {
  if (identity.expiresAtMs === undefined) return undefined;
  return Math.max(0, identity.expiresAtMs + clockToleranceSec * 1000 - nowMs);
}

export type RefreshResult = { ok: true; identity: Identity } | { ok: false; code: 'unauthorized'; reason: string };

/**
 * Applies a `refresh` whose token verified as `next` (rule 6): same user required; new rights and
 * expiry; the member info stays what the room members were shown.
 */
export function applyRefresh(current: Identity, next: Identity): RefreshResult {
  if (current.userId === undefined) return { ok: false, code: 'unauthorized', reason: 'an anonymous connection cannot refresh: reconnect with a token' };
  if (next.userId !== current.userId) return { ok: false, code: 'unauthorized', reason: 'the new token names another user (sub); reconnect to change user' };
  return { ok: true, identity: { ...next, info: current.info } };
}

/** Nesting of a JSON value: 0 for a scalar, 1 for a flat array or object. */
function jsonDepth(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, jsonDepth(child));
  return deepest + 1;
}
