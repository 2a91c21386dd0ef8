// The binary envelope of every message on a room's channel: kind, sending node, send time and a
// body. The send time (wall clock, ms) lets receivers drop what Redis delivers late (a frozen
// Redis runs already written SPUBLISHes when it wakes up): nothing crosses nodes late.
//   byte 0      envelope version (BUS_VERSION): a node skips (and counts) messages of a version it
//               does not speak, so nodes of two releases can share a Redis during a rolling upgrade
//   byte 1      kind (BusKind)
//   byte 2      n = length of the node id (ASCII, 1-64)
//   3..3+n      node id
//   +8          send time, float64 BE, ms since the epoch
//   +2          member id: target of a direct frame (0 = the room), or the member of a presence event
//   +4          sequence number of the sending node on this room's channel (u32 BE, wraps): a
//               receiver that sees a jump knows messages were lost (a gap), e.g. while its
//               subscription was down
//   rest        body: a deliver frame, a member entry (entry.ts: presence and identity JSON), a
//               batch frame of latest entries, the node that held a member that left (`left`),
//               the settings as JSON {"v": version, "s": settings} (`settings`) or the host's
//               version, u32 BE (`host`, the host's id in the member field)
/**
 * The envelope version this release writes and reads. Versions count from 16: the first increment
 * wrote no version (its byte 0 was a kind, 1-5), so an old node drops a versioned message as an
 * unknown kind, and a versioned node reads an old message's first byte as an unknown version.
 * Change it whenever the layout below or the meaning of a kind's body changes.
 */
export const BUS_VERSION = 16;

export const BusKind = {
  Frame: 1,
  Joined: 2,
  Updated: 3,
  Left: 4,
  Latest: 5,
  /** The room's settings changed (server API on any node). */
  Settings: 6,
  /** The room's host changed (decided by a script in the store). */
  Host: 7,
  /** A member's seat is held by its node (§8.21). */
  Away: 8,
  /** A held seat was taken back, on its node or on the sending node (which holds it now). */
  Back: 9,
} as const;
export type BusKind = (typeof BusKind)[keyof typeof BusKind];
export const BUS_KIND_NAMES: Record<BusKind, string> = {
  1: 'frame', 2: 'joined', 3: 'updated', 4: 'left', 5: 'latest', 6: 'settings', 7: 'host', 8: 'away', 9: 'back',
};

export interface Envelope {
  kind: BusKind;
  node: string;
  sentAt: number;
  member: number;
  seq: number;
  body: Uint8Array;
}

/** Bytes before the body for a node id of `n` characters. */
const headerBytes = (n: number): number => 3 + n + 8 + 2 + 4;

/** The version byte of a bus message (undefined for an empty one). */
export const envelopeVersion = (bytes: Uint8Array): number | undefined => bytes[0];

export function encodeEnvelope(kind: BusKind, node: string, sentAt: number, member: number, seq: number, body: Uint8Array): Buffer {
  const n = node.length;
  const out = Buffer.allocUnsafe(headerBytes(n) + body.length);
  out[0] = BUS_VERSION;
  out[1] = kind;
  out[2] = n;
  out.write(node, 3, 'latin1');
  out.writeDoubleBE(sentAt, 3 + n);
  out.writeUInt16BE(member, 11 + n);
  out.writeUInt32BE(seq >>> 0, 13 + n);
  out.set(body, headerBytes(n));
  return out;
}

/**
 * Decodes an envelope of this version (check `envelopeVersion` first); undefined for anything
 * malformed (other writers on the channel).
 */
export function decodeEnvelope(bytes: Buffer): Envelope | undefined {
  if (bytes.length < 4 || bytes[0] !== BUS_VERSION) return undefined;
  const kind = bytes[1]!;
  const n = bytes[2]!;
  if (kind < BusKind.Frame || kind > BusKind.Back || n === 0 || bytes.length < headerBytes(n)) return undefined;
  return {
    kind: kind as BusKind,
    node: bytes.toString('latin1', 3, 3 + n),
    sentAt: bytes.readDoubleBE(3 + n),
    member: bytes.readUInt16BE(11 + n),
    seq: bytes.readUInt32BE(13 + n),
    // A copy: the receiver rewrites the room handle in place.
    body: new Uint8Array(bytes.subarray(headerBytes(n))),
  };
}

/** The body of a `host` message: the host's version, u32 BE (the host's id is the member field). */
export function hostBody(version: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(version >>> 0);
  return b;
}
