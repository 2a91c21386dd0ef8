// Raw TCP transport on node:net (PROTOCOL.md appendix A): every frame is preceded by its u32be
// length; otherwise the same frames, handshake, rooms and codes as WebSocket. Adapts each socket
// to the core's Peer (peer.ts), keeps its subscribers in TcpFanout (fanout.ts), coalesces writes
// per socket per event-loop turn (flush-queue.ts), sends heartbeats to silent clients and closes
// them after the idle window, closes a client whose frame does not complete within the frame
// deadline (both in one periodic sweep on the core's clock, no timer per socket), and optionally
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
import { FlushQueue } from './flush-queue.js';
import { CLOSE_LINGER_MS, TcpPeer, type TcpPeerEvents } from './peer.js';

/** Where a socket keeps its peer, for the shared socket handlers. */
const PEER = Symbol('roomcast.tcpPeer');
type PeerSocket = Socket & { [PEER]?: TcpPeer };

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
  /** Time without a complete frame after which a client is closed with 4408; a heartbeat goes out at half of it. 0 disables. */
  idleTimeoutMs: number;
  /**
   * Longest time from the first byte of a frame (its length prefix) to its last; past it the client
   * is closed with 4408 however many bytes trickle in. 0 disables (the idle timeout still applies).
   */
  frameTimeoutMs: number;
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
  const flushQueue = new FlushQueue();
  const peers = new Set<TcpPeer>();
  let policy: Uint8Array | undefined;
  let policyRequests = 0;

  const events: TcpPeerEvents = {
    backstopBytes: options.maxBufferedBytes * 2,
    overflowed(peer) {
      const conn = peer.conn;
      if (peer.closed || conn === undefined) return;
      log.debug({ remote: peer.remoteAddress, buffered: peer.bufferedAmount() }, 'closing slow TCP reader');
      relay.close(conn, 'slow_consumer', 'send buffer above the hard cap', 'buffered_bytes');
    },
    closed(peer) {
      fanout.drop(peer);
      peers.delete(peer);
      if (peer.conn !== undefined) relay.closed(peer.conn);
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

  // The socket handlers are shared by every connection (they find their peer on the socket) rather
  // than closures made per connection: fewer objects per idle connection (issue 17).
  /** The peer whose chunk is being read, and whether a frame of it completed (reads are synchronous). */
  let reading: TcpPeer | undefined;
  // Stryker disable next-line BooleanLiteral: onData sets it before every read; this value is never read
  let framed = false;

  function onFrame(frame: Uint8Array): boolean {
    const peer = reading!;
    const conn = peer.conn!;
    framed = true;
    try {
      relay.message(conn, frame);
      // Stryker disable next-line BlockStatement: defensive, reached only through a bug in the core (none known; fuzz.test.ts finds none)
    } catch (err) {
      // A bug must cost one connection, never the process.
      relay.internalError(conn, err);
    }
    return !peer.closed;
  }

  function onData(this: PeerSocket, chunk: Buffer): void {
    const peer = this[PEER];
    if (peer === undefined || peer.closed) return;
    let bytes: Uint8Array = chunk;
    if (peer.sniffed !== undefined) {
      const seen = concat(peer.sniffed, bytes);
      const verdict = sniffPolicyRequest(seen);
      if (verdict === 'maybe') {
        peer.sniffed = seen;
        if (peer.partialSince < 0) peer.partialSince = clock.now();
        return;
      }
      peer.sniffed = undefined;
      peer.partialSince = -1;
      if (verdict === 'request' && policy !== undefined) {
        policyRequests++;
        peer.endWith(policy);
        return;
      }
      bytes = seen;
    }
    // Replies are queued on the peer and written once at the end of the turn (no cork needed).
    const outer = reading;
    reading = peer;
    framed = false;
    const reader = peer.reader;
    const err = reader.push(bytes, onFrame);
    const completed = framed;
    reading = outer;
    if (err !== undefined && !peer.closed) return refuse(peer.conn!, err);
    // Only complete frames count as activity: a client trickling the bytes of a frame it never
    // finishes does not keep its connection (issue 14, item 4).
    if (completed || peer.partialSince < 0) {
      const now = clock.now();
      if (completed) {
        peer.lastReceivedAt = now;
        peer.heartbeatPending = false;
      }
      peer.partialSince = reader.partial ? now : -1;
    } else if (!reader.partial) peer.partialSince = -1;
  }

  function onClose(this: PeerSocket): void {
    this[PEER]?.gone();
  }

  function onError(this: PeerSocket, err: Error): void {
    log.debug({ conn: this[PEER]?.conn?.id, err: err.message }, 'tcp socket error');
  }

  function accept(socket: PeerSocket): void {
    const refusal = relay.admit(socket.remoteAddress ?? 'unknown');
    if (refusal !== undefined) return turnAway(socket, refusal);
    const peer = new TcpPeer(socket, socket.remoteAddress ?? 'unknown', events, flushQueue, clock.now());
    peer.reader = new FrameStreamReader(options.maxFrameBytes);
    // With the Flash policy on, the first bytes are held until they cannot be a policy request.
    if (policy !== undefined) peer.sniffed = new Uint8Array(0);
    peer.conn = relay.open(peer);
    peers.add(peer);
    socket[PEER] = peer;
    log.debug({ conn: peer.conn.id, remote: peer.remoteAddress }, 'tcp connection');
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onError);
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
  // Stryker disable next-line ConditionalExpression,LogicalOperator: once listening on TCP, address() is always an object (a string only for pipes); the check is for the type checker
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  if (options.flashPolicy !== false) {
    policy = policyResponse(options.flashPolicy === true ? defaultPolicyXml(port) : options.flashPolicy);
  }

  const idleMs = options.idleTimeoutMs;
  const frameMs = options.frameTimeoutMs;
  const shortest = Math.min(idleMs > 0 ? idleMs : Infinity, frameMs > 0 ? frameMs : Infinity);
  const stopSweep = Number.isFinite(shortest) ? repeat(clock, Math.max(50, Math.min(1000, shortest / 8)), () => sweep(clock.now())) : undefined;

  /**
   * Per tick, O(TCP connections): heartbeat at half the idle window, close 4408 at the full window
   * or when a frame has been arriving for longer than the frame deadline.
   */
  function sweep(now: number): void {
    for (const peer of peers) {
      const conn = peer.conn!;
      if (frameMs > 0 && peer.partialSince >= 0 && now - peer.partialSince >= frameMs) {
        log.debug({ conn: conn.id, remote: peer.remoteAddress }, 'closing TCP connection with an unfinished frame');
        relay.close(conn, 'timeout', `frame not completed within ${frameMs / 1000} s`, 'frame_timeout');
        continue;
      }
      if (idleMs <= 0) continue;
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
      stopSweep?.();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The core closed its connections already (closeAll); any left would keep the server open.
        for (const peer of [...peers]) if (peer.conn !== undefined) relay.close(peer.conn, 'going_away', 'relay shutting down');
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
