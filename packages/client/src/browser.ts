// Browser entry of @roomcast/client: the default WebSocket is `globalThis.WebSocket`, looked up
// when a client is created (so a polyfill installed after import still counts).
import { RoomcastClient as ClientCore } from './client.js';
import { RoomcastError } from './errors.js';
import type { ClientOptions } from './options.js';
import type { WebSocketConstructor } from './socket.js';

export * from './exports.js';

function globalWebSocket(): WebSocketConstructor {
  const candidate: unknown = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof candidate !== 'function') {
    throw new RoomcastError('no_websocket', 'globalThis.WebSocket is not available: pass the `WebSocket` option');
  }
  // The WHATWG WebSocket class has every member WebSocketLike names.
  return candidate as WebSocketConstructor;
}

/**
 * Client for a Roomcast relay (browser build: uses `globalThis.WebSocket` unless `options.WebSocket` is given).
 * @example
 * const client = new RoomcastClient('wss://relay.example.com/ws');
 * await client.connect();
 * const room = await client.join('lobby', { name: 'ada' });
 * room.on('message', ({ sender, payload }) => console.log(sender, payload));
 * room.send(new Uint8Array([1, 2, 3]));
 */
export class RoomcastClient extends ClientCore {
  /**
   * @param url relay WebSocket URL, e.g. `wss://relay.example.com/ws`
   * @param options see {@link ClientOptions}; `WebSocket` defaults to `globalThis.WebSocket`
   * @throws RangeError for an invalid option; RoomcastError `no_websocket` without a WebSocket class
   */
  constructor(url: string, options: ClientOptions = {}) {
    super(url, { ...options, WebSocket: options.WebSocket ?? globalWebSocket() });
  }
}
