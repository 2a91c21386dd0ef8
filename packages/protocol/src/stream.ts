// Length-prefixed framing for byte-stream transports (raw TCP, PROTOCOL.md "Appendix A"): each
// frame is preceded by its length as a u32 big-endian. Used by the relay's TCP transport and the
// client SDK's Node TCP socket. Pure Uint8Array code, no Node imports, so browsers can load it.

/** Bytes of the length prefix. */
export const STREAM_PREFIX_BYTES = 4;

/** Returns `frame` preceded by its u32be length, in one new buffer (one write per frame). */
export function lengthPrefixed(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(STREAM_PREFIX_BYTES + frame.length);
  new DataView(out.buffer).setUint32(0, frame.length);
  out.set(frame, STREAM_PREFIX_BYTES);
  return out;
}

/** Why a stream cannot be read further. */
export interface StreamError {
  code: 'frame_too_large';
  /** The length the prefix claimed. */
  length: number;
  message: string;
}

/**
 * Splits a byte stream into frames. Frames that arrive whole inside one chunk are handed out as
 * views of that chunk (no copy); a frame split across chunks is assembled in a buffer allocated
 * only after its length passed the cap, so a hostile prefix never makes us allocate its claim.
 * A zero length yields an empty frame (the protocol answers it with `bad_frame`, like an empty
 * WebSocket message).
 */
export class FrameStreamReader {
  readonly #maxFrameBytes: number;
  readonly #prefix = new Uint8Array(STREAM_PREFIX_BYTES);
  #prefixFill = 0;
  #body: Uint8Array | undefined;
  #bodyFill = 0;
  #error: StreamError | undefined;

  /** @param maxFrameBytes largest frame accepted; a longer prefix is an error after its 4 bytes */
  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held for an incomplete frame (prefix or body). */
  get pendingBytes(): number {
    return this.#prefixFill + this.#bodyFill;
  }

  /**
   * Reads one chunk. Calls `onFrame` for every complete frame in order; a frame view is valid only
   * during the call. Stops early when `onFrame` returns false. Returns the error that ends the
   * stream (then and on every later call), or undefined.
   */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => boolean | void): StreamError | undefined {
    if (this.#error !== undefined) return this.#error;
    let i = 0;
    const end = chunk.length;
    // Stryker disable next-line EqualityOperator: equivalent, at i === end both branches below return undefined without reading.
    while (i < end) {
      const body = this.#body;
      if (body !== undefined) {
        const take = Math.min(body.length - this.#bodyFill, end - i);
        body.set(chunk.subarray(i, i + take), this.#bodyFill);
        this.#bodyFill += take;
        i += take;
        if (this.#bodyFill < body.length) return undefined;
        this.#body = undefined;
        this.#bodyFill = 0;
        if (onFrame(body) === false) return undefined;
        continue;
      }
      let length: number;
      // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent, a fast path; the byte-wise branch reads the same length.
      if (this.#prefixFill === 0 && end - i >= STREAM_PREFIX_BYTES) {
        length = readU32(chunk, i);
        i += STREAM_PREFIX_BYTES;
      } else {
        while (this.#prefixFill < STREAM_PREFIX_BYTES && i < end) this.#prefix[this.#prefixFill++] = chunk[i++]!;
        if (this.#prefixFill < STREAM_PREFIX_BYTES) return undefined;
        this.#prefixFill = 0;
        length = readU32(this.#prefix, 0);
      }
      if (length > this.#maxFrameBytes) {
        this.#error = {
          code: 'frame_too_large', length,
          message: `length prefix of ${length} bytes is above the frame cap of ${this.#maxFrameBytes}`,
        };
        return this.#error;
      }
      if (end - i >= length) {
        const frame = chunk.subarray(i, i + length);
        i += length;
        if (onFrame(frame) === false) return undefined;
        continue;
      }
      this.#body = new Uint8Array(length);
    }
    return undefined;
  }
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}
