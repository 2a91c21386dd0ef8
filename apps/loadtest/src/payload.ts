// Payload layout of load-test messages and WebSocket framing arithmetic.
// Every payload starts with a 4-byte monotonic send timestamp so any receiver can compute latency.
//
//   bytes 0-3  u32be  send time, microseconds of process.hrtime.bigint() modulo 2^32
//                     (CLOCK_MONOTONIC: the same clock in every thread and process on Linux)
//   bytes 4-7  --cursor: x u16be, y u16be (quantised to 0..65535); --payload N: u32be sequence
//   bytes 8-   --payload N only: filler up to N bytes
// The 32-bit timestamp wraps every 71.6 minutes; ages are computed modulo 2^32, so any latency
// below that is exact.

/** Bytes of the timestamp at the start of every payload. */
export const TIMESTAMP_BYTES = 4;
/** Smallest payload (timestamp + cursor or sequence). */
export const MIN_PAYLOAD_BYTES = 8;
/** Payload size in --cursor mode: 4-byte timestamp + 4-byte quantised cursor. */
export const CURSOR_PAYLOAD_BYTES = 8;

/** Now on the monotonic clock, in microseconds modulo 2^32. */
export function nowUs32(): number {
  return Number((process.hrtime.bigint() / 1000n) & 0xffff_ffffn);
}

/**
 * Age in microseconds of a timestamp taken with nowUs32 (modulo 2^32, so wrap-safe). Both are
 * integers below 2^32, so `>>> 0` (ToUint32) is the modulo: a floating-point `%` here was a
 * visible share of the load generator's time per received entry.
 */
export function ageUs(sentUs32: number, nowUs: number = nowUs32()): number {
  return (nowUs - sentUs32) >>> 0;
}

/** True if timestamp `ts` lies in [start, end) on the wrapping 32-bit clock. */
export function inWindow(ts: number, start: number, end: number): boolean {
  return ageUs(start, ts) < ageUs(start, end);
}

/** Quantises a coordinate in [0, 1] to a u16. */
export function quantise(v: number): number {
  const c = v < 0 ? 0 : v > 1 ? 1 : v;
  return Math.round(c * 0xffff);
}

/** Fills `out` (≥ 8 bytes) with a timestamp and either a cursor or a sequence number. */
export function writePayload(out: Uint8Array, ts: number, cursor: { x: number; y: number } | undefined, seq: number): void {
  writeU32(out, 0, ts);
  if (cursor) {
    const x = quantise(cursor.x);
    const y = quantise(cursor.y);
    out[4] = x >>> 8; out[5] = x & 0xff; out[6] = y >>> 8; out[7] = y & 0xff;
  } else {
    writeU32(out, 4, seq >>> 0);
  }
}

export function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = (v >>> 24) & 0xff;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/**
 * Bytes a WebSocket frame with `payloadLength` bytes of payload occupies on the wire (RFC 6455 §5.2):
 * 2-byte base header, +2 or +8 for extended lengths, +4 for the mask of client-to-server frames.
 */
export function wsFrameBytes(payloadLength: number, masked = false): number {
  const ext = payloadLength < 126 ? 0 : payloadLength < 0x10000 ? 2 : 8;
  return 2 + ext + (masked ? 4 : 0) + payloadLength;
}
