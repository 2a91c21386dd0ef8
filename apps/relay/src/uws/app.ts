// The uWebSockets.js app: creating it, listening on a port, and checking that the native binary
// (not the slow JavaScript fallback) is loaded. The uws/ folder is the only place importing
// uWebSockets.js: this file, the WebSocket transport (websocket.ts, peer.ts, fanout.ts) and HTTP
// serving (http.ts).
import { createRequire } from 'node:module';
import uWS from 'uWebSockets.js';

export type App = uWS.TemplatedApp;

const require = createRequire(import.meta.url);
/** uSockets listen option (ListenOptions.LIBUS_LISTEN_EXCLUSIVE_PORT; the enum is not exported at run time). */
const LIBUS_LISTEN_EXCLUSIVE_PORT = 1;

/**
 * The uWebSockets.js package silently falls back to a slow pure-JS implementation when its native
 * binary does not load. Returns the path of the loaded native binary, or undefined if it fell back.
 */
export function nativeUwsBinary(): string | undefined {
  require('uWebSockets.js');
  return Object.keys(require.cache).find((path) => /[\\/]binaries[\\/]uws_[^\\/]+\.node$/.test(path));
}

export interface Listening {
  port: number;
  close(): void;
}

/**
 * Listens exclusively on host:port (uWS would otherwise share a busy port with another process
 * silently). Rejects with a message naming the port if it cannot.
 */
export function listen(app: uWS.TemplatedApp, host: string, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    // v20.30 accepts (host, port, options, cb) although its typings list only (port, options, cb).
    const listenWithOptions = app.listen as unknown as (h: string, p: number, o: number, cb: (s: uWS.us_listen_socket | false) => void) => void;
    listenWithOptions.call(app, host, port, LIBUS_LISTEN_EXCLUSIVE_PORT, (socket) => {
      if (!socket) {
        reject(new Error(`could not listen on ${host}:${port}: the port is in use or the address is not available (set PORT to another port)`));
        return;
      }
      resolve({
        port: uWS.us_socket_local_port(socket),
        close: () => uWS.us_listen_socket_close(socket),
      });
    });
  });
}

export function createApp(): uWS.TemplatedApp {
  return uWS.App();
}
