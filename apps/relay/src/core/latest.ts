// The `latest` values of one room: newest payload per (sender, key) and the set changed since the
// last tick. Merging is the point: many sends between two ticks cost one entry in the next batch.
import type { BatchEntry } from '@roomcast/protocol';

const EMPTY = new Uint8Array(0);

/** Slot number of (sender, key): one Map key per value, no string building. */
const slot = (sender: number, key: number): number => sender * 256 + key;

export class LatestValues {
  private readonly values = new Map<number, Uint8Array>();
  private readonly dirty = new Set<number>();

  get changed(): number {
    return this.dirty.size;
  }

  /**
   * Stores a value (an empty payload clears the key). Returns true when it replaced a value
   * that had not been flushed yet (a merge).
   */
  set(sender: number, key: number, payload: Uint8Array): boolean {
    const s = slot(sender, key);
    const merged = this.dirty.has(s);
    if (payload.length === 0) this.values.delete(s);
    else this.values.set(s, payload);
    this.dirty.add(s);
    return merged;
  }

  /** Drops a leaving member's values without announcing them (member_left tells the others). */
  clearMember(sender: number, keys: Iterable<number>): void {
    for (const key of keys) {
      const s = slot(sender, key);
      this.values.delete(s);
      this.dirty.delete(s);
    }
  }

  /** The entries changed since the last `clearChanges` (cleared keys as empty payloads). */
  peekChanges(): BatchEntry[] {
    const entries: BatchEntry[] = [];
    for (const s of this.dirty) entries.push({ sender: Math.floor(s / 256), key: s % 256, payload: this.values.get(s) ?? EMPTY });
    return entries;
  }

  clearChanges(): void {
    this.dirty.clear();
  }

  /** Every current value (for a snapshot). */
  all(): BatchEntry[] {
    const entries: BatchEntry[] = [];
    for (const [s, payload] of this.values) entries.push({ sender: Math.floor(s / 256), key: s % 256, payload });
    return entries;
  }

  get size(): number {
    return this.values.size;
  }
}
