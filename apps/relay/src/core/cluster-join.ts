// The join path in a cluster (REDIS_URL set): the lock, the capacity, the member id and the host
// are decided atomically by the cluster store (`claim`), and a held seat may be taken back from
// whichever node holds it (`takeSeat`), so such a join finishes asynchronously. Kept apart from
// membership.ts, which runs the checks every join passes and then hands over here; the admitting
// itself (reply, events, host) stays there, through the `admit` and `resumed` callbacks.
import type { ClientMessage, Presence } from '@roomcast/protocol';
import type { Clock } from './clock.js';
import { remoteMember, type Claim, type Cluster } from './cluster.js';
import type { Connection, Room } from './connection.js';
import { firstJoinSettings } from './host.js';
import type { RelayLimits } from './limits.js';
import type { Outbox } from './outbox.js';
import type { Rooms } from './rooms.js';
import type { Stats } from './stats.js';

type JoinRequest = Extract<ClientMessage, { type: 'join' }>;
export type StoredClaim = Extract<Claim, { ok: true }>;

/** Adds the member to the room and tells everyone (Membership's admit). */
export type Admit = (conn: Connection, room: Room, presence: Presence, id: number, created: boolean, claim: StoredClaim, seat: string | undefined) => void;
/** `conn` took over a held seat that another node held (Membership's resumeMoved). */
export type Resumed = (conn: Connection, room: Room, claim: StoredClaim, seat: string, id: number) => void;

export interface ClusterJoinDeps {
  cluster: Cluster;
  limits: RelayLimits;
  rooms: Rooms<Connection>;
  out: Outbox;
  stats: Stats;
  clock: Clock;
  admit: Admit;
  resumed: Resumed;
  /** A new seat's resume token (seats on), else undefined. */
  seatToken: () => string | undefined;
  /** Holds other nodes' events for a room while a join of it waits for its claim. */
  hold?: { hold(room: string): void; release(room: string): void } | undefined;
  /** An exception while finishing an asynchronous join (what a transport does for a frame: log, close 4500). */
  internalError?: ((conn: Connection, err: unknown) => void) | undefined;
}

export class ClusterJoin {
  /** Rooms each connection is joining (the claim is asynchronous). */
  private readonly joining = new WeakMap<Connection, Set<string>>();

  constructor(private readonly deps: ClusterJoinDeps) {}

  /** Rooms `conn` is joining now (their claims under way). */
  pending(conn: Connection): ReadonlySet<string> | undefined {
    return this.joining.get(conn);
  }

  /**
   * Starts the claim (after trying the held seat `msg.seat` names, wherever it is held); other
   * nodes' events for the room wait (`hold`) until the member is in. The store applies the room's
   * stored settings (lock, capacity bounded by this node's limit) or, for a room this join
   * creates, the join's first-join settings (docs/decisions/0002-cluster.md).
   */
  join(conn: Connection, msg: JoinRequest, presence: Presence, tickHz: number, room: Room | undefined, seats: boolean): void {
    const { cluster, limits } = this.deps;
    const name = msg.room;
    const pending = this.joining.get(conn) ?? new Set<string>();
    this.joining.set(conn, pending);
    pending.add(name);
    // Other nodes' events for the room wait from the moment a script may decide the member (not
    // while a seat is being waited for: the room's other members here must not wait with it).
    let held = false;
    const hold = (): void => {
      if (held) return;
      held = true;
      this.deps.hold?.hold(name);
    };
    const principal = conn.principal;
    const newSeat = this.deps.seatToken();
    const claim = async (): Promise<{ claim: Claim; seat?: string }> => {
      if (seats && msg.seat !== undefined) {
        const taken = await cluster.takeSeat(name, msg.seat, principal.memberFields.userId, hold);
        if (taken !== undefined) return { claim: taken, seat: msg.seat };
      }
      hold();
      return {
        claim: await cluster.claim(name, {
          tickHz: room?.tickHz ?? tickHz, presence, identity: principal.memberFields, maxMembers: limits.maxMembersPerRoom,
          server: principal.server === true, settings: firstJoinSettings(limits.maxMembersPerRoom, msg.settings), seat: newSeat,
        }),
      };
    };
    const done = (result: { claim: Claim; seat?: string }): void => {
      pending.delete(name);
      try {
        this.claimed(conn, msg, presence, result.claim, result.seat, newSeat);
      } finally {
        if (held) this.deps.hold?.release(name);
      }
    };
    // Stryker disable next-line ObjectLiteral,StringLiteral: equivalent: claimed() answers every refusal but full and locked alike (internal), so the reason's value cannot be told apart
    claim().then(done, () => done({ claim: { ok: false, reason: 'unavailable' } }))
      .catch((err: unknown) => this.deps.internalError?.(conn, err));
  }

  private claimed(conn: Connection, msg: JoinRequest, presence: Presence, claim: Claim, seat: string | undefined, newSeat: string | undefined): void {
    const { cluster, out, stats, limits } = this.deps;
    const { id } = msg;
    let room = this.deps.rooms.get(msg.room);
    if (!claim.ok) {
      if (conn.state === 'closed') return;
      const where = room === undefined ? {} : { room: room.handle };
      if (claim.reason === 'full') {
        stats.hitLimit('members_per_room');
        return out.error(conn, 'room_full', `room ${msg.room} has its maximum of ${claim.capacity} members`, { id, ...where });
      }
      if (claim.reason === 'locked') return out.error(conn, 'room_locked', `room ${msg.room} is locked`, { id, ...where });
      return out.error(conn, 'internal', 'the cluster store (Redis) cannot be reached: joins wait until it is back; retry', { id });
    }
    if (conn.state === 'closed') {
      // A seat taken over for a connection that closed meanwhile ends (member_left): the others
      // first learn that it is this node's (back), so they accept this node's left.
      if (seat !== undefined) {
        const stored = claim.members.find((m) => m.id === claim.id);
        cluster.back(msg.room, claim.id, stored?.presence ?? null, stored?.identity ?? {}, seat);
      }
      cluster.left(msg.room, claim.id);
      return;
    }
    const created = room === undefined;
    if (room === undefined) {
      room = this.deps.rooms.create(msg.room, claim.tickHz, limits.roomMaxBytesOutPerSec, this.deps.clock.now());
      if (room === undefined) {
        cluster.left(msg.room, claim.id);
        stats.hitLimit('rooms');
        return out.error(conn, 'relay_full', `the relay hosts its maximum of ${limits.maxRooms} rooms`, { id });
      }
    }
    if (created || claim.settingsVersion > room.settingsVersion) {
      room.settings = claim.settings;
      room.settingsVersion = claim.settingsVersion;
    }
    for (const m of claim.members) {
      if (m.node !== cluster.nodeId && m.id !== claim.id && !room.remote.has(m.id)) room.remote.set(m.id, remoteMember(m));
    }
    if (seat !== undefined) return this.deps.resumed(conn, room, claim, seat, id);
    this.deps.admit(conn, room, presence, id, claim.created, claim, newSeat);
  }
}
