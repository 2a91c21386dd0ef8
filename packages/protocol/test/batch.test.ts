// Batch frames (kind 0x04, PROTOCOL.md §4.4): every MUST-refuse rule with its exact message, the
// varint length limit at its edge, and the encoder's bytes at each varint size boundary.
import { describe, expect, it } from 'vitest';
import { batchEntrySize, decodeBatch, decodeServerFrame, encodeBatch, varintSize } from '../src/index.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** decodeServerFrame must refuse `hex` with bad_frame and exactly `message`. */
function refused(hex: string, message: string): void {
  expect(decodeBatch(bytes(hex))).toEqual({ ok: false, message });
  expect(decodeServerFrame(bytes(hex))).toEqual({ ok: false, error: { code: 'bad_frame', message } });
}

describe('batch decoder: MUST refuse (PROTOCOL.md §4.4)', () => {
  it('refuses a group flag without its 2-byte group id, and group id 0', () => {
    refused('04110001', 'batch group id truncated');
    refused('0411000105', 'batch group id truncated');
    refused('041100010000', 'group id 0 is not valid');
  });

  it('refuses a sender varint of 5 bytes (at most 4), and accepts the same value in 4', () => {
    // 1 written non-minimally: 81 80 80 00 (4 bytes, allowed), 81 80 80 80 00 (5 bytes, refused).
    expect(decodeBatch(bytes('04010001' + '81808000' + '00' + '01' + 'aa'))).toMatchObject({
      ok: true, frame: { entries: [{ sender: 1, key: 0, payload: bytes('aa') }] },
    });
    refused('04010001' + '8180808000' + '00' + '01' + 'aa', 'batch entry 0: sender truncated or too long');
  });

  it('refuses a length varint of 5 bytes (at most 4), and accepts the same value in 4', () => {
    expect(decodeBatch(bytes('04010001' + '01' + '00' + '81808000' + 'aa'))).toMatchObject({
      ok: true, frame: { entries: [{ sender: 1, key: 0, payload: bytes('aa') }] },
    });
    refused('04010001' + '01' + '00' + '8180808000' + 'aa', 'batch entry 0: length truncated or too long');
  });

  it('a 4-byte varint carries 28 bits: length 2^28-1 is read (then refused as past the end)', () => {
    refused('04010001' + '01' + '00' + 'ffffff7f', 'batch entry 0: payload truncated (268435455 bytes claimed)');
  });

  it.each(['04', '20', '40', '80'])('refuses the reserved batch flag bit 0x%s (mask 0xe4)', (bit) => {
    const flags = (0x01 | Number.parseInt(bit, 16)).toString(16).padStart(2, '0');
    refused(`04${flags}0001`, `reserved batch flag bits set (flags 0x${flags})`);
  });

  it('accepts the snapshot bit (0x08), which is not reserved', () => {
    expect(decodeBatch(bytes('04090001'))).toEqual({ ok: true, frame: { kind: 'batch', room: 1, snapshot: true, entries: [] } });
    expect(decodeBatch(bytes('04010001'))).toEqual({ ok: true, frame: { kind: 'batch', room: 1, snapshot: false, entries: [] } });
  });

  it.each(['00', '02', '03', '08', '0a'])('refuses class bits other than 1 (flags %s)', (flags) => {
    refused(`04${flags}0001`, 'batch frames carry the latest class (1)');
  });

  it.each([[1, '04'], [2, '0401'], [3, '040100']])('refuses a header of %d bytes', (n, hex) => {
    refused(hex, `batch frame header truncated (${n} of 4 bytes)`);
  });

  it('refuses room handle 0, reads a two-byte room handle big-endian', () => {
    refused('04010000', 'room handle 0 is not valid');
    expect(decodeBatch(bytes('0401ff01'))).toMatchObject({ ok: true, frame: { room: 0xff01 } });
    expect(decodeBatch(bytes('04010100'))).toMatchObject({ ok: true, frame: { room: 0x0100 } });
  });

  it('refuses sender 0 and senders above 65535; accepts 65535', () => {
    refused('04010001' + '00' + '00' + '00', 'batch entry 0: sender 0 out of range');
    refused('04010001' + '808004' + '00' + '00', 'batch entry 0: sender 65536 out of range');
    expect(decodeBatch(bytes('04010001' + 'ffff03' + '07' + '00'))).toMatchObject({
      ok: true, frame: { entries: [{ sender: 65535, key: 7, payload: new Uint8Array(0) }] },
    });
  });

  it('refuses truncation inside an entry, naming the entry', () => {
    refused('04010001' + '0100' + '00' + '80', 'batch entry 1: sender truncated or too long');
    refused('04010001' + '01', 'batch entry 0: key truncated');
    refused('04010001' + '0100', 'batch entry 0: length truncated or too long');
    refused('04010001' + '010080', 'batch entry 0: length truncated or too long');
    refused('04010001' + '010002' + 'aa', 'batch entry 0: payload truncated (2 bytes claimed)');
  });

  it('reads entries back to back, payloads exactly as long as claimed', () => {
    expect(decodeBatch(bytes('04010001' + '010002aabb' + '020100' + '03ff01cc'))).toEqual({
      ok: true,
      frame: {
        kind: 'batch', room: 1, snapshot: false,
        entries: [
          { sender: 1, key: 0, payload: bytes('aabb') },
          { sender: 2, key: 1, payload: new Uint8Array(0) },
          { sender: 3, key: 0xff, payload: bytes('cc') },
        ],
      },
    });
  });
});

describe('batch encoder', () => {
  it.each([
    [0, 1], [1, 1], [127, 1], [128, 2], [16383, 2], [16384, 3], [65535, 3], [2 ** 21 - 1, 3], [2 ** 21, 4], [2 ** 28 - 1, 4],
  ])('varintSize(%d) = %d', (n, size) => {
    expect(varintSize(n)).toBe(size);
  });

  it('batchEntrySize = sender varint + key + length varint + payload', () => {
    expect(batchEntrySize(1, 3)).toBe(6);
    expect(batchEntrySize(128, 128)).toBe(2 + 1 + 2 + 128);
    expect(batchEntrySize(65535, 16384)).toBe(3 + 1 + 3 + 16384);
  });

  it('writes varints least significant group first, at each size boundary', () => {
    const entries = [
      { sender: 127, key: 1, payload: bytes('01') },
      { sender: 128, key: 2, payload: new Uint8Array(0) },
      { sender: 16384, key: 3, payload: bytes('0203') },
      { sender: 65535, key: 4, payload: new Uint8Array(0) },
    ];
    expect(toHex(encodeBatch(0x1234, entries))).toBe('04011234' + '7f010101' + '80010200' + '80800103020203' + 'ffff030400');
  });

  it('writes a 128-byte payload with a two-byte length and the payload after it', () => {
    const payload = Uint8Array.from({ length: 128 }, (_, i) => i);
    const frame = encodeBatch(1, [{ sender: 1, key: 0, payload }]);
    expect(toHex(frame.subarray(0, 8))).toBe('04010001' + '01' + '00' + '8001');
    expect(toHex(frame.subarray(8))).toBe(toHex(payload));
    expect(frame.length).toBe(4 + batchEntrySize(1, 128));
  });

  it('sets the snapshot flag only when asked, and takes any iterable of entries', () => {
    const entries = new Map([[1, { sender: 1, key: 0, payload: bytes('aa') }]]).values();
    expect(toHex(encodeBatch(1, entries, true))).toBe('04090001' + '010001aa');
    expect(toHex(encodeBatch(1, []))).toBe('04010001');
  });

  it('round-trips through the decoder', () => {
    const entries = [
      { sender: 300, key: 2, payload: new Uint8Array(0) },
      { sender: 5, key: 9, payload: Uint8Array.from({ length: 200 }, (_, i) => 255 - i) },
    ];
    expect(decodeBatch(encodeBatch(7, entries, true))).toEqual({ ok: true, frame: { kind: 'batch', room: 7, snapshot: true, entries } });
  });
});
