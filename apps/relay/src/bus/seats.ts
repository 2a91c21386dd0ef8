// Held seats across nodes (PROTOCOL.md §8.21, docs/decisions/0002-cluster.md "Seats"): a client
// that reconnects to another node with its resume token takes its seat over from the node that
// holds it; the members of a node that dies keep their seats, held by the node that reaps them. The member hash keeps a held seat's away flag and token hash (entry.ts); the seat
// moves by compare-and-set (scripts.ts TAKE), so a seat that expires on its node at the same
// moment is either moved or gone, never both.
import type { Claim } from '../core/cluster.js';
import { decodeStored, encodeEntry, seatHash } from './entry.js';
import { BusKind } from './envelope.js';
import type { BusHandle } from './handle.js';
import { leaseKey, membersKey, nodeRoomsKey, roomKeys } from './keys.js';
import { hostState, parseClaim } from './settings.js';

/** Pause between two reads of a seat that is not free yet. */
const SEAT_POLL_MS = 200;

/**
 * The seat of `token` (and `userId`) in `room`, moved to this node; undefined when there is none.
 * A seat is free when it is held (away), or when its node's lease is gone (the node died and is
 * not reaped yet: a client of a crashed node usually reconnects before its lease expires). A seat
 * whose node still has its lease is waited for, up to the lease TTL and a reaper round, since that
 * node may be dead; past that the join goes on as a new member.
 */
export async function takeSeat(bus: BusHandle, room: string, token: string, userId: string | undefined, beforeTake?: () => void): Promise<Claim | undefined> {
  if (bus.state !== 'up') return undefined;
  await bus.listen(room);
  const hash = seatHash(token);
  const deadline = Date.now() + bus.leaseTtlMs + 1500;
  try {
    for (let reads = 0; reads < 100 && bus.state === 'up'; reads++) {
      const found = Object.entries(await bus.track(bus.cmd.hgetall(membersKey(room))))
        .map(([id, stored]) => ({ stored, member: decodeStored(Number(id), stored) }))
        .find(({ member }) => member?.seat === hash && member.identity.userId === userId);
      if (found === undefined || found.member === undefined) break;
      const { member, stored } = found;
      // This node's own member, still connected: the same answer as a single relay (a new member).
      if (member.node === bus.nodeId && member.away !== true) break;
      const free = member.away === true || await bus.track(bus.cmd.exists(leaseKey(member.node))) === 0;
      if (free) {
        // Compare-and-set: the seat moves only if it is unchanged (its node, or a reaper, may be changing it now).
        const entry = `${bus.nodeId}\n${encodeEntry(member.presence, member.identity, { token, away: false })}`;
        beforeTake?.();
        const claim = parseClaim(await bus.track(bus.scripts.rcTake(...roomKeys(room), member.id, stored, entry)) as unknown[], bus.defaults);
        if (claim.ok) return claim;
        continue; // changed meanwhile: read it again
      }
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, SEAT_POLL_MS));
    }
  } catch (err) {
    bus.log.debug({ err, room }, 'cluster seat take failed');
  }
  bus.unlisten(room);
  return undefined;
}

/** What the bus does after a script removed members (redis-bus.ts `settled`). */
type Settle = (room: string, gone: boolean, host: ReturnType<typeof hostState>) => void;

/**
 * Seats of a dead node's members that this node adopted (scripts.ts ADOPT) when it reaped that
 * node: the others see them away, their clients may take them back through any node within the
 * grace window, and when the window ends unclaimed this node releases them (member_left once,
 * and the webhook). Bounded by the dead nodes' members; every timer ends with the relay.
 */
export class OrphanSeats {
  readonly #timers = new Map<string, { room: string; id: number; entry: string; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly bus: BusHandle & { settled: Settle }, readonly graceMs: number) {}

  get size(): number {
    return this.#timers.size;
  }

  /** Adopts the seats of `dead` in `room`; returns the ids adopted. */
  async adopt(room: string, dead: string): Promise<number[]> {
    if (this.graceMs <= 0) return [];
    const { bus } = this;
    const reply = await bus.scripts.rcAdopt(membersKey(room), dead, bus.nodeId) as unknown[];
    const ids: number[] = [];
    if (reply.length > 0) await bus.cmd.sadd(nodeRoomsKey(bus.nodeId), room);
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const id = Number(reply[i]);
      const entry = String(reply[i + 1]);
      ids.push(id);
      const key = `${id}@${room}`;
      clearTimeout(this.#timers.get(key)?.timer);
      const timer = setTimeout(() => void this.#expire(key), this.graceMs);
      timer.unref();
      this.#timers.set(key, { room, id, entry, timer });
      bus.inbox?.memberAway(room, id, bus.nodeId);
      bus.send(room, BusKind.Away, id, new Uint8Array(0));
    }
    return ids;
  }

  /** A client took the seat back on this node: its timer goes (a take on another node leaves the timer, whose release then finds the seat changed). */
  forget(room: string, id: number): void {
    const key = `${id}@${room}`;
    clearTimeout(this.#timers.get(key)?.timer);
    this.#timers.delete(key);
  }

  /** At shutdown: every adopted seat ends now (nobody would hold it after this node). */
  async releaseAll(): Promise<void> {
    const keys = [...this.#timers.keys()];
    await Promise.allSettled(keys.map((key) => this.#expire(key)));
  }

  /** The server API kicked or removed the adopted seat `key` (`id@room`): it ends now; whether there was one. */
  end(key: string): boolean {
    if (!this.#timers.has(key)) return false;
    void this.#expire(key, 'kicked');
    return true;
  }

  /** The server API disconnected `userId`: its adopted seats end now; how many. */
  endUser(userId: string): number {
    const keys = [...this.#timers].filter(([, s]) => decodeStored(s.id, s.entry)?.identity.userId === userId).map(([key]) => key);
    for (const key of keys) void this.#expire(key, 'kicked');
    return keys.length;
  }

  /** The window ended: release the seat if it is still this node's (a client may have taken it elsewhere). */
  async #expire(key: string, reason: 'disconnected' | 'kicked' = 'disconnected'): Promise<void> {
    const seat = this.#timers.get(key);
    if (seat === undefined) return;
    this.#timers.delete(key);
    clearTimeout(seat.timer);
    const { bus } = this;
    if (bus.state !== 'up') return; // the resync after the outage reaps what this node no longer holds
    try {
      const r = await bus.scripts.rcRelease(...roomKeys(seat.room), seat.id, bus.nodeId, seat.entry) as number[];
      if (r[0] !== 1) return;
      bus.send(seat.room, BusKind.Left, seat.id, Buffer.from(bus.nodeId, 'latin1'));
      const member = decodeStored(seat.id, seat.entry);
      if (member !== undefined) bus.inbox?.reaped(seat.room, member, reason);
      bus.settled(seat.room, r[1] === 1, hostState(r.slice(2)));
    } catch {
      bus.stats.dropped.error++;
    }
  }
}
