// Unit tests of core/handshake.ts: `hello`, `refresh` and the expiry close, against a scripted
// Authenticator (the decisions the core gets from src/auth/, sync or async, whichever the test
// says) on fake peers. What the connection is told (exact frames), how it closes (code and
// reason), what is counted, and that a decision arriving after a close changes nothing.
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, encodeControl } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import type { AccessDecision, Authenticator, ExpiryTimer, Principal } from '../src/core/access.js';
import { FakePeer, setup } from './fakes.js';

/** A principal that may do everything in its rooms except what `deny` names. */
const principal = (userId: string | undefined, deny: string[] = []): Principal => ({
  memberFields: userId === undefined ? {} : { userId },
  can: (_room, action) => !deny.includes(action),
});
const admitted = (p: Principal, fields: { userId?: string; expiresInSec?: number } = {}, closeInMs?: number): AccessDecision =>
  ({ ok: true, principal: p, fields, closeInMs });

interface Deferred { resolve(d: AccessDecision): void; reject(err: unknown): void }

/** An Authenticator whose hello decision the test sets (a value: synchronous; 'async': a promise it settles). */
class ScriptedAccess implements Authenticator {
  helloDecision: AccessDecision | 'async' = admitted(principal(undefined));
  readonly hellos: { v: number; token?: string | undefined }[] = [];
  readonly pending: Deferred[] = [];
  readonly refreshes: { current: Principal; token: string }[] = [];
  readonly timers: { armed: (number | undefined)[]; stops: number; fire: () => void }[] = [];
  hello(hello: { v: number; token?: string | undefined }): AccessDecision | Promise<AccessDecision> {
    this.hellos.push(hello);
    return this.helloDecision === 'async' ? this.deferred() : this.helloDecision;
  }
  refresh(current: Principal, token: string): Promise<AccessDecision> {
    this.refreshes.push({ current, token });
    return this.deferred();
  }
  expiryTimer(onExpire: () => void): ExpiryTimer {
    const t = { armed: [] as (number | undefined)[], stops: 0, fire: onExpire };
    this.timers.push(t);
    return { arm: (ms) => t.armed.push(ms), stop: () => { t.stops++; } };
  }
  private deferred(): Promise<AccessDecision> {
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
}

/** Lets settled promises run their `.then`s. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function withAccess(overrides: Record<string, string> = {}) {
  const access = new ScriptedAccess();
  const t = setup(overrides, { access });
  const fresh = () => {
    const peer = new FakePeer(t.hub);
    const conn = t.relay.open(peer);
    peer.onClose = () => t.relay.closed(conn);
    return { peer, conn };
  };
  const hello = (c: ReturnType<typeof fresh>, v = 2, token?: string) =>
    t.relay.message(c.conn, encodeControl({ type: 'hello', id: 11, v, token }));
  return { ...t, access, fresh, hello, stats: t.relay.stats };
}

describe('hello', () => {
  it('an unsupported version: error with the range spoken, close 4406, and the Authenticator is not asked', () => {
    const { fresh, hello, access, stats } = withAccess();
    for (const v of [PROTOCOL_VERSION + 1, MIN_PROTOCOL_VERSION - 1]) {
      const c = fresh();
      hello(c, v);
      expect(c.peer.messages()).toEqual([{
        type: 'error', id: 11, code: 'unsupported_version',
        message: `protocol version ${v} is not supported; this relay speaks ${MIN_PROTOCOL_VERSION}..${PROTOCOL_VERSION}`,
      }]);
      expect(c.peer.closedWith).toBe(4406);
      expect(c.peer.closeReason).toBe(`protocol version ${v} not supported`);
    }
    expect(access.hellos).toEqual([]);
    expect(stats.hellos).toMatchObject({ unsupported_version: 2, anonymous: 0, token: 0 });
  });

  it('welcomed anonymous: the welcome echoes id and version, names the session and the limits; counted as anonymous', () => {
    const { fresh, hello, access, stats, relay } = withAccess();
    const c = fresh();
    hello(c, 1, undefined);
    const welcome = c.peer.last();
    expect(welcome).toMatchObject({ type: 'welcome', id: 11, v: 1, session: c.conn.session });
    expect(welcome?.type === 'welcome' && Object.keys(welcome).sort()).toEqual(['id', 'limits', 'session', 'type', 'v']);
    expect(welcome?.type === 'welcome' && welcome.limits.maxPayloadBytes).toBe(16384);
    expect(c.conn.state).toBe('open');
    expect(access.hellos).toEqual([{ type: 'hello', id: 11, v: 1 }]);
    expect(stats.hellos).toMatchObject({ anonymous: 1, token: 0 });
    // No expiry: no timer made.
    expect(access.timers).toEqual([]);
    expect(relay.connections.size).toBe(1);
  });

  it('welcomed with a token: the fields join the welcome, counted as token, the expiry timer armed', () => {
    const { fresh, hello, access, stats } = withAccess();
    const p = principal('ada');
    access.helloDecision = admitted(p, { userId: 'ada', expiresInSec: 60 }, 65_000);
    const c = fresh();
    hello(c, 2, 'tok');
    expect(c.peer.last()).toMatchObject({ type: 'welcome', id: 11, v: 2, userId: 'ada', expiresInSec: 60 });
    expect(c.conn.principal).toBe(p);
    expect(access.hellos).toEqual([{ type: 'hello', id: 11, v: 2, token: 'tok' }]);
    expect(stats.hellos).toMatchObject({ anonymous: 0, token: 1 });
    expect(access.timers.map((t) => t.armed)).toEqual([[65_000]]);
    // The timer fires: 4440 with the documented reason.
    access.timers[0]!.fire();
    expect(c.peer.closedWith).toBe(4440);
    expect(c.peer.closeReason).toBe('token expired: get a new token and reconnect');
    expect(stats.closes).toEqual({ token_expired: 1 });
    // Closed: the timer is stopped (it must not fire again later).
    expect(access.timers[0]!.stops).toBe(1);
  });

  it('refused: the error with the request id, then the decision\'s close (4401 when it names none)', () => {
    const { fresh, hello, access, stats } = withAccess();
    access.helloDecision = { ok: false, code: 'token_expired', message: 'the token expired', close: 'token_expired' };
    const c = fresh();
    hello(c, 2, 'old');
    expect(c.peer.messages()).toEqual([{ type: 'error', id: 11, code: 'token_expired', message: 'the token expired' }]);
    expect(c.peer.closedWith).toBe(4440);
    expect(c.peer.closeReason).toBe('the token expired');
    access.helloDecision = { ok: false, code: 'unauthorized', message: 'no', close: undefined };
    const d = fresh();
    hello(d, 2, 'bad');
    expect(d.peer.closedWith).toBe(4401);
    expect(stats.hellos).toMatchObject({ token_expired: 1, unauthorized: 1, anonymous: 0, token: 0 });
    expect(c.conn.principal.can('r', 'join')).toBe(false);
  });

  it('a token being checked: authenticating until the decision, then the welcome', async () => {
    const { fresh, hello, access } = withAccess();
    access.helloDecision = 'async';
    const c = fresh();
    hello(c, 2, 'tok');
    expect(c.conn.state).toBe('authenticating');
    expect(c.peer.messages()).toEqual([]);
    access.pending[0]!.resolve(admitted(principal('ada'), { userId: 'ada' }));
    await settle();
    expect(c.conn.state).toBe('open');
    expect(c.peer.last()).toMatchObject({ type: 'welcome', id: 11, userId: 'ada' });
  });

  it('a decision after the close changes nothing; a failed decision is a 4500 unless the connection is gone', async () => {
    const { fresh, hello, access, stats } = withAccess();
    access.helloDecision = 'async';
    const gone = fresh();
    hello(gone, 2, 'tok');
    gone.peer.close(1000);
    access.pending[0]!.resolve(admitted(principal('ada'), { userId: 'ada' }, 1000));
    await settle();
    expect(gone.peer.messages()).toEqual([]);
    expect(stats.hellos.token).toBe(0);
    expect(access.timers).toEqual([]);

    const failing = fresh();
    hello(failing, 2, 'tok');
    access.pending[1]!.reject(new Error('verifier broke'));
    await settle();
    expect(failing.peer.closedWith).toBe(4500);
    expect(stats.errors.internal).toBe(1);

    const failingGone = fresh();
    hello(failingGone, 2, 'tok');
    failingGone.peer.close(1000);
    access.pending[2]!.reject(new Error('verifier broke'));
    await settle();
    expect(stats.errors.internal).toBe(1);
  });
});

describe('refresh', () => {
  async function welcomed() {
    const t = withAccess();
    const first = principal('ada', ['direct']);
    t.access.helloDecision = admitted(first, { userId: 'ada', expiresInSec: 10 }, 10_000);
    const c = t.fresh();
    t.hello(c, 2, 'first');
    const j = t.join(c, 'r');
    const refresh = (id: number, token = 'next') => t.relay.message(c.conn, encodeControl({ type: 'refresh', id, token }));
    return { ...t, c, first, j, refresh };
  }

  it('one at a time: a second refresh while the first is checked is rate_limited; the first then answers', async () => {
    const { c, access, refresh, first, stats } = await welcomed();
    refresh(1);
    refresh(2);
    expect(c.peer.last()).toEqual({ type: 'error', id: 2, code: 'rate_limited', message: 'a refresh is already being checked: wait for its answer' });
    expect(access.refreshes).toEqual([{ current: first, token: 'next' }]);
    access.pending[0]!.resolve(admitted(principal('ada'), { userId: 'ada', expiresInSec: 30 }, 30_000));
    await settle();
    expect(c.peer.last()).toEqual({ type: 'refreshed', id: 1, expiresInSec: 30 });
    expect(stats.refreshes).toEqual({ ok: 1, unauthorized: 0, token_expired: 0, internal: 0 });
    // The same timer re-armed with the new delay (not a second timer).
    expect(access.timers.map((t) => t.armed)).toEqual([[10_000, 30_000]]);
    // And a next refresh may start.
    refresh(3);
    expect(access.refreshes).toHaveLength(2);
  });

  it('takes the new rights in the rooms already joined; no expiry in the new token stops the timer (expiresInSec 0)', async () => {
    const { c, j, access, refresh } = await welcomed();
    const member = c.conn.rooms.get(j.handle)!;
    expect(member.may).toEqual({ send: true, direct: false, presence: true });
    refresh(4);
    const next = principal('ada', ['send', 'presence']);
    access.pending[0]!.resolve(admitted(next, { userId: 'ada' }, undefined));
    await settle();
    expect(c.peer.last()).toEqual({ type: 'refreshed', id: 4, expiresInSec: 0 });
    expect(c.conn.principal).toBe(next);
    expect(member.may).toEqual({ send: false, direct: true, presence: false });
    expect(access.timers.map((t) => t.armed)).toEqual([[10_000, undefined]]);
  });

  it('refused: the error with its id, counted by code (unsupported_version as unauthorized); the old token stays', async () => {
    const { c, access, refresh, first, stats } = await welcomed();
    const codes = ['token_expired', 'unsupported_version', 'unauthorized'] as const;
    for (const [i, code] of codes.entries()) {
      refresh(20 + i);
      access.pending[i]!.resolve({ ok: false, code, message: `refused ${code}`, close: undefined });
      await settle();
      expect(c.peer.last()).toEqual({ type: 'error', id: 20 + i, code, message: `refused ${code}` });
    }
    expect(stats.refreshes).toEqual({ ok: 0, unauthorized: 2, token_expired: 1, internal: 0 });
    expect(c.conn.principal).toBe(first);
    expect(c.peer.closedWith).toBeUndefined();
    expect(access.timers.map((t) => t.armed)).toEqual([[10_000]]);
  });

  it('a failed check is a 4500; a decision after the close sends nothing', async () => {
    const t = await welcomed();
    t.refresh(5);
    t.access.pending[0]!.reject(new Error('broke'));
    await settle();
    expect(t.c.peer.closedWith).toBe(4500);
    expect(t.c.conn.refreshing).toBe(false);

    const u = await welcomed();
    u.refresh(6);
    u.c.peer.close(1000);
    const sent = u.c.peer.received.length;
    u.access.pending[0]!.resolve(admitted(principal('ada'), { userId: 'ada' }, 5000));
    await settle();
    expect(u.c.peer.received.length).toBe(sent);
    expect(u.stats.refreshes.ok).toBe(0);
    expect(u.c.conn.refreshing).toBe(false);
    expect(u.access.timers.map((x) => x.armed)).toEqual([[10_000]]);
  });
});
