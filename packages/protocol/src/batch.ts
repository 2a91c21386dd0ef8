// Batch frames (kind 0x04): a room tick's `latest` values from many senders in one frame,
// encoded once per room and fanned out to every member. Entry = sender, key, length, payload;
// sender and length are LEB128 varints, so a 3-byte cursor costs 6 bytes in a small room.
import { BATCH_HEADER_BYTES, DeliveryClass, Flags, FrameKind, GROUP_ID_BYTES, MAX_MEMBER_ID } from './frames.js';

/** One (sender, key) value. An empty payload means the key was cleared. */
export interface BatchEntry {
  sender: number;
  key: number;
  payload: Uint8Array;
}

export interface BatchFrame {
  kind: 'batch';
  room: number;
  /** True when the batch holds every current value of the room, not only the changed ones. */
  snapshot: boolean;
  /** The interest group whose values these are (§4.5); absent: the room's own (ungrouped) values. */
  group?: number;
  entries: BatchEntry[];
}

/** Bytes an unsigned LEB128 varint of `n` takes. */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}

/** Size of one entry on the wire. */
export function batchEntrySize(sender: number, payloadLength: number): number {
  return varintSize(sender) + 1 + varintSize(payloadLength) + payloadLength;
}

/** Encodes a batch: one allocation for the whole frame. `group` (1..65535) makes it a group's batch (§4.5). */
export function encodeBatch(room: number, entries: Iterable<BatchEntry>, snapshot = false, group = 0): Uint8Array {
  const list = Array.isArray(entries) ? (entries as BatchEntry[]) : [...entries];
  let size = BATCH_HEADER_BYTES + (group !== 0 ? GROUP_ID_BYTES : 0);
  for (const e of list) size += batchEntrySize(e.sender, e.payload.length);
  const out = new Uint8Array(size);
  out[0] = FrameKind.Batch;
  out[1] = DeliveryClass.Latest | (snapshot ? Flags.SNAPSHOT : 0) | (group !== 0 ? Flags.BATCH_GROUP : 0);
  out[2] = room >>> 8;
  out[3] = room & 0xff;
  let pos = BATCH_HEADER_BYTES;
  if (group !== 0) {
    out[pos++] = group >>> 8;
    out[pos++] = group & 0xff;
  }
  for (const e of list) {
    pos = writeVarint(out, pos, e.sender);
    out[pos++] = e.key;
    pos = writeVarint(out, pos, e.payload.length);
    out.set(e.payload, pos);
    pos += e.payload.length;
  }
  return out;
}

/** Longest varint accepted: 4 bytes (values below 2^28). */
const MAX_VARINT_BYTES = 4;

/** Reads a varint at `pos`; returns [value, next position] or undefined if truncated or too long. */
function readVarint(bytes: Uint8Array, pos: number): [number, number] | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (pos >= bytes.length) return undefined;
    const b = bytes[pos++]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, pos];
    scale *= 128;
  }
  return undefined;
}

export type BatchDecoded = { ok: true; frame: BatchFrame } | { ok: false; message: string };

/** Decodes a batch frame (first byte 0x04). Never throws; payloads are views into `bytes`. */
export function decodeBatch(bytes: Uint8Array): BatchDecoded {
  if (bytes.length < BATCH_HEADER_BYTES) return { ok: false, message: `batch frame header truncated (${bytes.length} of ${BATCH_HEADER_BYTES} bytes)` };
  const flags = bytes[1]!;
  if ((flags & Flags.BATCH_RESERVED_MASK) !== 0) return { ok: false, message: `reserved batch flag bits set (flags 0x${flags.toString(16).padStart(2, '0')})` };
  if ((flags & Flags.CLASS_MASK) !== DeliveryClass.Latest) return { ok: false, message: 'batch frames carry the latest class (1)' };
  const room = (bytes[2]! << 8) | bytes[3]!;
  if (room === 0) return { ok: false, message: 'room handle 0 is not valid' };
  let pos = BATCH_HEADER_BYTES;
  let group = 0;
  if ((flags & Flags.BATCH_GROUP) !== 0) {
    if (bytes.length < pos + GROUP_ID_BYTES) return { ok: false, message: 'batch group id truncated' };
    group = (bytes[pos]! << 8) | bytes[pos + 1]!;
    if (group === 0) return { ok: false, message: 'group id 0 is not valid' };
    pos += GROUP_ID_BYTES;
  }
  const entries: BatchEntry[] = [];
  while (pos < bytes.length) {
    const sender = readVarint(bytes, pos);
    if (sender === undefined) return { ok: false, message: `batch entry ${entries.length}: sender truncated or too long` };
    if (sender[0] === 0 || sender[0] > MAX_MEMBER_ID) return { ok: false, message: `batch entry ${entries.length}: sender ${sender[0]} out of range` };
    pos = sender[1];
    if (pos >= bytes.length) return { ok: false, message: `batch entry ${entries.length}: key truncated` };
    const key = bytes[pos++]!;
    const length = readVarint(bytes, pos);
    if (length === undefined) return { ok: false, message: `batch entry ${entries.length}: length truncated or too long` };
    pos = length[1];
    if (pos + length[0] > bytes.length) return { ok: false, message: `batch entry ${entries.length}: payload truncated (${length[0]} bytes claimed)` };
    entries.push({ sender: sender[0], key, payload: bytes.subarray(pos, pos + length[0]) });
    pos += length[0];
  }
  const frame: BatchFrame = { kind: 'batch', room, snapshot: (flags & Flags.SNAPSHOT) !== 0, entries };
  if (group !== 0) frame.group = group;
  return { ok: true, frame };
}
