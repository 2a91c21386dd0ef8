import { describe, expect, it } from 'vitest';
import { ageUs, inWindow, quantise, readU32, writePayload, wsFrameBytes } from '../src/payload.js';

describe('WebSocket frame bytes', () => {
  it('adds the header size for each length class (RFC 6455 §5.2)', () => {
    expect(wsFrameBytes(0)).toBe(2);
    expect(wsFrameBytes(14)).toBe(16);
    expect(wsFrameBytes(125)).toBe(127);
    expect(wsFrameBytes(126)).toBe(130);
    expect(wsFrameBytes(65535)).toBe(65539);
    expect(wsFrameBytes(65536)).toBe(65546);
    expect(wsFrameBytes(14, true)).toBe(20);
  });
});

describe('timestamps', () => {
  it('ages wrap around 2^32 µs', () => {
    expect(ageUs(100, 350)).toBe(250);
    expect(ageUs(0xffff_fff0, 0x10)).toBe(0x20);
  });

  it('window membership on the wrapping clock', () => {
    expect(inWindow(150, 100, 200)).toBe(true);
    expect(inWindow(200, 100, 200)).toBe(false);
    expect(inWindow(99, 100, 200)).toBe(false);
    expect(inWindow(5, 0xffff_fff0, 10)).toBe(true);
  });
});

describe('payload layout', () => {
  it('puts the timestamp first and the quantised cursor after it', () => {
    const b = new Uint8Array(8);
    writePayload(b, 0xdeadbeef, { x: 1, y: 0 }, 0);
    expect(readU32(b, 0)).toBe(0xdeadbeef);
    expect([...b.subarray(4)]).toEqual([0xff, 0xff, 0, 0]);
  });

  it('writes a sequence number without a cursor', () => {
    const b = new Uint8Array(16);
    writePayload(b, 1, undefined, 0x01020304);
    expect(readU32(b, 4)).toBe(0x01020304);
  });

  it('quantises to u16 and clamps', () => {
    expect(quantise(0.5)).toBe(32768);
    expect(quantise(-1)).toBe(0);
    expect(quantise(2)).toBe(65535);
  });
});
