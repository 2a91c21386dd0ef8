// Room ticks: when each room with changed `latest` values flushes. Rooms due in the same
// millisecond share one timer, so 1,000 rooms at a 30 Hz tick cost about as many timer callbacks
// as there are distinct due milliseconds (at most ~34 per tick period), not 30,000 timers a
// second. Due times are rounded up to the millisecond: a flush is never early, and at most 1 ms
// late (below the resolution of Node's timers anyway).
import type { Clock } from './clock.js';

/** What the scheduler needs of a room. */
export interface Ticking {
  readonly tickMs: number;
  /** When it last flushed (clock ms; -Infinity before the first flush). */
  lastFlushAt: number;
  /** The millisecond its pending flush is due at, or undefined when none is pending. */
  tickDue: number | undefined;
}

export class TickScheduler<R extends Ticking> {
  /** Rooms by due millisecond; each key has exactly one pending timer. */
  private readonly due = new Map<number, R[]>();

  constructor(
    private readonly clock: Clock,
    private readonly flush: (room: R) => void,
  ) {}

  /** Arms the room's flush for its next tick (at once if its last one is a tick ago); no-op if armed. */
  schedule(room: R): void {
    // Stryker disable next-line ConditionalExpression: equivalent: lastFlushAt only changes in a flush, so a second schedule computes the same millisecond and run() flushes the room once (the tickDue check)
    if (room.tickDue !== undefined) return;
    const now = this.clock.now();
    const at = Math.ceil(Math.max(now, room.lastFlushAt + room.tickMs));
    room.tickDue = at;
    const rooms = this.due.get(at);
    if (rooms !== undefined) {
      rooms.push(room);
      return;
    }
    this.due.set(at, [room]);
    this.clock.setTimeout(() => this.run(at), at - now);
  }

  /** The room's pending flush, if any, will not run (the room is gone). */
  cancel(room: R): void {
    // Lazily: run() skips rooms whose tickDue no longer names its millisecond.
    room.tickDue = undefined;
  }

  private run(at: number): void {
    const rooms = this.due.get(at);
    this.due.delete(at);
    // Stryker disable next-line ConditionalExpression: equivalent: defensive; each due millisecond has exactly one timer, which deletes its entry
    if (rooms === undefined) return;
    for (const room of rooms) {
      if (room.tickDue !== at) continue;
      room.tickDue = undefined;
      this.flush(room);
    }
  }
}
