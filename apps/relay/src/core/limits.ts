// The settings the core uses: every budget a client is held to. The process passes its Config
// (config.ts), which has all of these fields; the core does not import config.ts so it depends on
// nothing outside core/ and the protocol package.
import { MAX_DATA_HEADER_BYTES, type Limits } from '@roomcast/protocol';
import type { AdmissionLimits } from './addresses.js';

/** Limits by their Config field names; units and defaults are documented in config.ts. */
export interface RelayLimits extends AdmissionLimits {
  maxPayloadBytes: number;
  maxControlBytes: number;
  maxRoomsPerConnection: number;
  maxMembersPerRoom: number;
  maxRooms: number;
  maxPresenceBytes: number;
  maxMessagesPerSec: number;
  burstMessages: number;
  floodStrikes: number;
  maxProtocolErrors: number;
  helloTimeoutMs: number;
  idleTimeoutSec: number;
  maxBufferedBytes: number;
  softBufferedBytes: number;
  maxBytesPerSec: number;
  tickHz: number;
  minTickHz: number;
  maxTickHz: number;
  maxKeysPerMember: number;
  /** Interest groups one member may subscribe to per room (PROTOCOL.md §4.5); 0 turns groups off. */
  maxGroupsPerMember: number;
  roomMaxBytesOutPerSec: number;
  /** Largest room metadata as compact JSON (server API and first-join settings). */
  maxRoomMetadataBytes: number;
  /** Grace window of a dropped member's seat (PROTOCOL.md §8.21); 0 holds no seats. */
  seatGraceMs: number;
  /** A room the server API created that nobody joined is closed after this long; 0: never. */
  emptyRoomTtlSec: number;
}

/** Largest frame of any kind: the biggest data frame header plus payload, or a control frame. */
export function maxFrameBytes(limits: RelayLimits): number {
  return Math.max(limits.maxPayloadBytes + MAX_DATA_HEADER_BYTES, limits.maxControlBytes);
}

/**
 * The room's file budget announced in `joined` (PROTOCOL.md appendix B.3 rule 2): half of the
 * room's output budget, so file transfers that pace by it leave the other half to `latest` ticks
 * (cursors). The relay does not enforce it: chunks are ordinary reliable frames (decision 0003).
 */
export function roomFileBytesPerSec(limits: Pick<RelayLimits, 'roomMaxBytesOutPerSec'>): number {
  return Math.max(1, Math.floor(limits.roomMaxBytesOutPerSec / 2));
}

/** The limits a client learns in `welcome`. */
export function welcomeLimits(limits: RelayLimits): Limits {
  return {
    maxPayloadBytes: limits.maxPayloadBytes,
    maxControlBytes: limits.maxControlBytes,
    maxRoomsPerConnection: limits.maxRoomsPerConnection,
    maxMembersPerRoom: limits.maxMembersPerRoom,
    maxPresenceBytes: limits.maxPresenceBytes,
    maxMessagesPerSec: limits.maxMessagesPerSec,
    idleTimeoutSec: limits.idleTimeoutSec,
    burstMessages: limits.burstMessages,
    maxBytesPerSec: limits.maxBytesPerSec,
    maxKeysPerMember: limits.maxKeysPerMember,
    tickHz: limits.tickHz,
    minTickHz: limits.minTickHz,
    maxTickHz: limits.maxTickHz,
    maxGroupsPerMember: limits.maxGroupsPerMember,
  };
}

