// Room settings defaults and the host rule (PROTOCOL.md §8.20): the host is the longest-present
// server member (a `role: "server"` token) if there is one, else the longest-present member, i.e.
// the first in the room's join-ordered member map. Kept apart from membership.ts so the rule is
// one readable place. Also what a room's first join sets (settings, capacity).
import { MAX_MEMBER_ID, type RoomSettings } from '@roomcast/protocol';
import type { Room } from './room.js';

/** A new room's settings: capacity is the relay's per-room limit, bounded by the member id space. */
export function defaultSettings(maxMembersPerRoom: number): RoomSettings {
  return { capacity: Math.min(maxMembersPerRoom, MAX_MEMBER_ID), locked: false, private: false, metadata: null };
}

/** A room's settings from its first join: the defaults, overridden by the join's defined fields (§8.20 rule 6). */
export function firstJoinSettings(maxMembersPerRoom: number, patch: Partial<RoomSettings> | undefined): RoomSettings {
  return { ...defaultSettings(maxMembersPerRoom), ...definedOnly(patch ?? {}) };
}

/** The most members `room` takes: its settings' capacity, never above the relay limit. */
export function capacityOf<C>(room: Room<C>, maxMembersPerRoom: number): number {
  return Math.min(room.settings.capacity, maxMembersPerRoom);
}

/** The fields of `patch` that are not undefined (a settings patch over defaults). */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The member id that should host `room` now (0 when empty). O(members) only when a host leaves. */
export function hostOf<C>(room: Room<C>, isServer: (conn: C) => boolean): number {
  let first = 0;
  for (const member of room.members.values()) {
    if (isServer(member.conn)) return member.id;
    if (first === 0) first = member.id;
  }
  return first;
}
