// One interest group of a room (PROTOCOL.md §4.5): its topics, its `latest` values and who
// subscribes to it. Pure state, generic in the member type like room.ts; groups.ts decides who is
// told what.
import { LatestValues } from './latest.js';
import type { Ticking } from './ticks.js';

export class Group<M> {
  /** Topic of every subscriber: group-addressed reliable frames. */
  readonly topic: string;
  /** Topic of the subscribers that keep up: the group's batches and droppable frames. */
  readonly fastTopic: string;
  /** Values members addressed to this group (each (sender, key) lives in one scope only). */
  readonly latest = new LatestValues();
  readonly subscribers = new Set<M>();
  /** Subscribers currently off `fastTopic` because their connection fell behind. */
  laggingCount = 0;

  constructor(roomHandle: number, readonly id: number) {
    this.topic = `room/${roomHandle}/g/${id}`;
    this.fastTopic = `room/${roomHandle}/g/${id}/fast`;
  }

  /** Nothing refers to it any more: no subscriber, no value, nothing left to flush. */
  get idle(): boolean {
    return this.subscribers.size === 0 && this.latest.size === 0 && this.latest.changed === 0;
  }
}

/** A room's interest groups and their shared tick (the room's tick rate, scheduled by ticks.ts like rooms). */
export class RoomGroups<M, R extends { readonly tickMs: number } = { readonly tickMs: number }> implements Ticking {
  readonly byId = new Map<number, Group<M>>();
  /** Groups with values changed since their last batch. */
  readonly dirty = new Set<Group<M>>();
  readonly tickMs: number;
  tickDue: number | undefined = undefined;
  lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(readonly room: R) {
    this.tickMs = room.tickMs;
  }
}

/** One member's interest state in its room: what it subscribes to, and where its values live. */
export class MemberGroups {
  /** Subscribed group ids (at most `maxGroupsPerMember`). */
  subscribed = new Set<number>();
  /** `latest` key → the group holding this member's value for it (keys at room scope are absent). */
  readonly keyGroup = new Map<number, number>();
  /** The lag state counted in its groups' `laggingCount` (follows `conn.lagging`). */
  // Stryker disable next-line BooleanLiteral: equivalent: the first `interest` sets it from the connection, and with no subscribed group nothing reads it
  lagging = false;
}
