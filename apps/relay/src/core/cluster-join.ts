// The join path in a cluster (REDIS_URL set): the member id and the capacity are decided
// atomically by the cluster store (`claim`), so such a join finishes asynchronously. Kept apart
// from membership.ts, which runs the checks every join passes and then hands over here; the
// admitting itself (reply, events, host) stays there, through the `admit` callback.
import type { ClientMessage, Presence } from '@roomcast/protocol';
import type { Clock } from './clock.js';
import type { Claim, Cluster } from './cluster.js';
import type { Connection, Room } from './connection.js';
import { capacityOf, firstJoinSettings } from './host.js';
import type { RelayLimits } from './limits.js';
import type { Outbox } from './outbox.js';
import type { Rooms } from './rooms.js';
import type { Stats } from './stats.js';

type JoinRequest = Extract<ClientMessage, { type: 'join' }>;

/** Adds the member to the room and tells everyone (Membership's admit). */
export type Admit = (conn: Connection, room: Room, presence: Presence, id: number, created: boolean, clusterId: number) => void;

export interface ClusterJoinDeps {
  cluster: Cluster;
  limits: RelayLimits;
  rooms: Rooms<Connection>;
  out: Outbox;
  stats: Stats;
  clock: Clock;
  admit: Admit;
  /** Holds other nodes' events for a room while a join of it waits for its claim. */
  hold?: { hold(room: string): void; release(room: string): void } | undefined;
  /** An exception while finishing an asynchronous join (what a transport does for a frame: log, close 4500). */
  internalError?: ((conn: Connection, err: unknown) => void) | undefined;
}

export class ClusterJoin {
  private readonly cluster: Cluster;
  private readonly limits: RelayLimits;
  private readonly rooms: Rooms<Connection>;
  private readonly out: Outbox;
  private readonly stats: Stats;
  private readonly clock: Clock;
  private readonly admit: Admit;
  private readonly hold: ClusterJoinDeps['hold'];
  private readonly internalError: ClusterJoinDeps['internalError'];
  /** Rooms each connection is joining (the claim is asynchronous). */
  private readonly joining = new WeakMap<Connection, Set<string>>();

  constructor(deps: ClusterJoinDeps) {
    this.cluster = deps.cluster;
    this.limits = deps.limits;
    this.rooms = deps.rooms;
    this.out = deps.out;
    this.stats = deps.stats;
    this.clock = deps.clock;
    this.admit = deps.admit;
    this.hold = deps.hold;
    this.internalError = deps.internalError;
  }

  /** Rooms `conn` is joining now (their claims under way). */
  pending(conn: Connection): ReadonlySet<string> | undefined {
    return this.joining.get(conn);
  }

  /**
   * Starts the claim; other nodes' events for the room wait (`hold`) until the member is in.
   * Room settings, the host and seats are per relay process (docs/decisions/0002-cluster.md):
   * the claim's cap is this node's view of the room's capacity (its settings if it holds the
   * room, else the join's first-join settings, else the relay limit).
   */
  join(conn: Connection, msg: JoinRequest, presence: Presence, tickHz: number, room: Room | undefined): void {
    const name = msg.room;
    const pending = this.joining.get(conn) ?? new Set<string>();
    this.joining.set(conn, pending);
    pending.add(name);
    this.hold?.hold(name);
    const capacity = room !== undefined ? capacityOf(room, this.limits.maxMembersPerRoom)
      : Math.min(msg.settings?.capacity ?? this.limits.maxMembersPerRoom, this.limits.maxMembersPerRoom);
    const done = (claim: Claim): void => {
      pending.delete(name);
      try {
        this.claimed(conn, msg, presence, claim, capacity);
      } finally {
        this.hold?.release(name);
      }
    };
    this.cluster.claim(name, room?.tickHz ?? tickHz, presence, conn.principal.memberFields, capacity)
      .then(done, () => done({ ok: false, reason: 'unavailable' }))
      .catch((err: unknown) => this.internalError?.(conn, err));
  }

  private claimed(conn: Connection, msg: JoinRequest, presence: Presence, claim: Claim, capacity: number): void {
    const { id } = msg;
    if (!claim.ok) {
      if (conn.state === 'closed') return;
      if (claim.reason === 'full') {
        this.stats.hitLimit('members_per_room');
        return this.out.error(conn, 'room_full', `room ${msg.room} has its maximum of ${capacity} members`, { id });
      }
      return this.out.error(conn, 'internal', 'the cluster store (Redis) cannot be reached: joins wait until it is back; retry', { id });
    }
    let room = this.rooms.get(msg.room);
    if (conn.state === 'closed') return this.cluster.left(msg.room, claim.id);
    // The room may have been locked here while the claim was under way.
    if (room !== undefined && room.settings.locked) {
      this.cluster.left(msg.room, claim.id);
      return this.out.error(conn, 'room_locked', `room ${msg.room} is locked`, { id, room: room.handle });
    }
    const created = room === undefined;
    if (room === undefined) {
      room = this.rooms.create(msg.room, claim.tickHz, this.limits.roomMaxBytesOutPerSec, this.clock.now());
      if (room === undefined) {
        this.cluster.left(msg.room, claim.id);
        this.stats.hitLimit('rooms');
        return this.out.error(conn, 'relay_full', `the relay hosts its maximum of ${this.limits.maxRooms} rooms`, { id });
      }
      room.settings = firstJoinSettings(this.limits.maxMembersPerRoom, msg.settings);
    }
    for (const m of claim.members) {
      if (m.node !== this.cluster.nodeId && !room.remote.has(m.id)) room.remote.set(m.id, { id: m.id, node: m.node, presence: m.presence, identity: m.identity, keys: new Set() });
    }
    this.admit(conn, room, presence, id, created, claim.id);
  }
}
