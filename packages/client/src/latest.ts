// Client side of the `latest` class: the other members' current values, kept from batch frames
// and snapshots, and the local throttle that coalesces sendLatest calls to the room tick.
import type { BatchFrame } from '@roomcast/protocol/client';

const EMPTY = new Uint8Array(0);

/** One value change to report as a 'message' event. An empty payload: the key was cleared. */
export interface LatestChange {
  sender: number;
  key: number;
  payload: Uint8Array;
}

/** sender → key → payload, applied from batches. */
export class LatestValues {
  readonly map = new Map<number, Map<number, Uint8Array>>();

  /**
   * Applies a batch and returns the changes to report (own entries skipped). A snapshot is the
   * whole state: values it does not list are cleared (and reported as such).
   */
  apply(frame: BatchFrame, self: number): LatestChange[] {
    const changes: LatestChange[] = [];
    const gone = frame.snapshot ? new Map([...this.map].map(([sender, keys]) => [sender, new Set(keys.keys())])) : undefined;
    for (const { sender, key, payload } of frame.entries) {
      if (sender === self) continue;
      gone?.get(sender)?.delete(key);
      this.set(sender, key, payload);
      changes.push({ sender, key, payload });
    }
    for (const [sender, keys] of gone ?? []) {
      for (const key of keys) {
        this.set(sender, key, EMPTY);
        changes.push({ sender, key, payload: EMPTY });
      }
    }
    return changes;
  }

  dropMember(sender: number): void {
    this.map.delete(sender);
  }

  clear(): void {
    this.map.clear();
  }

  private set(sender: number, key: number, payload: Uint8Array): void {
    let keys = this.map.get(sender);
    if (payload.length === 0) {
      keys?.delete(key);
      if (keys?.size === 0) this.map.delete(sender);
      return;
    }
    if (keys === undefined) {
      keys = new Map();
      this.map.set(sender, keys);
    }
    keys.set(key, payload);
  }
}

/**
 * Coalesces values per key and sends the newest of each at most once per tick interval: the first
 * value after a quiet period goes at once, later ones wait for the next tick.
 */
export class LatestThrottle {
  private readonly pending = new Map<number, Uint8Array>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlush = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: () => number,
    /** Sends the pending values; returns false if they must be dropped (room not usable). */
    private readonly flush: (values: ReadonlyMap<number, Uint8Array>) => void,
  ) {}

  push(key: number, payload: Uint8Array): void {
    this.pending.set(key, payload.slice());
    if (this.timer !== undefined) return;
    const delay = Math.max(0, this.lastFlush + this.intervalMs() - performance.now());
    this.timer = setTimeout(() => this.run(), delay);
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private run(): void {
    this.timer = undefined;
    this.lastFlush = performance.now();
    try {
      this.flush(this.pending);
    } finally {
      this.pending.clear();
    }
  }
}
