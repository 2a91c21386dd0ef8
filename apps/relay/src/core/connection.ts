// Per-connection session state: handshake stage, joined rooms, budgets, lag.
import type { CloseName } from '@roomcast/protocol';
import { NOBODY, type ExpiryTimer, type Principal } from './access.js';
import type { Peer } from './peer.js';
import { type StrikeWindow, TokenBucket } from './rate.js';
import type { Member as RoomMember, Room as AnyRoom } from './room.js';

/** A connection's membership of one room. */
export type Member = RoomMember<Connection>;
/** A room whose members are connections. */
export type Room = AnyRoom<Connection>;

/** `authenticating`: a `hello` with a token is being verified (async); frames meanwhile are refused. */
export type ConnectionState = 'handshake' | 'authenticating' | 'open' | 'closed';

/** Strike windows are 10 seconds long (documented in PROTOCOL.md). */
export const FLOOD_WINDOW_MS = 10_000;

export class Connection {
  state: ConnectionState = 'handshake';
  /** The close the relay initiated (undefined when the peer closed): tells a kick from a drop. */
  closedAs: CloseName | undefined;
  /** Joined rooms by handle. */
  readonly rooms = new Map<number, Member>();
  protocolErrors = 0;
  /** Set when the relay closes the connection: the close name (a 4429 starts the address's cool-down). */
  closedWith: CloseName | undefined;
  /** Who it is and what it may do; NOBODY (no rights) until the welcome. */
  principal: Principal = NOBODY;
  /** Closes it with 4440 when its token expires; created at the first welcome or refresh that has an expiry. */
  expiry: ExpiryTimer | undefined;
  /** A `refresh` is being checked: one at a time, so decisions apply in the order they were asked. */
  refreshing = false;
  /** True while the send buffer is above the soft limit: unsubscribed from every room's fast topic. */
  lagging = false;
  /** Frames per second in. */
  readonly bucket: TokenBucket;
  /** Bytes per second in. */
  readonly byteBucket: TokenBucket;
  /** Over-budget frames per window: made at the first strike (most connections never get one). */
  strikes: StrikeWindow | undefined;

  /**
   * The id the client sees in `welcome.session`: random, so it says nothing about how many
   * connections the relay has served or when (the sequential `id` stays in logs only).
   */
  readonly session = randomSessionId();

  constructor(
    /** Relay-wide connection number, for logs. */
    readonly id: number,
    readonly peer: Peer,
    readonly openedAt: number,
    limits: { maxMessagesPerSec: number; burstMessages: number; maxBytesPerSec: number },
    /** Key of the per-address table (addresses.ts): budgets and limits follow it across reconnects; undefined for an exempt address. */
    readonly address: string | undefined,
    /** Budgets to start with: what the address's last connection left (default: full). */
    carried?: { frames: number; bytes: number },
  ) {
    this.bucket = new TokenBucket(limits.maxMessagesPerSec, limits.burstMessages, openedAt, carried?.frames);
    this.byteBucket = new TokenBucket(limits.maxBytesPerSec, limits.maxBytesPerSec * 2, openedAt, carried?.bytes);
  }
}

/**
 * 16 hex digits from the platform's CSPRNG (Web Crypto, global in Node 20), as one flat string
 * (built by `+=` it was a chain of string pieces kept for the connection's lifetime).
 */
function randomSessionId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex');
}
