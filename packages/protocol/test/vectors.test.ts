// Every test vector both ways: encoding its value gives exactly its bytes, decoding its bytes
// with the right decoder gives exactly its value (and the other decoder refuses it).
import { describe, expect, test } from 'vitest';
import {
  clientMessageSchema, decodeClientFrame, decodeServerFrame, readDataHeader, serverMessageSchema,
} from '@roomcast/protocol';
import { VECTORS, bytes, encodeFrame, toHex } from './vectors.js';

function decode(side: 'client' | 'server', input: Uint8Array) {
  return side === 'client' ? decodeClientFrame(input) : decodeServerFrame(input);
}

describe.each(VECTORS.map((v) => [v.name, v] as const))('vector %s', (_name, v) => {
  test('encodes to the pinned bytes', () => {
    expect(toHex(encodeFrame(v.value))).toBe(v.hex);
  });

  test('decodes to the pinned value', () => {
    const result = decode(v.decoder, bytes(v.hex));
    expect(result).toStrictEqual({ ok: true, frame: v.value });
  });

  test('is refused by the decoder of the other side', () => {
    // Control frames are shared by both directions, but each side accepts only its own message types.
    const other = decode(v.decoder === 'client' ? 'server' : 'client', bytes(v.hex));
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.error.code).toBe(v.value.kind === 'control' ? 'bad_message' : 'bad_frame');
  });
});

describe('vector table', () => {
  test('names are unique', () => {
    const names = VECTORS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
  });

  test('covers every control message type in its own direction', () => {
    const clientTypes = clientMessageSchema.options.map((o) => o.shape.type.value);
    const serverTypes = serverMessageSchema.options.map((o) => o.shape.type.value);
    const covered = (side: 'client' | 'server') => new Set(
      VECTORS.filter((v) => v.decoder === side && v.value.kind === 'control')
        .map((v) => (v.value.kind === 'control' ? v.value.message.type : '')),
    );
    expect([...covered('client')].sort()).toEqual([...clientTypes].sort());
    expect([...covered('server')].sort()).toEqual([...serverTypes].sort());
  });

  test('covers every frame kind and every delivery class of data and deliver frames', () => {
    const kinds = new Set(VECTORS.map((v) => v.hex.slice(0, 2)));
    expect([...kinds].sort()).toEqual(['01', '02', '03', '04']);
    for (const kind of ['data', 'deliver'] as const) {
      const frames = VECTORS.map((v) => v.value).filter((f) => f.kind === kind);
      expect(new Set(frames.map((f) => (f.kind === kind ? f.cls : -1)))).toEqual(new Set([0, 1, 2]));
    }
  });

  test('data vectors expose the same header through readDataHeader', () => {
    for (const v of VECTORS) {
      if (v.value.kind !== 'data') continue;
      const h = readDataHeader(bytes(v.hex));
      expect(h).toStrictEqual({
        ok: true,
        header: {
          room: v.value.room,
          cls: v.value.cls,
          target: v.value.target ?? 0,
          key: v.value.key ?? 0,
          group: v.value.group ?? 0,
          payloadOffset: bytes(v.hex).length - v.value.payload.length,
        },
      });
    }
  });

  test('the worked example of PROTOCOL.md', () => {
    // hello → join "lobby" {"name":"Ada"} → data 01 02 03 to handle 1 → deliver from sender 1
    const find = (name: string) => VECTORS.find((v) => v.name === name)!.hex;
    expect(find('hello')).toBe('0184a474797065a568656c6c6fa2696401a17601a6636c69656e74b1726f6f6d636173742d6a732f302e312e30');
    expect(find('join_presence')).toBe('0184a474797065a46a6f696ea2696402a4726f6f6da56c6f626279a870726573656e636581a46e616d65a3416461');
    expect(find('data_reliable')).toBe('02000001010203');
    expect(find('deliver_reliable')).toBe('030000010001010203');
  });
});
