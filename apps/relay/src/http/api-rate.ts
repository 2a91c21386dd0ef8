// The server API's rate limit: one token bucket per configured key (RELAY_API_RATE_PER_SEC, burst
// RELAY_API_BURST), so a backend in a retry loop cannot take the relay's event loop from its
// members. Keys are few and fixed at start-up, so the buckets are bounded; callers without a valid
// key never reach a bucket (they get 401 first).
import { TokenBucket } from '../core/rate.js';

export interface ApiRateOptions {
  /** Number of configured keys; buckets are indexed by the key's position. */
  keys: number;
  /** Sustained requests per second per key; 0: no limit. */
  ratePerSec: number;
  /** Requests one key may make at once. */
  burst: number;
  /** Monotonic milliseconds (the core's clock, so tests can drive it). */
  now: () => number;
}

/** Undefined: allowed; else milliseconds until one more request of this key would be. */
export type RateCheck = (key: number) => number | undefined;

export function apiRateLimit(options: ApiRateOptions): RateCheck {
  if (options.ratePerSec === 0) return () => undefined;
  const start = options.now();
  const buckets = Array.from({ length: options.keys }, () => new TokenBucket(options.ratePerSec, options.burst, start));
  return (key) => {
    const bucket = buckets[key]!;
    const now = options.now();
    if (bucket.take(now)) return undefined;
    // Tokens refill continuously: the wait for the next whole one.
    return Math.max(1, Math.ceil(((1 - bucket.level(now)) * 1000) / options.ratePerSec));
  };
}
