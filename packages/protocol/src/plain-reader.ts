// Decoder for the plain MessagePack subset that control frames use (PROTOCOL.md §5.1): nil,
// booleans, numbers, strings, binaries, arrays and string-keyed maps; no extension types.
// Why not msgpackr in clients: its smallest browser entries cost 5.7 kB (unpack) and 12.1 kB (pack,
// which includes unpack) gzipped, most of the client SDK's 14 kB budget, for features control
// frames refuse anyway. Tests prove this reader accepts exactly what `scanPlain` + msgpackr accept
// and returns the same values (test/plain-msgpack.test.ts). The relay still decodes client input
// with `scanPlain` + msgpackr (msgpack.ts).
import { CONTROL_MAX_DEPTH, CONTROL_MAX_ITEMS } from './frames.js';

const utf8Decoder = new TextDecoder();

export type ReadResult = { ok: true; value: unknown } | { ok: false; reason: string };

export interface ReadOptions {
  /**
   * Most values allowed (default CONTROL_MAX_ITEMS, the client → relay bound of §5.1). Relay →
   * client frames carry whole member lists and have no value cap beyond their length (§8.8), so
   * the client decoder passes `bytes.length`.
   */
  maxItems?: number;
}

/** Thrown inside the reader, caught at its edge: the reader never throws to its caller. */
class PlainError extends Error {}

/**
 * Decodes `bytes[start..]` as exactly one plain MessagePack value, with the same refusals as
 * `scanPlain` (extension types, 0xc1, non-string map keys, a key repeated in one map, depth >
 * CONTROL_MAX_DEPTH, more than `maxItems` items, truncation, trailing bytes). Maps become plain objects; a
 * `__proto__` key is renamed `__proto_`, as msgpackr does, so no prototype can be set.
 * Never throws, and never allocates in proportion to a claimed length before checking it.
 */
export function readPlain(bytes: Uint8Array, start = 0, options: ReadOptions = {}): ReadResult {
  const maxItems = options.maxItems ?? CONTROL_MAX_ITEMS;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = start;
  let items = 0;

  const take = (n: number): number => {
    if (pos + n > bytes.length) throw new PlainError('truncated MessagePack');
    const at = pos;
    pos += n;
    return at;
  };
  const uint = (n: number): number => {
    const at = take(n);
    return n === 1 ? view.getUint8(at) : n === 2 ? view.getUint16(at) : view.getUint32(at);
  };
  const str = (n: number): string => {
    const at = take(n);
    return utf8Decoder.decode(bytes.subarray(at, at + n));
  };

  const read = (depth: number, isKey: boolean): unknown => {
    const b = view.getUint8(take(1));
    const isStr = (b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb);
    if (isKey && !isStr) throw new PlainError('map keys must be strings');
    if (++items > maxItems) throw new PlainError(`more than ${maxItems} items`);
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if (b <= 0x8f) return map(b & 0x0f, depth);
    if (b <= 0x9f) return array(b & 0x0f, depth);
    if (b <= 0xbf) return str(b & 0x1f);
    switch (b) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: case 0xc5: case 0xc6: {
        const n = uint(1 << (b - 0xc4));
        const at = take(n);
        return new Uint8Array(bytes.subarray(at, at + n)); // a plain copy, even from a Buffer
      }
      case 0xca: return view.getFloat32(take(4));
      case 0xcb: return view.getFloat64(take(8));
      case 0xcc: return uint(1);
      case 0xcd: return uint(2);
      case 0xce: return uint(4);
      // 64-bit integers decode to the nearest number (msgpackr's int64AsType 'number').
      case 0xcf: return uint(4) * 0x1_0000_0000 + uint(4);
      case 0xd0: return view.getInt8(take(1));
      case 0xd1: return view.getInt16(take(2));
      case 0xd2: return view.getInt32(take(4));
      case 0xd3: { const hi = view.getInt32(take(4)); return hi * 0x1_0000_0000 + uint(4); }
      case 0xd9: return str(uint(1));
      case 0xda: return str(uint(2));
      case 0xdb: return str(uint(4));
      case 0xdc: return array(uint(2), depth);
      case 0xdd: return array(uint(4), depth);
      case 0xde: return map(uint(2), depth);
      case 0xdf: return map(uint(4), depth);
      default:
        throw new PlainError(b === 0xc1 ? 'invalid byte 0xc1' : 'MessagePack extension types are not accepted');
    }
  };

  const open = (children: number, depth: number): void => {
    if (children > maxItems * 2) throw new PlainError(`more than ${maxItems} items`);
    if (depth >= CONTROL_MAX_DEPTH) throw new PlainError(`nested deeper than ${CONTROL_MAX_DEPTH}`);
  };
  const array = (n: number, depth: number): unknown[] => {
    if (n === 0) return [];
    open(n, depth);
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(read(depth + 1, false));
    return out;
  };
  const map = (n: number, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (n === 0) return out;
    open(n * 2, depth);
    // §5.1: a map must not repeat a key. Compared as raw bytes, as scanPlain does, so two
    // different invalid UTF-8 keys that decode to the same string are not mistaken for a repeat.
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const at = pos;
      const key = read(depth + 1, true) as string;
      const head = bytes[at]!;
      const raw = latin1(bytes, at + (head <= 0xbf ? 1 : head === 0xd9 ? 2 : head === 0xda ? 3 : 5), pos);
      if (seen.has(raw)) throw new PlainError(`map key ${JSON.stringify(raw.slice(0, 32))} repeated`);
      seen.add(raw);
      out[key === '__proto__' ? '__proto_' : key] = read(depth + 1, false);
    }
    return out;
  };

  try {
    const value = read(0, false);
    if (pos !== bytes.length) return { ok: false, reason: 'trailing bytes after the MessagePack value' };
    return { ok: true, value };
  } catch (err) {
    if (err instanceof PlainError) return { ok: false, reason: err.message };
    if (err instanceof RangeError) return { ok: false, reason: 'truncated MessagePack' };
    throw err;
  }
}

/** The raw bytes of a key as a string (one char per byte): equal bytes, equal strings. */
function latin1(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
