// The port between the core and other relay nodes (docs/decisions/0002-cluster.md). The core
// defines what it needs here and never imports the implementation (src/bus/, on Redis): without
// REDIS_URL no `Cluster` exists and every code path below is skipped. Broadcast data frames do
// not appear here: the bus is also a FanoutSink and takes them from the fan-out service.
import type { BatchEntry, Presence, RoomSettings } from '@roomcast/protocol';
import type { MemberIdentity } from './access.js';
import type { ApiRoomPage } from '@roomcast/protocol/server-api';
import type { PublishClass } from './admin.js';
import type { RemoteMember } from './room.js';

export type { MemberIdentity };

/** A member as the cluster knows it: its room-wide id, presence, verified identity and the node that holds it. */
export interface ClusterMember {
  id: number;
  presence: Presence;
  /** `userId` / `info` from its token (protocol v2); `{}` for an anonymous member. */
  identity: MemberIdentity;
  node: string;
  /** Its seat is held by its node (PROTOCOL.md §8.21). */
  away?: boolean;
  /** Hash of the held seat's resume token (bus/entry.ts); only the store and the bus read it. */
  seat?: string;
}

/**
 * A room's settings and host as the cluster store decided them. Versions grow with each change,
 * so a node keeps the newest whatever order the changes reach it in.
 */
export interface StoredRoomState {
  settings: RoomSettings;
  settingsVersion: number;
  host: number;
  hostVersion: number;
  /** The host before this claim (0: the room had none): a change is announced. */
  previousHost: number;
}

/** What a join asks of the cluster store. */
export interface ClaimRequest {
  /** The room's tick rate if this claim creates it (its creator's rate, whichever node). */
  tickHz: number;
  presence: Presence;
  identity: MemberIdentity;
  /** RELAY_MAX_MEMBERS_PER_ROOM of this node: the stored capacity is bounded by it. */
  maxMembers: number;
  /** A `role: "server"` member: hosts before every other member (§8.20). */
  server: boolean;
  /** The settings the room gets if this claim creates it (first-join settings, or the defaults). */
  settings: RoomSettings;
  /** The resume token the member's seat will have (seats on): stored as a hash, so any node can hand the seat back. */
  seat?: string | undefined;
}

/** The answer to a claim: a fresh cluster-wide member id, or why there is none. */
export type Claim =
  | ({ ok: true; id: number; tickHz: number; members: ClusterMember[]; created: boolean } & StoredRoomState)
  | { ok: false; reason: 'full'; capacity: number }
  | { ok: false; reason: 'locked' | 'unavailable' };

/** What the core asks of the other nodes. Every call but `claim` is fire-and-forget. */
export interface Cluster {
  readonly nodeId: string;
  /** The server API's reads and writes of the store, and calls to the other nodes (cluster-admin.ts). */
  readonly store: ClusterRooms;
  /**
   * Starts listening to the room (if this node did not yet) and reserves a member id atomically:
   * the lock, capacity, ids and the host are decided by the cluster store, not by racing nodes.
   * Every ok claim is later given back with `left`.
   */
  claim(room: string, request: ClaimRequest): Promise<Claim>;
  /**
   * Takes over the held seat whose resume token is `token` (its member's `userId` must match),
   * wherever it is held: an answer like a claim's (same id), or undefined when there is no such
   * seat (expired, taken, never held) and the join goes on as a new member.
   */
  takeSeat(room: string, token: string, userId: string | undefined, beforeTake?: () => void): Promise<Claim | undefined>;
  /** After `joined`: this node's claim changed the host; tell the other nodes. */
  host(room: string, host: number, version: number): void;
  /** A local member's seat is held (its connection dropped) or taken back here: store and tell the other nodes. */
  away(room: string, id: number, presence: Presence, identity: MemberIdentity, seat: string): void;
  back(room: string, id: number, presence: Presence, identity: MemberIdentity, seat?: string): void;
  /** A local member's held seat was taken over by another node: this node stops listening for it. */
  moved(room: string): void;
  /** Ends now (member_left, reason kicked) a seat this node holds for a dead node's member; whether it held one. */
  endHeld(room: string, id: number): boolean;
  /** Ends every such seat of `userId`; how many. */
  endHeldOf(userId: string): number;
  /** A claimed member is in the room here: tell the other nodes. */
  joined(room: string, id: number, presence: Presence, identity: MemberIdentity): void;
  /** New presence; the identity goes with it because the store keeps both in one entry. */
  updated(room: string, id: number, presence: Presence, identity: MemberIdentity, seat?: string): void;
  /**
   * Gives the id back and tells the other nodes; stops listening once no local member is left.
   * The store's answer comes back through the inbox: a new host (`hostChanged`), or the room
   * gone with its last member (`roomGone`).
   */
  left(room: string, id: number): void;
  /** A direct frame (reliable or droppable) to a member held by another node. */
  direct(room: string, target: number, frame: Uint8Array): void;
  /** This node's merged `latest` entries of one room tick (only values of its own members). */
  latest(room: string, entries: BatchEntry[]): void;
}

/** A member of another node as the room keeps it. */
export function remoteMember(m: ClusterMember): RemoteMember {
  return { id: m.id, node: m.node, away: m.away === true, presence: m.presence, identity: m.identity, keys: new Set() };
}

/** A room as this node holds it, for the bus's re-registration after an outage. */
export interface LocalRoomState {
  tickHz: number;
  settings: RoomSettings;
  /** Which local members hold a server token (they host first). */
  servers: Set<number>;
  /** `seat`: its resume token (seats on); `away`: its seat is held. */
  members: { id: number; presence: Presence; identity: MemberIdentity; seat?: string | undefined; away: boolean }[];
  /** `latest` values of this node's members. */
  values: BatchEntry[];
}

/** What other nodes cause on this one: the core implements it (remote.ts), the bus calls it. */
export interface ClusterInbox {
  /**
   * The room a publish on this fan-out topic must reach on other nodes, or undefined when no
   * other node has members in it (the bus then sends nothing).
   */
  forwardRoom(topic: string): string | undefined;
  memberJoined(room: string, member: ClusterMember): void;
  memberUpdated(room: string, member: ClusterMember): void;
  /** A member of another node left; `node`: the node that held it (a Left of any other node is stale and ignored). */
  memberLeft(room: string, id: number, node?: string): void;
  /** A member of another node is away, its seat held by node `node` (its own, or the one that adopted it from a dead node). */
  memberAway(room: string, id: number, node: string): void;
  /**
   * A held seat was taken back, on its node or on another one (`member.node`): the member is
   * present again, possibly held by a different node now. Tells the room member_back.
   */
  memberBack(room: string, member: ClusterMember): void;
  /** The room's settings changed (on any node): members here get `room_settings` if `version` is newer. */
  settingsChanged(room: string, settings: RoomSettings, version: number): void;
  /** The room's host changed (decided in the store): members here get `host_changed` if `version` is newer. */
  hostChanged(room: string, host: number, version: number): void;
  /** This node's script removed the room's last member: the room is gone cluster-wide (webhook). */
  roomGone(room: string): void;
  /** This node's reaper removed a dead node's member (or ended its adopted seat): member_left here, and the webhook. */
  reaped(room: string, member: ClusterMember, reason?: 'disconnected' | 'kicked'): void;
  /** A server API call another node relays to every node (cluster-admin.ts); returns this node's part. */
  command(command: ClusterCommand): unknown;
  /** Whether this node holds member `id` of the room (another node announcing its departure means we were reaped). */
  holds(room: string, id: number): boolean;
  /** A deliver frame from another node: to the room (target 0) or to one local member. */
  frame(room: string, frame: Uint8Array, target: number): void;
  latest(room: string, entries: BatchEntry[]): void;
  /** Rooms this node holds, with their local state (after an outage, to re-register). */
  localRooms(): Map<string, LocalRoomState>;
  /** After an outage: the room's member list in the store; members here learn the difference and get a snapshot. */
  resync(room: string, members: ClusterMember[], state: StoredRoomState | undefined): void;
  /** A local member whose id another node took during an outage: closed so its client rejoins. */
  evict(room: string, id: number): void;
  /**
   * Messages of another node for this room were lost (a gap in its sequence numbers) or came too
   * late to deliver (a reliable frame or a member event older than the staleness bound). A
   * reliable frame is never dropped silently (PROTOCOL.md §8.5 rule 9): the local members that
   * should have had it (`target` 0: every local member of the room) are closed with 4502
   * `frames_lost`, so their clients rejoin and resync.
   */
  lost(room: string, target: number): void;
}

// ---- the server API's part of the port (cluster-admin.ts) ---------------------------

/** A room as the cluster store holds it. Members in join order. */
export interface StoredRoom {
  name: string;
  tickHz: number;
  settings: RoomSettings;
  host: number;
  members: ClusterMember[];
}

/** A server API call every node runs on its own members (relayed between nodes by the bus). */
export type ClusterCommand =
  | { op: 'publish'; room: string; payload: string; cls: PublishClass; to?: number | undefined }
  | { op: 'kick' | 'remove'; room: string; member: number; reason: string }
  | { op: 'close'; room: string; reason: string }
  | { op: 'disconnect'; userId: string; reason: string };

/** What the server API needs of the cluster store (the bus implements it). Every call rejects while the store is unreachable. */
export interface ClusterRooms {
  storedRoom(name: string): Promise<StoredRoom | undefined>;
  /** Rooms of the whole cluster, by name (same paging rules as admin.ts). */
  storedRooms(query: { prefix: string; limit: number; after: string | undefined; includePrivate: boolean }): Promise<ApiRoomPage>;
  /**
   * Creates an empty room in the store that expires `ttlSec` later unless someone joins (0: never);
   * the token of this creation for `expireCreated`, or undefined when a room of that name exists.
   */
  createRoom(name: string, tickHz: number, settings: RoomSettings, ttlSec: number): Promise<string | undefined>;
  /** Deletes the room if it is still creation `token` and nobody joined it; whether it did. */
  expireCreated(name: string, token: string): Promise<boolean>;
  /** Changes a live room's settings atomically and tells every node; undefined when there is no such room. */
  updateSettings(name: string, patch: Partial<RoomSettings>): Promise<{ settings: RoomSettings; version: number } | undefined>;
  /** Deletes a room that has no member; whether it did. */
  dropEmpty(name: string): Promise<boolean>;
  /** Runs `command` on every other live node; their answers (those that came within the call timeout). */
  call(command: ClusterCommand): Promise<unknown[]>;
}
