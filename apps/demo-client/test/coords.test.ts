// Coordinate mapping and quantisation (src/coords.ts), the cursor as the demo puts it on the wire
// (the SDK's encodeCursor), and the demo's click payload (src/cursor-codec.ts).
import { describe, expect, it } from 'vitest';
import { COORD_MAX, dequantise, normalToPage, pageToNormal, pageToWire, quantise, wireToPage } from '../src/coords.js';
import { CURSOR_BYTES, decodeCursor, encodeCursor } from '@roomcast/client';
import { decodeMessage, encodeClick } from '../src/cursor-codec.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('coordinate mapping', () => {
  it('maps page pixels to fractions of the document size and back', () => {
    const doc = { width: 1280, height: 2000 };
    expect(pageToNormal({ x: 640, y: 500 }, doc)).toEqual({ x: 0.5, y: 0.25 });
    expect(normalToPage({ x: 0.5, y: 0.25 }, doc)).toEqual({ x: 640, y: 500 });
  });

  it('clamps to the document and survives an empty or odd document', () => {
    expect(pageToNormal({ x: -10, y: 5000 }, { width: 100, height: 100 })).toEqual({ x: 0, y: 1 });
    expect(pageToNormal({ x: 10, y: 10 }, { width: 0, height: 0 })).toEqual({ x: 0, y: 0 });
    expect(pageToNormal({ x: Number.NaN, y: Infinity }, { width: 100, height: 100 })).toEqual({ x: 0, y: 1 });
  });

  it('quantises fractions to u16 with round-to-nearest', () => {
    expect(quantise(0)).toBe(0);
    expect(quantise(1)).toBe(COORD_MAX);
    expect(quantise(0.5)).toBe(32768); // 32767.5 rounds up
    expect(quantise(-0.2)).toBe(0);
    expect(quantise(1.7)).toBe(COORD_MAX);
    expect(dequantise(0)).toBe(0);
    expect(dequantise(COORD_MAX)).toBe(1);
  });

  it('round-trips a position within a 1/65535 of the document', () => {
    const doc = { width: 1920, height: 7000 };
    for (let i = 0; i <= 100; i++) {
      const page = { x: (i * 19.7) % doc.width, y: (i * 71.3) % doc.height };
      const back = wireToPage(pageToWire(page, doc), doc);
      expect(Math.abs(back.x - page.x)).toBeLessThanOrEqual(doc.width / COORD_MAX / 2 + 1e-9);
      expect(Math.abs(back.y - page.y)).toBeLessThanOrEqual(doc.height / COORD_MAX / 2 + 1e-9);
    }
  });

  it('lines up windows of different sizes at the same relative spot', () => {
    const wire = pageToWire({ x: 300, y: 200 }, { width: 1200, height: 800 });
    const other = wireToPage(wire, { width: 600, height: 1600 });
    expect(other.x).toBeCloseTo(150, 1);
    expect(other.y).toBeCloseTo(400, 1);
  });
});

describe('cursor on the wire (the SDK\'s 3-byte cursor, latest class)', () => {
  it('round-trips document fractions within half a 12-bit step', () => {
    const doc = { width: 1920, height: 4000 };
    for (let i = 0; i <= 100; i++) {
      const page = { x: (i * 19.7) % doc.width, y: (i * 71.3) % doc.height };
      const n = pageToNormal(page, doc);
      const bytes = encodeCursor(n.x, n.y);
      expect(bytes).toHaveLength(CURSOR_BYTES);
      const back = normalToPage(decodeCursor(bytes)!, doc);
      expect(Math.abs(back.x - page.x)).toBeLessThanOrEqual(doc.width / 4095 / 2 + 1e-9);
      expect(Math.abs(back.y - page.y)).toBeLessThanOrEqual(doc.height / 4095 / 2 + 1e-9);
    }
  });

  it('reads an empty payload (a cleared key: the pointer left) as no position', () => {
    expect(decodeCursor(new Uint8Array(0))).toBeUndefined();
  });
});

describe('payload format (droppable click)', () => {
  it('encodes a click as a tag byte and two big-endian u16', () => {
    expect(hex(encodeClick({ x: 0, y: 65535 }))).toBe('020000ffff');
    expect(hex(encodeClick({ x: 0x1234, y: 0xabcd }))).toBe('021234abcd');
  });

  it('decodes what it encodes, also from a view at a non-zero offset', () => {
    const buffer = new Uint8Array([9, 9, ...encodeClick({ x: 513, y: 40000 })]);
    expect(decodeMessage(buffer.subarray(2))).toEqual({ type: 'click', x: 513, y: 40000 });
    expect(decodeMessage(encodeClick({ x: 1, y: 2 }))).toEqual({ type: 'click', x: 1, y: 2 });
  });

  it.each([
    ['empty', ''],
    ['unknown tag', '091234abcd'],
    ['retired cursor tag (01)', '011234abcd'],
    ['retired hide tag (03)', '03'],
    ['truncated click', '021234ab'],
    ['click with trailing bytes', '021234abcd00'],
  ])('ignores a malformed payload: %s', (_name, input) => {
    expect(decodeMessage(Uint8Array.from(Buffer.from(input, 'hex')))).toBeUndefined();
  });
});
