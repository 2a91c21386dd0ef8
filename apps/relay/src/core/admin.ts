// What the application's server may see and do through the HTTP server API (docs/server-api.md):
// read rooms and members, publish frames as the server (sender 0, PROTOCOL.md §8.3), kick a
// member's connection, disconnect a user everywhere. Plain values in and out; http/api.ts turns
// requests into these calls. Knows nothing of HTTP.
import { DeliveryClass, SERVER_SENDER_ID, encodeControl, encodeDeliver, type RoomSettings } from '@roomcast/protocol';
// The answers' shapes are the API's schemas (one source: the relay validates with them, the
// OpenAPI document and @roomcast/server are made from them).
import type { ApiRoomDetail, ApiRoomMember, ApiRoomPage, ApiRoomSummary } from '@roomcast/protocol/server-api';
import type { Clock } from './clock.js';
import type { Connection, Member, Room } from './connection.js';
import type { Connections } from './connections.js';
import type { RoomEvents } from './events.js';
import { defaultSettings, definedOnly } from './host.js';
import type { Outbox } from './outbox.js';
import type { Rooms } from './rooms.js';
import type { Stats } from './stats.js';

export type PublishClass = 'reliable' | 'droppable';

export type PublishResult =
  | { ok: true; recipients: number }
  | { ok: false; error: 'room_not_found' | 'member_not_found' };

type Awaitable<T> = T | Promise<T>;

/**
 * The server API's calls (http/api.ts): this node's `Admin` for a single relay, `ClusterAdmin`
 * (cluster-admin.ts, asynchronous: it asks the cluster store and the other nodes) in a cluster.
 */
export interface AdminApi {
  listRooms(query: { prefix: string; limit: number; after: string | undefined; includePrivate: boolean }): Awaitable<ApiRoomPage>;
  room(name: string): Awaitable<ApiRoomDetail | undefined>;
  createRoom(name: string, patch: Partial<RoomSettings>, tickHz: number | undefined): Awaitable<ApiRoomSummary | 'exists' | 'relay_full'>;
  updateSettings(name: string, patch: Partial<RoomSettings>): Awaitable<RoomSettings | undefined>;
  publish(name: string, payload: Uint8Array, cls: PublishClass, to: number | undefined): Awaitable<PublishResult>;
  closeRoom(name: string, reason: string): Awaitable<number | undefined>;
  removeMember(name: string, id: number, reason: string): Awaitable<'removed' | 'room_not_found' | 'member_not_found'>;
  kickMember(name: string, id: number, reason: string): Awaitable<'kicked' | 'room_not_found' | 'member_not_found'>;
  disconnectUser(userId: string, reason: string): Awaitable<number>;
}

export interface AdminDeps {
  /** The room's fast topic, subscribed on first use (Delivery.fast). */
  fastTopic: (room: Room) => string;
  rooms: Rooms<Connection>;
  connections: Connections;
  out: Outbox;
  stats: Stats;
  clock: Clock;
  softBufferedBytes: number;
  events: RoomEvents;
  limits: { maxMembersPerRoom: number; tickHz: number; roomMaxBytesOutPerSec: number; emptyRoomTtlSec: number };
  /** Membership.remove without announcing (the room is closing). */
  removeQuietly: (member: Member, reason: 'room_closed') => void;
  /** Membership.remove with member_left to the others (reason kicked). */
  removeMember: (member: Member) => void;
  /** Ends an away member's held seat (seats.ts) with member_left. */
  dropSeat: (member: Member) => void;
  /** Ends every held seat of a user; returns how many. */
  dropUserSeats: (userId: string) => number;
  /**
   * In a cluster every node runs a publish on its own members (cluster-admin.ts): frames then go
   * to this node's members only, not through the bus as well.
   */
  localOnly?: boolean;
}

export class Admin implements AdminApi {
  constructor(private readonly deps: AdminDeps) {}

  /**
   * Rooms whose names start with `prefix`, sorted by name, at most `limit`, after the name `after`
   * (keyset pagination: stable while rooms come and go). O(rooms log rooms) per call: an admin call.
   */
  listRooms(query: { prefix: string; limit: number; after: string | undefined; includePrivate: boolean }): ApiRoomPage {
    const names: string[] = [];
    for (const room of this.deps.rooms.all()) {
      if (room.settings.private && !query.includePrivate) continue;
      if (room.name.startsWith(query.prefix) && (query.after === undefined || room.name > query.after)) names.push(room.name);
    }
    names.sort();
    const page = names.slice(0, query.limit);
    const rooms = page.map((name) => summary(this.deps.rooms.get(name)!));
    return names.length > query.limit ? { rooms, next: page[page.length - 1]! } : { rooms };
  }

  room(name: string): ApiRoomDetail | undefined {
    const room = this.deps.rooms.get(name);
    if (room === undefined) return undefined;
    return { ...summary(room), memberList: [...room.members.values()].map(memberView) };
  }

  /**
   * Creates an empty room with settings (and a tick rate), so players join a prepared room. It
   * lives until it is closed, or until its last member leaves once someone joined, or (nobody
   * joined) for RELAY_EMPTY_ROOM_TTL_SEC. Errors: `exists` (a room of that name is live),
   * `relay_full` (RELAY_MAX_ROOMS).
   */
  createRoom(name: string, patch: Partial<RoomSettings>, tickHz: number | undefined): ApiRoomSummary | 'exists' | 'relay_full' {
    if (this.deps.rooms.get(name) !== undefined) return 'exists';
    const { limits } = this.deps;
    const room = this.deps.rooms.create(name, tickHz ?? limits.tickHz, limits.roomMaxBytesOutPerSec, this.deps.clock.now());
    if (room === undefined) {
      this.deps.stats.hitLimit('rooms');
      return 'relay_full';
    }
    room.settings = { ...defaultSettings(limits.maxMembersPerRoom), ...definedOnly(patch) };
    this.deps.events.roomCreated(name);
    // Without an expiry, a backend that creates rooms nobody joins would fill RELAY_MAX_ROOMS.
    if (limits.emptyRoomTtlSec > 0) this.deps.clock.setTimeout(() => this.expire(room), limits.emptyRoomTtlSec * 1000);
    return summary(room);
  }

  /**
   * The TTL of a created room ran out: closed if it is still that room (not closed meanwhile and
   * created again) and still empty. A room someone joined is disposed by its last leave instead,
   * so an empty one here was never joined (or its members left and the name was reused).
   */
  private expire(room: Room): void {
    if (this.deps.rooms.get(room.name) !== room || room.size > 0) return;
    this.deps.rooms.disposeIfEmpty(room);
    this.deps.stats.emptyRoomsExpired++;
    this.deps.events.roomClosed(room.name);
  }

  /**
   * Changes some of a room's settings (already validated against the relay's limits) and sends
   * every member `room_settings` with the whole new value (§8.20). Undefined: no such room.
   */
  updateSettings(name: string, patch: Partial<RoomSettings>): RoomSettings | undefined {
    const room = this.deps.rooms.get(name);
    if (room === undefined) return undefined;
    const settings: RoomSettings = { ...room.settings };
    if (patch.capacity !== undefined) settings.capacity = patch.capacity;
    if (patch.locked !== undefined) settings.locked = patch.locked;
    if (patch.private !== undefined) settings.private = patch.private;
    if (patch.metadata !== undefined) settings.metadata = patch.metadata;
    room.settings = settings;
    this.deps.out.publish(room.topic, encodeControl({ type: 'room_settings', room: room.handle, settings }), 'control', room.size);
    this.deps.events.settingsChanged(room.name, settings);
    return settings;
  }

  /**
   * Publishes `payload` into a room as the server (sender 0): to every member, or to member `to`
   * alone (direct flag). Droppable frames skip members that fell behind, like a member's.
   */
  publish(name: string, payload: Uint8Array, cls: PublishClass, to: number | undefined): PublishResult {
    const room = this.deps.rooms.get(name);
    if (room === undefined) return { ok: false, error: 'room_not_found' };
    const classValue = cls === 'reliable' ? DeliveryClass.Reliable : DeliveryClass.Droppable;
    if (to !== undefined) {
      const target = room.members.get(to);
      if (target === undefined) return { ok: false, error: 'member_not_found' };
      if (target.away) return { ok: true, recipients: 0 };
      const frame = encodeDeliver({ room: room.handle, cls: classValue, sender: SERVER_SENDER_ID, direct: true }, payload);
      if (cls === 'droppable' && this.behind(target.conn)) {
        this.deps.stats.drops++;
        return { ok: true, recipients: 0 };
      }
      this.deps.out.send(target.conn, frame, cls, room);
      return { ok: true, recipients: 1 };
    }
    const frame = encodeDeliver({ room: room.handle, cls: classValue, sender: SERVER_SENDER_ID }, payload);
    if (cls === 'reliable') {
      room.outBudget.force(this.deps.clock.now(), frame.length * room.size);
      this.toRoom(room.topic, frame, 'reliable', room.size, room);
      return { ok: true, recipients: room.size };
    }
    const recipients = room.size - room.laggingCount;
    if (!room.outBudget.take(this.deps.clock.now(), frame.length * recipients)) {
      this.deps.stats.hitLimit('room_bytes_out');
      this.deps.stats.drops += room.size;
      return { ok: true, recipients: 0 };
    }
    this.deps.stats.drops += room.laggingCount;
    this.toRoom(this.deps.fastTopic(room), frame, 'droppable', recipients, room);
    return { ok: true, recipients };
  }

  /**
   * Closes a room (§8.20 rule 5): every member gets `room_closed` with `reason` and is removed;
   * connections stay open. Returns how many members were removed, or undefined for no such room.
   */
  closeRoom(name: string, reason: string): number | undefined {
    const room = this.deps.rooms.get(name);
    if (room === undefined) return undefined;
    const members = [...room.members.values()];
    if (members.length === 0 && this.deps.rooms.disposeIfEmpty(room)) {
      // A room created by the API that nobody joined: no ticks ever ran for it.
      this.deps.events.roomClosed(room.name);
      return 0;
    }
    const frame = encodeControl({ type: 'room_closed', room: room.handle, reason });
    for (const member of members) {
      // Sent to each connection, not published on the room topic: the members are unsubscribed
      // right below, and a topic publish reaches subscribers only later in the event-loop turn.
      if (!member.away) this.deps.out.send(member.conn, frame, 'control');
      member.conn.rooms.delete(room.handle);
      this.deps.removeQuietly(member, 'room_closed');
    }
    return members.length;
  }

  /**
   * Removes member `id` from room `name` (§8.20 rule 7): it gets `removed` with `reason`, the others
   * `member_left`; its connection and other rooms stay. An away member's held seat just ends.
   */
  removeMember(name: string, id: number, reason: string): 'removed' | 'room_not_found' | 'member_not_found' {
    const room = this.deps.rooms.get(name);
    if (room === undefined) return 'room_not_found';
    const member = room.members.get(id);
    if (member === undefined) return 'member_not_found';
    if (member.away) {
      this.deps.dropSeat(member);
      return 'removed';
    }
    // Sent before the unsubscribe below, directly (a topic publish would arrive after it).
    this.deps.out.send(member.conn, encodeControl({ type: 'removed', room: room.handle, reason }), 'control');
    member.conn.rooms.delete(room.handle);
    this.deps.removeMember(member);
    return 'removed';
  }

  /** Closes the connection of member `id` of room `name` with 4403 `kicked` and `reason`. */
  kickMember(name: string, id: number, reason: string): 'kicked' | 'room_not_found' | 'member_not_found' {
    const room = this.deps.rooms.get(name);
    if (room === undefined) return 'room_not_found';
    const member = room.members.get(id);
    if (member === undefined) return 'member_not_found';
    if (member.away) this.deps.dropSeat(member);
    else this.deps.connections.close(member.conn, 'kicked', reason);
    return 'kicked';
  }

  /** Closes every connection of `userId` with 4403 `kicked` and `reason`; returns how many. */
  disconnectUser(userId: string, reason: string): number {
    const targets: Connection[] = [];
    for (const conn of this.deps.connections) {
      if (conn.state === 'open' && conn.principal.memberFields.userId === userId) targets.push(conn);
    }
    for (const conn of targets) this.deps.connections.close(conn, 'kicked', reason);
    // Held seats of that user end too, so it cannot resume them.
    this.deps.dropUserSeats(userId);
    return targets.length;
  }

  private toRoom(topic: string, frame: Uint8Array, kind: 'reliable' | 'droppable', recipients: number, room: Room): void {
    if (this.deps.localOnly === true) this.deps.out.publishLocal(topic, frame, kind, recipients, room);
    else this.deps.out.publish(topic, frame, kind, recipients, undefined, room);
  }

  private behind(conn: Connection): boolean {
    return conn.lagging || conn.peer.bufferedAmount() > this.deps.softBufferedBytes;
  }
}

function summary(room: Room): ApiRoomSummary {
  return { name: room.name, members: room.size, tickHz: room.tickHz, settings: room.settings, host: room.host };
}

function memberView(member: Member): ApiRoomMember {
  return { id: member.id, ...member.identity, presence: member.presence, ...(member.away ? { away: true } : {}) };
}
