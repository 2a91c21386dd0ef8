// A room: its members, their compact ids and presence, its `latest` values and tick state.
// Pure state; membership.ts and delivery.ts decide who is told what. Generic in the connection
// type `C` so this file does not import connection.ts (which imports it): no import cycle.
import { MAX_MEMBER_ID, type Presence, type RoomSettings } from '@roomcast/protocol';
import type { MemberIdentity, MemberRights } from './access.js';
import type { MemberGroups, RoomGroups } from './group.js';
import { LatestValues } from './latest.js';
import { TokenBucket } from './rate.js';

export interface Member<C> {
  readonly id: number;
  readonly room: Room<C>;
  /** Its connection; replaced when it takes its seat back on a new one (seats.ts). */
  conn: C;
  /** Its connection dropped and its seat is held (PROTOCOL.md §8.21). */
  away: boolean;
  /** Resume token of its seat, when the relay holds seats. */
  seat: string | undefined;
  /** The seat's expiry timer while away. */
  seatTimer: unknown;
  presence: Presence;
  /** The v2 member-map fields (`userId`, `info`), fixed at join; `{}` for anonymous members. */
  readonly identity: MemberIdentity;
  /** What it may do with data frames and presence in this room: computed at join and on refresh, read per frame. */
  may: MemberRights;
  /** `latest` keys this member holds a value for in this room; created on the first one (most members of most rooms never send `latest`, and idle connections should stay small). */
  keys: Set<number> | undefined;
  /** Its interest groups (PROTOCOL.md §4.5, groups.ts); created by its first `interest` or group-addressed value. */
  groups: MemberGroups | undefined;
}

/** A member held by another relay node (clustering only): presence, identity, and the `latest` keys it holds here. */
export interface RemoteMember {
  readonly id: number;
  /** The node that holds it (changes when its held seat is taken back on another node). */
  node: string;
  /** Its seat is held by its node (PROTOCOL.md §8.21). */
  away: boolean;
  presence: Presence;
  /** Its `userId` / `info` (protocol v2), as its node verified them; `{}` when anonymous. */
  readonly identity: MemberIdentity;
  keys: Set<number>;
}

export class Room<C> {
  /** Members in join order (Map keeps insertion order). */
  readonly members = new Map<number, Member<C>>();
  /** Members on other nodes (empty without a cluster). `size` counts local members only. */
  readonly remote = new Map<number, RemoteMember>();
  /** Topic of every member: reliable data frames and control events. */
  readonly topic: string;
  /** Topic of the members that keep up: batches of `latest` values and `droppable` frames. */
  readonly fastTopic: string;
  readonly latest = new LatestValues();
  /** Milliseconds between two flushes of `latest` values. */
  readonly tickMs: number;
  /** The millisecond a pending flush is due at (ticks.ts), if a change waits for the next tick. */
  tickDue: number | undefined = undefined;
  lastFlushAt = Number.NEGATIVE_INFINITY;
  /**
   * Whether members are subscribed to `fastTopic`: from the room's first `latest` or `droppable`
   * frame on (Delivery.fast). Until then a member costs one topic subscription, not two.
   */
  fastActive = false;
  /** Members currently unsubscribed from `fastTopic` because they fell behind. */
  laggingCount = 0;
  /** Capacity, locked, private, metadata (PROTOCOL.md §8.20): set at creation, changed by the server API. */
  settings: RoomSettings = { capacity: MAX_MEMBER_ID, locked: false, private: false, metadata: null };
  /** Member id of the host (host.ts); 0 while the room is empty. */
  host = 0;
  /**
   * In a cluster, the versions of the settings and the host this node holds (the store bumps them
   * on each change, bus/settings.ts): a change that arrives late is not applied over a newer one.
   */
  settingsVersion = 0;
  hostVersion = 0;
  /** Its interest groups (groups.ts); created when a member first uses one. */
  groups: RoomGroups<Member<C>, Room<C>> | undefined = undefined;
  /** Bytes sent to members of this room (per recipient), for the per-room output metric. */
  bytesOut = 0;
  /** Bytes per second the room may send out, over all recipients. */
  readonly outBudget: TokenBucket;
  private lastId = 0;

  constructor(
    readonly name: string,
    readonly handle: number,
    readonly tickHz: number,
    outBytesPerSec: number,
    now: number,
  ) {
    this.topic = `room/${handle}`;
    this.fastTopic = `room/${handle}/fast`;
    this.tickMs = 1000 / tickHz;
    // One second of budget as burst, so a tick's batch never starves a steady room.
    this.outBudget = new TokenBucket(outBytesPerSec, outBytesPerSec, now);
  }

  get size(): number {
    return this.members.size;
  }

  /**
   * Adds a member with a fresh id: incremental, wrapping at 65535, never one in use. In a cluster
   * the id was decided by the cluster store and is passed in (`clusterId`).
   */
  add(conn: C, presence: Presence, identity: MemberIdentity, may: MemberRights, clusterId?: number): Member<C> {
    let id = clusterId ?? this.lastId;
    if (clusterId === undefined) {
      do {
        id = id >= MAX_MEMBER_ID ? 1 : id + 1;
      } while (this.members.has(id));
      this.lastId = id;
    }
    this.remote.delete(id);
    const member: Member<C> = { id, room: this, conn, away: false, seat: undefined, seatTimer: undefined, presence, identity, may, keys: undefined, groups: undefined };
    this.members.set(id, member);
    return member;
  }

  remove(member: Member<C>): void {
    this.members.delete(member.id);
  }
}
