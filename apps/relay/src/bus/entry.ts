// What the cluster keeps of a member besides its node: its presence, its verified identity
// (`userId`, `info`, protocol v2) and, while its seat is held (PROTOCOL.md §8.21), the away flag and
// a hash of its resume token, as one JSON text. The same text is the value after `node\n` in the
// room's member hash (scripts.ts treats it as opaque, except ADOPT, which reads the ending) and
// the body of the cross-node `joined` / `updated` / `back` messages, so a remote member looks the
// same as a local one to the room.
//   {"p": presence, "u": userId?, "i": info?, "a": 1?, "s": seat-hash?}
// (u and i absent for anonymous members; s whenever the relay holds seats, always last; a while
// the seat is held.)
import { createHash } from 'node:crypto';
import type { Presence } from '@roomcast/protocol';
import type { ClusterMember, MemberIdentity } from '../core/cluster.js';

export interface MemberEntry {
  presence: Presence;
  identity: MemberIdentity;
  /** Its connection dropped and its seat is held by its node. */
  away?: boolean;
  /** SHA-256 (base64url) of its seat's resume token: the token itself never leaves its node. */
  seat?: string;
}

/** The hash stored for a resume token: a node that reads Redis learns nothing it could resume with. */
export const seatHash = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** `seat`: the member's resume token (stored as its hash) and whether its seat is held now. */
export function encodeEntry(presence: Presence, identity: MemberIdentity, seat?: { token: string; away: boolean }): string {
  const entry: { p: Presence; u?: string; i?: Presence; a?: 1; s?: string } = { p: presence };
  if (identity.userId !== undefined) entry.u = identity.userId;
  if (identity.info !== undefined) entry.i = identity.info;
  if (seat !== undefined) {
    if (seat.away) entry.a = 1;
    entry.s = seatHash(seat.token);
  }
  return JSON.stringify(entry);
}

/** The entry in `json`, or undefined when it was not written by a relay of this release. */
export function decodeEntry(json: string): MemberEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('p' in value)) return undefined;
  const { p, u, i, a, s } = value as { p: Presence; u?: unknown; i?: Presence; a?: unknown; s?: unknown };
  const identity: MemberIdentity = {};
  if (u !== undefined) {
    if (typeof u !== 'string') return undefined;
    identity.userId = u;
  }
  if (i !== undefined) identity.info = i;
  const entry: MemberEntry = { presence: p, identity };
  if (a === 1) entry.away = true;
  if (typeof s === 'string') entry.seat = s;
  return entry;
}

/** Splits a member hash value `node\nentry-json`; undefined when it was not written by a relay (of this release). */
export function decodeStored(id: number, stored: string): ClusterMember | undefined {
  const cut = stored.indexOf('\n');
  const state = cut < 0 ? undefined : decodeEntry(stored.slice(cut + 1));
  return state === undefined ? undefined : { id, node: stored.slice(0, cut), ...state };
}

/** Parses a members hash (`HGETALL` as a flat list) into members. */
export function parseMembers(flat: unknown[]): ClusterMember[] {
  const members: ClusterMember[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const member = decodeStored(Number(flat[i]), String(flat[i + 1]));
    if (member !== undefined) members.push(member);
  }
  return members;
}
