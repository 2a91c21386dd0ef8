// The room core's front door: composes the core's services and is what transports call for each
// connection (open, message, closed, close). Rooms and presence live in membership.ts, delivery
// classes in delivery.ts, frame handling in inbound.ts, sending and counting in outbox.ts, the
// close path in connections.ts, fan-out in fanout.ts. Knows nothing of sockets.
import type { CloseName, ErrorCode } from '@roomcast/protocol';
import type { Refusal } from './addresses.js';
import type { Authenticator } from './access.js';
import { Admin, type AdminApi } from './admin.js';
import { ClusterAdmin } from './cluster-admin.js';
import { systemClock, type Clock } from './clock.js';
import type { Cluster } from './cluster.js';
import type { Connection } from './connection.js';
import { Connections } from './connections.js';
import { Delivery } from './delivery.js';
import { NO_ROOM_EVENTS, type RoomEvents } from './events.js';
import type { Fanout } from './fanout.js';
import { Groups } from './groups.js';
import { Handshake } from './handshake.js';
import { Inbound } from './inbound.js';
import { welcomeLimits, type RelayLimits } from './limits.js';
import type { Log } from './log.js';
import { Membership } from './membership.js';
import { Outbox, type ErrorExtra } from './outbox.js';
import type { Peer } from './peer.js';
import { RemoteRooms } from './remote.js';
import { Rooms } from './rooms.js';
import { Seats } from './seats.js';
import type { FrameCountKind, LimitName, Stats } from './stats.js';

export class Relay {
  readonly rooms: Rooms<Connection>;
  readonly connections: Connections;
  /** Largest frame of any kind; transports size their own frame limits from it. */
  readonly maxFrameBytes: number;
  /** What the HTTP server API may see and do on this node (admin.ts). */
  readonly admin: Admin;
  /** What the HTTP server API calls: `admin`, or in a cluster the cluster-wide ClusterAdmin (cluster-admin.ts). */
  readonly api: AdminApi;
  /** Held seats of dropped members (PROTOCOL.md §8.21). */
  readonly seats: Seats;
  private readonly out: Outbox;
  private readonly delivery: Delivery;
  private readonly membership: Membership;
  private readonly inbound: Inbound;
  private readonly handshake: Handshake;
  /** What other relay nodes cause here (the bus calls it); undefined without a cluster. */
  readonly remote: RemoteRooms | undefined;

  constructor(
    private readonly limits: RelayLimits,
    fanout: Fanout,
    readonly stats: Stats,
    private readonly log: Log,
    /** Identity and access (tokens, rights): the process fills it from src/auth/ (src/access.ts). */
    access: Authenticator,
    /** Monotonic time and timers; injectable for tests. */
    private readonly clock: Clock = systemClock,
    /** Other relay nodes (REDIS_URL set); undefined: a single relay. */
    cluster?: Cluster,
    /** Room lifecycle observer (webhooks); none by default. */
    events: RoomEvents = NO_ROOM_EVENTS,
  ) {
    this.rooms = new Rooms(limits.maxRooms);
    this.connections = new Connections({ limits, stats, clock, log, onClosed: (conn) => this.leaveAll(conn) });
    this.out = new Outbox({ stats, fanout, connections: this.connections, maxBufferedBytes: limits.maxBufferedBytes });
    this.delivery = new Delivery({ limits, out: this.out, fanout, stats, clock, cluster });
    // Interest groups do not cross the cluster bus yet: a clustered relay offers none (limit 0).
    const groupLimits = { ...limits, maxGroupsPerMember: cluster === undefined ? limits.maxGroupsPerMember : 0 };
    const groups = new Groups({ limits: groupLimits, out: this.out, fanout, stats, clock, delivery: this.delivery });
    this.delivery.groups = groups;
    this.remote = cluster === undefined ? undefined
      : new RemoteRooms({ rooms: this.rooms, out: this.out, delivery: this.delivery, connections: this.connections, cluster, clock, stats, events });
    this.membership = new Membership({ limits, rooms: this.rooms, delivery: this.delivery, out: this.out, stats, clock, events, cluster, hold: this.remote,
      internalError: (conn, err) => this.internalError(conn, err) });
    if (this.remote !== undefined) this.remote.deps.membership = this.membership;
    this.seats = new Seats({
      graceMs: limits.seatGraceMs, clock, out: this.out, delivery: this.delivery, stats,
      remove: (member, reason) => this.membership.remove(member, false, reason), cluster,
    });
    this.membership.seats = this.seats;
    this.handshake = new Handshake({
      access, connections: this.connections, out: this.out, stats, log, welcomeLimits: welcomeLimits(groupLimits),
      internalError: (conn, err) => this.internalError(conn, err),
    });
    this.inbound = new Inbound({
      limits, stats, clock, log, connections: this.connections, out: this.out, membership: this.membership, delivery: this.delivery, handshake: this.handshake, groups,
    });
    this.maxFrameBytes = this.inbound.maxFrameBytes;
    this.admin = new Admin({
      fastTopic: (room) => this.delivery.fast(room),
      rooms: this.rooms, connections: this.connections, out: this.out, stats, clock, softBufferedBytes: limits.softBufferedBytes, events,
      limits,
      removeQuietly: (member, reason) => {
        this.seats.forget(member);
        this.membership.remove(member, !member.away, reason, false);
      },
      dropSeat: (member) => this.seats.drop(member, 'kicked'),
      removeMember: (member) => this.membership.remove(member, true, 'kicked'),
      dropUserSeats: (userId) => this.seats.dropUser(userId),
      localOnly: cluster !== undefined,
    });
    if (this.remote !== undefined) this.remote.deps.admin = this.admin;
    this.api = cluster === undefined ? this.admin : new ClusterAdmin({
      runLocal: (command) => this.remote!.command(command), store: cluster.store, events, limits, clock, stats, log,
      applySettings: (room, settings, version) => this.remote?.settingsChanged(room, settings, version),
    });
  }

  // ---- what transports call -------------------------------------------------------

  /** Before accepting a socket: undefined to accept, else why to refuse it (PROTOCOL.md §8.19). */
  admit(remoteAddress: string): Refusal | undefined {
    return this.connections.admit(remoteAddress);
  }

  /** A transport accepted a socket. */
  open(peer: Peer): Connection {
    return this.connections.open(peer);
  }

  /** One binary frame from a connection. `bytes` may be a view the transport reuses after return. */
  message(conn: Connection, bytes: Uint8Array): void {
    this.inbound.message(conn, bytes);
  }

  /** A text (non-binary) WebSocket message: not part of the protocol. */
  textMessage(conn: Connection): void {
    this.inbound.textMessage(conn);
  }

  /** The transport reports the connection closed (by either side). Leaves every room. */
  closed(conn: Connection): void {
    this.connections.closed(conn);
  }

  /** Closes a connection with a documented code, counting the close (and the limit it hit). */
  close(conn: Connection, name: CloseName, reason: string, limit?: LimitName): void {
    this.connections.close(conn, name, reason, limit);
  }

  /** Sends a frame the transport made (a heartbeat), counted like every other frame out. */
  send(conn: Connection, frame: Uint8Array, kind: FrameCountKind): void {
    this.out.send(conn, frame, kind);
  }

  /** A typed error frame, counted by code. */
  sendError(conn: Connection, code: ErrorCode, message: string, extra?: ErrorExtra): void {
    this.out.error(conn, code, message, extra);
  }

  /** An unexpected exception while handling this connection's frame: log, count, close with 4500. */
  internalError(conn: Connection, err: unknown): void {
    this.log.error({ conn: conn.id, err }, 'internal error while handling a frame');
    this.stats.errors.internal++;
    try {
      this.close(conn, 'internal_error', 'internal error');
    } catch (closeErr) {
      this.log.error({ conn: conn.id, err: closeErr }, 'internal error while closing');
      this.closed(conn);
    }
  }

  // ---- periodic and process-wide ------------------------------------------------------

  /** Periodic check: handshake deadlines, send-buffer hard caps, soft caps (lag). O(connections). */
  sweep(): void {
    const now = this.clock.now();
    this.connections.addresses.prune(now);
    for (const conn of this.connections) {
      if (conn.state === 'handshake' || conn.state === 'authenticating') {
        // The deadline runs until the welcome, token verification included.
        if (now - conn.openedAt > this.limits.helloTimeoutMs) {
          this.close(conn, 'timeout', 'no hello within the handshake deadline', 'hello_timeout');
        }
        continue;
      }
      const buffered = conn.peer.bufferedAmount();
      if (buffered > this.limits.maxBufferedBytes) {
        this.close(conn, 'slow_consumer', 'send buffer above the hard cap', 'buffered_bytes');
      } else {
        this.delivery.checkLag(conn, buffered);
      }
    }
  }

  /** Closes every connection (graceful shutdown). */
  closeAll(name: CloseName, reason: string): void {
    for (const conn of [...this.connections]) this.close(conn, name, reason);
    this.seats.dropAll();
  }

  private leaveAll(conn: Connection): void {
    this.handshake.closed(conn);
    const reason = conn.closedAs === 'kicked' ? 'kicked' : 'disconnected';
    // A drop (not a kick, a shutdown or a protocol close) keeps the seats, when seats are on (§8.21).
    const keep = this.seats.enabled && (conn.closedAs === undefined || conn.closedAs === 'slow_consumer' || conn.closedAs === 'timeout');
    for (const member of conn.rooms.values()) {
      if (keep) this.seats.hold(member);
      else this.membership.remove(member, false, reason);
    }
    conn.rooms.clear();
  }
}

/** What a transport may call on the core. */
export type TransportCore = Pick<Relay, 'admit' | 'open' | 'message' | 'textMessage' | 'closed' | 'close' | 'send' | 'sendError' | 'internalError' | 'maxFrameBytes'>;
