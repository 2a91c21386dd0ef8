// Delivery classes: how a data frame reaches the other members of its room.
//   reliable   published at once on the room topic (C++ fan-out), ordered, never dropped.
//   latest     merged per (sender, key) and flushed once per room tick as one batch frame,
//              encoded once and published on the room's fast topic.
//   droppable  published at once on the fast topic: members that fell behind are not on it.
// Members whose send buffer passes the soft limit leave the fast topics (they skip ticks instead
// of queueing them) and get one snapshot per room when they drain.
import { deliverFromData, encodeBatch, type DataHeader } from '@roomcast/protocol';
import type { Clock } from './clock.js';
import type { Cluster } from './cluster.js';
import type { Connection, Member, Room } from './connection.js';
import type { Fanout } from './fanout.js';
import type { LatestValues } from './latest.js';
import type { Outbox } from './outbox.js';
import type { Stats } from './stats.js';
import { TickScheduler } from './ticks.js';

/**
 * The connection a tick batch need not reach: when every entry comes from one local member that
 * would get the batch (subscribed to its topic, not lagging), that member. A batch of its own
 * values only is nothing to it (PROTOCOL.md §4.4: clients skip their own entries); with a few
 * members of a room moving at a time, that is one send in ten fewer in a 10-member room.
 */
export function soleSenderToSkip(room: Room, latest: LatestValues, subscribed: (member: Member) => boolean): Connection | undefined {
  const sole = latest.soleSender();
  const member = sole === undefined ? undefined : room.members.get(sole);
  return member !== undefined && !member.conn.lagging && subscribed(member) ? member.conn : undefined;
}

/** Every member of a room is on its fast topic unless lagging (which soleSenderToSkip checks). */
const everyMember = (): boolean => true;

export interface DeliveryDeps {
  limits: { maxKeysPerMember: number; softBufferedBytes: number };
  out: Outbox;
  fanout: Fanout;
  stats: Stats;
  clock: Clock;
  /** Other relay nodes (REDIS_URL set), else undefined. */
  cluster?: Cluster | undefined;
}

/** What delivery tells the interest groups (groups.ts implements it; relay.ts connects them). */
export interface GroupHooks {
  /** A room-scope `latest` value from `member`: the key leaves the group it was in. */
  toRoomScope(member: Member, key: number): void;
  joined(member: Member): void;
  welcome(member: Member): void;
  left(member: Member, unsubscribe: boolean): void;
  lag(member: Member, lagging: boolean): void;
  disposed(room: Room): void;
}

export class Delivery {
  private readonly limits: DeliveryDeps['limits'];
  private readonly out: Outbox;
  private readonly fanout: Fanout;
  private readonly stats: Stats;
  private readonly clock: Clock;
  private readonly cluster: Cluster | undefined;
  /** Interest groups (groups.ts), set by relay.ts: told about joins, leaves, lag and values moving scope. */
  groups: GroupHooks | undefined;
  private readonly ticks: TickScheduler<Room>;

  constructor(deps: DeliveryDeps) {
    this.cluster = deps.cluster;
    this.limits = deps.limits;
    this.out = deps.out;
    this.fanout = deps.fanout;
    this.stats = deps.stats;
    this.clock = deps.clock;
    this.ticks = new TickScheduler<Room>(deps.clock, (room) => this.flush(room));
  }

  // ---- per frame ------------------------------------------------------------------------

  reliable(member: Member, header: DataHeader, bytes: Uint8Array): void {
    const { room, conn } = member;
    const frame = deliverFromData(bytes, header, member.id);
    if (header.target !== 0) {
      const target = this.target(member, header, frame);
      if (target === undefined) return;
      return this.out.send(target.conn, frame, 'reliable', room);
    }
    const recipients = room.size - 1;
    // Members on other nodes get it through the bus, a sink of the same publish.
    if (recipients === 0 && room.remote.size === 0) return;
    room.outBudget.force(this.clock.now(), frame.length * recipients);
    this.out.publish(room.topic, frame, 'reliable', recipients, conn, room);
  }

  latest(member: Member, header: DataHeader, bytes: Uint8Array): void {
    const { room, conn } = member;
    if (header.target !== 0) {
      return this.out.error(conn, 'unsupported_class', 'latest frames cannot be direct: send them to the room', { room: room.handle });
    }
    const key = header.key;
    // A value that lived in an interest group comes back to room scope (cleared in the group).
    // Stryker disable next-line OptionalChaining: relay.ts always sets `groups`
    if (member.groups !== undefined) this.groups?.toRoomScope(member, key);
    const length = bytes.length - header.payloadOffset;
    if (length > 0 && member.keys?.has(key) !== true) {
      if ((member.keys?.size ?? 0) >= this.limits.maxKeysPerMember) {
        this.stats.hitLimit('keys_per_member');
        return this.out.error(conn, 'too_many_keys', `a member may hold ${this.limits.maxKeysPerMember} latest keys per room; clear one with an empty payload`, { room: room.handle });
      }
      member.keys ??= new Set();
      member.keys.add(key);
    } else if (length === 0) {
      member.keys?.delete(key);
    }
    // set() copies the payload: the transport reuses or frees `bytes` after this call.
    if (room.latest.set(member.id, key, bytes, header.payloadOffset)) this.stats.merges++;
    this.schedule(room);
  }

  droppable(member: Member, header: DataHeader, bytes: Uint8Array): void {
    const { room, conn } = member;
    const frame = deliverFromData(bytes, header, member.id);
    if (header.target !== 0) {
      const target = this.target(member, header, frame);
      if (target === undefined) return;
      if (target.conn.lagging || target.conn.peer.bufferedAmount() > this.limits.softBufferedBytes) {
        this.stats.drops++;
        return;
      }
      return this.out.send(target.conn, frame, 'droppable', room);
    }
    const others = room.size - 1;
    if (others === 0 && room.remote.size === 0) return;
    const laggingOthers = room.laggingCount - (conn.lagging ? 1 : 0);
    const recipients = others - laggingOthers;
    if (!room.outBudget.take(this.clock.now(), frame.length * recipients)) {
      this.stats.hitLimit('room_bytes_out');
      this.stats.drops += others;
      return;
    }
    this.stats.drops += laggingOthers;
    this.out.publish(this.fast(room), frame, 'droppable', recipients, conn, room);
  }

  // ---- membership ------------------------------------------------------------------------

  /** A member joined: subscribe it, and hand it the room's current values at once. */
  joined(member: Member): void {
    const { room, conn } = member;
    this.fanout.subscribe(conn, room.topic);
    if (conn.lagging) room.laggingCount++;
    else if (room.fastActive) this.fanout.subscribe(conn, room.fastTopic);
    // Stryker disable next-line OptionalChaining: relay.ts always sets `groups`
    this.groups?.joined(member);
  }

  /** After the `joined` reply: the snapshot, if the room has values. */
  welcome(member: Member): void {
    if (member.room.latest.size > 0) this.snapshot(member.conn, member.room);
    // Stryker disable next-line OptionalChaining: relay.ts always sets `groups`
    this.groups?.welcome(member);
  }

  /** A member left (or its connection closed): drop its values; unsubscribe unless the socket is gone. */
  left(member: Member, unsubscribe: boolean): void {
    const { room, conn } = member;
    if (member.keys !== undefined) room.latest.clearMember(member.id, member.keys);
    // Stryker disable next-line OptionalChaining: relay.ts always sets `groups`
    this.groups?.left(member, unsubscribe);
    if (conn.lagging) room.laggingCount--;
    // Stryker disable next-line ConditionalExpression: `true` only adds unsubscribes of a gone socket, a no-op in each fan-out (uws/fanout.ts checks `closed`; tcp/fanout.ts dropped the peer from every topic at its close)
    if (unsubscribe) {
      this.fanout.unsubscribe(conn, room.topic);
      // Stryker disable next-line ConditionalExpression: `true` unsubscribes from a fast topic nobody was subscribed to, a no-op in every fan-out
      if (room.fastActive) this.fanout.unsubscribe(conn, room.fastTopic);
    }
  }

  /** The room is gone: no tick may fire for it. */
  disposed(room: Room): void {
    this.ticks.cancel(room);
    // Stryker disable next-line OptionalChaining: relay.ts always sets `groups`
    this.groups?.disposed(room);
  }

  /** A member's room-scope value moved into an interest group (groups.ts): cleared for the room on the next tick. */
  clearRoomValue(member: Member, key: number): void {
    member.room.latest.set(member.id, key, new Uint8Array(0));
    this.schedule(member.room);
  }

  /**
   * Periodic per-connection check (from the relay's sweep): above the soft limit a connection
   * leaves the fast topics; once drained to half of it, it rejoins them with a snapshot.
   */
  checkLag(conn: Connection, buffered: number): void {
    if (!conn.lagging && buffered > this.limits.softBufferedBytes) {
      conn.lagging = true;
      this.stats.lagStarts++;
      for (const member of conn.rooms.values()) {
        if (member.room.fastActive) this.fanout.unsubscribe(conn, member.room.fastTopic);
        member.room.laggingCount++;
        // Stryker disable next-line OptionalChaining: relay.ts always sets `groups`
        this.groups?.lag(member, true);
      }
    } else if (conn.lagging && buffered <= this.limits.softBufferedBytes / 2) {
      conn.lagging = false;
      for (const member of conn.rooms.values()) {
        member.room.laggingCount--;
        // Stryker disable next-line ConditionalExpression: `true` subscribes early to a fast topic nothing is published on until fast() activates it (and subscribing twice is a no-op)
        if (member.room.fastActive) this.fanout.subscribe(conn, member.room.fastTopic);
        this.snapshot(conn, member.room);
        // Stryker disable next-line OptionalChaining: relay.ts always sets `groups`
        this.groups?.lag(member, false);
      }
    }
  }

  // ---- ticks -----------------------------------------------------------------------------

  /** Arms the room's flush for its next tick (at once if the last one is a tick ago). */
  private schedule(room: Room): void {
    this.ticks.schedule(room);
  }

  /** One tick (from the TickScheduler): the changed values as one batch, encoded once, published once. */
  private flush(room: Room): void {
    // Stryker disable next-line ConditionalExpression: a flush runs only from a tick armed by a change (so changed > 0), and disposed() cancels it when the room empties
    if (room.size === 0 || room.latest.changed === 0) return;
    const now = this.clock.now();
    const skip = soleSenderToSkip(room, room.latest, everyMember);
    const recipients = room.size - room.laggingCount - (skip === undefined ? 0 : 1);
    const frame = encodeBatch(room.handle, room.latest.changes());
    if (!room.outBudget.take(now, frame.length * recipients)) {
      // Over the room's output budget: keep merging, try again next tick.
      this.stats.hitLimit('room_bytes_out');
      this.stats.skippedTicks++;
      room.lastFlushAt = now;
      this.schedule(room);
      return;
    }
    const entries = room.latest.changed;
    if (this.cluster !== undefined && room.remote.size > 0) {
      // Other nodes get only this node's senders: each node publishes its own merged batch per tick.
      // (A node whose first member joins later gets this node's values then: remote.ts memberJoined.)
      const own = room.latest.peekChanges().filter((e) => room.members.has(e.sender));
      if (own.length > 0) this.cluster.latest(room.name, own);
    }
    room.latest.clearChanges();
    room.lastFlushAt = now;
    this.stats.ticks++;
    this.stats.latestUpdatesOut += entries * recipients;
    this.stats.skippedTicks += room.laggingCount;
    this.out.publish(this.fast(room), frame, 'latest', recipients, skip, room);
  }

  // ---- values from other nodes (clustering) -----------------------------------------------

  /** Another node's batch: merged into the room's values, sent to local members on this room's tick. */
  mergeRemote(room: Room, entries: readonly { sender: number; key: number; payload: Uint8Array }[]): void {
    let changed = false;
    for (const e of entries) {
      const remote = room.remote.get(e.sender);
      if (remote === undefined) continue; // left meanwhile (or not announced yet): its values must not linger
      if (e.payload.length === 0) remote.keys.delete(e.key);
      else remote.keys.add(e.key);
      room.latest.set(e.sender, e.key, e.payload);
      changed = true;
    }
    if (changed) this.schedule(room);
  }

  /** A remote member left: drop its values (member_left tells the members). */
  clearRemote(room: Room, id: number, keys: Iterable<number>): void {
    room.latest.clearMember(id, keys);
  }

  /** After a cluster resync: every local member gets the room's current values. */
  resnapshot(room: Room): void {
    for (const member of room.members.values()) {
      if (!member.conn.lagging) this.snapshot(member.conn, room);
    }
  }

  private snapshot(conn: Connection, room: Room): void {
    const frame = encodeBatch(room.handle, room.latest.all(), true);
    this.stats.snapshots++;
    this.out.send(conn, frame, 'latest', room);
  }

  // ---- helpers ---------------------------------------------------------------------------

  /**
   * The room's fast topic, subscribing its members that keep up on first use: rooms that only
   * ever carry reliable frames (and idle members) hold one topic subscription per member, not two.
   */
  fast(room: Room): string {
    // Stryker disable next-line ConditionalExpression: `true` subscribes the same keeping-up members again on every use, a no-op in every fan-out
    if (!room.fastActive) {
      room.fastActive = true;
      for (const m of room.members.values()) if (!m.away && !m.conn.lagging) this.fanout.subscribe(m.conn, room.fastTopic);
    }
    return room.fastTopic;
  }

  /** The local target of a direct frame; a target on another node gets `frame` through the cluster. */
  private target(member: Member, header: DataHeader, frame: Uint8Array): Member | undefined {
    const target = member.room.members.get(header.target);
    if (target === undefined && this.cluster !== undefined && member.room.remote.has(header.target)) {
      this.cluster.direct(member.room.name, header.target, frame);
      return undefined;
    }
    if (target === undefined) {
      this.out.error(member.conn, 'unknown_member', `member ${header.target} is not in room ${member.room.name}`, { room: member.room.handle });
    } else if (target.away) {
      // Its seat is held but its connection is gone (PROTOCOL.md §8.21).
      this.stats.drops++;
      return undefined;
    }
    return target;
  }
}
