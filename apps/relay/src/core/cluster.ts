// The port between the core and other relay nodes (docs/decisions/0002-cluster.md). The core
// defines what it needs here and never imports the implementation (src/bus/, on Redis): without
// REDIS_URL no `Cluster` exists and every code path below is skipped. Broadcast data frames do
// not appear here: the bus is also a FanoutSink and takes them from the fan-out service.
import type { BatchEntry, Presence } from '@roomcast/protocol';
import type { MemberIdentity } from './access.js';

export type { MemberIdentity };

/** A member as the cluster knows it: its room-wide id, presence, verified identity and the node that holds it. */
export interface ClusterMember {
  id: number;
  presence: Presence;
  /** `userId` / `info` from its token (protocol v2); `{}` for an anonymous member. */
  identity: MemberIdentity;
  node: string;
}

/** The answer to a claim: a fresh cluster-wide member id, or why there is none. */
export type Claim =
  | { ok: true; id: number; tickHz: number; members: ClusterMember[] }
  | { ok: false; reason: 'full' | 'unavailable' };

/** What the core asks of the other nodes. Every call but `claim` is fire-and-forget. */
export interface Cluster {
  readonly nodeId: string;
  /**
   * Starts listening to the room (if this node did not yet) and reserves a member id atomically:
   * capacity and ids are decided by the cluster store, not by racing nodes. `tickHz` is used only
   * when the room is new cluster-wide (its creator's rate). Every ok claim is later given back
   * with `left`.
   */
  claim(room: string, tickHz: number, presence: Presence, identity: MemberIdentity, maxMembers: number): Promise<Claim>;
  /** A claimed member is in the room here: tell the other nodes. */
  joined(room: string, id: number, presence: Presence, identity: MemberIdentity): void;
  /** New presence; the identity goes with it because the store keeps both in one entry. */
  updated(room: string, id: number, presence: Presence, identity: MemberIdentity): void;
  /** Gives the id back and tells the other nodes; stops listening once no local member is left. */
  left(room: string, id: number): void;
  /** A direct frame (reliable or droppable) to a member held by another node. */
  direct(room: string, target: number, frame: Uint8Array): void;
  /** This node's merged `latest` entries of one room tick (only values of its own members). */
  latest(room: string, entries: BatchEntry[]): void;
}

/** A room as this node holds it, for the bus's re-registration after an outage. */
export interface LocalRoomState {
  tickHz: number;
  members: { id: number; presence: Presence; identity: MemberIdentity }[];
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
  memberLeft(room: string, id: number): void;
  /** Whether this node holds member `id` of the room (another node announcing its departure means we were reaped). */
  holds(room: string, id: number): boolean;
  /** A deliver frame from another node: to the room (target 0) or to one local member. */
  frame(room: string, frame: Uint8Array, target: number): void;
  latest(room: string, entries: BatchEntry[]): void;
  /** Rooms this node holds, with their local state (after an outage, to re-register). */
  localRooms(): Map<string, LocalRoomState>;
  /** After an outage: the room's member list in the store; members here learn the difference and get a snapshot. */
  resync(room: string, members: ClusterMember[]): void;
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
