// The one error class the SDK throws and rejects with. Its `code` is stable: either a relay
// error code from @roomcast/protocol or one of the client-side codes below.
import type { ErrorCode } from '@roomcast/protocol/client';

/**
 * Codes that the SDK itself produces (the relay never sends these):
 * - `timeout`: no reply to a request within `requestTimeoutMs`, or no `welcome` within `connectTimeoutMs`.
 * - `closed`: the connection closed (or `client.close()` was called) before the reply arrived.
 * - `not_connected`: a send or request was made while the client is not open, or while the room
 *   is being rejoined after a reconnect.
 * - `connect_failed`: the socket could not be created or closed before the handshake finished.
 * - `no_websocket`: no WebSocket implementation was found (browser entry without `globalThis.WebSocket`
 *   and no `WebSocket` option).
 * - `token_failed`: the `getToken` option threw, rejected or returned something other than a non-empty string.
 */
export type ClientErrorCode = 'timeout' | 'closed' | 'not_connected' | 'connect_failed' | 'no_websocket' | 'token_failed';

/** Every code a {@link RoomcastError} can carry: relay error codes plus {@link ClientErrorCode}s. */
export type RoomcastErrorCode = ErrorCode | ClientErrorCode;

/** Extra context attached to a {@link RoomcastError}. */
export interface RoomcastErrorDetails {
  /** WebSocket close code, for `connect_failed` and `closed` errors caused by a socket close. */
  closeCode?: number | undefined;
  /** WebSocket close reason that came with `closeCode`. */
  closeReason?: string | undefined;
  /** Relay room handle the error is about, for relay errors that name a room. */
  room?: number | undefined;
  /** The underlying error, when one was thrown (e.g. by the WebSocket constructor). */
  cause?: unknown;
}

/** Error thrown or rejected by every SDK call and emitted on `'error'` events. Switch on `code`. */
export class RoomcastError extends Error {
  /** Stable machine-readable code; see {@link RoomcastErrorCode}. */
  readonly code: RoomcastErrorCode;
  /** WebSocket close code, when a socket close caused this error. */
  readonly closeCode: number | undefined;
  /** WebSocket close reason, when a socket close caused this error. */
  readonly closeReason: string | undefined;
  /** Relay room handle the error is about, when the relay named one. */
  readonly room: number | undefined;

  /**
   * @param code stable code, see {@link RoomcastErrorCode}
   * @param message human-readable explanation
   * @param details optional close code/reason, room handle and cause
   */
  constructor(code: RoomcastErrorCode, message: string, details: RoomcastErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RoomcastError';
    this.code = code;
    this.closeCode = details.closeCode;
    this.closeReason = details.closeReason;
    this.room = details.room;
  }
}
