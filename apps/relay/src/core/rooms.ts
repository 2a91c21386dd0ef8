// The registry of live rooms, by name and by handle. Rooms are created on first join and
// removed when their last member leaves, so an idle relay holds no rooms.
import { MAX_ROOM_HANDLE } from '@roomcast/protocol';
import { Room } from './room.js';

/** The registry, generic in the connection type like Room. */
export class Rooms<C> {
  private readonly byName = new Map<string, Room<C>>();
  private readonly handles = new Map<number, Room<C>>();
  private lastHandle = 0;

  constructor(private readonly maxRooms: number) {}

  get size(): number {
    return this.byName.size;
  }

  get(name: string): Room<C> | undefined {
    return this.byName.get(name);
  }

  /** Creates a room; undefined when the relay already hosts `maxRooms`. */
  create(name: string, tickHz: number, outBytesPerSec: number, now: number): Room<C> | undefined {
    if (this.byName.size >= this.maxRooms || this.byName.size >= MAX_ROOM_HANDLE) return undefined;
    let handle = this.lastHandle;
    do {
      handle = handle >= MAX_ROOM_HANDLE ? 1 : handle + 1;
    } while (this.handles.has(handle));
    this.lastHandle = handle;
    const room = new Room<C>(name, handle, tickHz, outBytesPerSec, now);
    this.byName.set(name, room);
    this.handles.set(handle, room);
    return room;
  }

  /** Removes the room if it has no members left; returns whether it did. */
  disposeIfEmpty(room: Room<C>): boolean {
    if (room.size > 0) return false;
    this.byName.delete(room.name);
    this.handles.delete(room.handle);
    return true;
  }

  /** The room with this (node-local) handle. */
  byHandle(handle: number): Room<C> | undefined {
    return this.handles.get(handle);
  }

  all(): IterableIterator<Room<C>> {
    return this.byName.values();
  }

  /** Total members over all rooms (computed on scrape, not kept on the hot path). */
  memberCount(): number {
    let n = 0;
    for (const room of this.byName.values()) n += room.size;
    return n;
  }
}
