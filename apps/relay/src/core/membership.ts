// Rooms and presence: join, leave, presence updates, and the member_joined / member_updated /
// member_left events the other members get. Used by inbound.ts for control messages and by
// relay.ts when a connection closes. In a cluster a join that passed the checks here finishes in
// cluster-join.ts (the claim is asynchronous).
import {
  ROOM_NAME_PATTERN, encodeControl,
  type ClientMessage, type Presence, type ServerMessage,
} from '@roomcast/protocol';
import { memberRights } from './access.js';
import type { Clock } from './clock.js';
import { ClusterJoin, type StoredClaim } from './cluster-join.js';
import type { Cluster } from './cluster.js';
import type { Connection, Member, Room } from './connection.js';
import type { Delivery } from './delivery.js';
import type { LeftReason, MemberRef, RoomEvents } from './events.js';
import { capacityOf, firstJoinSettings, hostOf } from './host.js';
import type { Seats } from './seats.js';
import { roomFileBytesPerSec, type RelayLimits } from './limits.js';
import type { Outbox } from './outbox.js';
import type { Rooms } from './rooms.js';
import type { Stats } from './stats.js';

export interface MembershipDeps {
  limits: RelayLimits;
  rooms: Rooms<Connection>;
  delivery: Delivery;
  out: Outbox;
  stats: Stats;
  clock: Clock;
  /** Lifecycle observer (webhooks); told after the protocol messages are sent. */
  events: RoomEvents;
  /** Held seats (PROTOCOL.md §8.21); set by relay.ts after construction (they call back into remove). */
  seats?: Seats;
  /** Other relay nodes (REDIS_URL set), else undefined: joins are then synchronous, as always. */
  cluster?: Cluster | undefined;
  /** Holds other nodes' events for a room while a join of it waits for its claim. */
  hold?: { hold(room: string): void; release(room: string): void } | undefined;
  /** An exception while finishing an asynchronous join (what a transport does for a frame: log, close 4500). */
  internalError?: ((conn: Connection, err: unknown) => void) | undefined;
}

type Request<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

export class Membership {
  private readonly limits: RelayLimits;
  private readonly rooms: Rooms<Connection>;
  private readonly delivery: Delivery;
  private readonly out: Outbox;
  private readonly stats: Stats;
  private readonly clock: Clock;
  private readonly events: RoomEvents;
  seats: Seats | undefined;
  private readonly cluster: Cluster | undefined;
  /** The asynchronous join path, in a cluster only (cluster-join.ts). */
  private readonly clusterJoin: ClusterJoin | undefined;

  constructor(deps: MembershipDeps) {
    this.cluster = deps.cluster;
    this.limits = deps.limits;
    this.rooms = deps.rooms;
    this.delivery = deps.delivery;
    this.out = deps.out;
    this.stats = deps.stats;
    this.clock = deps.clock;
    this.events = deps.events;
    this.seats = deps.seats;
    this.clusterJoin = deps.cluster === undefined ? undefined : new ClusterJoin({
      cluster: deps.cluster, limits: deps.limits, rooms: deps.rooms, out: deps.out, stats: deps.stats, clock: deps.clock,
      hold: deps.hold, internalError: deps.internalError,
      admit: (conn, room, presence, id, created, claim, seat) => this.admit(conn, room, presence, id, created, claim, seat),
      seatToken: () => this.seats?.token(),
      resumed: (conn, room, claim, seat, id) => this.resumeMoved(conn, room, claim, seat, id),
    });
  }

  join(conn: Connection, msg: Request<'join'>): void {
    const { id } = msg;
    if (!ROOM_NAME_PATTERN.test(msg.room)) {
      return this.out.error(conn, 'bad_room_name', 'room names are 1-128 printable ASCII characters (0x21-0x7e)', { id });
    }
    // Rights before anything about the room, so a refusal says nothing about whether it exists.
    const principal = conn.principal;
    if (!principal.can(msg.room, 'join')) {
      return this.out.error(conn, 'forbidden', `your token does not allow joining room ${msg.room}`, { id });
    }
    // §8.4's presence caps were checked by inbound.ts on the unvalidated value (one walk per frame).
    const presence = msg.presence ?? null;
    if (presence !== null && !principal.can(msg.room, 'presence')) {
      return this.out.error(conn, 'forbidden', `your token does not allow presence in room ${msg.room}: join without presence`, { id });
    }
    let room = this.rooms.get(msg.room);
    if (room !== undefined && conn.rooms.has(room.handle)) {
      return this.out.error(conn, 'already_joined', `already a member of room ${msg.room}`, { id, room: room.handle });
    }
    const tickHz = msg.tickHz ?? this.limits.tickHz;
    if (tickHz < this.limits.minTickHz || tickHz > this.limits.maxTickHz) {
      return this.out.error(conn, 'bad_tick_rate', `tickHz must be between ${this.limits.minTickHz} and ${this.limits.maxTickHz}`, { id });
    }
    if (msg.settings !== undefined && room === undefined && !this.settingsFit(conn, msg.settings, id)) return;
    const pending = this.clusterJoin?.pending(conn);
    if (pending?.has(msg.room) === true) {
      return this.out.error(conn, 'already_joined', `already joining room ${msg.room}`, { id });
    }
    if (conn.rooms.size + (pending?.size ?? 0) >= this.limits.maxRoomsPerConnection) {
      this.stats.hitLimit('rooms_per_connection');
      return this.out.error(conn, 'too_many_rooms', `a connection may be in at most ${this.limits.maxRoomsPerConnection} rooms`, { id });
    }
    // A held seat is still a member here and in the cluster store (its id was never given
    // back), so taking it back needs no claim.
    if (msg.seat !== undefined && room !== undefined && this.seats !== undefined) {
      const seat = this.seats.find(room.members.values(), msg.seat, principal.memberFields.userId);
      if (seat !== undefined) return this.resume(conn, seat, id);
    }
    // In a cluster the store decides the lock and the capacity, and the seat may be held by another node.
    if (this.clusterJoin !== undefined) return this.clusterJoin.join(conn, msg, presence, tickHz, room, this.seats?.enabled === true);
    if (room?.settings.locked) {
      return this.out.error(conn, 'room_locked', `room ${msg.room} is locked`, { id, room: room.handle });
    }
    const created = room === undefined;
    if (room === undefined) {
      room = this.rooms.create(msg.room, tickHz, this.limits.roomMaxBytesOutPerSec, this.clock.now());
      if (room === undefined) {
        this.stats.hitLimit('rooms');
        return this.out.error(conn, 'relay_full', `the relay hosts its maximum of ${this.limits.maxRooms} rooms`, { id });
      }
      room.settings = firstJoinSettings(this.limits.maxMembersPerRoom, msg.settings);
    } else if (room.size >= capacityOf(room, this.limits.maxMembersPerRoom)) {
      this.stats.hitLimit('members_per_room');
      return this.out.error(conn, 'room_full', `room ${msg.room} has its maximum of ${capacityOf(room, this.limits.maxMembersPerRoom)} members`, { id, room: room.handle });
    }
    this.admit(conn, room, presence, id, created);
  }

  /**
   * Adds the member (with its cluster-wide id, in a cluster), replies `joined`, tells the others,
   * hands the host over if a server member arrives, and tells the webhooks. In a cluster the
   * store decided the host (`claim`) and whether this join created the room.
   */
  private admit(conn: Connection, room: Room, presence: Presence, id: number, created: boolean, claim?: StoredClaim, seat?: string): void {
    // Identity and rights from the connection's principal now: a token refresh during an
    // asynchronous claim is taken into account.
    const principal = conn.principal;
    const member = room.add(conn, presence, principal.memberFields, memberRights(principal, room.name), claim?.id);
    // In a cluster the token was made before the claim: its hash is stored with the member.
    // Stryker disable next-line OptionalChaining: equivalent: relay.ts sets `seats` right after constructing Membership, before any join
    member.seat = seat ?? this.seats?.token();
    conn.rooms.set(room.handle, member);
    const previousHost = room.host;
    if (claim !== undefined) {
      if (claim.hostVersion >= room.hostVersion) {
        room.host = claim.host;
        room.hostVersion = claim.hostVersion;
      }
    // Stryker disable next-line OptionalChaining: equivalent: without a cluster a non-zero host is always a member of this node (handed over when it leaves)
    } else if (room.host === 0 || (principal.server === true && room.members.get(room.host)?.conn.principal.server !== true)) {
      // A server member takes the host over from a non-server host (§8.20 rule 4).
      room.host = member.id;
    }
    this.delivery.joined(member);
    this.out.reply(conn, this.joinedReply(member, id));
    this.delivery.welcome(member);
    this.announce(conn, room.topic, room.size - 1, { type: 'member_joined', room: room.handle, member: { id: member.id, presence, ...member.identity } });
    if (previousHost !== 0 && room.host !== previousHost) this.announce(conn, room.topic, room.size - 1, { type: 'host_changed', room: room.handle, host: room.host });
    this.cluster?.joined(room.name, member.id, presence, member.identity);
    // This claim changed the host (a server member arrived): the other nodes are told after the joined.
    if (claim !== undefined && claim.previousHost !== 0 && claim.host !== claim.previousHost) this.cluster?.host(room.name, claim.host, claim.hostVersion);
    if (created) this.events.roomCreated(room.name);
    this.events.memberJoined(memberRef(member));
  }

  /** `conn` takes back the held seat `member` (§8.21): same id, presence and latest values. */
  private resume(conn: Connection, member: Member, id: number): void {
    member.may = memberRights(conn.principal, member.room.name);
    conn.rooms.set(member.room.handle, member);
    this.seats!.resume(member, conn);
    this.out.reply(conn, this.joinedReply(member, id));
    this.delivery.welcome(member);
    this.cluster?.back(member.room.name, member.id, member.presence, member.identity, member.seat);
  }

  /**
   * `conn` took over a seat another node held (§8.21 across nodes; the store moved it here): the
   * same id, presence and place in the join order; the members of every node see it back, not
   * joined. Its `latest` values come along when this node held them as a remote member's.
   */
  private resumeMoved(conn: Connection, room: Room, claim: StoredClaim, seat: string, id: number): void {
    const stored = claim.members.find((m) => m.id === claim.id);
    const presence = stored?.presence ?? null;
    const keys = room.remote.get(claim.id)?.keys;
    const principal = conn.principal;
    const member = room.add(conn, presence, stored?.identity ?? principal.memberFields, memberRights(principal, room.name), claim.id);
    if (keys !== undefined && keys.size > 0) member.keys = keys;
    member.seat = seat;
    conn.rooms.set(room.handle, member);
    if (claim.hostVersion >= room.hostVersion) {
      room.host = claim.host;
      room.hostVersion = claim.hostVersion;
    }
    this.delivery.joined(member);
    this.out.reply(conn, this.joinedReply(member, id));
    this.delivery.welcome(member);
    this.announce(conn, room.topic, room.size - 1, { type: 'member_back', room: room.handle, member: member.id });
    this.cluster?.back(room.name, member.id, presence, member.identity, seat);
  }

  /**
   * This node's held seat `member` was taken back on node `node` (remote.ts memberBack): it is that
   * node's member now. Leaves this node's room without member_left or webhook (it did not leave),
   * keeps its latest values as a remote member's, and the members here see it back.
   */
  movedOut(member: Member, node: string): void {
    const room = member.room;
    this.seats?.forget(member);
    const keys = member.keys;
    member.keys = undefined;
    room.remove(member);
    this.delivery.left(member, false);
    room.remote.set(member.id, { id: member.id, node, away: false, presence: member.presence, identity: member.identity, keys: keys ?? new Set() });
    this.cluster?.moved(room.name);
    if (room.size > 0) {
      this.out.publishLocal(room.topic, encodeControl({ type: 'member_back', room: room.handle, member: member.id }), 'control', room.size, room);
    } else if (this.rooms.disposeIfEmpty(room)) {
      this.delivery.disposed(room);
    }
  }

  private joinedReply(member: Member, id: number): ServerMessage {
    const room = member.room;
    const members = [...room.members.values()].map((m) => ({ id: m.id, presence: m.presence, ...m.identity, ...(m.away ? { away: true } : {}) }));
    for (const m of room.remote.values()) members.push({ id: m.id, presence: m.presence, ...m.identity, ...(m.away ? { away: true } : {}) });
    return {
      type: 'joined', id, room: room.name, handle: room.handle, self: member.id, members, tickHz: room.tickHz,
      settings: room.settings, host: room.host, ...(member.seat === undefined ? {} : { seat: member.seat }),
      fileBytesPerSec: roomFileBytesPerSec(this.limits),
    };
  }

  leave(conn: Connection, msg: Request<'leave'>): void {
    const member = conn.rooms.get(msg.room);
    if (member === undefined) return this.out.error(conn, 'not_in_room', `room handle ${msg.room} is not joined`, { id: msg.id, room: msg.room });
    conn.rooms.delete(msg.room);
    this.remove(member, true, 'left');
    this.out.reply(conn, { type: 'ok', id: msg.id });
  }

  setPresence(conn: Connection, msg: Request<'presence'>): void {
    const member = conn.rooms.get(msg.room);
    if (member === undefined) return this.out.error(conn, 'not_in_room', `room handle ${msg.room} is not joined`, { id: msg.id, room: msg.room });
    if (msg.presence !== null && !member.may.presence) {
      return this.out.error(conn, 'forbidden', `your token does not allow presence in room ${member.room.name}`, { id: msg.id, room: msg.room });
    }
    member.presence = msg.presence;
    this.out.reply(conn, { type: 'ok', id: msg.id });
    const room = member.room;
    this.announce(conn, room.topic, room.size - 1, { type: 'member_updated', room: room.handle, member: { id: member.id, presence: msg.presence, ...member.identity } });
    this.cluster?.updated(room.name, member.id, msg.presence, member.identity, member.seat);
  }

  /** First-join settings (§8.20 rule 6): only a `role: "server"` token, within the relay's limits. */
  private settingsFit(conn: Connection, settings: NonNullable<Request<'join'>['settings']>, id: number): boolean {
    if (conn.principal.server !== true) {
      this.out.error(conn, 'forbidden', 'only a role server token may set room settings in join', { id });
      return false;
    }
    if (settings.capacity !== undefined && settings.capacity > this.limits.maxMembersPerRoom) {
      this.out.error(conn, 'bad_message', `settings.capacity must be at most ${this.limits.maxMembersPerRoom}`, { id });
      return false;
    }
    const bytes = settings.metadata === undefined ? 0 : Buffer.byteLength(JSON.stringify(settings.metadata));
    if (bytes > this.limits.maxRoomMetadataBytes) {
      this.out.error(conn, 'bad_message', `settings.metadata is ${bytes} bytes as JSON, above the limit of ${this.limits.maxRoomMetadataBytes}`, { id });
      return false;
    }
    return true;
  }

  /**
   * Removes a member from its room and tells the others (unless the whole room is being closed:
   * `announce` false); disposes the room when empty. `tellCluster` is false only for a member
   * whose id another node holds now (remote.ts evict).
   */
  remove(member: Member, unsubscribe: boolean, reason: LeftReason, announce = true, tellCluster = true): void {
    const room = member.room;
    room.remove(member);
    this.delivery.left(member, unsubscribe);
    if (tellCluster) this.cluster?.left(room.name, member.id);
    this.events.memberLeft(memberRef(member), reason);
    if (room.size > 0) {
      if (!announce) return;
      const frame = encodeControl({ type: 'member_left', room: room.handle, member: member.id });
      this.out.publish(room.topic, frame, 'control', room.size);
      // In a cluster the store picks the next host (bus: the release's answer, then hostChanged).
      if (room.host === member.id && this.cluster === undefined) {
        // Hand-over (§8.20): the next longest-present member, told after the member_left.
        room.host = hostOf(room, (c) => c.principal.server === true);
        this.out.publish(room.topic, encodeControl({ type: 'host_changed', room: room.handle, host: room.host }), 'control', room.size);
      }
    } else if (this.rooms.disposeIfEmpty(room)) {
      this.delivery.disposed(room);
      // In a cluster the room is gone when the store removes its last member, whichever node (remote.ts roomGone).
      if (this.cluster === undefined) this.events.roomClosed(room.name);
    }
  }

  /** Sends a control message to the other members of a topic (not to `conn`). */
  private announce(conn: Connection, topic: string, recipients: number, message: ServerMessage): void {
    if (recipients <= 0) return;
    this.out.publish(topic, encodeControl(message), 'control', recipients, conn);
  }
}

function memberRef(member: Member): MemberRef {
  return { room: member.room.name, memberId: member.id, userId: member.identity.userId, info: member.identity.info };
}
