// The receive path of batch frames, without building entry objects. At the knee of a cursor room
// the load generator receives hundreds of thousands of batch entries a second; decoding each
// frame into entry objects (decodeBatch) and then into update objects (splitBatch) made it the
// bottleneck. scanBatch walks the bytes twice instead: once to validate and count the delivered
// updates (so the frame's wire bytes can be shared among them), once to hand each to a visitor.
// It counts exactly what splitBatch counts (test/latest.test.ts compares them).
import { BATCH_HEADER_BYTES, DeliveryClass, Flags, MAX_MEMBER_ID } from '@roomcast/protocol';
import { readU32 } from './payload.js';

export interface BatchVisitor {
  /** One delivered update: another member's non-empty entry (ts -1 when not timestamped). */
  update(sender: number, ts: number, payloadBytes: number): void;
}

/**
 * The delivered updates of batch frame `frame` for receiver `self`: entries of other members whose
 * payload holds a timestamp (or, not `timestamped`, is non-empty). Visits them if `visitor` is
 * given. Returns their number, or -1 if `frame` is not a well-formed batch frame.
 */
export function scanBatch(frame: Uint8Array, self: number, timestamped: boolean, visitor?: BatchVisitor): number {
  const len = frame.length;
  if (len < BATCH_HEADER_BYTES) return -1;
  const flags = frame[1]!;
  if ((flags & Flags.BATCH_RESERVED_MASK) !== 0 || (flags & Flags.CLASS_MASK) !== DeliveryClass.Latest) return -1;
  if (((frame[2]! << 8) | frame[3]!) === 0) return -1;
  const min = timestamped ? 4 : 1;
  let n = 0;
  let pos = BATCH_HEADER_BYTES;
  while (pos < len) {
    const sender = varint(frame, pos);
    if (sender <= 0 || sender > MAX_MEMBER_ID || at >= len) return -1;
    const size = varint(frame, at + 1); // after the key byte
    if (size < 0 || at + size > len) return -1;
    pos = at;
    if (sender !== self && size >= min) {
      n++;
      visitor?.update(sender, timestamped ? readU32(frame, pos) : -1, size);
    }
    pos += size;
  }
  return n;
}

/** Position after the last varint `varint` read (module state: no allocation per entry). */
let at = 0;

/** The LEB128 varint (at most 4 bytes) at `pos`, setting `at` past it; -1 if truncated or too long. */
function varint(frame: Uint8Array, pos: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 4; i++) {
    if (pos >= frame.length) return -1;
    const b = frame[pos++]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      at = pos;
      return value;
    }
    scale *= 128;
  }
  return -1;
}
