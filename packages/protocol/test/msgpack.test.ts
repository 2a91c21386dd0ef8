// The plain-MessagePack guard (scanPlain) with the exact result for each format family at its
// edges: truncation, map-key rules, item and depth bounds, refused types, trailing bytes. And
// packPlain's treatment of undefined fields and binaries.
import { describe, expect, it } from 'vitest';
import { CONTROL_MAX_DEPTH, CONTROL_MAX_ITEMS, decodeClientFrame, scanPlain } from '../src/index.js';
import { unpackPlain } from '../src/msgpack.js';
import { packPlain } from '../src/plain-writer.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
/** A passing scan with its exact count of values (containers, keys and values each count one). */
const ok = (items: number) => ({ ok: true, items });
const OK = ok(1); // one scalar, string, binary or empty container
const TRUNCATED = { ok: false, reason: 'truncated MessagePack' };
const KEY = { ok: false, reason: 'map keys must be strings' };
const ITEMS = { ok: false, reason: `more than ${CONTROL_MAX_ITEMS} items` };
const EXT = { ok: false, reason: 'MessagePack extension types are not accepted' };

describe('scanPlain', () => {
  it.each([
    ['', TRUNCATED],
    // scalars
    ['00', OK], ['7f', OK], ['e0', OK], ['ff', OK], ['c0', OK], ['c2', OK], ['c3', OK],
    ['cc01', OK], ['cc', TRUNCATED], ['d0ff', OK], ['cd0001', OK], ['cd00', TRUNCATED], ['d1ffff', OK],
    ['ca00000000', OK], ['ce000000', TRUNCATED], ['d2ffffffff', OK],
    ['cb0000000000000000', OK], ['cf0000000000000001', OK], ['d3ffffffffffffffff', OK], ['cf00000000000000', TRUNCATED],
    // strings and binaries, each length width
    ['a0', OK], ['a26162', OK], ['a261', TRUNCATED], ['bf' + '61'.repeat(31), OK],
    ['d9026162', OK], ['d9', TRUNCATED], ['d90361', TRUNCATED],
    ['da00026162', OK], ['da00', TRUNCATED], ['da000361', TRUNCATED],
    ['db000000026162', OK], ['db000000', TRUNCATED], ['db0000000361', TRUNCATED],
    ['c40100', OK], ['c4', TRUNCATED], ['c5000100', OK], ['c500', TRUNCATED], ['c60000000100', OK], ['c6000000', TRUNCATED],
    // arrays and maps, each length width
    ['90', OK], ['9101', ok(2)], ['9201', TRUNCATED], ['9f' + '00'.repeat(15), ok(16)],
    ['dc000101', ok(2)], ['dc00', TRUNCATED], ['dc0002 01'.replace(' ', ''), TRUNCATED],
    ['dd0000000101', ok(2)], ['dd000000', TRUNCATED],
    ['80', OK], ['81a16101', ok(3)], ['81a161', TRUNCATED], ['8f' + Array.from({ length: 15 }, (_, i) => 'a1' + (0x61 + i).toString(16) + '00').join(''), ok(31)],
    ['de0001a16101', ok(3)], ['de00', TRUNCATED], ['de000101 01'.replace(' ', ''), KEY],
    ['df00000001a16101', ok(3)], ['df000000', TRUNCATED], ['df0000000101 01'.replace(' ', ''), KEY],
    // map keys: every string width is a key; nothing else is
    ['81d90161 01'.replace(' ', ''), ok(3)], ['81da000161 01'.replace(' ', ''), ok(3)], ['81db0000000161 01'.replace(' ', ''), ok(3)],
    ['810101', KEY], ['81c0 01'.replace(' ', ''), KEY], ['81c4016101', KEY], ['819001', KEY],
    // keys and values alternate, also after a nested value
    ['82a161 9101 01 01'.replaceAll(' ', ''), KEY], ['82a161 9101 a162 01'.replaceAll(' ', ''), ok(6)],
    ['81a161 81a162 01'.replaceAll(' ', ''), ok(5)], ['9181a16101', ok(4)], ['92 80 01'.replaceAll(' ', ''), ok(3)],
    // refused types
    ['c1', { ok: false, reason: 'invalid byte 0xc1' }],
    ['c70100 00'.replace(' ', ''), EXT], ['c8000100 00'.replace(' ', ''), EXT], ['c900000001 00 00'.replaceAll(' ', ''), EXT],
    ['d40000', EXT], ['d5000000', EXT], ['d6ff00000000', EXT], ['d7ff0000000000000000', EXT], ['d8' + '00'.repeat(17), EXT],
    // exactly one value
    ['c0c0', { ok: false, reason: 'trailing bytes after the MessagePack value' }],
    ['9101 00'.replace(' ', ''), { ok: false, reason: 'trailing bytes after the MessagePack value' }],
  ])('%s → %j', (hex, result) => {
    expect(scanPlain(bytes(hex))).toEqual(result);
  });

  it(`counts items: ${CONTROL_MAX_ITEMS} in total pass, one more is refused`, () => {
    // The array itself is one item.
    expect(scanPlain(bytes('dc0fff' + '00'.repeat(CONTROL_MAX_ITEMS - 1)))).toEqual(ok(CONTROL_MAX_ITEMS));
    expect(scanPlain(bytes('dc1000' + '00'.repeat(CONTROL_MAX_ITEMS)))).toEqual(ITEMS);
  });

  it('refuses a container claiming more children than the item bound, before reading them', () => {
    expect(scanPlain(bytes('dcffff'))).toEqual(ITEMS);
    expect(scanPlain(bytes('dd00002001'))).toEqual(ITEMS); // 8193 children: above 2 × 4096
    expect(scanPlain(bytes('dd00002000'))).toEqual(TRUNCATED); // 8192: not refused up front
    expect(scanPlain(bytes('df00001001'))).toEqual(ITEMS); // 4097 pairs = 8194 children
    expect(scanPlain(bytes('df00001000'))).toEqual(TRUNCATED); // 4096 pairs = 8192 children
    expect(scanPlain(bytes('de1000'))).toEqual(TRUNCATED);
  });

  it(`nests ${CONTROL_MAX_DEPTH} containers deep, not ${CONTROL_MAX_DEPTH + 1}`, () => {
    expect(scanPlain(bytes('91'.repeat(CONTROL_MAX_DEPTH) + 'c0'))).toEqual(ok(CONTROL_MAX_DEPTH + 1));
    expect(scanPlain(bytes('91'.repeat(CONTROL_MAX_DEPTH) + '90'))).toEqual(ok(CONTROL_MAX_DEPTH + 1)); // an empty one opens nothing
    expect(scanPlain(bytes('91'.repeat(CONTROL_MAX_DEPTH + 1) + 'c0'))).toEqual({ ok: false, reason: `nested deeper than ${CONTROL_MAX_DEPTH}` });
  });

  it('starts at the given offset', () => {
    expect(scanPlain(bytes('01c0'), 1)).toEqual(OK);
    expect(scanPlain(bytes('c0'), 1)).toEqual(TRUNCATED);
  });

  it('a control frame reports the scan reason', () => {
    expect(decodeClientFrame(bytes('01c1'))).toEqual({ ok: false, error: { code: 'bad_frame', message: 'control frame: invalid byte 0xc1' } });
    expect(decodeClientFrame(bytes('01'))).toEqual({ ok: false, error: { code: 'bad_frame', message: 'control frame: truncated MessagePack' } });
  });
});

describe('packPlain', () => {
  it('leaves out undefined fields at every depth, keeps null, arrays and binaries', () => {
    const decoded = unpackPlain(packPlain({ a: { b: undefined, c: 1, d: null }, e: [1, { f: undefined }], g: Uint8Array.of(7, 8), h: undefined }));
    expect(decoded).toStrictEqual({ a: { c: 1, d: null }, e: [1, {}], g: expect.any(Uint8Array) });
    expect(Object.keys(decoded as object)).toEqual(['a', 'e', 'g']);
    expect([...(decoded as { g: Uint8Array }).g]).toEqual([7, 8]);
    expect(scanPlain(packPlain({ a: undefined, b: { c: undefined } }))).toEqual(ok(3)); // { b: {} }
  });
});
