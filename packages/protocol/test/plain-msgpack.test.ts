// The hand-written plain-MessagePack codec (plain-writer.ts, plain-reader.ts) against msgpackr, the library the
// relay decodes with: the same bytes out, the same values back, and the same inputs refused as
// `scanPlain` refuses before msgpackr runs.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { decodeControlValue, decodeServerFrame, packPlain, readPlain, scanPlain } from '@roomcast/protocol';
import { VECTORS, bytes, toHex } from './vectors.js';

// The options the relay used with msgpackr before this codec existed (and still decodes with).
const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/** msgpackr returns Buffers in Node; compare plain Uint8Arrays. */
function normalise(v: unknown): unknown {
  if (v instanceof Uint8Array) return Uint8Array.from(v);
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
  return v;
}


const SAMPLES: [string, unknown][] = [
  ['small ints', [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffff_ffff]],
  ['negative ints', [-1, -0x20, -0x21, -0x80, -0x81, -0x8000, -0x8001, -0x8000_0000]],
  ['floats and big ints', [0.5, -1.25, 2 ** 32, -(2 ** 31) - 1, 2 ** 53, Number.MAX_VALUE, 1e-300]],
  ['strings by length', ['', 'a'.repeat(31), 'a'.repeat(32), 'a'.repeat(255), 'a'.repeat(256), 'a'.repeat(65_536)]],
  ['non-ASCII strings', ['café', 'a b', '😀'.repeat(20), 'é'.repeat(40), '中'.repeat(100)]],
  ['maps by size', [{}, Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, i])),
    Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]))]],
  ['arrays by size', [[], Array.from({ length: 15 }, (_, i) => i), Array.from({ length: 16 }, (_, i) => i), new Array(70_000).fill(0)]],
  ['nil and booleans', [null, true, false]],
  ['binary', [Uint8Array.of(1, 2, 3), new Uint8Array(300)]],
  ['a join', { type: 'join', id: 7, room: 'lobby', presence: { name: 'ada', pos: [0.25, 0.75] } }],
];

describe('packPlain writes the bytes msgpackr writes', () => {
  test.each(SAMPLES)('%s', (_what, value) => {
    expect(toHex(packPlain(value))).toBe(toHex(packr.pack(value)));
  });

  test('leaves out undefined object fields', () => {
    expect(toHex(packPlain({ type: 'ping', id: 1, extra: undefined }))).toBe(toHex(packr.pack({ type: 'ping', id: 1 })));
  });

  test('for any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      expect(toHex(packPlain(value))).toBe(toHex(packr.pack(value)));
    }), { numRuns: 2000 });
  });

  test('for any JSON value with full-Unicode strings', () => {
    const unicodeJson = fc.jsonValue({ stringUnit: 'grapheme' });
    fc.assert(fc.property(unicodeJson, (value) => {
      expect(toHex(packPlain(value))).toBe(toHex(packr.pack(value)));
    }), { numRuns: 1000 });
  });

  test('refuses what is not a JSON-like value', () => {
    expect(() => packPlain({ f: () => 1 })).toThrow(TypeError);
    expect(() => packPlain(10n)).toThrow(TypeError);
  });
});

describe('readPlain reads what msgpackr reads', () => {
  test.each(SAMPLES)('%s', (_what, value) => {
    const r = readPlain(packr.pack(value));
    if (_what === 'arrays by size') {
      // 70,000 zeros: more items than a control frame may hold (CONTROL_MAX_ITEMS).
      expect(r).toEqual({ ok: false, reason: 'more than 4096 items' });
      expect(readPlain(packr.pack((value as unknown[]).slice(0, 3)))).toEqual({ ok: true, value: (value as unknown[]).slice(0, 3) });
      return;
    }
    expect(r).toEqual({ ok: true, value: normalise(unpackr.unpack(packr.pack(value))) });
  });

  test('for any JSON value (within the item and depth bounds)', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
      const encoded = packr.pack(value);
      const scan = scanPlain(encoded);
      // Out of bounds (rare: more than 4096 items): both refuse, for the same reason.
      if (!scan.ok) return expect(readPlain(encoded)).toEqual({ ok: false, reason: scan.reason });
      // msgpackr's own reading: it also renames a `__proto__` key and turns -0 into 0.
      expect(readPlain(encoded)).toEqual({ ok: true, value: normalise(unpackr.unpack(encoded)) });
    }), { numRuns: 2000 });
  });

  test('every format of 5 decodes to 5, as in msgpackr', () => {
    for (const hex of ['05', 'cc05', 'cd0005', 'ce00000005', 'cf0000000000000005', 'd005', 'd10005', 'd200000005',
      'd30000000000000005', 'ca40a00000', 'cb4014000000000000']) {
      expect(readPlain(bytes(hex)), hex).toEqual({ ok: true, value: 5 });
    }
  });

  test('64-bit integers round to the nearest number, as msgpackr does', () => {
    for (const hex of ['cf0020000000000003', 'd3ffffffffffffffff', 'd38000000000000000', 'cfffffffffffffffff']) {
      expect(readPlain(bytes(hex)), hex).toEqual({ ok: true, value: unpackr.unpack(bytes(hex)) });
    }
  });

  test('a __proto__ key is renamed __proto_ (as msgpackr does) and sets no prototype', () => {
    const r = readPlain(bytes('81a95f5f70726f746f5f5f81a8706f6c6c7574656401'));
    expect(r).toEqual({ ok: true, value: { __proto_: { polluted: 1 } } });
    expect(r.ok && Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(normalise(unpackr.unpack(bytes('81a95f5f70726f746f5f5f81a8706f6c6c7574656401')))).toEqual({ __proto_: { polluted: 1 } });
  });
});

describe('readPlain refuses exactly what scanPlain refuses', () => {
  const msgpackish = fc.array(
    fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(0x80, 0x81, 0x82, 0x8f, 0x90, 0x91, 0x9f, 0xa0, 0xa1, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6,
        0xc7, 0xca, 0xcb, 0xcc, 0xcf, 0xd3, 0xd4, 0xd6, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xff, 0x00),
    ),
    { maxLength: 64 },
  ).map((xs) => Uint8Array.from(xs));

  // Both bounds: the client → relay default (4096 values) and the relay → client one (a value per byte).
  function agree(input: Uint8Array, start: number): void {
    agreeWith(input, start, undefined);
    agreeWith(input, start, input.length);
  }

  function agreeWith(input: Uint8Array, start: number, maxItems: number | undefined): void {
    const scan = scanPlain(input, start, { maxItems });
    const read = readPlain(input, start, { maxItems });
    expect(read.ok, toHex(input)).toBe(scan.ok);
    if (!scan.ok && !read.ok) expect(read.reason).toBe(scan.reason);
    if (scan.ok && read.ok) {
      const body = input.subarray(start);
      // Invalid UTF-8 is replaced differently by the two decoders; compare values on valid text only.
      const viaMsgpackr = normalise(unpackr.unpack(body));
      if (JSON.stringify(viaMsgpackr).includes('\ufffd')) return;
      expect(read.value).toEqual(viaMsgpackr);
    }
  }

  test('on MessagePack-shaped random bytes', () => {
    fc.assert(fc.property(msgpackish, (input) => agree(input, 0)), { numRuns: 5000 });
  });

  test('on every vector and every truncated prefix of it (control bodies at offset 1)', () => {
    for (const v of VECTORS) {
      const full = bytes(v.hex);
      if (full[0] !== 1) continue;
      for (let n = 1; n <= full.length; n++) agree(full.subarray(0, n), 1);
    }
  });

  test('on vectors with bits flipped', () => {
    const controls = VECTORS.map((v) => bytes(v.hex)).filter((b) => b[0] === 1);
    fc.assert(fc.property(fc.integer({ min: 0, max: controls.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), (i, bits) => {
      const copy = controls[i]!.slice();
      for (const bit of bits) copy[1 + (bit % ((copy.length - 1) * 8)) >> 3]! ^= 1 << (bit & 7);
      agree(copy, 1);
    }), { numRuns: 3000 });
  });

  test.each([
    ['extension type', 'd40000', 'MessagePack extension types are not accepted'],
    ['0xc1', 'c1', 'invalid byte 0xc1'],
    ['integer map key', '8101c0', 'map keys must be strings'],
    ['17 nested arrays', `${'91'.repeat(17)}00`, 'nested deeper than 16'],
    ['array32 claiming 2^32-1 items', 'ddffffffff000000', 'more than 4096 items'],
    ['str32 claiming 4 GiB', 'dbffffffff70', 'truncated MessagePack'],
    ['trailing byte', 'c000', 'trailing bytes after the MessagePack value'],
    ['repeated map key', '82a16101a16102', 'map key "a" repeated'],
    ['repeated key written as fixstr and str8', '82a16101d9016102', 'map key "a" repeated'],
    ['repeated key written as str8 and str16', '82d9016101da00016102', 'map key "a" repeated'],
    ['repeated key written as str16 and str32', '82da00016101db000000016102', 'map key "a" repeated'],
    ['repeated key in a nested map', '81a17882a17901a17902', 'map key "y" repeated'],
    ['a repeated 40-byte key (the reason shows its first 32)', `82d928${'6b'.repeat(40)}01d928${'6b'.repeat(40)}02`, `map key "${'k'.repeat(32)}" repeated`],
    ['a ping whose type is repeated', '83a474797065a470696e67a26964' + '01a474797065a568656c6c6f', 'map key "type" repeated'],
  ])('%s', (_what, hex, reason) => {
    expect(readPlain(bytes(hex))).toEqual({ ok: false, reason });
    expect(scanPlain(bytes(hex))).toEqual({ ok: false, reason });
  });
});

describe('the value cap is an option (relay → client frames have none beyond their length)', () => {
  const big = packr.pack(new Array(5000).fill(0));

  test('4096 values by default, refused by both', () => {
    expect(readPlain(big)).toEqual({ ok: false, reason: 'more than 4096 items' });
    expect(scanPlain(big)).toEqual({ ok: false, reason: 'more than 4096 items' });
  });

  test('with maxItems: bytes.length both accept 5,001 values and agree on them', () => {
    expect(scanPlain(big, 0, { maxItems: big.length })).toEqual({ ok: true, items: 5001 });
    expect(readPlain(big, 0, { maxItems: big.length })).toEqual({ ok: true, value: new Array(5000).fill(0) });
  });

  test('decodeControlValue takes the cap as its second argument', () => {
    const frame = Uint8Array.from([0x01, ...packr.pack(new Array(10).fill(0))]);
    expect(decodeControlValue(frame, 5)).toEqual({ ok: false, error: { code: 'bad_frame', message: 'control frame: more than 5 items' } });
    expect(decodeControlValue(frame, 11)).toEqual({ ok: true, value: new Array(10).fill(0), items: 11 });
  });

  test('decodeServerFrame reads a joined of more than 4096 values (1500 members)', () => {
    const members = Array.from({ length: 1500 }, (_, i) => ({ id: i + 1, presence: null }));
    const joined = { type: 'joined', id: 1, room: 'lobby', handle: 1, self: 1, members };
    const r = decodeServerFrame(Uint8Array.from([0x01, ...packPlain(joined)]));
    expect(r).toEqual({ ok: true, frame: { kind: 'control', message: joined } });
  });

  test('a smaller cap is refused with its own number', () => {
    expect(readPlain(big, 0, { maxItems: 100 })).toEqual({ ok: false, reason: 'more than 100 items' });
    expect(scanPlain(big, 0, { maxItems: 100 })).toEqual({ ok: false, reason: 'more than 100 items' });
  });
});

describe('packPlain on strings msgpackr writes differently', () => {
  test('a lone surrogate becomes U+FFFD (as TextEncoder writes it; msgpackr writes the raw surrogate)', () => {
    expect(toHex(packPlain('a\ud800b'))).toBe(toHex(packr.pack('a\ufffdb')));
    expect(toHex(packPlain('\udc00'))).toBe(toHex(packr.pack('\ufffd')));
  });

  test('surrogate pairs and every UTF-8 length class, short and long', () => {
    for (const s of ['é', '€', '😀', 'a😀b', '😀'.repeat(40), 'x'.repeat(63) + '😀', 'é€😀'.repeat(30)]) {
      expect(toHex(packPlain(s)), s).toBe(toHex(packr.pack(s)));
    }
  });

  test('a buffer that must grow many times (a 300 kB value)', () => {
    const big = { type: 'joined', members: Array.from({ length: 3000 }, (_, i) => ({ id: i, presence: { name: 'x'.repeat(90), n: i / 3 } })) };
    expect(toHex(packPlain(big))).toBe(toHex(packr.pack(big)));
  });
});

describe('packPlain pinned bytes at the edges of its branches', () => {
  // Short strings (< 64 UTF-16 units) are counted and written by hand; each row is one branch of
  // that code, and its bytes are what TextEncoder writes (a lone surrogate as U+FFFD, ef bf bd).
  test.each([
    ['U+07FF, the last 2-byte char', '\u07ff', 'a2dfbf'],
    ['U+0800, the first 3-byte char', '\u0800', 'a3e0a080'],
    ['U+FFFF', '\uffff', 'a3efbfbf'],
    ['the first surrogate pair (U+10000)', '\ud800\udc00', 'a4f0908080'],
    ['a pair with the last high surrogate (U+10FC00)', '\udbff\udc00', 'a4f48fb080'],
    ['a 3-byte char before a lone low surrogate', '\u20ac\udc00', 'a6e282acefbfbd'],
    ['a private-use char before a lone low surrogate', '\ue000\udc00', 'a6ee8080efbfbd'],
    ['two low surrogates', '\udc00\udc00', 'a6efbfbdefbfbd'],
    ['a high surrogate before an ASCII char', '\ud800a', 'a4efbfbd61'],
    ['a high surrogate at the end', '\ud800', 'a3efbfbd'],
    ['the last low surrogate alone', '\udfff', 'a3efbfbd'],
    ['a lone high surrogate, then a pair', 'x\ud800\ud83d\ude00', 'a878efbfbdf09f9880'],
  ])('%s', (_what, s, hex) => {
    expect(toHex(packPlain(s))).toBe(hex);
  });

  test('undefined is nil, except as an object field, which is left out', () => {
    expect(toHex(packPlain(undefined))).toBe('c0');
    expect(toHex(packPlain([undefined, 1]))).toBe('92c001');
    expect(toHex(packPlain({ a: undefined, b: 1 }))).toBe('81a16201');
  });

  test('what is not JSON-like is refused, naming its type', () => {
    expect(() => packPlain(() => 1)).toThrow(new TypeError('cannot encode a function in a control message'));
    expect(() => packPlain([10n])).toThrow(new TypeError('cannot encode a bigint in a control message'));
    expect(() => packPlain({ s: Symbol('x') })).toThrow(new TypeError('cannot encode a symbol in a control message'));
  });
});
