// Raw TCP transport on node:net (PROTOCOL.md appendix A): every frame is preceded by its u32be
// length; otherwise the same frames, handshake, rooms and codes as WebSocket. Adapts each socket
// to the core's Peer (tcp-peer.ts), fans out through TcpTopics alongside uWS, sends heartbeats to
// silent clients and closes them after the idle window, and optionally answers Flash policy requests.
import { createServer, type Server, type Socket } from 'node:net';
import { FrameStreamReader, encodeControl, type StreamError } from '@roomcast/protocol';
import type { Logger } from 'pino';
import type { Connection } from '../core/connection.js';
import type { Relay } from '../core/relay.js';
import { defaultPolicyXml, policyResponse, sniffPolicyRequest } from './flash-policy.js';
import { TcpPeer, type TcpPeerContext } from './tcp-peer.js';
import type { TcpTopics } from './tcp-topics.js';

/** The frame a silent client gets at half its idle window (vector `heartbeat`). */
const HEARTBEAT = encodeControl({ type: 'heartbeat' });

export interface TcpTransportOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Largest frame a length prefix may announce (relay.maxFrameBytes). */
  maxFrameBytes: number;
  /** Send-buffer hard cap (RELAY_MAX_BUFFERED_BYTES); a fan-out past twice that closes at once. */
  maxBufferedBytes: number;
  /** Silence after which a client is closed with 4408; a heartbeat goes out at half of it. 0 disables. */
  idleTimeoutMs: number;
  /** Serve Flash policy requests: `true` for the default policy (allows this port), or the XML to send. */
  flashPolicy: boolean | string;
  /** TCP subscribers per topic, shared with the WebSocket transport and the hub. */
  topics: TcpTopics<TcpPeer>;
  /** Publishes to WebSocket subscribers (uWS app.publish). */
  publishWs(topic: string, frame: Uint8Array): void;
  log: Logger;
}

export interface TcpListening {
  readonly port: number;
  /** Open TCP connections. */
  readonly connections: number;
  /** Flash policy requests answered. */
  readonly policyRequests: number;
  /** Stops listening and resolves once every TCP socket is gone (ended ones linger at most CLOSE_LINGER_MS). */
  close(): Promise<void>;
}

/** Listens for raw TCP clients. Rejects with a message naming TCP_PORT if the port cannot be bound. */
export async function listenTcp(relay: Relay, options: TcpTransportOptions): Promise<TcpListening> {
  const log = options.log.child({ transport: 'tcp' });
  const peers = new Map<TcpPeer, Connection>();
  const stats = relay.stats;
  let policy: Uint8Array | undefined;
  let policyRequests = 0;

  const ctx: TcpPeerContext = {
    topics: options.topics,
    publishWs: options.publishWs,
    backstopBytes: options.maxBufferedBytes * 2,
    overflowed(peer) {
      if (peer.closed) return;
      stats.limitHits.buffered_bytes++;
      stats.countClose('slow_consumer');
      log.debug({ remote: peer.remoteAddress, buffered: peer.bufferedAmount() }, 'closing slow TCP reader');
      peer.close(4503, 'send buffer above the hard cap');
    },
    closed(peer) {
      const conn = peers.get(peer);
      peers.delete(peer);
      if (conn !== undefined) relay.close(conn);
    },
  };

  /** A length prefix above the cap: typed error, close 1009, and nothing of the claim allocated. */
  function refuse(peer: TcpPeer, err: StreamError): void {
    stats.limitHits.frame_bytes++;
    stats.errors.bad_frame++;
    stats.countClose('message_too_big');
    log.debug({ remote: peer.remoteAddress, length: err.length }, 'refusing oversized TCP frame');
    peer.send(encodeControl({ type: 'error', code: 'bad_frame', message: err.message }));
    peer.close(1009, 'frame above the size cap');
  }

  function accept(socket: Socket): void {
    socket.setNoDelay(true);
    const peer = new TcpPeer(socket, socket.remoteAddress ?? 'unknown', ctx);
    const conn = relay.open(peer);
    peers.set(peer, conn);
    log.debug({ conn: conn.id, remote: peer.remoteAddress }, 'tcp connection');
    const reader = new FrameStreamReader(options.maxFrameBytes);
    // With the Flash policy on, the first bytes are held until they cannot be a policy request.
    let sniffed: Uint8Array | undefined = policy === undefined ? undefined : new Uint8Array(0);
    const onFrame = (frame: Uint8Array): boolean => {
      try {
        relay.message(conn, frame);
      } catch (err) {
        // A bug must cost one connection, never the process.
        relay.internalError(conn, err);
      }
      return !peer.closed;
    };

    socket.on('data', (chunk: Buffer) => {
      if (peer.closed) return;
      peer.lastReceivedAt = performance.now();
      peer.heartbeatPending = false;
      let bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
      if (sniffed !== undefined) {
        const seen = concat(sniffed, bytes);
        const verdict = sniffPolicyRequest(seen);
        if (verdict === 'maybe') {
          sniffed = seen;
          return;
        }
        sniffed = undefined;
        if (verdict === 'request' && policy !== undefined) {
          policyRequests++;
          peer.endWith(policy);
          return;
        }
        bytes = seen;
      }
      // One write (syscall) for all the replies this chunk produces.
      socket.cork();
      const err = reader.push(bytes, onFrame);
      if (err !== undefined && !peer.closed) refuse(peer, err);
      socket.uncork();
    });
    socket.on('close', () => peer.gone());
    socket.on('error', (err) => log.debug({ conn: conn.id, err: err.message }, 'tcp socket error'));
  }

  const server: Server = createServer({ noDelay: true }, accept);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new Error(`could not listen for TCP on ${options.host}:${options.port}: ${err.code ?? err.message} (set TCP_PORT to another port, or TCP_PORT=off)`));
    });
    server.listen({ host: options.host, port: options.port }, () => resolve());
  });
  server.on('error', (err) => log.error({ err }, 'tcp server error'));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  if (options.flashPolicy !== false) {
    policy = policyResponse(options.flashPolicy === true ? defaultPolicyXml(port) : options.flashPolicy);
  }

  const idleMs = options.idleTimeoutMs;
  const timer = idleMs > 0 ? setInterval(() => checkIdle(performance.now()), Math.max(50, Math.min(1000, idleMs / 8))) : undefined;
  timer?.unref();

  /** Per tick, O(TCP connections): heartbeat at half the window, close 4408 at the full window. */
  function checkIdle(now: number): void {
    for (const [peer, conn] of peers) {
      const silent = now - peer.lastReceivedAt;
      if (silent >= idleMs) {
        stats.countClose('timeout');
        log.debug({ conn: conn.id, remote: peer.remoteAddress }, 'closing silent TCP connection');
        peer.close(4408, 'nothing received within the idle timeout');
      } else if (silent >= idleMs / 2 && !peer.heartbeatPending && conn.state === 'open') {
        peer.heartbeatPending = true;
        stats.framesOut.control++;
        stats.bytesOut += HEARTBEAT.length;
        peer.send(HEARTBEAT);
      }
    }
  }

  return {
    port,
    get connections() {
      return peers.size;
    },
    get policyRequests() {
      return policyRequests;
    },
    close() {
      clearInterval(timer);
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Connections the core did not know (none expected) would keep the server open.
        for (const peer of peers.keys()) peer.close(1001, 'relay shutting down');
      });
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
