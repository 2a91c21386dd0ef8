// The open connections, and the one path every close takes, whichever transport and whichever
// side closes: a relay-initiated close sends the documented code from the protocol's table and is
// counted here (with the limit it hit, if any); every close then leaves the rooms exactly once.
import { CloseCodes, type CloseName } from '@roomcast/protocol';
import type { Clock } from './clock.js';
import { Addresses, addressKey, type Refusal } from './addresses.js';
import { Connection } from './connection.js';
import type { RelayLimits } from './limits.js';
import type { Log } from './log.js';
import type { Peer } from './peer.js';
import type { LimitName, Stats } from './stats.js';

export class Connections implements Iterable<Connection> {
  readonly #open = new Set<Connection>();
  #nextId = 1;
  /** Per-address limits and budgets that outlive a connection (PROTOCOL.md §8.19). */
  readonly addresses: Addresses;

  constructor(
    private readonly deps: {
      limits: RelayLimits;
      stats: Stats;
      clock: Clock;
      log: Log;
      /** Called once when a connection closes (by either side), after it left the registry. */
      onClosed: (conn: Connection) => void;
    },
  ) {
    this.addresses = new Addresses(deps.limits);
  }

  get size(): number {
    return this.#open.size;
  }

  [Symbol.iterator](): Iterator<Connection> {
    return this.#open.values();
  }

  /**
   * Whether a socket from `remoteAddress` may become a connection; transports ask before the
   * WebSocket upgrade or right after a TCP accept, and refuse with the answer's status or code.
   */
  admit(remoteAddress: string): Refusal | undefined {
    const refusal = this.addresses.isExempt(remoteAddress)
      ? this.addresses.admitExempt(this.#open.size)
      : this.addresses.admit(addressKey(remoteAddress), this.deps.clock.now(), this.#open.size);
    if (refusal !== undefined) this.deps.stats.refused[refusal.reason]++;
    return refusal;
  }

  /** A transport accepted a socket. */
  open(peer: Peer): Connection {
    const now = this.deps.clock.now();
    // An exempt address (RELAY_IP_LIMIT_EXEMPT) is not tracked: fresh budgets, nothing carried.
    const address = this.addresses.isExempt(peer.remoteAddress) ? undefined : addressKey(peer.remoteAddress);
    const carried = address === undefined ? undefined : this.addresses.opened(address, now);
    const conn = new Connection(this.#nextId++, peer, now, this.deps.limits, address, carried);
    this.#open.add(conn);
    this.deps.stats.connectionsOpened++;
    return conn;
  }

  /**
   * Closes a connection with a documented code (and counts the limit it hit, if one did). The
   * transport reports the close back (maybe synchronously); `closed` runs once either way.
   */
  close(conn: Connection, name: CloseName, reason: string, limit?: LimitName): void {
    if (conn.state === 'closed') return;
    if (limit !== undefined) this.deps.stats.hitLimit(limit);
    this.deps.stats.countClose(name);
    conn.closedAs = name;
    const { code } = CloseCodes[name];
    this.deps.log.debug({ conn: conn.id, transport: conn.peer.transport, code, reason }, 'closing connection');
    // The transport may report the close synchronously (uWS does): record why first.
    conn.closedWith = name;
    conn.peer.close(code, reason);
    this.closed(conn);
  }

  /** The socket is gone (either side closed it): leave every room. Idempotent. */
  closed(conn: Connection): void {
    if (!this.#open.delete(conn)) return;
    // Stryker disable next-line ConditionalExpression: the table ignores a key it does not hold (addresses.ts closed), and `undefined` is never one
    if (conn.address !== undefined) {
      this.addresses.closed(conn.address, this.deps.clock.now(), { frames: conn.bucket, bytes: conn.byteBucket }, conn.closedWith === 'rate_limited');
    }
    conn.state = 'closed';
    this.deps.onClosed(conn);
  }
}
