// Length-prefixed stream framing (PROTOCOL.md appendix A): the stream vectors cited in the spec,
// reassembly across any segmentation, and the length checks made before any allocation.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FrameStreamReader, STREAM_PREFIX_BYTES, lengthPrefixed } from '@roomcast/protocol';
import { bytes, toHex, vector } from './vectors.js';

const spec = readFileSync(new URL('../PROTOCOL.md', import.meta.url), 'utf8');

/** Stream vectors: name → frames (by vector name, or raw hex for the error cases) and pinned hex. */
const STREAM_VECTORS: Record<string, { frames: string[]; hex: string }> = {
  tcp_hello: { frames: ['hello'], hex: '0000002d0184a474797065a568656c6c6fa2696401a17601a6636c69656e74b1726f6f6d636173742d6a732f302e312e30' },
  tcp_data: { frames: ['data_reliable'], hex: '0000000702000001010203' },
  tcp_two_data: { frames: ['data_reliable', 'data_reliable'], hex: '00000007020000010102030000000702000001010203' },
  tcp_deliver: { frames: ['deliver_reliable'], hex: '00000009030000010001010203' },
  tcp_heartbeat: { frames: ['heartbeat'], hex: '000000110181a474797065a9686561727462656174' },
  tcp_ping: { frames: ['ping'], hex: '000000100182a474797065a470696e67a2696405' },
  tcp_close: { frames: ['close_going_away'], hex: '000000300183a474797065a5636c6f7365a4636f6465cd03e9a6726561736f6eb372656c6179207368757474696e6720646f776e' },
};

/** Feeds `chunks` to a reader; returns the frames (as hex) and the error, if any. */
function read(chunks: Uint8Array[], max = 1 << 20): { frames: string[]; error?: string } {
  const reader = new FrameStreamReader(max);
  const frames: string[] = [];
  for (const chunk of chunks) {
    const err = reader.push(chunk, (f) => { frames.push(toHex(f)); });
    if (err) return { frames, error: err.message };
  }
  return { frames };
}

describe('stream vectors', () => {
  test.each(Object.entries(STREAM_VECTORS))('%s: prefixing the frames gives the pinned bytes, reading gives them back', (_name, v) => {
    const frames = v.frames.map((name) => bytes(vector(name).hex));
    expect(frames.map((f) => toHex(lengthPrefixed(f))).join('')).toBe(v.hex);
    expect(read([bytes(v.hex)]).frames).toEqual(frames.map(toHex));
  });

  test('PROTOCOL.md appendix A.7 cites exactly these vectors', () => {
    const cited = Object.fromEntries([...spec.matchAll(/^\| `(tcp_[a-z_]+)` \|.*\| `([0-9a-f]+)` \|$/gm)].map((m) => [m[1], m[2]]));
    expect(cited).toEqual({
      ...Object.fromEntries(Object.entries(STREAM_VECTORS).map(([name, v]) => [name, v.hex])),
      tcp_empty: '00000000',
      tcp_too_large: 'ffffffff',
    });
  });
});

describe('FrameStreamReader', () => {
  const stream = bytes(STREAM_VECTORS.tcp_hello!.hex + STREAM_VECTORS.tcp_two_data!.hex + STREAM_VECTORS.tcp_close!.hex);
  const whole = read([stream]).frames;

  test('a stream cut at every byte boundary gives the same frames', () => {
    expect(whole).toHaveLength(4);
    for (let cut = 1; cut < stream.length; cut++) {
      expect(read([stream.subarray(0, cut), stream.subarray(cut)]).frames).toEqual(whole);
    }
    expect(read([...stream].map((b) => Uint8Array.of(b))).frames).toEqual(whole);
  });

  test('fast-check: any segmentation gives the same frames', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 })), (cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
      const chunks = points.slice(1).map((end, i) => stream.subarray(points[i], end));
      expect(read(chunks).frames).toEqual(whole);
    }));
  });

  test('fast-check: random frames survive prefixing and random segmentation', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }),
      (frames, sizes) => {
        const all = Buffer.concat(frames.map(lengthPrefixed));
        const chunks: Uint8Array[] = [];
        for (let at = 0, i = 0; at < all.length; i++) {
          const n = sizes[i % sizes.length]!;
          chunks.push(all.subarray(at, at + n));
          at += n;
        }
        expect(read(chunks).frames).toEqual(frames.map(toHex));
      },
    ));
  });

  test('frames inside one chunk are views of it (no copy)', () => {
    const chunk = bytes(STREAM_VECTORS.tcp_data!.hex);
    let seen: Uint8Array | undefined;
    new FrameStreamReader(100).push(chunk, (f) => { seen = f; });
    expect(seen!.buffer).toBe(chunk.buffer);
    expect(seen!.byteOffset).toBe(STREAM_PREFIX_BYTES);
  });

  test('a zero length is an empty frame and the stream goes on', () => {
    expect(read([bytes('00000000' + STREAM_VECTORS.tcp_data!.hex)]).frames).toEqual(['', '02000001010203']);
  });

  test('a length above the cap is an error after the 4 prefix bytes, sticky, with nothing allocated', () => {
    const reader = new FrameStreamReader(16391);
    const frames: Uint8Array[] = [];
    expect(reader.push(bytes('ffff'), (f) => { frames.push(f); })).toBeUndefined();
    const err = reader.push(bytes('ffff'), (f) => { frames.push(f); });
    expect(err).toEqual({ code: 'frame_too_large', length: 0xffffffff, message: 'length prefix of 4294967295 bytes is above the frame cap of 16391' });
    expect(reader.pendingBytes).toBe(0);
    expect(reader.heldBytes).toBe(0);
    expect(reader.push(bytes(STREAM_VECTORS.tcp_data!.hex), (f) => { frames.push(f); })).toBe(err);
    expect(frames).toEqual([]);
    // Exactly at the cap is fine; one above is not.
    expect(read([bytes('00000002' + '0102')], 2).frames).toEqual(['0102']);
    expect(read([bytes('00000003')], 2).error).toContain('length prefix of 3 bytes');
  });

  test('onFrame returning false stops the chunk (the connection closed)', () => {
    const reader = new FrameStreamReader(100);
    const frames: string[] = [];
    reader.push(bytes(STREAM_VECTORS.tcp_two_data!.hex), (f) => { frames.push(toHex(f)); return false; });
    expect(frames).toEqual(['02000001010203']);
  });

  test('onFrame returning false stops the chunk after a frame assembled across chunks too', () => {
    const reader = new FrameStreamReader(100);
    const frames: string[] = [];
    const onFrame = (f: Uint8Array): boolean => { frames.push(toHex(f)); return false; };
    reader.push(bytes('0000000702'), onFrame); // prefix and the first body byte
    expect(frames).toEqual([]);
    reader.push(bytes('000001010203' + '0000000702000001010203'), onFrame); // the rest, and a whole second frame
    expect(frames).toEqual(['02000001010203']);
  });

  test('a partial frame holds exactly what arrived', () => {
    const reader = new FrameStreamReader(100);
    expect(reader.partial).toBe(false);
    reader.push(bytes('000000'), () => {});
    expect(reader.pendingBytes).toBe(3);
    expect(reader.partial).toBe(true);
    reader.push(bytes('070200'), () => {});
    expect(reader.pendingBytes).toBe(2);
    expect(reader.partial).toBe(true);
    reader.push(bytes('0001010203'), () => {});
    expect(reader.partial).toBe(false);
    expect(reader.heldBytes).toBe(0);
  });

  test('a split frame\'s buffer: twice what arrived with the prefix, unchanged while it fits, then doubled or to the fill', () => {
    const claim = 10_000;
    const body = Uint8Array.from({ length: claim }, (_, i) => (i * 13) % 251);
    const reader = new FrameStreamReader(claim);
    const frames: Uint8Array[] = [];
    const onFrame = (f: Uint8Array): void => { frames.push(f.slice()); };
    reader.push(Uint8Array.from([0, 0, 0x27, 0x10, ...body.subarray(0, 200)]), onFrame);
    const held = [reader.heldBytes];
    for (const [from, to] of [[200, 400], [400, 401], [401, 5401]]) {
      reader.push(body.subarray(from, to), onFrame);
      held.push(reader.heldBytes);
    }
    // 2 x 200; exactly full at 400 (no growth); 401 doubles to 800; 5401 is past double, so the fill.
    expect(held).toEqual([400, 400, 800, 5401]);
    reader.push(body.subarray(5401), onFrame);
    expect(frames).toEqual([body]);
    expect(reader.heldBytes).toBe(0);
  });

  test('the buffer of a split frame grows with the bytes that arrived, not with the claimed length', () => {
    // A 16,391-byte claim (the default frame cap) trickled in: what is allocated follows what arrived.
    const claim = 16391;
    const body = Uint8Array.from({ length: claim }, (_, i) => (i * 7) % 251);
    const reader = new FrameStreamReader(claim);
    const frames: Uint8Array[] = [];
    const onFrame = (f: Uint8Array): void => { frames.push(f.slice()); };
    reader.push(Uint8Array.of(0, 0, 0x40, 0x07, body[0]!), onFrame);
    expect(reader.heldBytes).toBe(256);
    let arrived = 1;
    for (const size of [1, 100, 300, 1000, 5000]) {
      reader.push(body.subarray(arrived, arrived + size), onFrame);
      arrived += size;
      expect(reader.pendingBytes).toBe(arrived);
      expect(reader.heldBytes).toBeLessThanOrEqual(Math.max(256, 2 * arrived));
      expect(reader.heldBytes).toBeGreaterThanOrEqual(arrived);
    }
    reader.push(body.subarray(arrived), onFrame);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toEqual(body);
    expect(reader.heldBytes).toBe(0);
  });
});
