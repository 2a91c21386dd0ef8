// The server API's bearer-key check (RELAY_API_KEYS): constant-time, and it says which key matched
// so the rate limit (api-rate.ts) can keep a bucket per key.
import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 first, so keys of any length compare in constant time (timingSafeEqual needs equal lengths). */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * A key check that takes the same time whichever key matches or how much of it does: every
 * configured key is compared, without an early exit. Returns the matching key's index, or -1.
 */
export function keyChecker(keys: readonly string[]): (authorization: string) => number {
  const digests = keys.map(digest);
  return (authorization) => {
    const match = /^Bearer ([\x21-\x7e]+)$/.exec(authorization);
    const given = digest(match?.[1] ?? '');
    let found = -1;
    digests.forEach((key, i) => {
      if (timingSafeEqual(key, given) && match !== null) found = i;
    });
    return found;
  };
}
