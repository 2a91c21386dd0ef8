// The file-transfer convention (PROTOCOL.md appendix B): every vector encodes to its pinned hex and
// decodes back, the appendix cites each vector's hex, malformed messages decode to undefined, and
// no prefix of a vector throws.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  FILE_CHUNK_HEADER_BYTES, FILE_MAGIC, FileCancelReason, decodeFileMessage, encodeFileCancel, encodeFileChunk, encodeFileStart,
  isFileMessage, type FileMessage,
} from '@roomcast/protocol/files';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

const VECTORS: { name: string; value: FileMessage; encode: () => Uint8Array; hex: string }[] = [
  {
    name: 'file_start', value: { op: 'start', id: 7, size: 5, name: 'a.txt', type: 'text/plain' },
    encode: () => encodeFileStart(7, 5, 'a.txt', 'text/plain'),
    hex: '52434601010000000700000000000000050005612e7478740a746578742f706c61696e',
  },
  {
    name: 'file_start_empty', value: { op: 'start', id: 0x01020304, size: 0, name: '', type: '' },
    encode: () => encodeFileStart(0x01020304, 0, '', ''),
    hex: '5243460101010203040000000000000000000000',
  },
  {
    name: 'file_chunk', value: { op: 'chunk', id: 7, offset: 0, data: bytes('68656c6c6f') },
    encode: () => encodeFileChunk(7, 0, bytes('68656c6c6f')),
    hex: '524346010200000007000000000000000068656c6c6f',
  },
  {
    name: 'file_chunk_offset', value: { op: 'chunk', id: 7, offset: 2 ** 32 + 16367, data: bytes('ff') },
    encode: () => encodeFileChunk(7, 2 ** 32 + 16367, bytes('ff')),
    hex: '5243460102000000070000000100003fefff',
  },
  {
    name: 'file_cancel', value: { op: 'cancel', id: 7, reason: FileCancelReason.Cancelled },
    encode: () => encodeFileCancel(7, FileCancelReason.Cancelled), hex: '52434601030000000701',
  },
  {
    name: 'file_decline', value: { op: 'cancel', id: 7, reason: FileCancelReason.Declined },
    encode: () => encodeFileCancel(7, FileCancelReason.Declined), hex: '52434601030000000702',
  },
  {
    name: 'file_failed', value: { op: 'cancel', id: 7, reason: FileCancelReason.Failed },
    encode: () => encodeFileCancel(7, FileCancelReason.Failed), hex: '52434601030000000703',
  },
];

const MALFORMED: { why: string; hex: string }[] = [
  { why: 'not the magic', hex: '5243460201000000070000000000000005' },
  { why: 'magic only', hex: '52434601' },
  { why: 'unknown op 4', hex: '52434601040000000701' },
  { why: 'op 0', hex: '52434601000000000701' },
  { why: 'start without size', hex: '524346010100000007' },
  { why: 'start: name longer than the message', hex: '52434601010000000700000000000000050009612e7478740a' },
  { why: 'start: bytes after the type', hex: '5243460101010203040000000000000000000000ff' },
  { why: 'start: name length above 1024', hex: '524346010100000007000000000000000504010000' },
  { why: 'size above 2^53 - 1', hex: '5243460101000000070020000000000000000000' },
  { why: 'chunk without a full offset', hex: '52434601020000000700000000' },
  { why: 'cancel reason 0', hex: '52434601030000000700' },
  { why: 'cancel reason 4', hex: '52434601030000000704' },
  { why: 'cancel with a trailing byte', hex: '5243460103000000070100' },
];

describe('file messages (appendix B)', () => {
  test.each(VECTORS)('$name encodes to its pinned hex and decodes back', (v) => {
    expect(hex(v.encode())).toBe(v.hex);
    expect(isFileMessage(bytes(v.hex))).toBe(true);
    expect(decodeFileMessage(bytes(v.hex))).toEqual(v.value);
  });

  test('a chunk header is 17 bytes', () => {
    expect(encodeFileChunk(1, 0, new Uint8Array(0)).length).toBe(FILE_CHUNK_HEADER_BYTES);
  });

  test.each(MALFORMED)('$why decodes to undefined', ({ hex: h }) => {
    expect(decodeFileMessage(bytes(h))).toBeUndefined();
  });

  test('no prefix of a vector throws; every proper prefix of a start or cancel is refused', () => {
    for (const v of VECTORS) {
      const full = bytes(v.hex);
      for (let n = 0; n < full.length; n++) {
        const got = decodeFileMessage(full.subarray(0, n));
        if (v.value.op !== 'chunk' || n < FILE_CHUNK_HEADER_BYTES) expect(got, `${v.name}[0..${n}]`).toBeUndefined();
      }
    }
  });

  test('the encoders refuse what the format cannot carry', () => {
    expect(() => encodeFileStart(1, 2 ** 53, 'x', '')).toThrow(RangeError);
    expect(() => encodeFileStart(1, 1, 'x'.repeat(1025), '')).toThrow(RangeError);
    expect(() => encodeFileStart(1, 1, 'x', 't'.repeat(256))).toThrow(RangeError);
    expect(() => encodeFileChunk(2 ** 32, 0, new Uint8Array(1))).toThrow(RangeError);
  });

  test('PROTOCOL.md appendix B cites every vector with its pinned hex', () => {
    const spec = readFileSync(new URL('../PROTOCOL.md', import.meta.url), 'utf8');
    const appendix = spec.slice(spec.indexOf('\n## Appendix B'));
    expect(appendix.length).toBeGreaterThan(100);
    for (const v of VECTORS) {
      const row = appendix.split('\n').find((line) => line.startsWith(`| \`${v.name}\` |`));
      expect(row, v.name).toBeDefined();
      expect(row).toContain(`\`${v.hex}\``);
    }
  });
});

describe('file messages at the edges of their fields', () => {
  test('transfer ids 0 and 2^32 - 1 encode; anything else is refused, naming the id', () => {
    expect(hex(encodeFileCancel(0, FileCancelReason.Cancelled))).toBe('52434601030000000001');
    expect(hex(encodeFileCancel(0xffff_ffff, FileCancelReason.Declined))).toBe('5243460103ffffffff02');
    expect(decodeFileMessage(encodeFileCancel(0xffff_ffff, FileCancelReason.Declined))).toEqual({ op: 'cancel', id: 0xffff_ffff, reason: 2 });
    for (const id of [-1, 1.5, Number.NaN, 2 ** 32]) {
      expect(() => encodeFileCancel(id, FileCancelReason.Cancelled)).toThrow(new RangeError(`transfer id must be a u32 (got ${id})`));
    }
  });

  test('sizes and offsets 0..2^53 - 1 encode; negative or fractional ones are refused, naming the value', () => {
    expect(hex(encodeFileChunk(1, 2 ** 53 - 1, new Uint8Array(0)))).toBe('524346010200000001001fffffffffffff');
    expect(decodeFileMessage(encodeFileStart(1, 2 ** 53 - 1, '', ''))).toEqual({ op: 'start', id: 1, size: 2 ** 53 - 1, name: '', type: '' });
    for (const value of [-1, 0.5, 2 ** 53]) {
      const message = `size/offset must be a safe non-negative integer (got ${value})`;
      expect(() => encodeFileStart(1, value, 'x', '')).toThrow(new RangeError(message));
      expect(() => encodeFileChunk(1, value, new Uint8Array(1))).toThrow(new RangeError(message));
    }
  });

  test('a name of 1024 UTF-8 bytes and a type of 255 fit; one byte more is refused with the byte count', () => {
    const name = 'é'.repeat(512);
    const type = 't'.repeat(255);
    expect(decodeFileMessage(encodeFileStart(3, 9, name, type))).toEqual({ op: 'start', id: 3, size: 9, name, type });
    expect(() => encodeFileStart(3, 9, `${name}x`, '')).toThrow(new RangeError('file name is 1025 bytes in UTF-8; at most 1024'));
    expect(() => encodeFileStart(3, 9, '', `${type}é`)).toThrow(new RangeError('file type is 257 bytes in UTF-8; at most 255'));
  });

  test('a start whose name length says 1025 is refused even when all its bytes are there', () => {
    const start = bytes(`5243460101000000070000000000000005${'0401'}${'78'.repeat(1025)}00`);
    expect(start.length).toBe(20 + 1025);
    expect(decodeFileMessage(start)).toBeUndefined();
    const at1024 = bytes(`5243460101000000070000000000000005${'0400'}${'78'.repeat(1024)}00`);
    expect(decodeFileMessage(at1024)).toEqual({ op: 'start', id: 7, size: 5, name: 'x'.repeat(1024), type: '' });
  });

  test('a chunk of no data (exactly the 17-byte header) decodes', () => {
    expect(decodeFileMessage(encodeFileChunk(7, 3, new Uint8Array(0)))).toEqual({ op: 'chunk', id: 7, offset: 3, data: new Uint8Array(0) });
  });

  test('isFileMessage: exactly the 4 magic bytes, each one checked', () => {
    expect(isFileMessage(FILE_MAGIC)).toBe(true);
    expect(isFileMessage(FILE_MAGIC.subarray(0, 3))).toBe(false);
    expect(isFileMessage(new Uint8Array(0))).toBe(false);
    for (let i = 0; i < 4; i++) {
      const wrong = Uint8Array.from([...FILE_MAGIC, 0x01]);
      wrong[i]! ^= 0x20;
      expect(isFileMessage(wrong), `byte ${i}`).toBe(false);
    }
  });
});
