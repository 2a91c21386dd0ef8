// Property tests with fast-check: round trips of arbitrary valid frames and control messages,
// decoders that never throw on random or bit-flipped input, and the relay hot path
// (deliverFromData) producing exactly what encodeDeliver would.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  DeliveryClass, ERROR_CODE_NAMES, decodeClientFrame, decodeServerFrame, deliverFromData, encodeControl,
  encodeData, encodeDeliver, readDataHeader, scanPlain,
  type ClientMessage, type DataFrame, type DeliverFrame, type Presence, type ServerMessage,
} from '@roomcast/protocol';
import { VECTORS, bytes, encodeFrame } from './vectors.js';

// ---- arbitraries ------------------------------------------------------------------

const u16 = fc.integer({ min: 1, max: 0xffff });
const cls = fc.constantFrom(DeliveryClass.Reliable, DeliveryClass.Latest, DeliveryClass.Droppable);
const payload = fc.uint8Array({ maxLength: 2048 });

/** A client data frame header: target optional, key present exactly for `latest`. */
const dataHeader = fc.record({ room: u16, cls, target: fc.option(u16, { nil: undefined }), key: fc.integer({ min: 0, max: 255 }) })
  .map((h) => ({ ...h, key: h.cls === DeliveryClass.Latest ? h.key : undefined }));
const deliverHeader = fc.record({ room: u16, cls, sender: u16, direct: fc.boolean(), key: fc.integer({ min: 0, max: 255 }) })
  .map((h) => ({ ...h, key: h.cls === DeliveryClass.Latest ? h.key : undefined }));

const requestId = fc.integer({ min: 0, max: 0xffff_ffff });
const text = (maxLength: number) => fc.string({ unit: 'grapheme', maxLength }).filter((s) => s.length <= maxLength);
const printableAscii = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
const roomName = fc.string({ unit: printableAscii, minLength: 1, maxLength: 128 });

/**
 * Presence: any JSON value, depth-limited so that messages stay within the 16-level MessagePack
 * bound. Keys never `__proto__` (the decoder renames that key, see malformed.test.ts); -0 is
 * normalised to 0 (JSON has no negative zero).
 */
const presence: fc.Arbitrary<Presence> = fc.letrec<{ value: Presence }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x + 0),
    text(24),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(text(12).filter((k) => k !== '__proto__'), tie('value'), { maxKeys: 5, noNullPrototype: true }),
  ),
})).value;

const opts = { noNullPrototype: true } as const;
const member = fc.record({ id: u16, presence }, opts);

const clientMessage: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({ type: fc.constant('hello' as const), id: requestId, v: fc.integer({ min: 0, max: 0xffff }), client: text(256) },
    { ...opts, requiredKeys: ['type', 'id', 'v'] }),
  fc.record({ type: fc.constant('join' as const), id: requestId, room: text(1024), presence },
    { ...opts, requiredKeys: ['type', 'id', 'room'] }),
  fc.record({ type: fc.constant('leave' as const), id: requestId, room: u16 }, opts),
  fc.record({ type: fc.constant('presence' as const), id: requestId, room: u16, presence }, opts),
  fc.record({ type: fc.constant('ping' as const), id: requestId }, opts),
);

const limits = fc.record({
  maxPayloadBytes: fc.nat(), maxControlBytes: fc.nat(), maxRoomsPerConnection: fc.nat(),
  maxMembersPerRoom: fc.nat(), maxPresenceBytes: fc.nat(),
  maxMessagesPerSec: fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }).map((x) => x + 0),
  idleTimeoutSec: fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }).map((x) => x + 0),
  burstMessages: fc.nat(),
  maxBytesPerSec: fc.nat(), maxKeysPerMember: fc.nat(),
  tickHz: fc.integer({ min: 1, max: 1000 }), minTickHz: fc.integer({ min: 1, max: 1000 }), maxTickHz: fc.integer({ min: 1, max: 1000 }),
}, opts);

const serverMessage: fc.Arbitrary<ServerMessage> = fc.oneof(
  fc.record({ type: fc.constant('welcome' as const), id: requestId, v: fc.maxSafeInteger(), session: text(256), limits }, opts),
  fc.record({
    type: fc.constant('joined' as const), id: requestId, room: roomName, handle: u16, self: u16,
    members: fc.array(member, { maxLength: 8 }),
  }, opts),
  fc.record({ type: fc.constant('ok' as const), id: requestId }, opts),
  fc.record({ type: fc.constant('pong' as const), id: requestId }, opts),
  fc.record({ type: fc.constant('member_joined' as const), room: u16, member }, opts),
  fc.record({ type: fc.constant('member_updated' as const), room: u16, member }, opts),
  fc.record({ type: fc.constant('member_left' as const), room: u16, member: u16 }, opts),
  fc.record({
    type: fc.constant('error' as const), id: requestId, code: fc.constantFrom(...ERROR_CODE_NAMES), message: text(1024), room: u16,
  }, { ...opts, requiredKeys: ['type', 'code', 'message'] }),
);

/** Bytes biased towards MessagePack type markers, so random input reaches deep into the scanner. */
const msgpackish = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom(0x80, 0x81, 0x82, 0x8f, 0x90, 0x91, 0x9f, 0xa0, 0xa4, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6,
      0xc7, 0xca, 0xcb, 0xcc, 0xcf, 0xd3, 0xd4, 0xd6, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xff, 0x00),
  ),
  { maxLength: 64 },
).map((xs) => Uint8Array.from(xs));

function withKind(kind: number, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(rest.length + 1);
  out[0] = kind;
  out.set(rest, 1);
  return out;
}

/** Runs every decoding entry point; any throw fails the property. */
function decodeEverything(input: Uint8Array): void {
  decodeClientFrame(input);
  decodeServerFrame(input);
  scanPlain(input);
  scanPlain(input, 1);
  readDataHeader(input);
}

// ---- round trips --------------------------------------------------------------------

describe('round trips', () => {
  test('data frames', () => {
    fc.assert(fc.property(dataHeader, payload, (h, p) => {
      const encoded = encodeData(h, p);
      const expected: DataFrame = { kind: 'data', room: h.room, cls: h.cls, target: h.target, key: h.key, payload: p };
      expect(decodeClientFrame(encoded)).toStrictEqual({ ok: true, frame: expected });
      expect(decodeServerFrame(encoded).ok).toBe(false);
    }), { numRuns: 500 });
  });

  test('deliver frames', () => {
    fc.assert(fc.property(deliverHeader, payload, (h, p) => {
      const encoded = encodeDeliver(h, p);
      const expected: DeliverFrame = { kind: 'deliver', room: h.room, cls: h.cls, sender: h.sender, direct: h.direct, key: h.key, payload: p };
      expect(decodeServerFrame(encoded)).toStrictEqual({ ok: true, frame: expected });
      expect(decodeClientFrame(encoded).ok).toBe(false);
    }), { numRuns: 500 });
  });

  test('client control messages', () => {
    fc.assert(fc.property(clientMessage, (m) => {
      const encoded = encodeControl(m);
      expect(scanPlain(encoded, 1).ok).toBe(true);
      expect(decodeClientFrame(encoded)).toStrictEqual({ ok: true, frame: { kind: 'control', message: m } });
      expect(decodeServerFrame(encoded).ok).toBe(false);
    }), { numRuns: 500 });
  });

  test('relay control messages', () => {
    fc.assert(fc.property(serverMessage, (m) => {
      const encoded = encodeControl(m);
      expect(scanPlain(encoded, 1).ok).toBe(true);
      expect(decodeServerFrame(encoded)).toStrictEqual({ ok: true, frame: { kind: 'control', message: m } });
      expect(decodeClientFrame(encoded).ok).toBe(false);
    }), { numRuns: 500 });
  });

  test('data and deliver frames have exactly one encoding: decoding then encoding gives the same bytes', () => {
    const frameBytes = fc.oneof(
      fc.tuple(fc.constant(2), fc.uint8Array({ minLength: 3, maxLength: 16 })),
      fc.tuple(fc.constant(3), fc.uint8Array({ minLength: 5, maxLength: 16 })),
    ).map(([kind, rest]) => withKind(kind, rest));
    fc.assert(fc.property(frameBytes, (input) => {
      for (const r of [decodeClientFrame(input), decodeServerFrame(input)]) {
        if (r.ok && r.frame.kind !== 'control') expect(encodeFrame(r.frame)).toStrictEqual(input);
      }
    }), { numRuns: 2000 });
  });
});

// ---- hostile input ------------------------------------------------------------------

describe('decoders never throw', () => {
  test('on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (input) => {
      decodeEverything(input);
    }), { numRuns: 5000 });
  });

  test('on random bytes after a valid frame kind (0x01, 0x02, 0x03)', () => {
    fc.assert(fc.property(fc.constantFrom(1, 2, 3), fc.uint8Array({ maxLength: 300 }), (kind, rest) => {
      decodeEverything(withKind(kind, rest));
    }), { numRuns: 5000 });
  });

  test('on MessagePack-shaped control frames; what passes the scan never makes msgpackr throw', () => {
    fc.assert(fc.property(msgpackish, (body) => {
      const input = withKind(1, body);
      decodeEverything(input);
      if (scanPlain(input, 1).ok) {
        // The scan admitted it, so only the schema may refuse it: a `bad_frame` here would mean
        // msgpackr threw on bytes the guard let through.
        const r = decodeClientFrame(input);
        if (!r.ok) expect(r.error.code).toBe('bad_message');
      }
    }), { numRuns: 5000 });
  });

  test('on valid vectors with bits flipped', () => {
    const flipped = fc.integer({ min: 0, max: VECTORS.length - 1 }).chain((i) => {
      const original = bytes(VECTORS[i]!.hex);
      return fc.array(fc.integer({ min: 0, max: original.length * 8 - 1 }), { minLength: 1, maxLength: 4 }).map((bits) => {
        const copy = original.slice();
        for (const bit of bits) copy[bit >> 3]! ^= 1 << (bit & 7);
        return copy;
      });
    });
    fc.assert(fc.property(flipped, (input) => {
      decodeEverything(input);
      // Whatever decodes must survive a re-encode/decode cycle unchanged.
      for (const [decode, r] of [[decodeClientFrame, decodeClientFrame(input)], [decodeServerFrame, decodeServerFrame(input)]] as const) {
        if (r.ok) expect(decode(encodeFrame(r.frame))).toStrictEqual(r);
      }
    }), { numRuns: 5000 });
  });

  test('do not pollute Object.prototype while fuzzing', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    fc.assert(fc.property(msgpackish, (body) => {
      decodeEverything(withKind(1, body));
    }), { numRuns: 2000 });
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});

// ---- relay hot path ---------------------------------------------------------------

describe('deliverFromData', () => {
  test('equals encodeDeliver byte for byte, and the payload is byte-identical', () => {
    fc.assert(fc.property(dataHeader, payload, u16, fc.nat({ max: 16 }), (h, p, sender, offset) => {
      // Place the data frame inside a larger buffer, as a socket library hands out views.
      const data = encodeData(h, p);
      const backing = new Uint8Array(offset + data.length + 3).fill(0xee);
      backing.set(data, offset);
      const view = backing.subarray(offset, offset + data.length);

      const header = readDataHeader(view);
      expect(header.ok).toBe(true);
      if (!header.ok) return;
      const out = deliverFromData(view, header.header, sender);
      const expected = encodeDeliver({ room: h.room, cls: h.cls, sender, direct: h.target !== undefined, key: h.key }, p);
      expect(out).toStrictEqual(expected);

      const decoded = decodeServerFrame(out);
      expect(decoded.ok).toBe(true);
      if (decoded.ok && decoded.frame.kind === 'deliver') {
        expect(decoded.frame.payload).toStrictEqual(p);
        expect(decoded.frame.sender).toBe(sender);
      }
      // The output owns its bytes: changing the input afterwards does not change it.
      backing.fill(0);
      expect(out).toStrictEqual(expected);
    }), { numRuns: 500 });
  });
});
