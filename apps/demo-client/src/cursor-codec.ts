// The demo's own application payloads (the relay never reads them), sent with the `droppable`
// class. The cursor itself is not here: it uses the SDK's 3-byte cursor (`encodeCursor`,
// `decodeCursor`) under the `latest` key CURSOR_KEY, and an empty `latest` payload hides it.
// The first byte is a message tag; positions are two big-endian u16 fractions of the document
// size (see coords.ts and README.md).
//   click   02 x:u16 y:u16   the sender clicked or tapped here: draw a ripple (5 bytes)
// Tags 01 (cursor) and 03 (hide) were the reliable-class cursor of earlier versions: they are
// retired (ignored when received) and must not be reused.
import type { Point } from './coords.js';

/** Message tags: the first payload byte. */
export const Tag = { click: 2 } as const;

/** A decoded demo message; positions are quantised (0..65535). */
export type DemoMessage = { type: 'click'; x: number; y: number };

const CLICK_BYTES = 5;

/** `02 x y`: a click at a position (quantised). */
export function encodeClick(p: Point): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(CLICK_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, Tag.click);
  view.setUint16(1, p.x & 0xffff);
  view.setUint16(3, p.y & 0xffff);
  return bytes;
}

/**
 * Decodes a payload from another member. Returns undefined for anything this version does not
 * understand (unknown or retired tag, wrong length), so newer clients can add tags without
 * breaking older ones.
 */
export function decodeMessage(payload: Uint8Array): DemoMessage | undefined {
  if (payload.length !== CLICK_BYTES || payload[0] !== Tag.click) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { type: 'click', x: view.getUint16(1), y: view.getUint16(3) };
}
