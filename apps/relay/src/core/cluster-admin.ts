// The server API in a cluster (docs/server-api.md, "In a cluster"): the same calls as admin.ts,
// answered for the whole cluster. Reads (list, get) and settings come from the cluster store,
// where settings and the host are decided; actions on members (publish, kick, remove, close,
// disconnect) run on every node, each on its own members (`ClusterCommand`), and their answers
// are added up. Knows nothing of Redis: the bus implements `ClusterRooms`.
import type { Presence, RoomSettings } from '@roomcast/protocol';
import type { ApiRoomDetail, ApiRoomMember, ApiRoomPage, ApiRoomSummary } from '@roomcast/protocol/server-api';
import type { Admin, AdminApi, PublishClass, PublishResult } from './admin.js';
import type { Clock } from './clock.js';
import type { ClusterCommand, ClusterMember, ClusterRooms } from './cluster.js';
import type { RoomEvents } from './events.js';
import { defaultSettings, definedOnly } from './host.js';
import type { Log } from './log.js';
import type { Stats } from './stats.js';

/** Runs a command on this node's own members (what every node does with a relayed call). */
export function runCommand(admin: Admin, c: ClusterCommand): unknown {
  switch (c.op) {
    case 'publish': return admin.publish(c.room, Buffer.from(c.payload, 'base64'), c.cls, c.to);
    case 'kick': return admin.kickMember(c.room, c.member, c.reason);
    case 'remove': return admin.removeMember(c.room, c.member, c.reason);
    case 'close': return admin.closeRoom(c.room, c.reason);
    case 'disconnect': return admin.disconnectUser(c.userId, c.reason);
  }
}

export interface ClusterAdminDeps {
  /** Runs a command on this node's own members (remote.ts command: the same path as a relayed call). */
  runLocal: (command: ClusterCommand) => unknown;
  store: ClusterRooms;
  events: RoomEvents;
  limits: { maxMembersPerRoom: number; tickHz: number; emptyRoomTtlSec: number };
  clock: Clock;
  stats: Stats;
  log: Log;
  /** Applies settings decided in the store to this node's room (remote.ts settingsChanged). */
  applySettings: (room: string, settings: RoomSettings, version: number) => void;
}

export class ClusterAdmin implements AdminApi {
  constructor(private readonly deps: ClusterAdminDeps) {}

  listRooms(query: { prefix: string; limit: number; after: string | undefined; includePrivate: boolean }): Promise<ApiRoomPage> {
    return this.deps.store.storedRooms(query);
  }

  async room(name: string): Promise<ApiRoomDetail | undefined> {
    const room = await this.deps.store.storedRoom(name);
    if (room === undefined) return undefined;
    return {
      name, members: room.members.length, tickHz: room.tickHz, settings: room.settings, host: room.host,
      memberList: room.members.map(memberView),
    };
  }

  async createRoom(name: string, patch: Partial<RoomSettings>, tickHz: number | undefined): Promise<ApiRoomSummary | 'exists'> {
    const { limits } = this.deps;
    const settings = { ...defaultSettings(limits.maxMembersPerRoom), ...definedOnly(patch) };
    const rate = tickHz ?? limits.tickHz;
    const token = await this.deps.store.createRoom(name, rate, settings, limits.emptyRoomTtlSec);
    if (token === undefined) return 'exists';
    // The store decided this node created it: the webhook is sent once, from here.
    this.deps.events.roomCreated(name);
    // As on a single relay (admin.ts): closed if nobody joined within RELAY_EMPTY_ROOM_TTL_SEC, by
    // this node, so room.closed is sent once (the store's TTL is only the backstop if it dies).
    if (limits.emptyRoomTtlSec > 0) this.deps.clock.setTimeout(() => void this.expire(name, token), limits.emptyRoomTtlSec * 1000);
    return { name, members: 0, tickHz: rate, settings, host: 0 };
  }

  /** The TTL of creation `token` ran out: the store deletes the room unless someone joined it (or it was closed). */
  private async expire(name: string, token: string): Promise<void> {
    try {
      if (!await this.deps.store.expireCreated(name, token)) return;
    } catch (err) {
      // Redis did not answer: the meta hash's own TTL removes the room; no room.closed then.
      this.deps.log.error({ room: name, err: (err as Error).message }, 'could not expire an empty created room; Redis removes it by its TTL');
      return;
    }
    this.deps.stats.emptyRoomsExpired++;
    this.deps.events.roomClosed(name);
  }

  async updateSettings(name: string, patch: Partial<RoomSettings>): Promise<RoomSettings | undefined> {
    const changed = await this.deps.store.updateSettings(name, patch);
    if (changed === undefined) return undefined;
    this.deps.applySettings(name, changed.settings, changed.version);
    this.deps.events.settingsChanged(name, changed.settings);
    return changed.settings;
  }

  async publish(name: string, payload: Uint8Array, cls: PublishClass, to: number | undefined): Promise<PublishResult> {
    const results = await this.everywhere({ op: 'publish', room: name, payload: Buffer.from(payload).toString('base64'), cls, to }) as PublishResult[];
    // A node that holds the room answers ok (for `to`: the node that holds the member).
    const ok = results.filter((r) => r.ok);
    if (ok.length > 0) return { ok: true, recipients: ok.reduce((sum, r) => sum + r.recipients, 0) };
    if (!await this.exists(name)) return { ok: false, error: 'room_not_found' };
    // A live room without members anywhere (created by the API): a broadcast reaches nobody.
    return to === undefined ? { ok: true, recipients: 0 } : { ok: false, error: 'member_not_found' };
  }

  async kickMember(name: string, id: number, reason: string): Promise<'kicked' | 'room_not_found' | 'member_not_found'> {
    const results = await this.everywhere({ op: 'kick', room: name, member: id, reason });
    if (results.includes('kicked')) return 'kicked';
    return await this.exists(name) ? 'member_not_found' : 'room_not_found';
  }

  async removeMember(name: string, id: number, reason: string): Promise<'removed' | 'room_not_found' | 'member_not_found'> {
    const results = await this.everywhere({ op: 'remove', room: name, member: id, reason });
    if (results.includes('removed')) return 'removed';
    return await this.exists(name) ? 'member_not_found' : 'room_not_found';
  }

  async closeRoom(name: string, reason: string): Promise<number | undefined> {
    const results = await this.everywhere({ op: 'close', room: name, reason });
    const counts = results.filter((r): r is number => typeof r === 'number');
    if (counts.length > 0) return counts.reduce((a, b) => a + b, 0);
    // No node had members in it: a room the API created and nobody joined.
    if (await this.deps.store.dropEmpty(name)) {
      this.deps.events.roomClosed(name);
      return 0;
    }
    return undefined;
  }

  async disconnectUser(userId: string, reason: string): Promise<number> {
    const results = await this.everywhere({ op: 'disconnect', userId, reason });
    return results.reduce<number>((sum, r) => sum + (typeof r === 'number' ? r : 0), 0);
  }

  /** This node's answer and every other live node's. */
  private async everywhere(command: ClusterCommand): Promise<unknown[]> {
    const others = this.deps.store.call(command);
    const own = this.deps.runLocal(command);
    return [own, ...await others];
  }

  private async exists(name: string): Promise<boolean> {
    return await this.deps.store.storedRoom(name) !== undefined;
  }
}

function memberView(m: ClusterMember): ApiRoomMember {
  const view: ApiRoomMember = { id: m.id, ...m.identity, presence: m.presence as Presence };
  if (m.away === true) view.away = true;
  return view;
}
