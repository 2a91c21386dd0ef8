// The demo's application payloads (the relay never reads them). The first byte is a message tag;
// positions are two big-endian u16 fractions of the document size (see coords.ts and README.md).
//   cursor  01 x:u16 y:u16   the sender's pointer is here (5 bytes)
//   click   02 x:u16 y:u16   the sender clicked or tapped here: draw a ripple (5 bytes)
//   hide    03               the sender's pointer left the page: hide its cursor (1 byte)
import type { Point } from './coords.js';

/** Message tags: the first payload byte. */
export const Tag = { cursor: 1, click: 2, hide: 3 } as const;

/** A decoded demo message; positions are quantised (0..65535). */
export type DemoMessage =
  | { type: 'cursor'; x: number; y: number }
  | { type: 'click'; x: number; y: number }
  | { type: 'hide' };

const POSITION_BYTES = 5;

function encodePosition(tag: number, p: Point): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(POSITION_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, tag);
  view.setUint16(1, p.x & 0xffff);
  view.setUint16(3, p.y & 0xffff);
  return bytes;
}

/** `01 x y`: a cursor position (quantised). */
export function encodeCursor(p: Point): Uint8Array<ArrayBuffer> {
  return encodePosition(Tag.cursor, p);
}

/** `02 x y`: a click at a position (quantised). */
export function encodeClick(p: Point): Uint8Array<ArrayBuffer> {
  return encodePosition(Tag.click, p);
}

/** `03`: the pointer left the page. */
export function encodeHide(): Uint8Array<ArrayBuffer> {
  return Uint8Array.of(Tag.hide);
}

/**
 * Decodes a payload from another member. Returns undefined for anything this version does not
 * understand (unknown tag, wrong length), so newer clients can add tags without breaking older ones.
 */
export function decodeMessage(payload: Uint8Array): DemoMessage | undefined {
  if (payload.length === 0) return undefined;
  const tag = payload[0];
  if (tag === Tag.hide) return payload.length === 1 ? { type: 'hide' } : undefined;
  if ((tag !== Tag.cursor && tag !== Tag.click) || payload.length !== POSITION_BYTES) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { type: tag === Tag.cursor ? 'cursor' : 'click', x: view.getUint16(1), y: view.getUint16(3) };
}
