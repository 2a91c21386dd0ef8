// Interest groups (PROTOCOL.md §4.5): members subscribe to numbered groups of a room (the grid
// cells a canvas viewport covers) and address their values to the group they are in. Per room
// tick each changed group gets one batch, encoded once and published once on the group's topic,
// so bytes per member follow what it looks at, not the size of the room. Kept apart from
// delivery.ts (the ungrouped classes), which calls in here only from a few hooks.
import { DeliveryClass, deliverFromData, encodeBatch, type ClientMessage, type DataHeader, type ServerMessage } from '@roomcast/protocol';
import type { Clock } from './clock.js';
import type { Connection, Member, Room } from './connection.js';
import { soleSenderToSkip, type Delivery, type GroupHooks } from './delivery.js';
import type { Fanout } from './fanout.js';
import { Group, MemberGroups, RoomGroups } from './group.js';
import type { Outbox } from './outbox.js';
import type { Stats } from './stats.js';
import { TickScheduler } from './ticks.js';

const EMPTY = new Uint8Array(0);

export interface GroupsDeps {
  /** `maxGroupsPerMember` is 0 when groups are off (clustered relays: groups do not cross the bus). */
  limits: { maxGroupsPerMember: number; maxKeysPerMember: number; softBufferedBytes: number };
  out: Outbox;
  fanout: Fanout;
  stats: Stats;
  clock: Clock;
  delivery: Delivery;
}

type InterestRequest = Extract<ClientMessage, { type: 'interest' }>;

export class Groups implements GroupHooks {
  /** The rooms' group ticks share the scheduler rooms use (one timer per due millisecond). */
  private readonly ticks: TickScheduler<RoomGroups<Member, Room>>;

  constructor(private readonly deps: GroupsDeps) {
    this.ticks = new TickScheduler(deps.clock, (groups) => this.flush(groups.room));
  }

  // ---- requests and frames ----------------------------------------------------------------

  /** `interest`: replaces the member's subscribed groups; `ok`, then a snapshot per new group with values. */
  interest(conn: Connection, msg: InterestRequest): void {
    const { out, limits } = this.deps;
    const member = conn.rooms.get(msg.room);
    if (member === undefined) return out.error(conn, 'not_in_room', `room handle ${msg.room} is not a room this connection has joined`, { id: msg.id, room: msg.room });
    const wanted = new Set(msg.groups);
    if (wanted.size > limits.maxGroupsPerMember) {
      this.deps.stats.hitLimit('groups_per_member');
      return out.error(conn, 'too_many_groups', this.tooMany(wanted.size), { id: msg.id, room: msg.room });
    }
    member.groups ??= new MemberGroups();
    const mine = member.groups;
    // Lag is counted per subscribed group: with none yet, take the connection's state as it is.
    // Stryker disable next-line ConditionalExpression: equivalent: with subscribed groups lag() keeps it equal to conn.lagging already
    if (mine.subscribed.size === 0) mine.lagging = conn.lagging;
    const room = member.room;
    for (const id of mine.subscribed) if (!wanted.has(id)) this.unsubscribe(member, this.group(room, id));
    const added: Group<Member>[] = [];
    for (const id of wanted) {
      if (mine.subscribed.has(id)) continue;
      const group = this.group(room, id);
      this.subscribe(member, group);
      added.push(group);
    }
    mine.subscribed = wanted;
    out.reply(conn, { type: 'ok', id: msg.id } satisfies ServerMessage);
    if (!conn.lagging) for (const group of added) if (group.latest.size > 0) this.snapshot(conn, room, group);
  }

  /** A data frame with the group bit (inbound.ts checked the room, rights and payload size). */
  data(member: Member, header: DataHeader, bytes: Uint8Array): void {
    const { out, limits } = this.deps;
    const { room, conn } = member;
    if (limits.maxGroupsPerMember === 0) {
      this.deps.stats.hitLimit('groups_per_member');
      return out.error(conn, 'too_many_groups', this.tooMany(1), { room: room.handle });
    }
    const group = this.group(room, header.group);
    if (header.cls === DeliveryClass.Latest) return this.latest(member, group, header.key, bytes.slice(header.payloadOffset));
    const frame = deliverFromData(bytes, header, member.id);
    const senderSubscribed = group.subscribers.has(member);
    if (header.cls === DeliveryClass.Reliable) {
      const recipients = group.subscribers.size - (senderSubscribed ? 1 : 0);
      if (recipients === 0) return this.forgetIfIdle(room, group);
      room.outBudget.force(this.deps.clock.now(), frame.length * recipients);
      return out.publish(group.topic, frame, 'reliable', recipients, conn, room);
    }
    const others = group.subscribers.size - (senderSubscribed ? 1 : 0);
    if (others === 0) return this.forgetIfIdle(room, group);
    const lagging = group.laggingCount - (senderSubscribed && conn.lagging ? 1 : 0);
    const recipients = others - lagging;
    if (!room.outBudget.take(this.deps.clock.now(), frame.length * recipients)) {
      this.deps.stats.hitLimit('room_bytes_out');
      this.deps.stats.drops += others;
      return;
    }
    this.deps.stats.drops += lagging;
    out.publish(group.fastTopic, frame, 'droppable', recipients, conn, room);
  }

  /** A `latest` value for a group: it leaves its previous scope (room or another group). */
  private latest(member: Member, group: Group<Member>, key: number, payload: Uint8Array): void {
    const { limits, stats } = this.deps;
    const room = member.room;
    const held = member.keys?.has(key) === true;
    if (payload.length > 0 && !held) {
      if ((member.keys?.size ?? 0) >= limits.maxKeysPerMember) {
        stats.hitLimit('keys_per_member');
        return this.deps.out.error(member.conn, 'too_many_keys', `a member may hold ${limits.maxKeysPerMember} latest keys per room; clear one with an empty payload`, { room: room.handle });
      }
      member.keys ??= new Set();
      member.keys.add(key);
    } else if (payload.length === 0) {
      member.keys?.delete(key);
    }
    member.groups ??= new MemberGroups();
    const mine = member.groups;
    const before = mine.keyGroup.get(key);
    if (payload.length === 0) mine.keyGroup.delete(key);
    else mine.keyGroup.set(key, group.id);
    // The new value first, then the clear in the old scope: within one tick the destination's
    // batch then usually goes out first, so a client in both groups never sees the value vanish.
    if (this.setValue(room, group, member.id, key, payload)) stats.merges++;
    if (before === undefined) {
      if (held) this.deps.delivery.clearRoomValue(member, key);
    } else if (before !== group.id) {
      this.setValue(room, this.group(room, before), member.id, key, EMPTY);
    }
  }

  /** A room-scope `latest` value from `member` (delivery.ts): the key leaves the group it was in. */
  toRoomScope(member: Member, key: number): void {
    const before = member.groups?.keyGroup.get(key);
    if (before === undefined) return;
    member.groups!.keyGroup.delete(key);
    this.setValue(member.room, this.group(member.room, before), member.id, key, EMPTY);
  }

  // ---- membership hooks (delivery.ts) -----------------------------------------------------

  /** The member's connection is (again) the one in `member.conn` (a seat taken back): resubscribe it. */
  joined(member: Member): void {
    const mine = member.groups;
    if (mine === undefined) return;
    const lagging = member.conn.lagging;
    for (const id of mine.subscribed) {
      const group = this.group(member.room, id);
      group.laggingCount += (lagging ? 1 : 0) - (mine.lagging ? 1 : 0);
      this.deps.fanout.subscribe(member.conn, group.topic);
      if (!lagging) this.deps.fanout.subscribe(member.conn, group.fastTopic);
    }
    mine.lagging = lagging;
  }

  /** After a (re)joined reply: a snapshot of every subscribed group with values. */
  welcome(member: Member): void {
    const mine = member.groups;
    if (mine === undefined || member.conn.lagging) return;
    for (const id of mine.subscribed) {
      const group = member.room.groups?.byId.get(id);
      if (group !== undefined && group.latest.size > 0) this.snapshot(member.conn, member.room, group);
    }
  }

  /** The member left: its subscriptions and values go silently (`member_left` tells the others). */
  left(member: Member, unsubscribe: boolean): void {
    const mine = member.groups;
    const groups = member.room.groups;
    if (mine === undefined || groups === undefined) return;
    for (const id of mine.subscribed) {
      const group = groups.byId.get(id);
      if (group === undefined) continue;
      if (unsubscribe) this.unsubscribe(member, group);
      else {
        group.subscribers.delete(member);
        if (mine.lagging) group.laggingCount--;
        this.forgetIfIdle(member.room, group);
      }
    }
    for (const [key, id] of mine.keyGroup) {
      const group = groups.byId.get(id);
      if (group === undefined) continue;
      group.latest.clearMember(member.id, [key]);
      this.forgetIfIdle(member.room, group);
    }
    member.groups = undefined;
  }

  /** The member's connection fell behind (or drained): off (or back on) its groups' fast topics. */
  lag(member: Member, lagging: boolean): void {
    const mine = member.groups;
    if (mine === undefined || mine.lagging === lagging) return;
    mine.lagging = lagging;
    for (const id of mine.subscribed) {
      const group = this.group(member.room, id);
      if (lagging) {
        group.laggingCount++;
        this.deps.fanout.unsubscribe(member.conn, group.fastTopic);
      } else {
        group.laggingCount--;
        this.deps.fanout.subscribe(member.conn, group.fastTopic);
        if (group.latest.size > 0) this.snapshot(member.conn, member.room, group);
      }
    }
  }

  /** The room is gone: no group tick may fire for it. */
  disposed(room: Room): void {
    if (room.groups !== undefined) this.ticks.cancel(room.groups);
    room.groups = undefined;
  }

  // ---- ticks ------------------------------------------------------------------------------

  /** One room tick for its groups: each changed group's values as one batch, encoded and published once. */
  flush(room: Room): void {
    const groups = room.groups;
    if (groups === undefined) return;
    const now = this.deps.clock.now();
    const stats = this.deps.stats;
    for (const group of groups.dirty) {
      const entries = group.latest.changed;
      const skip = soleSenderToSkip(room, group.latest, (member) => group.subscribers.has(member));
      const recipients = group.subscribers.size - group.laggingCount - (skip === undefined ? 0 : 1);
      // entries 0: its only changes were a leaving member's, dropped silently (member_left says it).
      if (recipients > 0 && entries > 0) {
        const frame = encodeBatch(room.handle, group.latest.peekChanges(), false, group.id);
        if (!room.outBudget.take(now, frame.length * recipients)) {
          // Over the room's output budget: this group keeps merging and tries again next tick.
          stats.hitLimit('room_bytes_out');
          stats.skippedTicks++;
          continue;
        }
        stats.latestUpdatesOut += entries * recipients;
        this.deps.out.publish(group.fastTopic, frame, 'latest', recipients, skip, room);
      }
      group.latest.clearChanges();
      groups.dirty.delete(group);
      this.forgetIfIdle(room, group);
    }
    groups.lastFlushAt = now;
    if (groups.dirty.size > 0) this.ticks.schedule(groups);
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** The group `id` of `room`, created on first use. */
  private group(room: Room, id: number): Group<Member> {
    room.groups ??= new RoomGroups(room);
    const groups = room.groups;
    let group = groups.byId.get(id);
    if (group === undefined) {
      group = new Group(room.handle, id);
      groups.byId.set(id, group);
    }
    return group;
  }

  /** Sets (or clears) a value in a group and arms the room's group tick. Returns true on a merge. */
  private setValue(room: Room, group: Group<Member>, sender: number, key: number, payload: Uint8Array): boolean {
    const merged = group.latest.set(sender, key, payload);
    const groups = room.groups!;
    groups.dirty.add(group);
    this.ticks.schedule(groups);
    return merged;
  }

  private subscribe(member: Member, group: Group<Member>): void {
    const { conn } = member;
    group.subscribers.add(member);
    this.deps.fanout.subscribe(conn, group.topic);
    if (member.groups!.lagging) group.laggingCount++;
    else this.deps.fanout.subscribe(conn, group.fastTopic);
  }

  private unsubscribe(member: Member, group: Group<Member>): void {
    group.subscribers.delete(member);
    this.deps.fanout.unsubscribe(member.conn, group.topic);
    if (member.groups!.lagging) group.laggingCount--;
    else this.deps.fanout.unsubscribe(member.conn, group.fastTopic);
    this.forgetIfIdle(member.room, group);
  }

  /** Drops a group nothing refers to, so groups named once do not pile up (memory stays bounded). */
  private forgetIfIdle(room: Room, group: Group<Member>): void {
    if (group.idle && room.groups?.dirty.has(group) !== true) room.groups?.byId.delete(group.id);
  }

  private snapshot(conn: Connection, room: Room, group: Group<Member>): void {
    this.deps.stats.snapshots++;
    this.deps.out.send(conn, encodeBatch(room.handle, group.latest.all(), true, group.id), 'latest', room);
  }

  private tooMany(asked: number): string {
    const max = this.deps.limits.maxGroupsPerMember;
    return max === 0
      ? 'this relay offers no interest groups (limits.maxGroupsPerMember is 0; clustered relays do not carry groups yet)'
      : `${asked} groups asked for; a member may subscribe to at most ${max} groups per room`;
  }
}
