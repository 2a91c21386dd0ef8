// Plain-MessagePack guard and msgpackr decoder for control frames the relay reads (client input).
// Encoding, and the clients' decoder, live in plain-writer.ts and plain-reader.ts.
// Untrusted bytes are scanned before msgpackr sees them: extension types, non-string map
// keys, deep nesting, huge item counts and trailing bytes are refused, so msgpackr only ever
// decodes plain maps, arrays, strings, numbers, booleans, nil and binaries.
import { Unpackr } from 'msgpackr';
import { CONTROL_MAX_DEPTH, CONTROL_MAX_ITEMS } from './frames.js';

// int64AsType 'number': encoders may write small integers in the 64-bit formats (0xcf/0xd3);
// they must decode to plain numbers, not BigInt, or every schema would reject them.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/** `items`: MessagePack values counted (containers, keys and values), a cheap measure of decode cost. */
export type ScanResult = { ok: true; items: number } | { ok: false; reason: string };

export interface ScanOptions {
  /** Most values allowed (default CONTROL_MAX_ITEMS, the client → relay bound of PROTOCOL.md §5.1). */
  maxItems?: number;
}

/**
 * Checks that `bytes[start..]` holds exactly one plain MessagePack value within the depth and
 * item bounds, with string keys that no map repeats. Never throws, never allocates in
 * proportion to claimed lengths (key copies are bounded by the input's own length).
 */
export function scanPlain(bytes: Uint8Array, start = 0, options: ScanOptions = {}): ScanResult {
  const maxItems = options.maxItems ?? CONTROL_MAX_ITEMS;
  let pos = start;
  let items = 0;
  const end = bytes.length;
  // Stack of remaining children per open container; maps count keys and values separately.
  const remaining: number[] = [];
  const keyExpected: boolean[] = [];
  // Keys seen so far in each open map (undefined for arrays): §5.1 forbids a repeated key, and a
  // decoder that let the last one win would read `{type:"ping",type:"hello"}` as a hello.
  const keysSeen: (Set<string> | undefined)[] = [];

  const need = (n: number): boolean => pos + n <= end;
  const readUint = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + bytes[pos + i]!;
    pos += n;
    return v;
  };

  do {
    if (pos >= end) return { ok: false, reason: 'truncated MessagePack' };
    // Inside a map, even positions are keys and must be strings.
    const depth = remaining.length;
    const mustBeKey = depth > 0 && keyExpected[depth - 1] === true && remaining[depth - 1]! % 2 === 0;
    const b = bytes[pos++]!;
    const isStr = (b >= 0xa0 && b <= 0xbf) || b === 0xd9 || b === 0xda || b === 0xdb;
    if (mustBeKey && !isStr) return { ok: false, reason: 'map keys must be strings' };
    if (++items > maxItems) return { ok: false, reason: `more than ${maxItems} items` };

    let skip = 0;
    let children = -1; // >= 0 when a container opens
    let isMap = false;
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) {
      // fixint, nil, false, true
    } else if (b >= 0x80 && b <= 0x8f) { children = (b & 0x0f) * 2; isMap = true; }
    else if (b >= 0x90 && b <= 0x9f) { children = b & 0x0f; }
    else if (b >= 0xa0 && b <= 0xbf) { skip = b & 0x1f; }
    else {
      switch (b) {
        case 0xcc: case 0xd0: skip = 1; break;
        case 0xcd: case 0xd1: skip = 2; break;
        case 0xca: case 0xce: case 0xd2: skip = 4; break;
        case 0xcb: case 0xcf: case 0xd3: skip = 8; break;
        case 0xc4: case 0xd9: if (!need(1)) return trunc(); skip = readUint(1); break;
        case 0xc5: case 0xda: if (!need(2)) return trunc(); skip = readUint(2); break;
        case 0xc6: case 0xdb: if (!need(4)) return trunc(); skip = readUint(4); break;
        case 0xdc: if (!need(2)) return trunc(); children = readUint(2); break;
        case 0xdd: if (!need(4)) return trunc(); children = readUint(4); break;
        case 0xde: if (!need(2)) return trunc(); children = readUint(2) * 2; isMap = true; break;
        case 0xdf: if (!need(4)) return trunc(); children = readUint(4) * 2; isMap = true; break;
        default:
          // 0xc1 (never used), 0xc7-0xc9 and 0xd4-0xd8 (extension types)
          return { ok: false, reason: b === 0xc1 ? 'invalid byte 0xc1' : 'MessagePack extension types are not accepted' };
      }
    }
    if (skip > 0) {
      if (!need(skip)) return trunc();
      pos += skip;
    }
    if (mustBeKey) {
      const seen = keysSeen[depth - 1]!;
      const key = latin1(bytes, pos - skip, pos);
      if (seen.has(key)) return { ok: false, reason: `map key ${JSON.stringify(key.slice(0, 32))} repeated` };
      seen.add(key);
    }
    if (depth > 0) remaining[depth - 1]!--;
    if (children > 0) {
      if (children > maxItems * 2) return { ok: false, reason: `more than ${maxItems} items` };
      if (remaining.length >= CONTROL_MAX_DEPTH) return { ok: false, reason: `nested deeper than ${CONTROL_MAX_DEPTH}` };
      remaining.push(children);
      keyExpected.push(isMap);
      keysSeen.push(isMap ? new Set() : undefined);
    }
    while (remaining.length > 0 && remaining[remaining.length - 1] === 0) {
      remaining.pop();
      keyExpected.pop();
      keysSeen.pop();
    }
  } while (remaining.length > 0);

  if (pos !== end) return { ok: false, reason: 'trailing bytes after the MessagePack value' };
  return { ok: true, items };
}

/** The raw bytes of a key as a string (one char per byte): equal bytes, equal strings. */
function latin1(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function trunc(): ScanResult {
  return { ok: false, reason: 'truncated MessagePack' };
}

/** Decodes bytes that passed `scanPlain`. */
export function unpackPlain(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}
