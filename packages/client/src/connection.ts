// One WebSocket to the relay: opening it, the hello → welcome handshake and its deadline,
// decoding incoming frames, and reporting the close. Reconnecting is the client's business:
// a Connection is used once, and after it ends (or is aborted) it reports nothing more.
import {
  PROTOCOL_VERSION, decodeServerFrame, encodeControl,
  type ClientMessage, type ServerFrame, type ServerMessage,
} from '@roomcast/protocol/client';
import { RoomcastError } from './errors.js';
import { SOCKET_OPEN, messageBytes, type WebSocketConstructor, type WebSocketLike } from './socket.js';

type Welcome = Extract<ServerMessage, { type: 'welcome' }>;

/** What a connection reports. Before welcome only `failed` or `welcomed`; after it, the rest. */
export interface ConnectionHandlers {
  /** The handshake completed. */
  welcomed(welcome: Welcome): void;
  /** The handshake failed (socket error or close, deadline, refusal, garbage). Reported at most once. */
  failed(err: RoomcastError): void;
  /** A frame from the relay, after welcome. */
  frame(frame: ServerFrame): void;
  /** An undecodable frame from the relay, after welcome (the connection stays up). */
  garbage(err: RoomcastError): void;
  /** The socket closed after welcome. */
  closed(code: number, reason: string): void;
}

/** Handshake settings. */
export interface ConnectionSettings {
  url: string;
  WebSocket: WebSocketConstructor;
  clientName: string;
  connectTimeoutMs: number;
  /** The connection token for `hello` (from the `getToken` option); undefined: anonymous. */
  token?: string | undefined;
}

type Phase = 'handshake' | 'open' | 'ended';

// `hello` ids come from their own counter: the handshake is not in the client's request table.
let helloCounter = 0;

/** A single WebSocket session with the relay. */
export class Connection {
  readonly #socket: WebSocketLike;
  readonly #handlers: ConnectionHandlers;
  readonly #helloId: number;
  readonly #url: string;
  #phase: Phase = 'handshake';
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Message of the socket's last `error` event (e.g. "connect ECONNREFUSED" from ws). */
  #lastError: string | undefined;

  /**
   * Opens a socket and starts the handshake. Returns `undefined` after reporting `failed` when
   * the socket cannot even be created (e.g. a malformed URL).
   */
  static open(settings: ConnectionSettings, handlers: ConnectionHandlers): Connection | undefined {
    let socket: WebSocketLike;
    try {
      socket = new settings.WebSocket(settings.url);
    } catch (cause) {
      handlers.failed(new RoomcastError('connect_failed', `could not open a WebSocket to ${settings.url}: ${describe(cause)}`, { cause }));
      return undefined;
    }
    return new Connection(socket, settings, handlers);
  }

  private constructor(socket: WebSocketLike, settings: ConnectionSettings, handlers: ConnectionHandlers) {
    this.#socket = socket;
    this.#handlers = handlers;
    this.#url = settings.url;
    helloCounter = helloCounter >= 0xffff_ffff ? 1 : helloCounter + 1;
    this.#helloId = helloCounter;
    socket.binaryType = 'arraybuffer';
    this.#timer = setTimeout(() => {
      this.#fail(new RoomcastError('timeout', `no welcome from ${this.#url} within ${settings.connectTimeoutMs} ms`));
    }, settings.connectTimeoutMs);
    socket.onopen = () => {
      if (this.#phase !== 'handshake') return;
      const hello: ClientMessage = { type: 'hello', id: this.#helloId, v: PROTOCOL_VERSION, client: settings.clientName };
      if (settings.token !== undefined) hello.token = settings.token;
      try {
        this.#write(encodeControl(hello));
      } catch (cause) {
        this.#fail(new RoomcastError('connect_failed', `could not send hello: ${describe(cause)}`, { cause }));
      }
    };
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onclose = (event) => this.#closed(event.code, event.reason);
    // A close event follows every error; keep the message for it. The handler must exist in any
    // case: `ws` throws an unhandled 'error' event.
    socket.onerror = (event) => {
      this.#lastError = errorEventMessage(event);
    };
  }

  /** True between welcome and the end of the connection. */
  get open(): boolean {
    return this.#phase === 'open';
  }

  /** The socket's `bufferedAmount` (0 when the socket class does not report one). */
  get bufferedAmount(): number {
    return this.#socket.bufferedAmount ?? 0;
  }

  /**
   * Sends one frame.
   * @throws RoomcastError `not_connected` unless welcomed and the socket is open
   */
  send(frame: Uint8Array): void {
    if (this.#phase !== 'open' || this.#socket.readyState !== SOCKET_OPEN) {
      throw new RoomcastError('not_connected', 'the connection is not open');
    }
    this.#write(frame);
  }

  /**
   * Ends the connection from this side (close code 1000). During the handshake `err` is reported
   * through `failed`; after that nothing more is reported.
   */
  abort(err: RoomcastError, reason: string): void {
    if (this.#phase === 'ended') return;
    const wasHandshake = this.#phase === 'handshake';
    this.#end();
    closeQuietly(this.#socket, 1000, reason);
    if (wasHandshake) this.#handlers.failed(err);
  }

  #write(frame: Uint8Array): void {
    // encodeControl/encodeData allocate a fresh ArrayBuffer per frame (never a SharedArrayBuffer),
    // which is what the DOM's send() signature asks for.
    this.#socket.send(frame as Uint8Array<ArrayBuffer>);
  }

  #end(): void {
    this.#phase = 'ended';
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #fail(err: RoomcastError): void {
    if (this.#phase === 'handshake') this.abort(err, 'handshake failed');
  }

  #closed(code: number, reason: string): void {
    const phase = this.#phase;
    if (phase === 'ended') return;
    this.#end();
    if (phase === 'open') {
      this.#handlers.closed(code, reason);
      return;
    }
    const why = reason ? `: ${reason}` : this.#lastError ? `: ${this.#lastError}` : '';
    this.#handlers.failed(new RoomcastError('connect_failed', `connection to ${this.#url} closed before welcome (code ${code}${why})`, { closeCode: code, closeReason: reason }));
  }

  #receive(data: unknown): void {
    if (this.#phase === 'ended') return;
    const bytes = messageBytes(data);
    const decoded = bytes === undefined ? undefined : decodeServerFrame(bytes);
    if (decoded === undefined || !decoded.ok) {
      const err = decoded === undefined
        ? new RoomcastError('bad_frame', 'relay sent a text message; Roomcast frames are binary')
        : new RoomcastError(decoded.error.code, `undecodable frame from the relay: ${decoded.error.message}`);
      if (this.#phase === 'open') this.#handlers.garbage(err);
      else this.#fail(err);
      return;
    }
    if (this.#phase === 'open') this.#handlers.frame(decoded.frame);
    else this.#handshakeFrame(decoded.frame);
  }

  #handshakeFrame(frame: ServerFrame): void {
    const m = frame.kind === 'control' ? frame.message : undefined;
    if (m?.type === 'welcome' && m.id === this.#helloId) {
      if (m.v !== PROTOCOL_VERSION) {
        this.#fail(new RoomcastError('unsupported_version', `relay speaks protocol v${m.v}, this client v${PROTOCOL_VERSION}`));
        return;
      }
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#phase = 'open';
      this.#handlers.welcomed(m);
    } else if (m?.type === 'error' && (m.id === undefined || m.id === this.#helloId)) {
      this.#fail(new RoomcastError(m.code, `relay refused the handshake: ${m.message}`));
    } else {
      this.#fail(new RoomcastError('bad_message', `expected welcome from the relay, got ${m === undefined ? 'a deliver frame' : `'${m.type}'`}`));
    }
  }
}

function errorEventMessage(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null || !('message' in event)) return undefined;
  return typeof event.message === 'string' && event.message !== '' ? event.message : undefined;
}

/** The message of a thrown value. */
export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Closes a socket, ignoring errors (a reason too long for the browser, a socket already closed). */
function closeQuietly(socket: WebSocketLike, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // nothing more to do: the socket is gone either way
  }
}
