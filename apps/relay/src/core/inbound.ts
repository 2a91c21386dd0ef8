// Every frame a connection sends: size and rate budgets, the handshake, dispatch of data frames to
// the delivery classes and of control messages to membership, and protocol errors. The hot path
// for data frames reads the fixed binary header only; payloads are never decoded.
import {
  CLASS_NAMES, DATA_HEADER_BYTES, DeliveryClass, Flags, FrameKind, decodeControlValue, parseClientMessage, readDataHeader,
  type ErrorCode,
} from '@roomcast/protocol';
import type { Clock } from './clock.js';
import { FLOOD_WINDOW_MS, type Connection } from './connection.js';
import type { Connections } from './connections.js';
import type { Delivery } from './delivery.js';
import type { Groups } from './groups.js';
import type { Handshake } from './handshake.js';
import { maxFrameBytes, type RelayLimits } from './limits.js';
import type { Log } from './log.js';
import type { Membership } from './membership.js';
import type { Outbox } from './outbox.js';
import { presenceProblem } from './presence.js';
import { StrikeWindow } from './rate.js';
import type { Stats } from './stats.js';

/** Errors that count toward RELAY_MAX_PROTOCOL_ERRORS (presence_too_large: its check costs a walk). */
const PROTOCOL_ERRORS: ReadonlySet<ErrorCode> = new Set([
  'bad_frame', 'bad_message', 'handshake_required', 'already_welcomed', 'control_too_large', 'presence_too_large',
]);

/**
 * Decode cost budget: a control frame takes one extra frame token per this many MessagePack values
 * beyond the first batch (PROTOCOL.md §8.7), so the values a connection makes the relay validate
 * per second are bounded by its frame budget, not only its frame count.
 */
export const CONTROL_VALUES_PER_TOKEN = 64;

export interface InboundDeps {
  limits: RelayLimits;
  stats: Stats;
  clock: Clock;
  log: Log;
  connections: Connections;
  out: Outbox;
  membership: Membership;
  delivery: Delivery;
  handshake: Handshake;
  groups: Groups;
}

export class Inbound {
  /** Largest frame of any kind (limits.ts). */
  readonly maxFrameBytes: number;
  private readonly limits: RelayLimits;
  private readonly stats: Stats;

  constructor(private readonly deps: InboundDeps) {
    this.limits = deps.limits;
    this.stats = deps.stats;
    this.maxFrameBytes = maxFrameBytes(deps.limits);
  }

  /** One frame from a connection. `bytes` may be a view the transport reuses after return. */
  message(conn: Connection, bytes: Uint8Array): void {
    if (conn.state === 'closed') return;
    const kind = bytes[0];
    // Class of a data frame, read from its flags byte before anything else (3 = invalid, caught later).
    const cls = kind === FrameKind.Data && bytes.length > 1 ? bytes[1]! & Flags.CLASS_MASK : -1;
    this.stats.bytesIn += bytes.length;
    if (cls >= 0 && cls < CLASS_NAMES.length) this.stats.framesIn[CLASS_NAMES[cls]!]++;
    else this.stats.framesIn.control++;
    if (bytes.length > this.maxFrameBytes) {
      return this.deps.connections.close(conn, 'message_too_big', `frame of ${bytes.length} bytes is above ${this.maxFrameBytes}`, 'frame_bytes');
    }

    const now = this.deps.clock.now();
    const overFrames = !conn.bucket.take(now);
    if (overFrames || !conn.byteBucket.take(now, bytes.length)) {
      this.stats.hitLimit(overFrames ? 'messages_per_sec' : 'bytes_per_sec');
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
    if (conn.state === 'authenticating' && kind === FrameKind.Data) {
      return this.protocolError(conn, 'handshake_required', 'the token in hello is being checked: wait for welcome');
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

  // ---- data frames (hot path) -------------------------------------------------------

  private data(conn: Connection, bytes: Uint8Array): void {
    const parsed = readDataHeader(bytes);
    if (!parsed.ok) return this.protocolError(conn, parsed.error.code, parsed.error.message);
    const header = parsed.header;
    const member = conn.rooms.get(header.room);
    if (member === undefined) {
      return this.deps.out.error(conn, 'not_in_room', `data frame for room handle ${header.room}, which this connection has not joined`, { room: header.room });
    }
    // Rights cached on the member at join and refresh (PROTOCOL.md §8.18 rule 4): one field read.
    if (header.target === 0 ? !member.may.send : !member.may.direct) {
      return this.deps.out.error(conn, 'forbidden', `your token does not allow ${header.target === 0 ? 'sending' : 'direct messages'} in room ${member.room.name}`, { room: header.room });
    }
    const payloadBytes = bytes.length - header.payloadOffset;
    if (payloadBytes > this.limits.maxPayloadBytes) {
      this.stats.hitLimit('payload_bytes');
      return this.deps.out.error(conn, 'payload_too_large', `payload of ${payloadBytes} bytes is above the limit of ${this.limits.maxPayloadBytes}`, { room: header.room });
    }
    if (header.group !== 0) return this.deps.groups.data(member, header, bytes);
    const delivery = this.deps.delivery;
    switch (header.cls) {
      case DeliveryClass.Reliable: return delivery.reliable(member, header, bytes);
      case DeliveryClass.Latest: return delivery.latest(member, header, bytes);
      case DeliveryClass.Droppable: return delivery.droppable(member, header, bytes);
    }
  }

  // ---- control frames -----------------------------------------------------------------

  private control(conn: Connection, bytes: Uint8Array): void {
    if (bytes.length > this.limits.maxControlBytes) {
      this.stats.hitLimit('control_bytes');
      return this.protocolError(conn, 'control_too_large', `control frame of ${bytes.length} bytes is above the limit of ${this.limits.maxControlBytes}`);
    }
    // Cheap before costly: the scan counts values, depth and repeated keys (bounded by the frame's
    // length); a big frame pays for its values from the frame budget; presence caps are checked
    // on the plain value; only then does the schema run.
    const value = decodeControlValue(bytes);
    if (!value.ok) return this.protocolError(conn, value.error.code, value.error.message);
    const extra = Math.floor(value.items / CONTROL_VALUES_PER_TOKEN);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: forcing 0 tokens only refills the bucket, which its next take does anyway
    if (extra > 0) conn.bucket.force(this.deps.clock.now(), extra);
    const tooBig = this.presenceCheck(value.value);
    if (tooBig !== undefined) {
      this.stats.hitLimit('presence_bytes');
      return this.protocolError(conn, 'presence_too_large', tooBig.problem, tooBig.id);
    }
    const decoded = parseClientMessage(value.value);
    if (!decoded.ok) return this.protocolError(conn, decoded.error.code, decoded.error.message, decoded.error.id);
    const msg = decoded.frame.message;

    if (conn.state === 'handshake') {
      if (msg.type !== 'hello') return this.protocolError(conn, 'handshake_required', `got '${msg.type}' before hello`, msg.id, true);
      return this.deps.handshake.hello(conn, msg);
    }
    if (conn.state === 'authenticating') {
      return this.protocolError(conn, 'handshake_required', `got '${msg.type}' while the token in hello is being checked: wait for welcome`, msg.id);
    }
    const membership = this.deps.membership;
    switch (msg.type) {
      case 'hello': return this.protocolError(conn, 'already_welcomed', 'this connection already completed its handshake', msg.id);
      case 'join': return membership.join(conn, msg);
      case 'leave': return membership.leave(conn, msg);
      case 'presence': return membership.setPresence(conn, msg);
      case 'ping': return this.deps.out.reply(conn, { type: 'pong', id: msg.id });
      case 'refresh': return this.deps.handshake.refresh(conn, msg);
      case 'interest': return this.deps.groups.interest(conn, msg);
    }
  }

  /** A `join` or `presence` whose presence breaks §8.4's caps, checked on the unvalidated value. */
  private presenceCheck(value: unknown): { problem: string; id: number | undefined } | undefined {
    if (value === null || typeof value !== 'object' || !('presence' in value)) return undefined;
    const { type, id, presence } = value as { type?: unknown; id?: unknown; presence: unknown };
    if (type !== 'join' && type !== 'presence') return undefined;
    const problem = presenceProblem(presence, this.limits.maxPresenceBytes);
    if (problem === undefined) return undefined;
    const validId = typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 0xffff_ffff ? id : undefined;
    return { problem, id: validId };
  }

  /** An error that counts toward the protocol-error budget; `fatal` closes at once. */
  private protocolError(conn: Connection, code: ErrorCode, message: string, id?: number, fatal = false): void {
    this.deps.out.error(conn, code, message, { id });
    if (!PROTOCOL_ERRORS.has(code)) return;
    conn.protocolErrors++;
    if (fatal || conn.protocolErrors >= this.limits.maxProtocolErrors) {
      this.deps.log.info({ conn: conn.id, code, errors: conn.protocolErrors }, 'closing connection for protocol errors');
      this.deps.connections.close(conn, 'protocol_error', fatal ? message : `${conn.protocolErrors} protocol errors`, fatal ? undefined : 'protocol_errors');
    }
  }

  private rateLimited(conn: Connection, bytes: Uint8Array): void {
    let id: number | undefined;
    // A data frame's room handle, so clients can route the error to the room.
    const room = bytes[0] === FrameKind.Data && bytes.length >= DATA_HEADER_BYTES ? (bytes[2]! << 8) | bytes[3]! : undefined;
    if (bytes[0] === FrameKind.Control && bytes.length <= this.limits.maxControlBytes) {
      // Only the id, for the reply: a refused frame gets no schema work.
      const decoded = decodeControlValue(bytes);
      const value = decoded.ok ? decoded.value as { id?: unknown } | null : undefined;
      const raw = value !== null && typeof value === 'object' ? value.id : undefined;
      if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= 0xffff_ffff) id = raw;
    }
    this.deps.out.error(conn, 'rate_limited', `more than ${this.limits.maxMessagesPerSec} frames or ${this.limits.maxBytesPerSec} bytes per second; frame dropped`, { id, room: room || undefined });
    this.strike(conn);
  }

  /** Counts one over-budget frame; closes a connection that keeps flooding. Returns false if it closed. */
  private strike(conn: Connection): boolean {
    if (conn.state === 'closed') return false;
    conn.strikes ??= new StrikeWindow(this.limits.floodStrikes, FLOOD_WINDOW_MS);
    if (!conn.strikes.hit(this.deps.clock.now())) return true;
    this.deps.log.info({ conn: conn.id, remote: conn.peer.remoteAddress }, 'closing flooding connection');
    this.deps.connections.close(conn, 'rate_limited', 'kept sending above the rate limit', 'flood');
    return false;
  }
}
