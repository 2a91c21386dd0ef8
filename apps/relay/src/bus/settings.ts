// Room settings and host as the meta hash keeps them (docs/decisions/0002-cluster.md, "Key
// layout"): capacity as a number, `locked`/`private` as 0/1, metadata as JSON text, `setv` and
// `hostv` versions bumped on each change, so a node that receives changes out of order keeps the
// newest. Conversions between those strings and the core's values, and the replies of the
// scripts that return them (scripts.ts).
import type { RoomSettings } from '@roomcast/protocol';
import type { Claim, ClusterMember, StoredRoomState } from '../core/cluster.js';
import { parseMembers } from './entry.js';

/** ARGV of a room's settings for CLAIM, CREATE and RECLAIM: capacity, locked, private, metadata. */
export function settingsArgs(s: RoomSettings): string[] {
  return [String(s.capacity), s.locked ? '1' : '0', s.private ? '1' : '0', JSON.stringify(s.metadata)];
}

/** ARGV of SETTINGS_PATCH: field, value pairs of the defined fields of `patch`. */
export function patchArgs(patch: Partial<RoomSettings>): string[] {
  const args: string[] = [];
  if (patch.capacity !== undefined) args.push('capacity', String(patch.capacity));
  if (patch.locked !== undefined) args.push('locked', patch.locked ? '1' : '0');
  if (patch.private !== undefined) args.push('private', patch.private ? '1' : '0');
  if (patch.metadata !== undefined) args.push('metadata', JSON.stringify(patch.metadata));
  return args;
}

/**
 * Settings from `HMGET capacity locked private metadata setv` (or the same fields of HGETALL);
 * `fallback` for a field Redis lost (a restart) or never had.
 */
export function parseSettings(values: readonly unknown[], fallback: RoomSettings): { settings: RoomSettings; version: number } {
  const [capacity, locked, priv, metadata, version] = values.map((v) => (v === null || v === undefined ? undefined : String(v)));
  let meta: RoomSettings['metadata'] = fallback.metadata;
  if (metadata !== undefined) {
    try {
      meta = JSON.parse(metadata) as RoomSettings['metadata'];
    } catch {
      // Not written by a relay of this release: keep the fallback.
    }
  }
  return {
    settings: {
      capacity: capacity === undefined ? fallback.capacity : Number(capacity),
      locked: locked === undefined ? fallback.locked : locked === '1',
      private: priv === undefined ? fallback.private : priv === '1',
      metadata: meta,
    },
    version: Number(version ?? 0),
  };
}

/** The fields of `parseSettings` from a meta hash read with HGETALL. */
export const settingsFields = (meta: Record<string, string>): unknown[] => [meta['capacity'], meta['locked'], meta['private'], meta['metadata'], meta['setv']];

/** CLAIM's and TAKE's reply ({0}: full, {-1}: locked) as the core's Claim. */
export function parseClaim(reply: unknown[], fallback: RoomSettings): Claim {
  if (reply[0] === 0) return { ok: false, reason: 'full', capacity: Number(reply[1] ?? 0) };
  if (reply[0] === -1) return { ok: false, reason: 'locked' };
  const members: ClusterMember[] = parseMembers(reply[2] as unknown[]);
  return {
    ok: true,
    id: Number(reply[0]),
    tickHz: Number(reply[1]),
    members,
    created: reply[3] === 1,
    ...hostState(reply.slice(4, 7)),
    ...storedSettings(reply[7] as unknown[], fallback),
  };
}

/** {host, hostv, previous host} of a script's reply. */
export function hostState(values: readonly unknown[]): Pick<StoredRoomState, 'host' | 'hostVersion' | 'previousHost'> {
  return { host: Number(values[0] ?? 0), hostVersion: Number(values[1] ?? 0), previousHost: Number(values[2] ?? 0) };
}

function storedSettings(values: unknown[], fallback: RoomSettings): Pick<StoredRoomState, 'settings' | 'settingsVersion'> {
  const { settings, version } = parseSettings(values, fallback);
  return { settings, settingsVersion: version };
}
