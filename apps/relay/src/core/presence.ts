// The presence caps (PROTOCOL.md §8.4), checked on the decoded MessagePack value before any
// schema work: validating a 4 KB presence of a thousand small maps with zod's z.json() and
// serialising it cost ~40x a ping, and the old check ran only after both. A walk that stops as
// soon as a lower bound of the JSON size or the depth passes its cap costs O(cap), so a refusal is
// cheap; only values that may fit get serialised for the exact size.
import { PRESENCE_MAX_DEPTH } from '@roomcast/protocol';

/**
 * Why `presence` breaks the caps (too deep, or more than `maxBytes` as compact JSON), or
 * undefined if it fits. Never throws; values the schema will refuse anyway (binaries, NaN) are
 * measured loosely and left to it.
 */
export function presenceProblem(presence: unknown, maxBytes: number): string | undefined {
  let bound = 0;
  let tooDeep = false;
  // Lower bound of the UTF-8 length of JSON.stringify(value): every string is at least its
  // UTF-16 length in bytes, every number at least one digit; escapes only add.
  const walk = (value: unknown, depth: number): void => {
    // Stryker disable next-line LogicalOperator: a shortcut only: with &&, the walk goes on and the checks after it give the same verdict and message
    if (bound > maxBytes || tooDeep) return;
    if (value === null || value === true) bound += 4;
    else if (value === false) bound += 5;
    else if (typeof value === 'string') bound += value.length + 2;
    else if (typeof value === 'number') bound += 1;
    else if (Array.isArray(value)) {
      if (depth + 1 > PRESENCE_MAX_DEPTH) { tooDeep = true; return; }
      bound += 2 + Math.max(0, value.length - 1);
      for (const item of value) walk(item, depth + 1);
    } else if (typeof value === 'object' && !(value instanceof Uint8Array)) {
      if (depth + 1 > PRESENCE_MAX_DEPTH) { tooDeep = true; return; }
      const keys = Object.keys(value as object);
      bound += 2 + Math.max(0, keys.length - 1);
      for (const key of keys) {
        bound += key.length + 3;
        walk((value as Record<string, unknown>)[key], depth + 1);
      }
    } else bound += 1;
  };
  walk(presence, 0);
  if (tooDeep) return `presence nests deeper than ${PRESENCE_MAX_DEPTH}`;
  if (bound > maxBytes) return `presence is more than ${maxBytes} bytes as JSON`;
  const bytes = utf8Length(JSON.stringify(presence) ?? '');
  return bytes > maxBytes ? `presence is ${bytes} bytes as JSON, above the limit of ${maxBytes}` : undefined;
}

/** UTF-8 length of a string (the core does not use Buffer; TextEncoder would allocate). */
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}
