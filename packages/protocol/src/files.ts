// File-transfer convention (PROTOCOL.md appendix B): the messages that carry a file inside the
// payloads of ordinary reliable data frames. The relay never reads them; clients that agree on
// this layout (the TS SDK's `@roomcast/client/files`, examples/python) interoperate.
// Entry `@roomcast/protocol/files`: no zod, no msgpackr, so it costs a browser bundle little.

/** Every file message starts with these 4 bytes: "RCF" and the convention's version 1. */
export const FILE_MAGIC = Uint8Array.of(0x52, 0x43, 0x46, 0x01);

/** Operation byte after the magic. */
export const FileOp = {
  /** Sender → recipients: a transfer begins (size, name, media type). */
  Start: 0x01,
  /** Sender → recipients: bytes at an offset, in order. */
  Chunk: 0x02,
  /** Either way: the transfer stops (sender: for everyone; recipient: for itself). */
  Cancel: 0x03,
} as const;

/**
 * Why a transfer stops (the byte in a cancel message). The reason also says the direction, so a
 * cancel is never ambiguous when two members send each other transfers with the same id.
 */
export const FileCancelReason = {
  /** Sender → recipients: the sender cancelled; the transfer stops for everyone. */
  Cancelled: 0x01,
  /** Recipient → sender (direct): stop sending to me (I cancelled, it is too large, or I lost my place). */
  Declined: 0x02,
  /** Sender → recipients: the sender could not read its source; the transfer stops for everyone. */
  Failed: 0x03,
} as const;
export type FileCancelReason = (typeof FileCancelReason)[keyof typeof FileCancelReason];

/** Bytes before the data in a chunk message: magic 4, op 1, transfer id 4, offset 8. */
export const FILE_CHUNK_HEADER_BYTES = 17;
/** Longest name (UTF-8 bytes) in a start message. */
export const FILE_MAX_NAME_BYTES = 1024;
/** Longest media type (UTF-8 bytes) in a start message. */
export const FILE_MAX_TYPE_BYTES = 255;

export type FileMessage =
  | { op: 'start'; id: number; size: number; name: string; type: string }
  | { op: 'chunk'; id: number; offset: number; data: Uint8Array }
  | { op: 'cancel'; id: number; reason: FileCancelReason };

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function header(op: number, id: number, extra: number): { bytes: Uint8Array<ArrayBuffer>; view: DataView } {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) throw new RangeError(`transfer id must be a u32 (got ${id})`);
  const bytes = new Uint8Array(9 + extra);
  bytes.set(FILE_MAGIC, 0);
  bytes[4] = op;
  const view = new DataView(bytes.buffer);
  view.setUint32(5, id);
  return { bytes, view };
}

/** Writes a u64be that must be a safe integer (≤ 2^53 - 1). */
function setU64(view: DataView, at: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`size/offset must be a safe non-negative integer (got ${value})`);
  view.setUint32(at, Math.floor(value / 2 ** 32));
  view.setUint32(at + 4, value >>> 0);
}

/** `start`: size u64be, name u16be length + UTF-8, type u8 length + UTF-8. */
export function encodeFileStart(id: number, size: number, name: string, type: string): Uint8Array<ArrayBuffer> {
  const n = utf8.encode(name);
  const t = utf8.encode(type);
  if (n.length > FILE_MAX_NAME_BYTES) throw new RangeError(`file name is ${n.length} bytes in UTF-8; at most ${FILE_MAX_NAME_BYTES}`);
  if (t.length > FILE_MAX_TYPE_BYTES) throw new RangeError(`file type is ${t.length} bytes in UTF-8; at most ${FILE_MAX_TYPE_BYTES}`);
  const { bytes, view } = header(FileOp.Start, id, 8 + 2 + n.length + 1 + t.length);
  setU64(view, 9, size);
  view.setUint16(17, n.length);
  bytes.set(n, 19);
  bytes[19 + n.length] = t.length;
  bytes.set(t, 20 + n.length);
  return bytes;
}

/** `chunk`: offset u64be (bytes of the file before this chunk), then the data to the end. */
export function encodeFileChunk(id: number, offset: number, data: Uint8Array): Uint8Array<ArrayBuffer> {
  const { bytes, view } = header(FileOp.Chunk, id, 8 + data.length);
  setU64(view, 9, offset);
  bytes.set(data, FILE_CHUNK_HEADER_BYTES);
  return bytes;
}

/** `cancel`: one reason byte. */
export function encodeFileCancel(id: number, reason: FileCancelReason): Uint8Array<ArrayBuffer> {
  const { bytes } = header(FileOp.Cancel, id, 1);
  bytes[9] = reason;
  return bytes;
}

/** Whether a payload starts with the file magic (then it is meant as a file message). */
export function isFileMessage(payload: Uint8Array): boolean {
  return payload.length >= 4 && payload[0] === 0x52 && payload[1] === 0x43 && payload[2] === 0x46 && payload[3] === 0x01;
}

/**
 * Reads a file message; `undefined` when the payload is not one or is malformed (wrong magic,
 * unknown op, truncated, a size above 2^53 - 1, an unknown cancel reason). Never throws. The
 * chunk data is a view into `payload`.
 */
export function decodeFileMessage(payload: Uint8Array): FileMessage | undefined {
  if (!isFileMessage(payload) || payload.length < 9) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const id = view.getUint32(5);
  const u64 = (at: number): number | undefined => {
    if (payload.length < at + 8) return undefined;
    const hi = view.getUint32(at);
    return hi >= 2 ** 21 ? undefined : hi * 2 ** 32 + view.getUint32(at + 4);
  };
  switch (payload[4]) {
    case FileOp.Start: {
      const size = u64(9);
      if (size === undefined || payload.length < 19) return undefined;
      const nameLen = view.getUint16(17);
      // Stryker disable next-line ArithmeticOperator: a payload shorter than 20 + nameLen also fails the exact-length check below (its type-length byte reads undefined)
      if (nameLen > FILE_MAX_NAME_BYTES || payload.length < 20 + nameLen) return undefined;
      const typeLen = payload[19 + nameLen]!;
      if (payload.length !== 20 + nameLen + typeLen) return undefined;
      const name = fromUtf8.decode(payload.subarray(19, 19 + nameLen));
      const type = fromUtf8.decode(payload.subarray(20 + nameLen));
      return { op: 'start', id, size, name, type };
    }
    case FileOp.Chunk: {
      const offset = u64(9);
      if (offset === undefined) return undefined;
      return { op: 'chunk', id, offset, data: payload.subarray(FILE_CHUNK_HEADER_BYTES) };
    }
    case FileOp.Cancel: {
      const reason = payload[9];
      if (payload.length !== 10 || reason === undefined || reason < 1 || reason > 3) return undefined;
      return { op: 'cancel', id, reason: reason as FileCancelReason };
    }
    default:
      return undefined;
  }
}
