// Decoding of frames the relay sent: what clients read. No zod and no msgpackr here, so the
// browser SDK stays small: control frames go through the plain-MessagePack reader and the
// hand-written validators, which tests hold to the same answers as the zod schemas.
import { decodeBatch } from './batch.js';
import { DELIVER_HEADER_BYTES, DeliveryClass, Flags, FrameKind, KEY_BYTES } from './frames.js';
import { readPlain } from './plain-reader.js';
import { parseServerMessage } from './server-messages.js';
import type { Decoded, ServerFrame } from './codec.js';
import { fail, hex, invalidMessage } from './decode-errors.js';

/** Decodes a frame the relay sent (what a client reads). Never throws. */
export function decodeServerFrame(bytes: Uint8Array): Decoded<ServerFrame> {
  if (bytes.length === 0) return fail('bad_frame', 'empty frame');
  const kind = bytes[0];
  if (kind === FrameKind.Batch) {
    const batch = decodeBatch(bytes);
    return batch.ok ? batch : fail('bad_frame', batch.message);
  }
  if (kind === FrameKind.Deliver) {
    if (bytes.length < DELIVER_HEADER_BYTES) return fail('bad_frame', `deliver frame header truncated (${bytes.length} of ${DELIVER_HEADER_BYTES} bytes)`);
    const flags = bytes[1]!;
    if ((flags & Flags.RESERVED_MASK) !== 0) return fail('bad_frame', `reserved flag bits set (flags 0x${hex(flags)})`);
    const cls = flags & Flags.CLASS_MASK;
    if (cls === 3) return fail('bad_frame', 'delivery class 3 is not defined');
    const room = (bytes[2]! << 8) | bytes[3]!;
    const sender = (bytes[4]! << 8) | bytes[5]!;
    if (room === 0) return fail('bad_frame', 'room handle must be non-zero');
    // Sender 0 is the server (HTTP server API, PROTOCOL.md §8.3), which publishes only reliable and droppable frames.
    if (sender === 0 && cls === DeliveryClass.Latest) return fail('bad_frame', 'a latest deliver frame must have a non-zero sender');
    let pos = DELIVER_HEADER_BYTES;
    let key: number | undefined;
    if (cls === DeliveryClass.Latest) {
      if (bytes.length < pos + KEY_BYTES) return fail('bad_frame', 'deliver frame key byte truncated');
      key = bytes[pos++]!;
    }
    return {
      ok: true,
      frame: { kind: 'deliver', room, cls: cls as DeliveryClass, sender, direct: (flags & Flags.DIRECT) !== 0, key, payload: bytes.subarray(pos) },
    };
  }
  if (kind === FrameKind.Control) {
    // Relay → client control frames carry whole member lists: no value cap beyond one per byte
    // (PROTOCOL.md §8.8 rule 3); depth stays within 16 because presence nests at most 13 deep.
    const body = readPlain(bytes, 1, { maxItems: bytes.length });
    if (!body.ok) return fail('bad_frame', `control frame: ${body.reason}`);
    const parsed = parseServerMessage(body.value);
    if (!parsed.ok) return invalidMessage(body.value, parsed.issue);
    return { ok: true, frame: { kind: 'control', message: parsed.message } };
  }
  return fail('bad_frame', `unknown frame kind 0x${hex(kind!)} from the relay`);
}
