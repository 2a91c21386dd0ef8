// Client options: what each field means, its default, and validation into a resolved copy
// (the caller's object is never mutated or kept).
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { WebSocketConstructor } from './socket.js';

/** Reconnect timing; see the README's "Reconnect" section. Omitted fields take the defaults. */
export type ReconnectOptions = Partial<BackoffOptions>;

/** Options of `new RoomcastClient(url, options)`. Every field is optional. */
export interface ClientOptions {
  /**
   * Automatic reconnect after an unexpected close whose code allows it (see `shouldReconnect` in
   * @roomcast/protocol), with full-jitter exponential backoff. `false` disables it.
   * Default `{ initialDelayMs: 250, maxDelayMs: 10000, factor: 2 }`.
   */
  reconnect?: ReconnectOptions | false | undefined;
  /** Time from opening the socket to `welcome` before an attempt fails with `timeout`, in ms. Default 10000. */
  connectTimeoutMs?: number | undefined;
  /** Time to wait for the reply to a request (join, leave, presence, ping), in ms. Default 10000. */
  requestTimeoutMs?: number | undefined;
  /** Name sent in `hello` for the relay's logs (at most 256 characters). Default `'roomcast-js/0.1.0'`. */
  clientName?: string | undefined;
  /**
   * WebSocket class to use instead of the entry's default (`ws` in Node, `globalThis.WebSocket` in
   * browsers); e.g. a test fake or a polyfill.
   */
  WebSocket?: WebSocketConstructor | undefined;
  /**
   * Coalesce `room.sendLatest` calls locally to at most the room's tick rate (the relay would
   * merge the extra values anyway; this saves upstream bandwidth). Default true.
   */
  throttleLatest?: boolean | undefined;
  /**
   * Where the connection token comes from, for relays that require one (PROTOCOL.md §8.18):
   * typically a call to your backend, which mints a short-lived JWT. Called before every
   * connection attempt (connect and each reconnect) and before the token expires (at 80% of its
   * lifetime, at least 5 s before), when the client sends it in-band with `refresh` without
   * reconnecting. The token is sent in `hello`, never in the URL. A throw or rejection fails that
   * attempt with `token_failed` (a reconnect then retries with backoff). Default: no token
   * (anonymous connections, for relays that allow them).
   */
  getToken?: (() => string | Promise<string>) | undefined;
}

/** Name sent in `hello` when `clientName` is not given. */
export const DEFAULT_CLIENT_NAME = 'roomcast-js/0.1.0';

/** Options after defaults and validation. */
export interface ResolvedOptions {
  reconnect: Readonly<BackoffOptions> | false;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  clientName: string;
  throttleLatest: boolean;
  getToken: (() => string | Promise<string>) | undefined;
}

function positiveMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a finite number > 0 (got ${value})`);
  return value;
}

/** Applies defaults; throws a RangeError naming the field for an invalid value. */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  const clientName = options.clientName ?? DEFAULT_CLIENT_NAME;
  if (clientName.length > 256) throw new RangeError(`clientName must be at most 256 characters (got ${clientName.length})`);
  const r = options.reconnect;
  return {
    reconnect: r === false ? false : {
      initialDelayMs: r?.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
      maxDelayMs: r?.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
      factor: r?.factor ?? DEFAULT_BACKOFF.factor,
    },
    connectTimeoutMs: positiveMs('connectTimeoutMs', options.connectTimeoutMs, 10_000),
    requestTimeoutMs: positiveMs('requestTimeoutMs', options.requestTimeoutMs, 10_000),
    clientName,
    throttleLatest: options.throttleLatest ?? true,
    getToken: options.getToken,
  };
}

/** Options of `client.connect(options)`. */
export interface ConnectOptions {
  /**
   * Retry a failed first connection with the reconnect backoff (full jitter) instead of
   * rejecting at once, e.g. for a page opened while the relay restarts. Default false.
   */
  retry?: boolean | undefined;
  /** With `retry`: reject after this many failed attempts (an integer >= 1). Default: no limit. */
  maxAttempts?: number | undefined;
}

/** Applies defaults; throws a RangeError naming the field for an invalid value. */
export function resolveConnectOptions(options: ConnectOptions): { retry: boolean; maxAttempts: number } {
  const maxAttempts = options.maxAttempts ?? Infinity;
  if (!(maxAttempts === Infinity || (Number.isInteger(maxAttempts) && maxAttempts >= 1))) {
    throw new RangeError(`maxAttempts must be an integer >= 1 (got ${maxAttempts})`);
  }
  return { retry: options.retry === true, maxAttempts };
}
