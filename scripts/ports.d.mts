// Types for ports.mjs.
/** A port that is free right now on 127.0.0.1, found by binding port 0 and releasing it. */
export function freePort(): Promise<number>;
