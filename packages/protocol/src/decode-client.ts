// Decoding of frames a client sent: what the relay reads. Control messages are checked against
// the zod schemas (messages.ts) after `scanPlain` has proved the bytes are plain MessagePack
// (no repeated keys, at most CONTROL_MAX_ITEMS values). The relay runs the two steps apart
// (decodeControlValue, then parseClientMessage) so it can check cheap caps in between.
import { DeliveryClass, FrameKind } from './frames.js';
import { clientMessageSchema, type ClientMessage } from './messages.js';
import { scanPlain, unpackPlain } from './msgpack.js';
import { readDataHeader, type ClientFrame, type ControlFrame, type Decoded } from './codec.js';
import { fail, hex, invalidMessage, type DecodeError } from './decode-errors.js';

/**
 * The plain MessagePack value of a control frame (first byte 0x01, not checked), and how many
 * values it holds (a cheap measure of what validating it costs). `maxItems` defaults to the
 * client → relay bound CONTROL_MAX_ITEMS (PROTOCOL.md §5.1).
 */
export function decodeControlValue(bytes: Uint8Array, maxItems?: number): { ok: true; value: unknown; items: number } | { ok: false; error: DecodeError } {
  const scan = scanPlain(bytes, 1, { maxItems });
  if (!scan.ok) return fail('bad_frame', `control frame: ${scan.reason}`);
  try {
    return { ok: true, value: unpackPlain(bytes.subarray(1)), items: scan.items };
  } catch (err) {
    // Stryker disable next-line all: defensive, scanPlain admits only values msgpackr decodes; no input reaches this.
    return fail('bad_frame', `control frame: ${(err as Error).message}`);
  }
}

/** Validates a decoded control value as a client → relay message (the schema step of decodeClientFrame). */
export function parseClientMessage(value: unknown): Decoded<ControlFrame<ClientMessage>> {
  const parsed = clientMessageSchema.safeParse(value);
  if (!parsed.success) return invalidMessage(value, parsed.error.issues[0]);
  return { ok: true, frame: { kind: 'control', message: parsed.data } };
}

/** Decodes a frame a client sent (what the relay reads). Never throws. */
export function decodeClientFrame(bytes: Uint8Array): Decoded<ClientFrame> {
  if (bytes.length === 0) return fail('bad_frame', 'empty frame');
  const kind = bytes[0];
  if (kind === FrameKind.Data) {
    const h = readDataHeader(bytes);
    if (!h.ok) return h;
    const { room, cls, target, key, group, payloadOffset } = h.header;
    return {
      ok: true,
      frame: {
        kind: 'data', room, cls,
        target: target === 0 ? undefined : target,
        key: cls === DeliveryClass.Latest ? key : undefined,
        ...(group === 0 ? {} : { group }),
        payload: bytes.subarray(payloadOffset),
      },
    };
  }
  if (kind === FrameKind.Control) {
    const body = decodeControlValue(bytes);
    if (!body.ok) return body;
    return parseClientMessage(body.value);
  }
  return fail('bad_frame', `unknown frame kind 0x${hex(kind!)} from a client`);
}
