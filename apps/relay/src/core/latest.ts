// The `latest` values of one room: newest payload per (sender, key) and the list changed since the
// last tick. Merging is the point: many sends between two ticks cost one entry in the next batch.
//
// The hot path is one input frame: one Map lookup, and the payload copied into the slot's own
// bytes when its length did not change (a cursor's always does not), so a steady stream of input
// allocates nothing. The changed slots are kept as a list of BatchEntry-shaped objects, which
// the tick hands to encodeBatch as they are: no per-tick entry objects either.
import type { BatchEntry } from '@roomcast/protocol';

const EMPTY = new Uint8Array(0);

/** Slot number of (sender, key): one Map key per value, no string building. */
const slotId = (sender: number, key: number): number => sender * 256 + key;

/** One (sender, key) value; its payload is owned by the slot (a copy), EMPTY while cleared. */
interface Slot extends BatchEntry {
  readonly sender: number;
  readonly key: number;
  payload: Uint8Array;
  /** In `changed` (waiting for the next tick). */
  dirty: boolean;
}

export class LatestValues {
  private readonly slots = new Map<number, Slot>();
  /** Slots changed since the last `clearChanges`, in the order of their first change. */
  private readonly dirty: Slot[] = [];
  private present = 0;

  get changed(): number {
    return this.dirty.length;
  }

  /**
   * Stores `bytes` from `offset` on (copied: the transport reuses or frees `bytes` after the
   * call; an empty value clears the key). Returns true when it replaced a value that had not been
   * flushed yet (a merge).
   */
  set(sender: number, key: number, bytes: Uint8Array, offset = 0): boolean {
    const length = bytes.length - offset;
    const id = slotId(sender, key);
    let s = this.slots.get(id);
    if (s === undefined) {
      s = { sender, key, payload: EMPTY, dirty: false };
      this.slots.set(id, s);
    }
    const old = s.payload;
    if (length === 0) {
      if (old.length > 0) this.present--;
      s.payload = EMPTY;
    } else if (length === old.length) {
      // Same size: overwrite in place. Whoever still holds `old` from all() or changes() gets the
      // newer value of the same (sender, key), which is what `latest` means.
      for (let i = 0; i < length; i++) old[i] = bytes[offset + i]!;
    } else {
      if (old.length === 0) this.present++;
      s.payload = bytes.slice(offset);
    }
    if (s.dirty) return true;
    s.dirty = true;
    this.dirty.push(s);
    return false;
  }

  /** Drops a leaving member's values without announcing them (member_left tells the others). */
  clearMember(sender: number, keys: Iterable<number>): void {
    let dropped = false;
    for (const key of keys) {
      const s = this.slots.get(slotId(sender, key));
      if (s === undefined) continue;
      this.slots.delete(slotId(sender, key));
      if (s.payload.length > 0) this.present--;
      if (s.dirty) {
        s.dirty = false;
        dropped = true;
      }
    }
    if (!dropped) return;
    // Rare (a member leaving mid-tick): compact the changed list in place.
    let n = 0;
    for (const s of this.dirty) if (s.dirty) this.dirty[n++] = s;
    this.dirty.length = n;
  }

  /**
   * The entries changed since the last `clearChanges` (cleared keys as empty payloads): the live
   * list, valid until the next change. For encoding at once (encodeBatch); copy to keep it.
   */
  changes(): readonly BatchEntry[] {
    return this.dirty;
  }

  /** The sender of every changed entry when they all have one sender, else undefined (none, or several). */
  soleSender(): number | undefined {
    const first = this.dirty[0];
    if (first === undefined) return undefined;
    for (let i = 1; i < this.dirty.length; i++) if (this.dirty[i]!.sender !== first.sender) return undefined;
    return first.sender;
  }

  /** A copy of `changes()` that later changes do not alter (payloads still shared). */
  peekChanges(): BatchEntry[] {
    return this.dirty.map((s) => ({ sender: s.sender, key: s.key, payload: s.payload }));
  }

  clearChanges(): void {
    for (const s of this.dirty) {
      s.dirty = false;
      // A cleared key has been announced (empty entry): forget its slot.
      if (s.payload.length === 0) this.slots.delete(slotId(s.sender, s.key));
    }
    this.dirty.length = 0;
  }

  /** Every current value (for a snapshot). */
  all(): BatchEntry[] {
    const entries: BatchEntry[] = [];
    for (const s of this.slots.values()) if (s.payload.length > 0) entries.push({ sender: s.sender, key: s.key, payload: s.payload });
    return entries;
  }

  get size(): number {
    return this.present;
  }
}
