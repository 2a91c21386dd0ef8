// The transport seam: the few WebSocket members the client uses. Both the browser's WebSocket
// and the `ws` package satisfy it, and tests pass an in-memory fake through the `WebSocket` option.

// Method-style signature: handler parameters are checked bivariantly, so implementations whose
// handlers take richer event types (DOM `MessageEvent`, ws `WebSocket.MessageEvent`) still fit.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The `message` event fields the client reads. */
export interface SocketMessageEvent {
  /** `ArrayBuffer` for binary messages once `binaryType` is `'arraybuffer'`; a string for text messages. */
  data: unknown;
}

/** The `close` event fields the client reads. */
export interface SocketCloseEvent {
  code: number;
  reason: string;
}

/** The subset of the WebSocket API (WHATWG) that the client needs. */
export interface WebSocketLike {
  /** The client sets `'arraybuffer'`. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes queued by `send` and not yet handed to the network (WHATWG, `ws`, TcpSocket); paces file transfers. */
  readonly bufferedAmount?: number;
  /** Sends one binary message. (DOM typings want an ArrayBuffer-backed view; the codec allocates exactly that.) */
  send(data: Uint8Array<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<SocketMessageEvent> | null;
  onclose: Handler<SocketCloseEvent> | null;
  onerror: Handler<unknown> | null;
}

/** A WebSocket class: `globalThis.WebSocket`, `ws`'s default export, or a test fake. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` of an open socket. */
export const SOCKET_OPEN = 1;

/** The bytes of a binary message, or `undefined` for a text message (the relay never sends text). */
export function messageBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // An ArrayBuffer from another realm (iframe, vm context) fails instanceof.
  if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') return new Uint8Array(data as ArrayBuffer);
  return undefined;
}
