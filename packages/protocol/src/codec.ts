// Frame types, encoders, and the data-frame header reader. The decoders live in
// decode-client.ts (what the relay reads, zod) and decode-server.ts (what clients read, no zod);
// they never throw: they return `{ ok: true, frame }` or `{ ok: false, error }` with a stable code.
import type { ErrorCode } from './codes.js';
import {
  DATA_HEADER_BYTES, DELIVER_HEADER_BYTES, DeliveryClass, Flags, FrameKind, GROUP_ID_BYTES, KEY_BYTES, MEMBER_ID_BYTES,
} from './frames.js';
import type { ClientMessage, ServerMessage } from './messages.js';
import { packPlain } from './plain-writer.js';
import type { BatchFrame } from './batch.js';
import { fail, hex, type DecodeError } from './decode-errors.js';

export interface DataFrame {
  kind: 'data';
  room: number;
  cls: DeliveryClass;
  /** Direct message to this member id instead of the whole room. */
  target?: number | undefined;
  /** Present for the `latest` class. */
  key?: number | undefined;
  /** Interest group the frame is addressed to (§4.5); absent: the whole room. */
  group?: number | undefined;
  payload: Uint8Array;
}

export interface DeliverFrame {
  kind: 'deliver';
  room: number;
  cls: DeliveryClass;
  sender: number;
  /** True when the sender addressed this frame to you alone. */
  direct: boolean;
  key?: number | undefined;
  payload: Uint8Array;
}

export interface ControlFrame<M> {
  kind: 'control';
  message: M;
}

export type ClientFrame = ControlFrame<ClientMessage> | DataFrame;
export type ServerFrame = ControlFrame<ServerMessage> | DeliverFrame | BatchFrame;

export type { DecodeError } from './decode-errors.js';
export type Decoded<T> = { ok: true; frame: T } | { ok: false; error: DecodeError };

/** Where the parts of a client data frame sit, read without copying the payload. */
export interface DataHeader {
  room: number;
  cls: DeliveryClass;
  target: number;
  key: number;
  /** Interest group the frame is addressed to; 0 when absent (the whole room). */
  group: number;
  /** Offset of the first payload byte. */
  payloadOffset: number;
}


// ---- encoding ---------------------------------------------------------------

/** Encodes a control message: 0x01 followed by a plain MessagePack map. */
export function encodeControl(message: ClientMessage | ServerMessage): Uint8Array {
  const body = packPlain(message);
  const out = new Uint8Array(1 + body.length);
  out[0] = FrameKind.Control;
  out.set(body, 1);
  return out;
}

/** Encodes a client → relay data frame. */
export function encodeData(
  header: { room: number; cls?: DeliveryClass; target?: number | undefined; key?: number | undefined; group?: number | undefined },
  payload: Uint8Array,
): Uint8Array {
  const cls = header.cls ?? DeliveryClass.Reliable;
  const hasTarget = header.target !== undefined;
  const hasGroup = header.group !== undefined;
  const hasKey = cls === DeliveryClass.Latest;
  const size = DATA_HEADER_BYTES + (hasTarget ? MEMBER_ID_BYTES : 0) + (hasGroup ? GROUP_ID_BYTES : 0) + (hasKey ? KEY_BYTES : 0);
  const out = new Uint8Array(size + payload.length);
  out[0] = FrameKind.Data;
  out[1] = cls | (hasTarget ? Flags.DIRECT : 0) | (hasGroup ? Flags.GROUP : 0);
  out[2] = header.room >>> 8;
  out[3] = header.room & 0xff;
  let pos = DATA_HEADER_BYTES;
  if (hasTarget) {
    out[pos++] = header.target! >>> 8;
    out[pos++] = header.target! & 0xff;
  }
  if (hasGroup) {
    out[pos++] = header.group! >>> 8;
    out[pos++] = header.group! & 0xff;
  }
  if (hasKey) out[pos++] = (header.key ?? 0) & 0xff;
  out.set(payload, pos);
  return out;
}

/** Encodes a relay → client data frame. */
export function encodeDeliver(
  header: { room: number; cls?: DeliveryClass; sender: number; direct?: boolean; key?: number | undefined },
  payload: Uint8Array,
): Uint8Array {
  const cls = header.cls ?? DeliveryClass.Reliable;
  const hasKey = cls === DeliveryClass.Latest;
  const size = DELIVER_HEADER_BYTES + (hasKey ? KEY_BYTES : 0);
  const out = new Uint8Array(size + payload.length);
  writeDeliverHeader(out, header.room, cls, header.sender, header.direct === true, header.key ?? 0);
  out.set(payload, size);
  return out;
}

function writeDeliverHeader(out: Uint8Array, room: number, cls: number, sender: number, direct: boolean, key: number): void {
  out[0] = FrameKind.Deliver;
  out[1] = cls | (direct ? Flags.DIRECT : 0);
  out[2] = room >>> 8;
  out[3] = room & 0xff;
  out[4] = sender >>> 8;
  out[5] = sender & 0xff;
  // Stryker disable next-line ConditionalExpression: equivalent, without a key byte index 6 is payload, which both callers write after the header.
  if (cls === DeliveryClass.Latest) out[DELIVER_HEADER_BYTES] = key;
}

/**
 * Relay hot path: turns a client data frame into the frame recipients get, stamping the
 * sender's member id. One allocation, one copy of the payload; the payload is never decoded.
 */
export function deliverFromData(data: Uint8Array, header: DataHeader, sender: number): Uint8Array {
  const size = DELIVER_HEADER_BYTES + (header.cls === DeliveryClass.Latest ? KEY_BYTES : 0);
  const payloadLength = data.length - header.payloadOffset;
  const out = new Uint8Array(size + payloadLength);
  writeDeliverHeader(out, header.room, header.cls, sender, header.target !== 0, header.key);
  out.set(data.subarray(header.payloadOffset), size);
  return out;
}

// ---- decoding ---------------------------------------------------------------

/**
 * Reads the header of a client data frame (first byte 0x02) without touching the payload.
 * `target` and `key` are 0 when absent.
 */
export function readDataHeader(bytes: Uint8Array): { ok: true; header: DataHeader } | { ok: false; error: DecodeError } {
  if (bytes.length < DATA_HEADER_BYTES) return fail('bad_frame', `data frame header truncated (${bytes.length} of ${DATA_HEADER_BYTES} bytes)`);
  if (bytes[0] !== FrameKind.Data) return fail('bad_frame', `expected a data frame (0x02), got 0x${hex(bytes[0]!)}`);
  const flags = bytes[1]!;
  if ((flags & Flags.DATA_RESERVED_MASK) !== 0) return fail('bad_frame', `reserved flag bits set (flags 0x${hex(flags)})`);
  const cls = flags & Flags.CLASS_MASK;
  if (cls === 3) return fail('bad_frame', 'delivery class 3 is not defined');
  const room = (bytes[2]! << 8) | bytes[3]!;
  if (room === 0) return fail('bad_frame', 'room handle 0 is not valid');
  let pos = DATA_HEADER_BYTES;
  let target = 0;
  if ((flags & Flags.DIRECT) !== 0) {
    if ((flags & Flags.GROUP) !== 0) return fail('bad_frame', 'a data frame is direct or addressed to a group, not both');
    if (bytes.length < pos + MEMBER_ID_BYTES) return fail('bad_frame', 'data frame target member id truncated');
    target = (bytes[pos]! << 8) | bytes[pos + 1]!;
    if (target === 0) return fail('bad_frame', 'target member id 0 is not valid');
    pos += MEMBER_ID_BYTES;
  }
  let group = 0;
  if ((flags & Flags.GROUP) !== 0) {
    if (bytes.length < pos + GROUP_ID_BYTES) return fail('bad_frame', 'data frame group id truncated');
    group = (bytes[pos]! << 8) | bytes[pos + 1]!;
    if (group === 0) return fail('bad_frame', 'group id 0 is not valid');
    pos += GROUP_ID_BYTES;
  }
  let key = 0;
  if (cls === DeliveryClass.Latest) {
    if (bytes.length < pos + KEY_BYTES) return fail('bad_frame', 'data frame key byte truncated');
    key = bytes[pos]!;
    pos += KEY_BYTES;
  }
  return { ok: true, header: { room, cls: cls as DeliveryClass, target, key, group, payloadOffset: pos } };
}
