// The server API's reads and writes of the cluster store (core/cluster-admin.ts `ClusterRooms`):
// one room as Redis holds it (settings, host, every node's members in join order), the listing
// of every room of the cluster from the room index, creating a room, changing its settings
// atomically and telling every node. docs/decisions/0002-cluster.md, "The server API".
import { randomUUID } from 'node:crypto';
import type { RoomSettings } from '@roomcast/protocol';
import type { ApiRoomPage, ApiRoomSummary } from '@roomcast/protocol/server-api';
import type { ClusterCommand, ClusterRooms, StoredRoom, StoredRoomState } from '../core/cluster.js';
import { defaultSettings } from '../core/host.js';
import { BusKind } from './envelope.js';
import { parseMembers } from './entry.js';
import { ROOMS_KEY, membersKey, metaKey, orderKey, roomKeys } from './keys.js';
import type { BusCalls } from './calls.js';
import type { BusHandle } from './handle.js';
import { hostState, parseSettings, patchArgs, settingsArgs, settingsFields } from './settings.js';

/** Most index entries read per listing (a listing whose rooms are mostly private or gone stops there). */
const MAX_SCANNED = 10_000;

/**
 * How much longer than RELAY_EMPTY_ROOM_TTL_SEC Redis keeps a created room nobody joined: long
 * enough that the creating node's own expiry (which sends room.closed) runs first even when its
 * event loop or Redis lag; the Redis TTL only cleans up after a node that died meanwhile.
 */
export const EXPIRY_BACKSTOP_MS = 10_000;

export class BusStore implements ClusterRooms {
  constructor(private readonly bus: BusHandle, private readonly calls: BusCalls, private readonly maxMembersPerRoom: number) {}

  async storedRoom(name: string): Promise<StoredRoom | undefined> {
    const { cmd } = this.bus;
    const [meta, members, order] = await Promise.all([
      cmd.hgetall(metaKey(name)), cmd.hgetall(membersKey(name)), cmd.zrange(orderKey(name), 0, -1, 'WITHSCORES'),
    ]);
    if (meta['tickHz'] === undefined) return undefined;
    // Join order: the order's scores put server members first (scripts.ts); the join counter is the score's low part.
    const joined = new Map<number, number>();
    for (let i = 0; i + 1 < order.length; i += 2) joined.set(Number(order[i]), Number(order[i + 1]) % 2 ** 40);
    const list = parseMembers(Object.entries(members).flat()).sort((a, b) => (joined.get(a.id) ?? Infinity) - (joined.get(b.id) ?? Infinity));
    return { name, tickHz: Number(meta['tickHz']), settings: this.#settings(meta), host: Number(meta['host'] ?? 0), members: list };
  }

  /**
   * Rooms by name from the index (ZRANGEBYLEX), checked against their meta hash: entries of rooms
   * that are gone are removed on the way, private rooms skipped unless asked for.
   */
  async storedRooms(query: { prefix: string; limit: number; after: string | undefined; includePrivate: boolean }): Promise<ApiRoomPage> {
    const { cmd } = this.bus;
    // Room names are printable ASCII (0x21-0x7e): prefix + 0x7f is above every name with that prefix.
    const max = query.prefix === '' ? '+' : `[${query.prefix}\x7f`;
    let min = query.after !== undefined && query.after >= query.prefix ? `(${query.after}` : (query.prefix === '' ? '-' : `[${query.prefix}`);
    const rooms: ApiRoomSummary[] = [];
    let scanned = 0;
    const chunk = Math.max(query.limit + 1, 50);
    while (rooms.length <= query.limit && scanned < MAX_SCANNED) {
      const names = await cmd.zrangebylex(ROOMS_KEY, min, max, 'LIMIT', 0, chunk);
      if (names.length === 0) break;
      scanned += names.length;
      const read = await Promise.all(names.map((n) => Promise.all([cmd.hgetall(metaKey(n)), cmd.hlen(membersKey(n))])));
      for (const [i, name] of names.entries()) {
        const [meta, size] = read[i]!;
        if (meta['tickHz'] === undefined) {
          this.unindex(name);
          continue;
        }
        const settings = this.#settings(meta);
        if (settings.private && !query.includePrivate) continue;
        rooms.push({ name, members: size, tickHz: Number(meta['tickHz']), settings, host: Number(meta['host'] ?? 0) });
        if (rooms.length > query.limit) break;
      }
      min = `(${names[names.length - 1]}`;
    }
    const page = rooms.slice(0, query.limit);
    return rooms.length > query.limit ? { rooms: page, next: page[page.length - 1]!.name } : { rooms: page };
  }

  async createRoom(name: string, tickHz: number, settings: RoomSettings, ttlSec: number): Promise<string | undefined> {
    const token = randomUUID();
    // The creating node closes the room at the TTL (cluster-admin.ts, with the room.closed webhook);
    // Redis removes it EXPIRY_BACKSTOP_MS later in case that node is gone by then.
    const ttlMs = ttlSec > 0 ? ttlSec * 1000 + EXPIRY_BACKSTOP_MS : 0;
    if (await this.bus.scripts.rcCreate(metaKey(name), tickHz, ...settingsArgs(settings), token, ttlMs) !== 1) return undefined;
    this.index(name);
    return token;
  }

  async expireCreated(name: string, token: string): Promise<boolean> {
    const expired = await this.bus.scripts.rcExpireCreated(...roomKeys(name), token) === 1;
    if (expired) this.unindex(name);
    return expired;
  }

  async updateSettings(name: string, patch: Partial<RoomSettings>): Promise<{ settings: RoomSettings; version: number } | undefined> {
    const reply = await this.bus.scripts.rcSettings(metaKey(name), ...patchArgs(patch)) as unknown[];
    if (reply.length === 0) return undefined;
    const changed = parseSettings(reply, defaultSettings(this.maxMembersPerRoom));
    // Every node with members in the room applies it if it is newer than what it holds.
    this.bus.send(name, BusKind.Settings, 0, Buffer.from(JSON.stringify({ v: changed.version, s: changed.settings })));
    return changed;
  }

  async dropEmpty(name: string): Promise<boolean> {
    const dropped = await this.bus.scripts.rcDropEmpty(...roomKeys(name)) === 1;
    if (dropped) this.unindex(name);
    return dropped;
  }

  #settings(meta: Record<string, string>): RoomSettings {
    return parseSettings(settingsFields(meta), defaultSettings(this.maxMembersPerRoom)).settings;
  }

  call(command: ClusterCommand): Promise<unknown[]> {
    return this.calls.call(command);
  }

  /** The room's host as the store has it now (recomputed), and its settings; undefined when the room is gone. */
  async storedState(room: string): Promise<StoredRoomState | undefined> {
    const reply = await this.bus.scripts.rcHost(...roomKeys(room)) as unknown[];
    const values = reply[3] as unknown[];
    if (values.length === 0) return undefined;
    const { settings, version } = parseSettings(values, defaultSettings(this.maxMembersPerRoom));
    return { ...hostState(reply), settings, settingsVersion: version };
  }

  // ---- the room index (keys.ts ROOMS_KEY) ------------------------------------------------

  /** A room this node's script created. */
  index(room: string): void {
    this.bus.quiet(this.bus.cmd.zadd(ROOMS_KEY, 0, room));
  }

  /**
   * A room a script deleted (or a listing found gone). Removed, then added back if the room exists
   * again by then: whichever order this and another node's re-creation run in, a live room stays listed.
   */
  unindex(room: string): void {
    const { cmd } = this.bus;
    this.bus.quiet(cmd.zrem(ROOMS_KEY, room).then(() => cmd.exists(metaKey(room))).then((exists) => (exists === 1 ? cmd.zadd(ROOMS_KEY, 0, room) : undefined)));
  }
}
