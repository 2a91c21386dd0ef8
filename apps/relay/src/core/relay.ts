// The room core: handles every frame a connection sends (budgets, handshake, dispatch, errors,
// closes), with rooms and presence in membership.ts and data routing in delivery.ts. Knows
// nothing of sockets: transports hand it a Peer and call open/message/close.
import {
  CloseCodes, DeliveryClass, FrameKind, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, isSupportedVersion,
  decodeClientFrame, encodeControl, readDataHeader,
  type ClientMessage, type CloseName, type ErrorCode, type Limits, type ServerMessage,
} from '@roomcast/protocol';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { systemClock, type Clock } from './clock.js';
import { Connection } from './connection.js';
import { CLASS_NAMES, Delivery, type Outbox } from './delivery.js';
import { Membership, type MembershipOutbox } from './membership.js';
import type { Hub, Peer } from './peer.js';
import { Rooms } from './rooms.js';
import type { LimitName, Stats } from './stats.js';

/** The settings the core uses: every limit (the rest of Config is for the process and transports). */
export type RelayLimits = Omit<Config, 'port' | 'host' | 'logLevel' | 'staticDir' | 'backpressureCheckMs'>;

/** Errors that count toward RELAY_MAX_PROTOCOL_ERRORS. */
const PROTOCOL_ERRORS: ReadonlySet<ErrorCode> = new Set([
  'bad_frame', 'bad_message', 'handshake_required', 'already_welcomed', 'control_too_large',
]);

type Request = Extract<ClientMessage, { type: string }>;

export class Relay implements Outbox, MembershipOutbox {
  readonly rooms: Rooms;
  readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private readonly welcomeLimits: Limits;
  /** Largest frame of any kind: the biggest data frame header (7 bytes) plus payload, or a control frame. */
  readonly maxFrameBytes: number;
  private readonly delivery: Delivery;
  private readonly membership: Membership;

  constructor(
    private readonly limits: RelayLimits,
    hub: Hub,
    readonly stats: Stats,
    private readonly log: Logger,
    /** Monotonic time and timers; injectable for tests. */
    private readonly clock: Clock = systemClock,
  ) {
    this.rooms = new Rooms(limits.maxRooms);
    this.delivery = new Delivery(limits, hub, stats, clock, this);
    this.membership = new Membership(limits, this.rooms, this.delivery, hub, stats, clock, this);
    this.maxFrameBytes = Math.max(limits.maxPayloadBytes + 7, limits.maxControlBytes);
    this.welcomeLimits = {
      maxPayloadBytes: limits.maxPayloadBytes,
      maxControlBytes: limits.maxControlBytes,
      maxRoomsPerConnection: limits.maxRoomsPerConnection,
      maxMembersPerRoom: limits.maxMembersPerRoom,
      maxPresenceBytes: limits.maxPresenceBytes,
      maxMessagesPerSec: limits.maxMessagesPerSec,
      idleTimeoutSec: limits.idleTimeoutSec,
      burstMessages: limits.burstMessages,
      maxBytesPerSec: limits.maxBytesPerSec,
      maxKeysPerMember: limits.maxKeysPerMember,
      tickHz: limits.tickHz,
      minTickHz: limits.minTickHz,
      maxTickHz: limits.maxTickHz,
    };
  }

  // ---- transport callbacks ----------------------------------------------------

  open(peer: Peer): Connection {
    const conn = new Connection(this.nextConnectionId++, peer, this.clock.now(), this.limits);
    this.connections.add(conn);
    this.stats.connectionsOpened++;
    return conn;
  }

  /** One frame from a connection. `bytes` may be a view the transport reuses after return. */
  message(conn: Connection, bytes: Uint8Array): void {
    if (conn.state === 'closed') return;
    const kind = bytes[0];
    // Class of a data frame, read from its flags byte before anything else (3 = invalid, caught later).
    const cls = kind === FrameKind.Data && bytes.length > 1 ? bytes[1]! & 0b11 : -1;
    this.stats.bytesIn += bytes.length;
    if (cls >= 0 && cls < 3) this.stats.framesIn[CLASS_NAMES[cls]!]++;
    else this.stats.framesIn.control++;
    if (bytes.length > this.maxFrameBytes) {
      this.hitLimit('frame_bytes');
      return this.closeConn(conn, 'message_too_big', `frame of ${bytes.length} bytes is above ${this.maxFrameBytes}`);
    }

    const now = this.clock.now();
    const overFrames = !conn.bucket.take(now);
    if (overFrames || !conn.byteBucket.take(now, bytes.length)) {
      this.hitLimit(overFrames ? 'messages_per_sec' : 'bytes_per_sec');
      // Over budget: latest input is still merged (it costs nothing downstream), droppable input
      // is dropped, anything else is refused with rate_limited. All of it counts as a strike.
      if (cls === DeliveryClass.Droppable) this.stats.drops++;
      else if (cls !== DeliveryClass.Latest) return this.rateLimited(conn, bytes);
      if (!this.strike(conn)) return;
      if (cls === DeliveryClass.Droppable) return;
    }

    if (kind === FrameKind.Data && conn.state === 'open') return this.data(conn, bytes);
    if (kind === FrameKind.Control) return this.control(conn, bytes);
    if (conn.state === 'handshake' && kind === FrameKind.Data) {
      return this.protocolError(conn, 'handshake_required', 'send hello before any other frame', undefined, true);
    }
    const hex = kind === undefined ? 'empty frame' : `unknown frame kind 0x${kind.toString(16).padStart(2, '0')}`;
    this.protocolError(conn, 'bad_frame', hex);
  }

  /** A text (non-binary) WebSocket message: not part of the protocol. */
  textMessage(conn: Connection): void {
    if (conn.state === 'closed') return;
    this.stats.framesIn.control++;
    this.protocolError(conn, 'bad_frame', 'text messages are not accepted; send binary frames');
  }

  /** An unexpected exception while handling this connection's frame: log, count, close with 4500. */
  internalError(conn: Connection, err: unknown): void {
    this.log.error({ conn: conn.id, err }, 'internal error while handling a frame');
    this.stats.errors.internal++;
    try {
      this.closeConn(conn, 'internal_error', 'internal error');
    } catch (closeErr) {
      this.log.error({ conn: conn.id, err: closeErr }, 'internal error while closing');
      this.close(conn);
    }
  }

  /** The transport reports the connection closed (by either side). Leaves every room. */
  close(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    conn.state = 'closed';
    for (const member of conn.rooms.values()) this.membership.remove(member, false);
    conn.rooms.clear();
  }

  /** Periodic check: handshake deadlines, send-buffer hard caps, soft caps (lag). O(connections). */
  sweep(): void {
    const now = this.clock.now();
    for (const conn of this.connections) {
      if (conn.state === 'handshake') {
        if (now - conn.openedAt > this.limits.helloTimeoutMs) {
          this.hitLimit('hello_timeout');
          this.closeConn(conn, 'timeout', 'no hello within the handshake deadline');
        }
        continue;
      }
      const buffered = conn.peer.bufferedAmount();
      if (buffered > this.limits.maxBufferedBytes) {
        this.hitLimit('buffered_bytes');
        this.closeConn(conn, 'slow_consumer', 'send buffer above the hard cap');
      } else {
        this.delivery.checkLag(conn, buffered);
      }
    }
  }

  /** Closes every connection (graceful shutdown). */
  closeAll(name: CloseName, reason: string): void {
    for (const conn of [...this.connections]) this.closeConn(conn, name, reason);
  }

  // ---- data frames (hot path) -------------------------------------------------------

  private data(conn: Connection, bytes: Uint8Array): void {
    const parsed = readDataHeader(bytes);
    if (!parsed.ok) return this.protocolError(conn, parsed.error.code, parsed.error.message);
    const header = parsed.header;
    const member = conn.rooms.get(header.room);
    if (member === undefined) {
      return this.sendError(conn, 'not_in_room', `data frame for room handle ${header.room}, which this connection has not joined`, { room: header.room });
    }
    const payloadBytes = bytes.length - header.payloadOffset;
    if (payloadBytes > this.limits.maxPayloadBytes) {
      this.hitLimit('payload_bytes');
      return this.sendError(conn, 'payload_too_large', `payload of ${payloadBytes} bytes is above the limit of ${this.limits.maxPayloadBytes}`, { room: header.room });
    }
    switch (header.cls) {
      case DeliveryClass.Reliable: return this.delivery.reliable(member, header, bytes);
      case DeliveryClass.Latest: return this.delivery.latest(member, header, bytes);
      case DeliveryClass.Droppable: return this.delivery.droppable(member, header, bytes);
    }
  }

  // ---- control frames -----------------------------------------------------------------

  private control(conn: Connection, bytes: Uint8Array): void {
    if (bytes.length > this.limits.maxControlBytes) {
      this.hitLimit('control_bytes');
      return this.protocolError(conn, 'control_too_large', `control frame of ${bytes.length} bytes is above the limit of ${this.limits.maxControlBytes}`);
    }
    const decoded = decodeClientFrame(bytes);
    if (!decoded.ok) return this.protocolError(conn, decoded.error.code, decoded.error.message, decoded.error.id);
    if (decoded.frame.kind !== 'control') return; // unreachable: first byte was 0x01
    const msg = decoded.frame.message;

    if (conn.state === 'handshake') {
      if (msg.type !== 'hello') return this.protocolError(conn, 'handshake_required', `got '${msg.type}' before hello`, msg.id, true);
      return this.hello(conn, msg);
    }
    switch (msg.type) {
      case 'hello': return this.protocolError(conn, 'already_welcomed', 'this connection already completed its handshake', msg.id);
      case 'join': return this.membership.join(conn, msg);
      case 'leave': return this.membership.leave(conn, msg);
      case 'presence': return this.membership.setPresence(conn, msg);
      case 'ping': return this.reply(conn, { type: 'pong', id: msg.id });
    }
  }

  private hello(conn: Connection, msg: Extract<Request, { type: 'hello' }>): void {
    if (!isSupportedVersion(msg.v)) {
      this.sendError(conn, 'unsupported_version', `protocol version ${msg.v} is not supported; this relay speaks ${MIN_PROTOCOL_VERSION}..${PROTOCOL_VERSION}`, { id: msg.id });
      return this.closeConn(conn, 'unsupported_version', `protocol version ${msg.v} not supported`);
    }
    conn.state = 'open';
    this.log.debug({ conn: conn.id, client: msg.client, transport: conn.peer.transport, remote: conn.peer.remoteAddress }, 'hello');
    this.reply(conn, { type: 'welcome', id: msg.id, v: msg.v, session: String(conn.id), limits: this.welcomeLimits });
  }

  reply(conn: Connection, message: ServerMessage): void {
    const frame = encodeControl(message);
    this.stats.framesOut.control++;
    this.stats.bytesOut += frame.length;
    this.send(conn, frame);
  }

  /** Sends to one connection and enforces the send-buffer hard cap at once. */
  send(conn: Connection, frame: Uint8Array): void {
    conn.peer.send(frame);
    if (conn.peer.bufferedAmount() > this.limits.maxBufferedBytes) {
      this.hitLimit('buffered_bytes');
      this.closeConn(conn, 'slow_consumer', 'send buffer above the hard cap');
    }
  }

  sendError(conn: Connection, code: ErrorCode, message: string, extra: { id?: number | undefined; room?: number | undefined } = {}): void {
    this.stats.errors[code]++;
    this.reply(conn, { type: 'error', id: extra.id, code, message, room: extra.room });
  }

  /** An error that counts toward the protocol-error budget; `fatal` closes at once. */
  private protocolError(conn: Connection, code: ErrorCode, message: string, id?: number, fatal = false): void {
    this.sendError(conn, code, message, { id });
    if (!PROTOCOL_ERRORS.has(code)) return;
    conn.protocolErrors++;
    if (fatal || conn.protocolErrors >= this.limits.maxProtocolErrors) {
      if (!fatal) this.hitLimit('protocol_errors');
      this.log.info({ conn: conn.id, code, errors: conn.protocolErrors }, 'closing connection for protocol errors');
      this.closeConn(conn, 'protocol_error', fatal ? message : `${conn.protocolErrors} protocol errors`);
    }
  }

  private rateLimited(conn: Connection, bytes: Uint8Array): void {
    let id: number | undefined;
    // A data frame's room handle, so clients can route the error to the room.
    const room = bytes[0] === FrameKind.Data && bytes.length >= 4 ? (bytes[2]! << 8) | bytes[3]! : undefined;
    if (bytes[0] === FrameKind.Control && bytes.length <= this.limits.maxControlBytes) {
      const decoded = decodeClientFrame(bytes);
      if (decoded.ok && decoded.frame.kind === 'control') id = decoded.frame.message.id;
    }
    this.sendError(conn, 'rate_limited', `more than ${this.limits.maxMessagesPerSec} frames or ${this.limits.maxBytesPerSec} bytes per second; frame dropped`, { id, room: room || undefined });
    this.strike(conn);
  }

  /** Counts one over-budget frame; closes a connection that keeps flooding. Returns false if it closed. */
  private strike(conn: Connection): boolean {
    if (conn.state === 'closed') return false;
    if (!conn.strikes.hit(this.clock.now())) return true;
    this.hitLimit('flood');
    this.log.info({ conn: conn.id, remote: conn.peer.remoteAddress }, 'closing flooding connection');
    this.closeConn(conn, 'rate_limited', 'kept sending above the rate limit');
    return false;
  }

  hitLimit(name: LimitName): void {
    this.stats.limitHits[name]++;
  }

  /** Closes a connection with a documented code. The transport calls `close` back (maybe synchronously). */
  private closeConn(conn: Connection, name: CloseName, reason: string): void {
    if (conn.state === 'closed') return;
    this.stats.countClose(name);
    const { code } = CloseCodes[name];
    this.log.debug({ conn: conn.id, code, reason }, 'closing connection');
    conn.peer.close(code, reason);
    this.close(conn);
  }
}
