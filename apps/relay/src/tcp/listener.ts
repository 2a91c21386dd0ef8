// Raw TCP transport on node:net (PROTOCOL.md appendix A): every frame is preceded by its u32be
// length; otherwise the same frames, handshake, rooms and codes as WebSocket. Adapts each socket
// to the core's Peer (peer.ts), keeps its subscribers in TcpFanout (fanout.ts), sends heartbeats
// to silent clients and closes them after the idle window (on the core's clock), and optionally
// answers Flash policy requests. Every close and counter goes through the core.
import { createServer, type Server, type Socket } from 'node:net';
import { CloseCodes, FrameStreamReader, encodeControl, lengthPrefixed, type StreamError } from '@roomcast/protocol';
import type { Refusal } from '../core/addresses.js';
import { repeat, type Clock } from '../core/clock.js';
import type { Connection } from '../core/connection.js';
import type { Log } from '../core/log.js';
import type { TransportCore } from '../core/relay.js';
import type { TcpFanout } from './fanout.js';
import { defaultPolicyXml, policyResponse, sniffPolicyRequest } from './flash-policy.js';
import { CLOSE_LINGER_MS, TcpPeer, type TcpPeerEvents } from './peer.js';

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
  /** This transport's fan-out (a sink of the core's fan-out service). */
  fanout: TcpFanout;
  /** The core's clock: idle and heartbeat deadlines. */
  clock: Clock;
  log: Log & { child(bindings: object): Log };
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
export async function listenTcp(relay: TransportCore, options: TcpTransportOptions): Promise<TcpListening> {
  const log = options.log.child({ transport: 'tcp' });
  const { clock, fanout } = options;
  const peers = new Map<TcpPeer, Connection>();
  let policy: Uint8Array | undefined;
  let policyRequests = 0;

  const events: TcpPeerEvents = {
    backstopBytes: options.maxBufferedBytes * 2,
    overflowed(peer) {
      const conn = peers.get(peer);
      if (peer.closed || conn === undefined) return;
      log.debug({ remote: peer.remoteAddress, buffered: peer.bufferedAmount() }, 'closing slow TCP reader');
      relay.close(conn, 'slow_consumer', 'send buffer above the hard cap', 'buffered_bytes');
    },
    closed(peer) {
      fanout.drop(peer);
      const conn = peers.get(peer);
      peers.delete(peer);
      if (conn !== undefined) relay.closed(conn);
    },
  };

  /** A length prefix above the cap: typed error, close 1009, and nothing of the claim allocated. */
  function refuse(conn: Connection, err: StreamError): void {
    log.debug({ remote: conn.peer.remoteAddress, length: err.length }, 'refusing oversized TCP frame');
    relay.sendError(conn, 'bad_frame', err.message);
    relay.close(conn, 'message_too_big', 'frame above the size cap', 'frame_bytes');
  }

  /** A connection admission refused (PROTOCOL.md §8.19): one `close` frame, then the socket ends. */
  function turnAway(socket: Socket, refusal: Refusal): void {
    const { code } = CloseCodes[refusal.scope === 'address' ? 'rate_limited' : 'try_again_later'];
    log.debug({ remote: socket.remoteAddress, reason: refusal.reason }, 'refusing TCP connection');
    socket.on('error', () => {});
    // Discard whatever the client sends, so its FIN is seen and the socket closes at once.
    socket.resume();
    const linger = setTimeout(() => socket.destroy(), CLOSE_LINGER_MS);
    linger.unref();
    socket.on('close', () => clearTimeout(linger));
    socket.end(lengthPrefixed(encodeControl({ type: 'close', code, reason: refusal.message.slice(0, 256) })));
  }

  function accept(socket: Socket): void {
    const refusal = relay.admit(socket.remoteAddress ?? 'unknown');
    if (refusal !== undefined) return turnAway(socket, refusal);
    socket.setNoDelay(true);
    const peer = new TcpPeer(socket, socket.remoteAddress ?? 'unknown', events, clock.now());
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
      peer.lastReceivedAt = clock.now();
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
      if (err !== undefined && !peer.closed) refuse(conn, err);
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
  const stopIdle = idleMs > 0 ? repeat(clock, Math.max(50, Math.min(1000, idleMs / 8)), () => checkIdle(clock.now())) : undefined;

  /** Per tick, O(TCP connections): heartbeat at half the window, close 4408 at the full window. */
  function checkIdle(now: number): void {
    for (const [peer, conn] of peers) {
      const silent = now - peer.lastReceivedAt;
      if (silent >= idleMs) {
        log.debug({ conn: conn.id, remote: peer.remoteAddress }, 'closing silent TCP connection');
        relay.close(conn, 'timeout', 'nothing received within the idle timeout');
      } else if (silent >= idleMs / 2 && !peer.heartbeatPending && conn.state === 'open') {
        peer.heartbeatPending = true;
        relay.send(conn, HEARTBEAT, 'control');
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
      stopIdle?.();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The core closed its connections already (closeAll); any left would keep the server open.
        for (const conn of [...peers.values()]) relay.close(conn, 'going_away', 'relay shutting down');
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
