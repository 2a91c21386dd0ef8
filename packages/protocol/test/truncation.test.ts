// Every strict prefix of every vector: the decoders never throw. A control frame is one complete
// MessagePack map, so every strict prefix fails. A data/deliver frame has no length field: a prefix
// that still holds the whole header is a valid frame with a shorter payload; shorter prefixes fail.
import { describe, expect, test } from 'vitest';
import {
  BATCH_HEADER_BYTES, DATA_HEADER_BYTES, DELIVER_HEADER_BYTES, DeliveryClass, GROUP_ID_BYTES, KEY_BYTES, MEMBER_ID_BYTES, batchEntrySize,
  decodeClientFrame, decodeServerFrame, readDataHeader, scanPlain,
} from '@roomcast/protocol';
import { VECTORS, bytes, toHex } from './vectors.js';

/** Header length of a data or deliver frame value (where its payload starts). */
function headerLength(frame: (typeof VECTORS)[number]['value']): number {
  if (frame.kind === 'batch') return BATCH_HEADER_BYTES + (frame.group !== undefined ? GROUP_ID_BYTES : 0);
  const key = frame.kind !== 'control' && frame.cls === DeliveryClass.Latest ? KEY_BYTES : 0;
  if (frame.kind === 'data') return DATA_HEADER_BYTES + (frame.target !== undefined ? MEMBER_ID_BYTES : 0) + (frame.group !== undefined ? GROUP_ID_BYTES : 0) + key;
  if (frame.kind === 'deliver') return DELIVER_HEADER_BYTES + key;
  return Number.POSITIVE_INFINITY;
}

describe.each(VECTORS.map((v) => [v.name, v] as const))('prefixes of %s', (_name, v) => {
  const full = bytes(v.hex);
  const decode = v.decoder === 'client' ? decodeClientFrame : decodeServerFrame;
  const other = v.decoder === 'client' ? decodeServerFrame : decodeClientFrame;
  const header = headerLength(v.value);

  test('never throw, on either decoder', () => {
    for (let n = 0; n < full.length; n++) {
      const prefix = full.slice(0, n);
      expect(() => decode(prefix)).not.toThrow();
      expect(() => other(prefix)).not.toThrow();
      expect(() => scanPlain(prefix, 1)).not.toThrow();
      if (v.value.kind === 'data') expect(() => readDataHeader(prefix)).not.toThrow();
    }
  });

  test('fail when shorter than a complete frame or header, else decode to a shorter payload', () => {
    for (let n = 0; n < full.length; n++) {
      const prefix = full.slice(0, n);
      const result = decode(prefix);
      if (v.value.kind === 'control') {
        expect(result, `prefix of ${n} bytes`).toStrictEqual({ ok: false, error: { code: 'bad_frame', message: expect.any(String) } });
        if (n >= 1) expect(scanPlain(prefix, 1).ok, `scan of ${n} bytes`).toBe(false);
      } else if (v.value.kind === 'batch') {
        // A batch has no count: a prefix cut between entries is a valid batch with fewer
        // entries; a prefix cut inside an entry fails.
        if (n < header || !result.ok) {
          expect(result, `prefix of ${n} bytes`).toStrictEqual({ ok: false, error: { code: 'bad_frame', message: expect.any(String) } });
        } else {
          const got = result.frame.kind === 'batch' ? result.frame.entries : [];
          expect(got).toStrictEqual(v.value.entries.slice(0, got.length));
          expect(n).toBe(toHex(full).length / 2 - v.value.entries.slice(got.length).reduce((sum, e) => sum + batchEntrySize(e.sender, e.payload.length), 0));
        }
      } else if (n < header) {
        expect(result, `prefix of ${n} bytes`).toStrictEqual({ ok: false, error: { code: 'bad_frame', message: expect.any(String) } });
      } else {
        expect(result, `prefix of ${n} bytes`).toStrictEqual({
          ok: true,
          frame: { ...v.value, payload: v.value.payload.subarray(0, n - header) },
        });
      }
    }
  });
});

test('data and deliver vectors are exactly header + payload (the header lengths above are right)', () => {
  for (const v of VECTORS) {
    if (v.value.kind === 'control' || v.value.kind === 'batch') continue;
    expect(bytes(v.hex).length).toBe(headerLength(v.value) + v.value.payload.length);
  }
});
