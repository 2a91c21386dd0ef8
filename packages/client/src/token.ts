// Connection tokens on the client side (PROTOCOL.md §8.18): calling the `getToken` option, and
// when to refresh a token in-band. The client (client.ts) calls these at connect, on reconnect
// and after `welcome` / `refreshed`.
import { describe } from './connection.js';
import { RoomcastError } from './errors.js';

/** Largest delay setTimeout honours (longer ones fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * When to refresh a token that expires in `expiresInSec`: at 80% of its lifetime, at least 5 s
 * before expiry. Lifetimes under 10 s are refreshed at half of them, and never sooner than 1 s, so
 * very short tokens cannot make the client refresh in a tight loop.
 */
export function refreshDelayMs(expiresInSec: number): number {
  const sec = expiresInSec - 5 >= expiresInSec * 0.5 ? Math.min(expiresInSec * 0.8, expiresInSec - 5) : expiresInSec * 0.5;
  return Math.min(MAX_TIMER_MS, Math.max(1000, sec * 1000));
}

/** Calls the `getToken` option; any failure (throw, rejection, not a non-empty string) becomes `token_failed`. */
export async function fetchToken(getToken: () => string | Promise<string>): Promise<string> {
  let token: unknown;
  try {
    token = await getToken();
  } catch (cause) {
    throw new RoomcastError('token_failed', `getToken() failed: ${describe(cause)}`, { cause });
  }
  if (typeof token !== 'string' || token === '') throw new RoomcastError('token_failed', 'getToken() did not return a non-empty string');
  return token;
}
