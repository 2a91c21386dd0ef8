// WebSocket transport on uWebSockets.js: the only file that imports it. Adapts each socket to the
// core's Peer, and fans broadcasts out through uWS topics (C++), so the JavaScript work per
// incoming frame does not grow with room size.
import { createRequire } from 'node:module';
import uWS from 'uWebSockets.js';
import type { Connection } from '../core/connection.js';
import type { Hub, Peer } from '../core/peer.js';
import type { Relay } from '../core/relay.js';

export type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';

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

interface SocketData {
  remoteAddress: string;
  peer?: WsPeer;
  conn?: Connection;
}

export interface WsTransportOptions {
  path: string;
  maxMessageBytes: number;
  maxBufferedBytes: number;
  idleTimeoutSec: number;
  /**
   * Subscribers of other transports (raw TCP) that a WebSocket member's broadcast must also reach.
   * uWS topics only know WebSocket subscribers; this is looked up once per publish.
   */
  otherSubscribers?: { publish(topic: string, frame: Uint8Array): void } | undefined;
}

class WsPeer implements Peer {
  readonly transport = 'ws';
  closed = false;

  constructor(
    private readonly ws: uWS.WebSocket<SocketData>,
    readonly remoteAddress: string,
    private readonly others: WsTransportOptions['otherSubscribers'],
  ) {}

  send(frame: Uint8Array): void {
    if (!this.closed) this.ws.send(frame, true, false);
  }

  publish(topic: string, frame: Uint8Array): void {
    if (this.closed) return;
    this.ws.publish(topic, frame, true, false);
    this.others?.publish(topic, frame);
  }

  subscribe(topic: string): void {
    if (!this.closed) this.ws.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    if (!this.closed) this.ws.unsubscribe(topic);
  }

  bufferedAmount(): number {
    return this.closed ? 0 : this.ws.getBufferedAmount();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    // end() sends the close frame and calls the close handler synchronously.
    this.ws.end(code, reason.slice(0, 120));
  }
}

/** Registers the WebSocket route on `app` and returns the Hub that publishes to its (WebSocket) topics. */
export function attachWebSocket(app: uWS.TemplatedApp, relay: Relay, options: WsTransportOptions): Hub {
  app.ws<SocketData>(options.path, {
    compression: uWS.DISABLED,
    maxPayloadLength: options.maxMessageBytes,
    // The relay closes a socket whose buffer passes maxBufferedBytes (4503) on every direct send
    // and in its periodic sweep. uWS's own limit is a backstop at twice that: past it uWS would
    // drop published frames, so it must also close the socket (no silent gaps).
    maxBackpressure: options.maxBufferedBytes * 2,
    closeOnBackpressureLimit: 1,
    idleTimeout: options.idleTimeoutSec,
    sendPingsAutomatically: options.idleTimeoutSec > 0,
    maxLifetime: 0,
    upgrade: (res, req, context) => {
      // Copy everything from req synchronously: it is invalid after this callback returns.
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const remoteAddress = Buffer.from(res.getRemoteAddressAsText()).toString();
      res.upgrade<SocketData>({ remoteAddress }, key, protocol, extensions, context);
    },
    open: (ws) => {
      const data = ws.getUserData();
      data.peer = new WsPeer(ws, data.remoteAddress, options.otherSubscribers);
      data.conn = relay.open(data.peer);
    },
    message: (ws, message, isBinary) => {
      const { conn } = ws.getUserData();
      if (conn === undefined) return;
      // The ArrayBuffer is only valid during this callback; the core copies what it keeps.
      try {
        if (isBinary) relay.message(conn, new Uint8Array(message));
        else relay.textMessage(conn);
      } catch (err) {
        // A bug must cost one connection, never the process (an exception here would end it).
        relay.internalError(conn, err);
      }
    },
    close: (ws) => {
      const { peer, conn } = ws.getUserData();
      if (peer) peer.closed = true;
      if (conn) relay.close(conn);
    },
  });
  return { publish: (topic, frame) => void app.publish(topic, frame, true, false) };
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
