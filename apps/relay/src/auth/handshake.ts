// The auth decisions of `hello` and `refresh` as plain functions: what to answer and with which
// close code. The core calls them and does the sending (PROTOCOL.md §8.1, §8.18); they never
// touch a socket, so every branch is unit-tested here.
import type { CloseName, ErrorCode, Presence } from '@roomcast/protocol';
import { ANONYMOUS, applyRefresh, expiresInSec, type Identity } from './identity.js';
import { can, type Rights } from './rights.js';
import type { Auth } from './settings.js';
import type { VerifyFailure } from './verifier.js';

/** A refusal: the error frame to send (with the request id) and, for `hello`, the close that follows. */
export interface Refusal {
  ok: false;
  code: Extract<ErrorCode, 'unauthorized' | 'token_expired' | 'internal' | 'unsupported_version'>;
  message: string;
  /** Close after the error (hello); undefined for refresh (the connection stays open). */
  close: CloseName | undefined;
}

export interface Accepted {
  ok: true;
  identity: Identity;
  /** Spread into `welcome` / `refreshed`; empty for anonymous connections (v1 bytes unchanged). */
  fields: { userId?: string; expiresInSec?: number };
}

const CLOSE_FOR: Record<VerifyFailure['code'], CloseName> = {
  unauthorized: 'unauthorized',
  token_expired: 'token_expired',
  internal: 'internal_error',
};

/**
 * Decides a `hello`. Async only when there is a token to verify: the caller must check that the
 * connection is still open after the await (a close may have raced it).
 */
export async function authenticateHello(
  auth: Pick<Auth, 'verifier' | 'allowAnonymous'>, hello: { v: number; token?: string | undefined }, nowMs: number,
): Promise<Accepted | Refusal> {
  if (hello.token === undefined) {
    if (auth.allowAnonymous) return { ok: true, identity: ANONYMOUS, fields: {} };
    return refuse('unauthorized', 'this relay requires a token in hello', 'unauthorized');
  }
  if (hello.v < 2) return refuse('unsupported_version', 'tokens need protocol v2: send hello with v: 2', 'unsupported_version');
  if (auth.verifier === undefined) {
    // No key configured: a token cannot be checked, and silently ignoring it would hand the
    // client an identity it did not get. Anonymous relays refuse tokens.
    return refuse('unauthorized', 'this relay has no token key configured; connect without a token', 'unauthorized');
  }
  const result = await auth.verifier.verify(hello.token);
  if (!result.ok) return refuse(result.code, result.reason, CLOSE_FOR[result.code]);
  return accepted(result.identity, nowMs);
}

/** Decides a `refresh`. On refusal the current identity stays in force (no close). */
export async function authenticateRefresh(
  auth: Pick<Auth, 'verifier'>, current: Identity, token: string, nowMs: number,
): Promise<Accepted | Refusal> {
  if (auth.verifier === undefined || current.userId === undefined) {
    return refuse('unauthorized', 'this connection has no token to refresh', undefined);
  }
  const result = await auth.verifier.verify(token);
  if (!result.ok) return refuse(result.code, result.reason, undefined);
  const applied = applyRefresh(current, result.identity);
  if (!applied.ok) return refuse(applied.code, applied.reason, undefined);
  return accepted(applied.identity, nowMs);
}

/** The v2 fields of a member map; empty for anonymous members so their frames keep v1 bytes. */
export function memberFields(identity: Identity): { userId?: string; info?: Presence } {
  const out: { userId?: string; info?: Presence } = {};
  if (identity.userId !== undefined) out.userId = identity.userId;
  if (identity.info !== undefined) out.info = identity.info;
  return out;
}

/** What a member may do with data frames in a room: computed at join and refresh, read per frame. */
export interface DataRights { send: boolean; direct: boolean; presence: boolean }

export function dataRights(rights: Rights, room: string): DataRights {
  return { send: can(rights, room, 'send'), direct: can(rights, room, 'direct'), presence: can(rights, room, 'presence') };
}

function accepted(identity: Identity, nowMs: number): Accepted {
  const fields: Accepted['fields'] = {};
  if (identity.userId !== undefined) fields.userId = identity.userId;
  const left = expiresInSec(identity, nowMs);
  if (left !== undefined) fields.expiresInSec = left;
  return { ok: true, identity, fields };
}

function refuse(code: Refusal['code'], message: string, close: CloseName | undefined): Refusal {
  return { ok: false, code, message, close };
}
