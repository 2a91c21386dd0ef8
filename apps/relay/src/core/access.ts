// Identity and access as the core sees them (PROTOCOL.md §8.18): a port the process fills from
// src/auth/ (wired in src/access.ts and server.ts). The core asks it at `hello` and `refresh` and
// asks the connection's Principal before joins, presence and data frames; it never sees a token
// format, a key or a wall clock, and imports nothing outside core/ and the protocol.
import type { CloseName, ErrorCode, Presence } from '@roomcast/protocol';

/** What a connection may do in a room. Every action implies `join`. */
export type AccessAction = 'join' | 'send' | 'direct' | 'presence';

/** The v2 fields of a member map: empty for anonymous members, so their frames keep v1 bytes. */
export interface MemberIdentity {
  userId?: string;
  info?: Presence;
}

/** Who a connection is, once welcomed: its member fields and its rights. */
export interface Principal {
  readonly memberFields: MemberIdentity;
  /** A `role: "server"` token (the application's server as a peer): it hosts the rooms it joins (PROTOCOL.md §8.20). */
  readonly server?: boolean;
  can(room: string, action: AccessAction): boolean;
}

/** A member's rights in its room, cached so the data path reads a field instead of matching patterns. */
export interface MemberRights {
  readonly send: boolean;
  readonly direct: boolean;
  readonly presence: boolean;
}

/** Computed at join and on refresh. */
export function memberRights(principal: Principal, room: string): MemberRights {
  return { send: principal.can(room, 'send'), direct: principal.can(room, 'direct'), presence: principal.can(room, 'presence') };
}

/** Before the welcome: nobody, allowed nothing (deny by default). */
export const NOBODY: Principal = Object.freeze({ memberFields: Object.freeze({}), can: () => false });

/** `hello` or `refresh` accepted. */
export interface Admitted {
  ok: true;
  principal: Principal;
  /** Spread into `welcome` (and `expiresInSec` into `refreshed`); empty for anonymous connections. */
  fields: { userId?: string; expiresInSec?: number };
  /** Milliseconds from now until the relay closes the connection with 4440; undefined: never. */
  closeInMs: number | undefined;
}

/** `hello` or `refresh` refused: the error to send with the request id, and (hello only) the close. */
export interface Refused {
  ok: false;
  code: Extract<ErrorCode, 'unauthorized' | 'token_expired' | 'internal' | 'unsupported_version'>;
  /** Never quotes the token. */
  message: string;
  /** The close after a refused `hello`; undefined after `refresh` (the current token stays in force). */
  close: CloseName | undefined;
}

export type AccessDecision = Admitted | Refused;

/** A per-connection timer on the core's clock that fires when the token expires. */
export interface ExpiryTimer {
  /** (Re)starts it `delayMs` from now; undefined stops it. */
  arm(delayMs: number | undefined): void;
  stop(): void;
}

export interface Authenticator {
  /**
   * Decides a `hello` (whose version the core already checked). Synchronous when there is nothing
   * to verify (no token), a promise when a token is verified: the connection may close meanwhile.
   */
  hello(hello: { v: number; token?: string | undefined }): AccessDecision | Promise<AccessDecision>;
  /** Decides a `refresh` of `current`'s token. On refusal the current token stays in force. */
  refresh(current: Principal, token: string): Promise<AccessDecision>;
  /** A timer on the core's clock that calls `onExpire` after the armed delay (any length). */
  expiryTimer(onExpire: () => void): ExpiryTimer;
}
