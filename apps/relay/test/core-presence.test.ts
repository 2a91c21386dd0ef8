// core/presence.ts, the exact refusals a client sees in its error message (presence.test.ts checks
// with fast-check that the verdicts agree with JSON.stringify and the depth cap).
import { PRESENCE_MAX_DEPTH } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { presenceProblem } from '../src/core/presence.js';

const nest = (levels: number, leaf: unknown, asArray: boolean): unknown => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = asArray ? [v] : { k: v };
  return v;
};

describe('presenceProblem messages', () => {
  it('depth: exactly PRESENCE_MAX_DEPTH levels of arrays or objects fit, one more is refused by name', () => {
    expect(PRESENCE_MAX_DEPTH).toBe(13);
    for (const asArray of [true, false]) {
      expect(presenceProblem(nest(13, 1, asArray), 10_000)).toBeUndefined();
      expect(presenceProblem(nest(14, 1, asArray), 10_000)).toBe('presence nests deeper than 13');
    }
  });

  it('size: far above the cap is refused before serialising; just above it with the exact size', () => {
    expect(presenceProblem('x'.repeat(600), 512)).toBe('presence is more than 512 bytes as JSON');
    // 255 two-byte characters: the walk's lower bound (257) fits, the real JSON (512 bytes) does not.
    expect(presenceProblem('é'.repeat(255), 511)).toBe('presence is 512 bytes as JSON, above the limit of 511');
    expect(presenceProblem('é'.repeat(255), 512)).toBeUndefined();
    // A four-byte character (a surrogate pair) counts 4, not 6.
    expect(presenceProblem('😀'.repeat(100), 401)).toBe('presence is 402 bytes as JSON, above the limit of 401');
    expect(presenceProblem('😀'.repeat(100), 402)).toBeUndefined();
  });

  it('the walk\'s bound is exact for one-digit numbers and ASCII: it refuses at once one byte below', () => {
    // Every JSON type at once; the bound (a lower bound of the size) is exactly the size here, so a
    // bound that counted one byte too many for any type would refuse this value at its real size.
    const value = { a: [null, true, false, 1, 'xy', {}], b: { c: [] } };
    expect(JSON.stringify(value).length).toBe(46); // ASCII: bytes = characters
    expect(presenceProblem(value, 46)).toBeUndefined();
    expect(presenceProblem(value, 45)).toBe('presence is more than 45 bytes as JSON');
  });
});

describe('presenceProblem on values the schema refuses later, and UTF-8 edges', () => {
  it('an absent presence fits; a binary is measured as JSON.stringify writes it (the schema refuses it after)', () => {
    expect(presenceProblem(undefined, 1)).toBeUndefined(); // the walk counts it 1 byte; JSON.stringify gives nothing
    const binary = new Uint8Array(100);
    const size = Buffer.byteLength(JSON.stringify(binary));
    expect(presenceProblem(binary, size)).toBeUndefined();
    expect(presenceProblem(binary, size - 1)).toBe(`presence is ${size} bytes as JSON, above the limit of ${size - 1}`);
    // Inside an array a binary counts one byte in the walk ('[{}]' is 4): the early refusal names no size.
    expect(presenceProblem([new Uint8Array(0)], 2)).toBe('presence is more than 2 bytes as JSON');
  });

  it('counts 2 bytes from U+0080, 3 from U+0800 and for U+FFFF, 4 for the first and last astral characters', () => {
    for (const [text, bytes] of [['\u0080', 2], ['\u07ff', 2], ['\u0800', 3], ['€', 3], ['\uffff', 3], ['\u{10000}', 4], ['\u{10ffff}', 4]] as const) {
      const json = bytes + 2; // the quotes
      expect(presenceProblem(text.repeat(2), 2 * json - 2), text).toBeUndefined();
      expect(presenceProblem(text.repeat(2), 2 * json - 3), text).toBe(`presence is ${2 * json - 2} bytes as JSON, above the limit of ${2 * json - 3}`);
    }
  });
});
