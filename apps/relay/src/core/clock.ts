// Time for the core and the transports: a monotonic clock and timers, injectable so tests control
// both (test/fakes.ts FakeClock). Every deadline (handshake, idle, heartbeat, ticks) reads it.

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Runs `fn` every `ms` on `clock` until the returned function is called. Built on setTimeout so a
 * fake clock drives it like any other timer.
 */
export function repeat(clock: Clock, ms: number, fn: () => void): () => void {
  let handle: unknown;
  let stopped = false;
  const tick = (): void => {
    // Stryker disable next-line ConditionalExpression: belt and braces: stop() also clears the pending timer, so a stopped tick never runs
    if (stopped) return;
    handle = clock.setTimeout(tick, ms);
    fn();
  };
  handle = clock.setTimeout(tick, ms);
  return () => {
    // Stryker disable next-line BooleanLiteral: see `if (stopped)` above
    stopped = true;
    clock.clearTimeout(handle);
  };
}
