// The open connections, and the one path every close takes, whichever transport and whichever
// side closes: a relay-initiated close sends the documented code from the protocol's table and is
// counted here (with the limit it hit, if any); every close then leaves the rooms exactly once.
import { CloseCodes, type CloseName } from '@roomcast/protocol';
import type { Clock } from './clock.js';
import { Connection } from './connection.js';
import type { RelayLimits } from './limits.js';
import type { Log } from './log.js';
import type { Peer } from './peer.js';
import type { LimitName, Stats } from './stats.js';

export class Connections implements Iterable<Connection> {
  readonly #open = new Set<Connection>();
  #nextId = 1;

  constructor(
    private readonly deps: {
      limits: RelayLimits;
      stats: Stats;
      clock: Clock;
      log: Log;
      /** Called once when a connection closes (by either side), after it left the registry. */
      onClosed: (conn: Connection) => void;
    },
  ) {}

  get size(): number {
    return this.#open.size;
  }

  [Symbol.iterator](): Iterator<Connection> {
    return this.#open.values();
  }

  /** A transport accepted a socket. */
  open(peer: Peer): Connection {
    const conn = new Connection(this.#nextId++, peer, this.deps.clock.now(), this.deps.limits);
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
    conn.peer.close(code, reason);
    this.closed(conn);
  }

  /** The socket is gone (either side closed it): leave every room. Idempotent. */
  closed(conn: Connection): void {
    if (!this.#open.delete(conn)) return;
    conn.state = 'closed';
    this.deps.onClosed(conn);
  }
}
