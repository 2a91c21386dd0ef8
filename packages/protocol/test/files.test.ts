// The file-transfer convention (PROTOCOL.md appendix B): every vector encodes to its pinned hex and
// decodes back, the appendix cites each vector's hex, malformed messages decode to undefined, and
// no prefix of a vector throws.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  FILE_CHUNK_HEADER_BYTES, FileCancelReason, decodeFileMessage, encodeFileCancel, encodeFileChunk, encodeFileStart,
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
