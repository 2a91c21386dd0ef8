// Decoding of frames a client sent: what the relay reads. Control messages are checked against
// the zod schemas (messages.ts) after `scanPlain` has proved the bytes are plain MessagePack.
import { DeliveryClass, FrameKind } from './frames.js';
import { clientMessageSchema } from './messages.js';
import { scanPlain, unpackPlain } from './msgpack.js';
import { readDataHeader, type ClientFrame, type Decoded } from './codec.js';
import { fail, hex, invalidMessage } from './decode-errors.js';

/** Decodes a frame a client sent (what the relay reads). Never throws. */
export function decodeClientFrame(bytes: Uint8Array): Decoded<ClientFrame> {
  if (bytes.length === 0) return fail('bad_frame', 'empty frame');
  const kind = bytes[0];
  if (kind === FrameKind.Data) {
    const h = readDataHeader(bytes);
    if (!h.ok) return h;
    const { room, cls, target, key, payloadOffset } = h.header;
    return {
      ok: true,
      frame: {
        kind: 'data', room, cls,
        target: target === 0 ? undefined : target,
        key: cls === DeliveryClass.Latest ? key : undefined,
        payload: bytes.subarray(payloadOffset),
      },
    };
  }
  if (kind === FrameKind.Control) {
    const scan = scanPlain(bytes, 1);
    if (!scan.ok) return fail('bad_frame', `control frame: ${scan.reason}`);
    let value: unknown;
    try {
      value = unpackPlain(bytes.subarray(1));
    } catch (err) {
      // Stryker disable next-line all: defensive, scanPlain admits only values msgpackr decodes; no input reaches this.
      return fail('bad_frame', `control frame: ${(err as Error).message}`);
    }
    const parsed = clientMessageSchema.safeParse(value);
    if (!parsed.success) return invalidMessage(value, parsed.error.issues[0]);
    return { ok: true, frame: { kind: 'control', message: parsed.data } };
  }
  return fail('bad_frame', `unknown frame kind 0x${hex(kind!)} from a client`);
}
