// Redis key and channel names of the cluster (docs/decisions/0002-cluster.md, "Key layout").
// Every key and the channel of one room carry the hash tag `{r:NAME}`, so they live in one slot
// of a Redis Cluster: the room's Lua scripts and its sharded channel go to the same shard.

const ROOM_PREFIX = 'rc:{r:';

/** The room's member hash (member id -> `node\nentry-json`, entry.ts). */
export const membersKey = (room: string): string => `${ROOM_PREFIX}${room}}:m`;
/** The room's meta hash (`tickHz`, `lastId`, settings, host; docs/decisions/0002-cluster.md). */
export const metaKey = (room: string): string => `${ROOM_PREFIX}${room}}:meta`;
/** The room's join order (sorted set member id -> score; server members first): its first entry is the host. */
export const orderKey = (room: string): string => `${ROOM_PREFIX}${room}}:o`;
/** The three keys of a room, in the order the scripts take them (scripts.ts). */
export const roomKeys = (room: string): [string, string, string] => [membersKey(room), metaKey(room), orderKey(room)];
/** The room's sharded pub/sub channel. */
export const roomChannel = (room: string): string => `${ROOM_PREFIX}${room}}`;

/** The room name of a channel from `roomChannel`, or undefined for any other channel. */
export function channelRoom(channel: string): string | undefined {
  if (!channel.startsWith(ROOM_PREFIX) || !channel.endsWith('}')) return undefined;
  return channel.slice(ROOM_PREFIX.length, -1);
}

/** A node's lease: exists while the node lives (PX TTL, renewed). */
export const leaseKey = (node: string): string => `rc:node:${node}`;
/** Rooms where a node has (or had, until it cleans up) members: what survivors reap after a crash. */
export const nodeRoomsKey = (node: string): string => `rc:node:${node}:rooms`;
/** Every node that registered and was not reaped yet. */
export const NODES_KEY = 'rc:nodes';
/**
 * Names of the rooms that exist cluster-wide (sorted set, score 0, read with ZRANGEBYLEX for the
 * server API's listing). Outside the rooms' slots, so no script writes it: a node adds a room after
 * its script created it and removes it after its script deleted it (index.ts `unindex`).
 */
export const ROOMS_KEY = 'rc:rooms';
/** The sharded channel of server API calls between nodes (calls.ts). */
export const CONTROL_CHANNEL = 'rc:{ctl}';
