// The handshake and its token (PROTOCOL.md §8.1, §8.18): `hello` (version, then the Authenticator's
// decision), `refresh`, and the expiry close. Verifying a token is async: the connection waits in
// `authenticating`, and whatever the decision, it is applied only if the connection is still open
// (a close may have raced it: reliability.md catalogue 14).
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, isSupportedVersion, type ClientMessage, type Limits } from '@roomcast/protocol';
import { memberRights, type AccessDecision, type Admitted, type Authenticator } from './access.js';
import type { Connection } from './connection.js';
import type { Connections } from './connections.js';
import type { Log } from './log.js';
import type { Outbox } from './outbox.js';
import type { Stats } from './stats.js';

type Request<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

export interface HandshakeDeps {
  access: Authenticator;
  connections: Connections;
  out: Outbox;
  stats: Stats;
  log: Log;
  welcomeLimits: Limits;
  /** An exception in a decision's promise: the relay's internal-error path (log, count, 4500). */
  internalError: (conn: Connection, err: unknown) => void;
}

export class Handshake {
  constructor(private readonly deps: HandshakeDeps) {}

  hello(conn: Connection, msg: Request<'hello'>): void {
    const { out, connections } = this.deps;
    if (!isSupportedVersion(msg.v)) {
      this.deps.stats.hellos.unsupported_version++;
      out.error(conn, 'unsupported_version', `protocol version ${msg.v} is not supported; this relay speaks ${MIN_PROTOCOL_VERSION}..${PROTOCOL_VERSION}`, { id: msg.id });
      return connections.close(conn, 'unsupported_version', `protocol version ${msg.v} not supported`);
    }
    this.deps.log.debug({ conn: conn.id, client: msg.client, transport: conn.peer.transport, remote: conn.peer.remoteAddress, token: msg.token !== undefined }, 'hello');
    const decision = this.deps.access.hello(msg);
    if (!(decision instanceof Promise)) return this.welcome(conn, msg, decision);
    conn.state = 'authenticating';
    // `.catch` after `.then`: an exception while applying the decision is handled too (an
    // unhandled rejection would end the process).
    decision.then((d) => this.welcome(conn, msg, d)).catch((err: unknown) => this.failed(conn, err));
  }

  refresh(conn: Connection, msg: Request<'refresh'>): void {
    if (conn.refreshing) {
      return this.deps.out.error(conn, 'rate_limited', 'a refresh is already being checked: wait for its answer', { id: msg.id });
    }
    conn.refreshing = true;
    this.deps.access.refresh(conn.principal, msg.token)
      .then((d) => this.refreshed(conn, msg, d))
      .catch((err: unknown) => {
        conn.refreshing = false;
        this.failed(conn, err);
      });
  }

  /** The connection closed: its expiry timer must not fire. */
  closed(conn: Connection): void {
    conn.expiry?.stop();
  }

  private welcome(conn: Connection, msg: Request<'hello'>, d: AccessDecision): void {
    if (conn.state === 'closed') return;
    const { out, stats } = this.deps;
    if (!d.ok) {
      stats.hellos[d.code]++;
      this.deps.log.debug({ conn: conn.id, code: d.code, reason: d.message }, 'hello refused');
      out.error(conn, d.code, d.message, { id: msg.id });
      return this.deps.connections.close(conn, d.close ?? 'unauthorized', d.message);
    }
    stats.hellos[d.fields.userId === undefined ? 'anonymous' : 'token']++;
    conn.principal = d.principal;
    conn.state = 'open';
    out.reply(conn, { type: 'welcome', id: msg.id, v: msg.v, session: conn.session, limits: this.deps.welcomeLimits, ...d.fields });
    this.arm(conn, d);
  }

  private refreshed(conn: Connection, msg: Request<'refresh'>, d: AccessDecision): void {
    conn.refreshing = false;
    if (conn.state === 'closed') return;
    const { out, stats } = this.deps;
    if (!d.ok) {
      stats.refreshes[d.code === 'unsupported_version' ? 'unauthorized' : d.code]++;
      return out.error(conn, d.code, d.message, { id: msg.id });
    }
    stats.refreshes.ok++;
    conn.principal = d.principal;
    // New rights for later frames in the rooms already joined (they stay joined: PROTOCOL.md §8.18 rule 6).
    for (const member of conn.rooms.values()) member.may = memberRights(d.principal, member.room.name);
    out.reply(conn, { type: 'refreshed', id: msg.id, expiresInSec: d.fields.expiresInSec ?? 0 });
    this.arm(conn, d);
  }

  private arm(conn: Connection, d: Admitted): void {
    if (d.closeInMs === undefined && conn.expiry === undefined) return;
    conn.expiry ??= this.deps.access.expiryTimer(() => {
      this.deps.connections.close(conn, 'token_expired', 'token expired: get a new token and reconnect');
    });
    conn.expiry.arm(d.closeInMs);
  }

  private failed(conn: Connection, err: unknown): void {
    if (conn.state !== 'closed') this.deps.internalError(conn, err);
  }
}
