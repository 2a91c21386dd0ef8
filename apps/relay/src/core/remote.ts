// Other nodes' events applied to this node's rooms (clustering, docs/decisions/0002-cluster.md):
// remote members and their presence, deliver frames from remote senders, remote `latest` values,
// and the resync after a cluster-store outage. The bus (src/bus/) calls this through the
// `ClusterInbox` port; nothing here knows Redis.
import { DeliveryClass, Flags, encodeControl, type BatchEntry, type RoomSettings } from '@roomcast/protocol';
import type { Admin } from './admin.js';
import type { Clock } from './clock.js';
import { runCommand } from './cluster-admin.js';
import { remoteMember, type Cluster, type ClusterCommand, type ClusterInbox, type ClusterMember, type LocalRoomState, type StoredRoomState } from './cluster.js';
import type { Connection, Room } from './connection.js';
import type { RoomEvents } from './events.js';
import type { Connections } from './connections.js';
import type { Delivery } from './delivery.js';
import type { Membership } from './membership.js';
import type { Outbox } from './outbox.js';
import type { Rooms } from './rooms.js';
import type { Stats } from './stats.js';

/** Events held for one room while a local join of it waits for its claim (bounded). */
const MAX_HELD_EVENTS = 1024;

export interface RemoteDeps {
  rooms: Rooms<Connection>;
  out: Outbox;
  delivery: Delivery;
  connections: Connections;
  cluster: Cluster;
  clock: Clock;
  stats: Stats;
  /** Room lifecycle observer (webhooks): told of what this node's scripts decided (room gone, reaped members). */
  events: RoomEvents;
  /** Set after construction (membership needs this object as its `hold`). */
  membership?: Membership;
  /** This node's server API calls, for calls relayed from other nodes; set after construction. */
  admin?: Admin;
}

export class RemoteRooms implements ClusterInbox {
  /** Room name -> joins waiting for a claim, and the events that arrived meanwhile. */
  readonly #held = new Map<string, { joins: number; events: (() => void)[] }>();

  constructor(readonly deps: RemoteDeps) {}

  // ---- holding events while a join is pending ----------------------------------------

  hold(room: string): void {
    const held = this.#held.get(room);
    if (held === undefined) this.#held.set(room, { joins: 1, events: [] });
    else held.joins++;
  }

  release(room: string): void {
    const held = this.#held.get(room);
    if (held === undefined) return;
    if (--held.joins > 0) return;
    this.#held.delete(room);
    for (const event of held.events) event();
  }

  /** Runs `event` on the local room now, later (a join is pending), or never (no local member). */
  #apply(name: string, event: (room: Room) => void): void {
    const held = this.#held.get(name);
    if (held !== undefined) {
      if (held.events.length < MAX_HELD_EVENTS) held.events.push(() => this.#apply(name, event));
      return;
    }
    const room = this.deps.rooms.get(name);
    if (room !== undefined) event(room);
  }

  // ---- ClusterInbox ------------------------------------------------------------------

  forwardRoom(topic: string): string | undefined {
    // Topics are `room/<handle>` and `room/<handle>/fast` (room.ts); parseInt stops at the slash.
    const room = this.deps.rooms.byHandle(Number.parseInt(topic.slice(5), 10));
    return room !== undefined && room.remote.size > 0 ? room.name : undefined;
  }

  memberJoined(name: string, member: ClusterMember): void {
    this.#apply(name, (room) => {
      if (room.members.has(member.id) || room.remote.has(member.id)) return;
      // The first member of another node in this room: that node has none of our values yet
      // (we publish them only while another node listens), so hand them over once.
      if (![...room.remote.values()].some((m) => m.node === member.node)) this.#handOver(room);
      room.remote.set(member.id, remoteMember(member));
      this.#announce(room, { type: 'member_joined', room: room.handle, member: { id: member.id, presence: member.presence, ...member.identity } });
      if (member.away === true) this.#announce(room, { type: 'member_away', room: room.handle, member: member.id });
    });
  }

  memberUpdated(name: string, member: ClusterMember): void {
    this.#apply(name, (room) => {
      const remote = room.remote.get(member.id);
      if (remote === undefined) return;
      remote.presence = member.presence;
      // The identity is fixed at join: the one this node learnt then is what the room keeps seeing.
      this.#announce(room, { type: 'member_updated', room: room.handle, member: { id: member.id, presence: member.presence, ...remote.identity } });
    });
  }

  memberLeft(name: string, id: number, node?: string): void {
    this.#apply(name, (room) => {
      const remote = room.remote.get(id);
      if (remote === undefined || (node !== undefined && remote.node !== node)) return;
      room.remote.delete(id);
      this.deps.delivery.clearRemote(room, id, remote.keys);
      this.#announce(room, { type: 'member_left', room: room.handle, member: id });
    });
  }

  memberAway(name: string, id: number, node: string): void {
    this.#apply(name, (room) => {
      const remote = room.remote.get(id);
      if (remote === undefined) return;
      remote.node = node;
      if (remote.away) return;
      remote.away = true;
      this.#announce(room, { type: 'member_away', room: room.handle, member: id });
    });
  }

  memberBack(name: string, member: ClusterMember): void {
    this.#apply(name, (room) => {
      const local = room.members.get(member.id);
      // Our held seat was taken back on another node: it is that node's member now.
      if (local !== undefined) return this.deps.membership?.movedOut(local, member.node);
      const remote = room.remote.get(member.id);
      if (remote === undefined) return this.memberJoined(name, member);
      remote.node = member.node;
      if (!remote.away) return;
      remote.away = false;
      this.#announce(room, { type: 'member_back', room: room.handle, member: member.id });
    });
  }

  settingsChanged(name: string, settings: RoomSettings, version: number): void {
    this.#apply(name, (room) => {
      if (version <= room.settingsVersion) return;
      room.settings = settings;
      room.settingsVersion = version;
      this.#announce(room, { type: 'room_settings', room: room.handle, settings });
    });
  }

  hostChanged(name: string, host: number, version: number): void {
    this.#apply(name, (room) => {
      if (version <= room.hostVersion) return;
      room.hostVersion = version;
      if (room.host === host) return;
      room.host = host;
      if (host !== 0) this.#announce(room, { type: 'host_changed', room: room.handle, host });
    });
  }

  roomGone(name: string): void {
    this.deps.events.roomClosed(name);
  }

  reaped(name: string, member: ClusterMember, reason: 'disconnected' | 'kicked' = 'disconnected'): void {
    this.memberLeft(name, member.id);
    this.deps.events.memberLeft({ room: name, memberId: member.id, userId: member.identity.userId, info: member.identity.info }, reason);
  }

  command(command: ClusterCommand): unknown {
    if (this.deps.admin === undefined) return undefined;
    const result = runCommand(this.deps.admin, command);
    const { cluster } = this.deps;
    // A seat this node holds for a dead node's member has no local member: the bus holds it.
    if ((command.op === 'kick' || command.op === 'remove') && result !== 'kicked' && result !== 'removed' && cluster.endHeld(command.room, command.member)) {
      return command.op === 'kick' ? 'kicked' : 'removed';
    }
    if (command.op === 'disconnect') cluster.endHeldOf(command.userId);
    return result;
  }

  holds(name: string, id: number): boolean {
    return this.deps.rooms.get(name)?.members.has(id) === true;
  }

  frame(name: string, frame: Uint8Array, target: number): void {
    const room = this.deps.rooms.get(name);
    if (room === undefined || frame.length < 4) return;
    // The sender's node stamped its own room handle: every node numbers its rooms itself.
    frame[2] = room.handle >>> 8;
    frame[3] = room.handle & 0xff;
    const droppable = (frame[1]! & Flags.CLASS_MASK) === DeliveryClass.Droppable;
    const kind = droppable ? 'droppable' : 'reliable';
    const { stats } = this.deps;
    if (target !== 0) {
      const member = room.members.get(target);
      if (member === undefined) return;
      if (droppable && member.conn.lagging) {
        stats.drops++;
        return;
      }
      this.deps.out.send(member.conn, frame, kind, room);
      return;
    }
    const recipients = droppable ? room.size - room.laggingCount : room.size;
    if (recipients <= 0) return;
    // The room's output budget holds here too, as for a local sender (delivery.ts).
    const bytes = frame.length * recipients;
    if (!droppable) room.outBudget.force(this.deps.clock.now(), bytes);
    else if (!room.outBudget.take(this.deps.clock.now(), bytes)) {
      stats.hitLimit('room_bytes_out');
      stats.drops += room.size;
      return;
    } else stats.drops += room.laggingCount;
    this.deps.out.publishLocal(droppable ? this.deps.delivery.fast(room) : room.topic, frame, kind, recipients, room);
  }

  latest(name: string, entries: BatchEntry[]): void {
    this.#apply(name, (room) => this.deps.delivery.mergeRemote(room, entries));
  }

  localRooms(): Map<string, LocalRoomState> {
    const rooms = new Map<string, LocalRoomState>();
    for (const room of this.deps.rooms.all()) {
      const members = [...room.members.values()].map((m) => ({ id: m.id, presence: m.presence, identity: m.identity, seat: m.seat, away: m.away }));
      const values = room.latest.all().filter((e) => room.members.has(e.sender));
      const servers = new Set([...room.members.values()].filter((m) => m.conn.principal.server === true).map((m) => m.id));
      rooms.set(room.name, { tickHz: room.tickHz, settings: room.settings, servers, members, values });
    }
    return rooms;
  }

  resync(name: string, members: ClusterMember[], state: StoredRoomState | undefined): void {
    const room = this.deps.rooms.get(name);
    if (room === undefined) return;
    if (state !== undefined) {
      // What the store holds wins, whatever its versions (Redis may have restarted empty: they start again).
      room.settingsVersion = 0;
      room.hostVersion = 0;
      if (JSON.stringify(state.settings) !== JSON.stringify(room.settings)) this.settingsChanged(name, state.settings, Math.max(1, state.settingsVersion));
      else room.settingsVersion = state.settingsVersion;
      this.hostChanged(name, state.host, Math.max(1, state.hostVersion));
    }
    const inStore = new Map(members.filter((m) => !room.members.has(m.id)).map((m) => [m.id, m]));
    for (const id of [...room.remote.keys()]) {
      if (!inStore.has(id)) this.memberLeft(name, id);
    }
    for (const m of inStore.values()) {
      const known = room.remote.get(m.id);
      if (known === undefined) this.memberJoined(name, m);
      else if (JSON.stringify(known.presence) !== JSON.stringify(m.presence)) this.memberUpdated(name, m);
    }
    this.deps.delivery.resnapshot(room);
  }

  evict(name: string, id: number): void {
    const room = this.deps.rooms.get(name);
    const member = room?.members.get(id);
    if (member === undefined || this.deps.membership === undefined) return;
    member.conn.rooms.delete(room!.handle);
    this.deps.membership.remove(member, true, 'disconnected', true, false);
    this.deps.connections.close(member.conn, 'going_away', 'member id taken by another node during a cluster outage; rejoin');
  }

  lost(name: string, target: number): void {
    const room = this.deps.rooms.get(name);
    if (room === undefined) return;
    const members = target === 0 ? [...room.members.values()] : [room.members.get(target)].filter((m) => m !== undefined);
    for (const m of members) {
      // Closing leaves every room of the connection (connections.ts -> membership.remove), which
      // tells the other nodes; the SDK reconnects and its rooms emit 'resync' after the rejoin.
      this.deps.connections.close(m.conn, 'frames_lost', `messages of another relay node for room ${name} were lost or late; reconnect and resync`);
    }
  }

  #handOver(room: Room): void {
    const own = room.latest.all().filter((e) => room.members.has(e.sender));
    if (own.length > 0) this.deps.cluster.latest(room.name, own);
  }

  /** Tells this node's members of the room (never echoed to the bus). */
  #announce(room: Room, message: Parameters<typeof encodeControl>[0]): void {
    if (room.size === 0) return;
    this.deps.out.publishLocal(room.topic, encodeControl(message), 'control', room.size, room);
  }
}
