// The core's Authenticator port (core/access.ts) filled from src/auth/: the process wiring between
// the two, so that neither imports the other. Token times (exp, nbf) are wall-clock times; the
// expiry close runs on the core's injected clock, `closeInMs` from the moment of the decision.
import {
  ANONYMOUS, ExpiryTimer, authenticateHello, authenticateRefresh, can, closeDelayMs, memberFields,
  type Accepted, type Auth, type Identity, type Refusal,
} from './auth/index.js';
import type { AccessAction, AccessDecision, Authenticator, MemberIdentity, Principal } from './core/access.js';
import type { Clock } from './core/clock.js';

/** A connection's identity seen through the core's Principal. */
class IdentityPrincipal implements Principal {
  readonly memberFields: MemberIdentity;
  readonly server: boolean;

  constructor(readonly identity: Identity) {
    this.memberFields = memberFields(identity);
    this.server = identity.role === 'server';
  }

  can(room: string, action: AccessAction): boolean {
    return can(this.identity.rights, room, action);
  }
}

/**
 * Builds the core's Authenticator. `wallClock` is the time tokens are checked against (ms since
 * the epoch; the verifier got the same one from createAuth); `clock` runs the expiry timers.
 */
export function authenticator(auth: Auth, clock: Clock, wallClock: () => number = Date.now): Authenticator {
  const decide = (r: Accepted | Refusal): AccessDecision => {
    if (!r.ok) return { ok: false, code: r.code, message: r.message, close: r.close };
    return {
      ok: true,
      principal: new IdentityPrincipal(r.identity),
      fields: r.fields,
      closeInMs: closeDelayMs(r.identity, wallClock(), auth.clockToleranceSec),
    };
  };
  const anonymous: AccessDecision = decide({ ok: true, identity: ANONYMOUS, fields: {} });
  return {
    hello(hello) {
      // The common anonymous case stays synchronous: the welcome goes out in the same call, as in v1.
      if (hello.token === undefined && auth.allowAnonymous) return anonymous;
      return authenticateHello(auth, hello, wallClock()).then(decide);
    },
    refresh(current, token) {
      const identity = current instanceof IdentityPrincipal ? current.identity : ANONYMOUS;
      return authenticateRefresh(auth, identity, token, wallClock()).then(decide);
    },
    expiryTimer(onExpire) {
      return new ExpiryTimer(clock, onExpire);
    },
  };
}
