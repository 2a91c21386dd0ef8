// WebSocket transport on uWebSockets.js: the route whose sockets become core connections. Each
// socket is adapted to the core's Peer (peer.ts); room fan-out goes through uWS topics in C++
// (fanout.ts), so the JavaScript work per incoming frame does not grow with room size.
import uWS from 'uWebSockets.js';
import type { TransportCore } from '../core/relay.js';
import { checkUpgrade, refuseHttp } from './handshake.js';
import { WsPeer, type SocketData } from './peer.js';

export interface WsTransportOptions {
  path: string;
  maxMessageBytes: number;
  maxBufferedBytes: number;
  idleTimeoutSec: number;
  /** Whether an upgrade with this `Origin` header ('' when absent) may proceed (RELAY_ALLOWED_ORIGINS). */
  allowOrigin(origin: string): boolean;
  /** An upgrade was refused with 403 for its Origin (counted in metrics). */
  originRefused(): void;
}

/** Registers the WebSocket route on `app`; its sockets become connections of `relay`. */
export function attachWebSocket(app: uWS.TemplatedApp, relay: TransportCore, options: WsTransportOptions): void {
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
      // Stryker disable next-line StringLiteral: compression is off on this route, so uWS agrees to no extension whatever this header says
      const extensions = req.getHeader('sec-websocket-extensions');
      const origin = req.getHeader('origin');
      const remoteAddress = Buffer.from(res.getRemoteAddressAsText()).toString();
      // Version, then admission (PROTOCOL.md §8.19): a refused address costs no further work.
      if (!checkUpgrade(res, req, relay, remoteAddress)) return;
      // Cross-site WebSocket hijacking: a page of a foreign site gets 403 before the upgrade
      // (PROTOCOL.md §8.18 rule 7). Non-browser clients send no Origin and are judged by their token.
      // refuseHttp closes the connection too, as every other refused upgrade does.
      if (!options.allowOrigin(origin)) {
        options.originRefused();
        refuseHttp(res, '403 Forbidden', 'origin not allowed');
        return;
      }
      // No subprotocol is negotiated (PROTOCOL.md §2): an offered one is never echoed back.
      // Every field set here, so the object keeps one shape (no out-of-object property store per socket).
      res.upgrade<SocketData>({ remoteAddress, peer: undefined, conn: undefined }, key, '', extensions, context);
    },
    open: (ws) => {
      const data = ws.getUserData();
      data.peer = new WsPeer(ws, data.remoteAddress);
      data.conn = relay.open(data.peer);
    },
    message: (ws, message, isBinary) => {
      const { conn } = ws.getUserData();
      if (conn === undefined) return;
      // The ArrayBuffer is only valid during this callback; the core copies what it keeps.
      try {
        if (isBinary) relay.message(conn, new Uint8Array(message));
        else relay.textMessage(conn);
        // Stryker disable next-line BlockStatement: defensive, reached only through a bug in the core (none known; fuzz.test.ts finds none)
      } catch (err) {
        // A bug must cost one connection, never the process (an exception here would end it).
        relay.internalError(conn, err);
      }
    },
    close: (ws) => {
      const { peer, conn } = ws.getUserData();
      if (peer) peer.closed = true;
      if (conn) relay.closed(conn);
    },
  });
}
