// Node entry of @roomcast/client: Node 20 has no global WebSocket, so the default is `ws`;
// `tcp://host:port` URLs use raw TCP (tcp-socket.ts) behind the same socket seam.
import WebSocket from 'ws';
import { RoomcastClient as ClientCore } from './client.js';
import type { ClientOptions } from './options.js';
import { TcpSocket, isTcpUrl } from './tcp-socket.js';

export * from './exports.js';

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
   * @param options see {@link ClientOptions}; `WebSocket` defaults to the `ws` package (or to
   *   the TCP socket for `tcp://` URLs)
   * @throws RangeError for an invalid option
   */
  constructor(url: string, options: ClientOptions = {}) {
    super(url, { ...options, WebSocket: options.WebSocket ?? (isTcpUrl(url) ? TcpSocket : WebSocket) });
  }
}
