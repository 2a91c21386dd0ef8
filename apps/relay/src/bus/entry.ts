// What the cluster keeps of a member besides its node: its presence and its verified identity
// (`userId`, `info`, protocol v2), as one JSON text. The same text is the value after `node\n` in
// the room's member hash (scripts.ts treats it as opaque) and the body of the cross-node
// `joined` / `updated` messages, so a remote member looks the same as a local one to the room.
//   {"p": presence, "u": userId?, "i": info?}   (u and i absent for anonymous members)
import type { Presence } from '@roomcast/protocol';
import type { MemberIdentity } from '../core/cluster.js';

export interface MemberEntry {
  presence: Presence;
  identity: MemberIdentity;
}

export function encodeEntry(presence: Presence, identity: MemberIdentity): string {
  const entry: { p: Presence; u?: string; i?: Presence } = { p: presence };
  if (identity.userId !== undefined) entry.u = identity.userId;
  if (identity.info !== undefined) entry.i = identity.info;
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
  const { p, u, i } = value as { p: Presence; u?: unknown; i?: Presence };
  const identity: MemberIdentity = {};
  if (u !== undefined) {
    if (typeof u !== 'string') return undefined;
    identity.userId = u;
  }
  if (i !== undefined) identity.info = i;
  return { presence: p, identity };
}
