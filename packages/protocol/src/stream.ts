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

/** First allocation for a frame split across chunks, unless the frame (or what arrived) is smaller. */
const MIN_PARTIAL_BYTES = 256;

/**
 * Splits a byte stream into frames. Frames that arrive whole inside one chunk are handed out as
 * views of that chunk (no copy). A frame split across chunks is assembled in a buffer that grows
 * with the bytes that actually arrived (at most twice them, at least 256 bytes, never beyond the
 * claimed length), so neither a hostile prefix nor a client trickling a large frame makes us hold
 * memory it has not sent (PROTOCOL.md A.1). A length above the cap is an error before anything of
 * the frame is read. A zero length yields an empty frame (the protocol answers it with
 * `bad_frame`, like an empty WebSocket message).
 */
export class FrameStreamReader {
  readonly #maxFrameBytes: number;
  /** Prefix bytes read so far of a prefix split across chunks, and their value. */
  #prefixFill = 0;
  #prefixValue = 0;
  /** The frame being assembled: its claimed length, the bytes held, and how many arrived. */
  #bodyLength = -1;
  #body: Uint8Array | undefined;
  #bodyFill = 0;
  #error: StreamError | undefined;

  /** @param maxFrameBytes largest frame accepted; a longer prefix is an error after its 4 bytes */
  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held for an incomplete frame: of its prefix while that is incomplete, then of its body. */
  get pendingBytes(): number {
    return this.#prefixFill + this.#bodyFill;
  }

  /** True while a frame has begun (any byte of its prefix arrived) and is not complete. */
  get partial(): boolean {
    return this.#prefixFill > 0 || this.#bodyLength >= 0;
  }

  /** Bytes allocated for the incomplete frame (what a slow sender costs; 0 between frames). */
  get heldBytes(): number {
    return this.#body?.length ?? 0;
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
    while (i < end) {
      const length = this.#bodyLength;
      if (length >= 0) {
        const take = Math.min(length - this.#bodyFill, end - i);
        const fill = this.#bodyFill + take;
        let body = this.#body!;
        if (fill > body.length) {
          // Grow geometrically (amortised O(n) copies), exact once the frame is complete.
          const grown = new Uint8Array(Math.min(length, Math.max(body.length * 2, fill)));
          grown.set(body.subarray(0, this.#bodyFill));
          body = this.#body = grown;
        }
        body.set(chunk.subarray(i, i + take), this.#bodyFill);
        this.#bodyFill = fill;
        i += take;
        if (fill < length) return undefined;
        this.#bodyLength = -1;
        this.#body = undefined;
        this.#bodyFill = 0;
        if (onFrame(body) === false) return undefined;
        continue;
      }
      let claimed: number;
      if (this.#prefixFill === 0 && end - i >= STREAM_PREFIX_BYTES) {
        claimed = readU32(chunk, i);
        i += STREAM_PREFIX_BYTES;
      } else {
        while (this.#prefixFill < STREAM_PREFIX_BYTES && i < end) {
          this.#prefixValue = this.#prefixValue * 256 + chunk[i++]!;
          this.#prefixFill++;
        }
        if (this.#prefixFill < STREAM_PREFIX_BYTES) return undefined;
        claimed = this.#prefixValue;
        this.#prefixFill = 0;
        this.#prefixValue = 0;
      }
      if (claimed > this.#maxFrameBytes) {
        this.#error = {
          code: 'frame_too_large', length: claimed,
          message: `length prefix of ${claimed} bytes is above the frame cap of ${this.#maxFrameBytes}`,
        };
        return this.#error;
      }
      if (end - i >= claimed) {
        const frame = chunk.subarray(i, i + claimed);
        i += claimed;
        if (onFrame(frame) === false) return undefined;
        continue;
      }
      this.#bodyLength = claimed;
      this.#body = new Uint8Array(Math.min(claimed, Math.max(MIN_PARTIAL_BYTES, 2 * (end - i))));
    }
    return undefined;
  }
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}
