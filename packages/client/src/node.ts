// Node entry of @roomcast/client. The default WebSocket is the `ws` package, an optional peer
// dependency (so browser users never install it), loaded once here; without it, Node 22+'s
// global WebSocket is used, and without either, creating a client throws `no_websocket` naming
// the package to install. `tcp://host:port` URLs use raw TCP (tcp-socket.ts) and need neither.
import { RoomcastClient as ClientCore } from './client.js';
import { RoomcastError } from './errors.js';
import type { ClientOptions } from './options.js';
import type { WebSocketConstructor } from './socket.js';
import { TcpSocket, isTcpUrl } from './tcp-socket.js';

export * from './exports.js';

/** `ws`'s WebSocket class, or undefined when the package is not installed. */
const wsClass: WebSocketConstructor | undefined = await import('ws').then(
  (m) => m.default as unknown as WebSocketConstructor,
  () => undefined,
);

function defaultWebSocket(): WebSocketConstructor {
  const global: unknown = (globalThis as { WebSocket?: unknown }).WebSocket;
  const found = wsClass ?? (typeof global === 'function' ? (global as WebSocketConstructor) : undefined);
  if (found === undefined) {
    throw new RoomcastError('no_websocket', 'no WebSocket class: install the `ws` package (npm install ws), use Node 22+, or pass the `WebSocket` option');
  }
  return found;
}

/**
 * Client for a Roomcast relay (Node build: uses the `ws` package unless `options.WebSocket` is given).
 * @example
 * const client = new RoomcastClient('ws://127.0.0.1:8080/ws');
 * await client.connect();
 * const room = await client.join('lobby', { name: 'ada' });
 * room.on('message', ({ sender, payload }) => console.log(sender, payload));
 * room.send(new Uint8Array([1, 2, 3]));
 */
export class RoomcastClient extends ClientCore {
  /**
   * @param url relay WebSocket URL, e.g. `ws://127.0.0.1:8080/ws`, or its raw TCP address,
   *   e.g. `tcp://127.0.0.1:8081` (same API; PROTOCOL.md appendix A)
   * @param options see {@link ClientOptions}; `WebSocket` defaults to the `ws` package (then to
   *   Node 22+'s global WebSocket), or to the TCP socket for `tcp://` URLs
   * @throws RangeError for an invalid option; RoomcastError `no_websocket` without a WebSocket class
   */
  constructor(url: string, options: ClientOptions = {}) {
    super(url, { ...options, WebSocket: options.WebSocket ?? (isTcpUrl(url) ? TcpSocket : defaultWebSocket()) });
  }
}
