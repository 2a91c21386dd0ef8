// hello / refresh decisions (PROTOCOL.md §8.1, §8.18) with real signed tokens: what the relay
// answers, and the close code that follows, for every branch; and the expiry timer.
import { describe, expect, it } from 'vitest';
import {
  ANONYMOUS, ExpiryTimer, MAX_TIMER_MS, authenticateHello, authenticateRefresh, createAuth, dataRights, memberFields,
  type TimerClock,
} from '../../src/auth/index.js';
import { NOW_MS, NOW_SEC, SECRET, config, hmacKey, sign } from './tokens.js';

const now = () => NOW_MS;
const keyed = () => createAuth(config({ RELAY_JWT_SECRET: SECRET }), { now });
const anonymous = () => createAuth(config({}), { now });

describe('authenticateHello', () => {
  it('no token on an anonymous relay: welcomed as anonymous, no v2 fields', async () => {
    expect(await authenticateHello(await anonymous(), { v: 1 }, NOW_MS)).toStrictEqual({ ok: true, identity: ANONYMOUS, fields: {} });
    expect(await authenticateHello(await anonymous(), { v: 2 }, NOW_MS)).toStrictEqual({ ok: true, identity: ANONYMOUS, fields: {} });
  });

  it('no token when a key is configured: unauthorized, close 4401', async () => {
    expect(await authenticateHello(await keyed(), { v: 2 }, NOW_MS)).toStrictEqual({
      ok: false, code: 'unauthorized', message: 'this relay requires a token in hello', close: 'unauthorized',
    });
  });

  it('a valid token: welcome fields userId and expiresInSec', async () => {
    const token = await sign(hmacKey(), 'HS256', { exp: NOW_SEC + 900, rooms: ['lobby'] });
    const r = await authenticateHello(await keyed(), { v: 2, token }, NOW_MS + 250);
    expect(r.ok && r.fields).toStrictEqual({ userId: 'ada', expiresInSec: 899 });
  });

  it.each([
    ['expired', { exp: NOW_SEC - 60 }, 'token_expired', 'token_expired'],
    ['no exp', { exp: undefined }, 'unauthorized', 'unauthorized'],
  ])('%s token: %s, close %s', async (_n, claims, code, close) => {
    const token = await sign(hmacKey(), 'HS256', claims);
    expect(await authenticateHello(await keyed(), { v: 2, token }, NOW_MS)).toMatchObject({ ok: false, code, close });
  });

  it('a token in a v1 hello: unsupported_version, close 4406', async () => {
    const token = await sign(hmacKey(), 'HS256');
    expect(await authenticateHello(await keyed(), { v: 1, token }, NOW_MS)).toMatchObject({ ok: false, code: 'unsupported_version', close: 'unsupported_version' });
  });

  it('a token on a relay without a key: unauthorized, close 4401 (never silently anonymous)', async () => {
    const token = await sign(hmacKey(), 'HS256');
    expect(await authenticateHello(await anonymous(), { v: 2, token }, NOW_MS)).toMatchObject({ ok: false, code: 'unauthorized', close: 'unauthorized' });
  });

  it('RELAY_ALLOW_ANONYMOUS=true next to a key: both kinds welcomed', async () => {
    const auth = await createAuth(config({ RELAY_JWT_SECRET: SECRET, RELAY_ALLOW_ANONYMOUS: 'true' }), { now });
    expect((await authenticateHello(auth, { v: 2 }, NOW_MS)).ok).toBe(true);
    expect((await authenticateHello(auth, { v: 2, token: await sign(hmacKey(), 'HS256') }, NOW_MS)).ok).toBe(true);
  });
});

describe('authenticateRefresh', () => {
  it('same user: accepted with the new lifetime; never a close', async () => {
    const auth = await keyed();
    const first = await authenticateHello(auth, { v: 2, token: await sign(hmacKey(), 'HS256', { exp: NOW_SEC + 60, info: { n: 1 } }) }, NOW_MS);
    if (!first.ok) throw new Error(first.message);
    const r = await authenticateRefresh(auth, first.identity, await sign(hmacKey(), 'HS256', { exp: NOW_SEC + 600, info: { n: 2 } }), NOW_MS);
    expect(r.ok && r.fields).toStrictEqual({ userId: 'ada', expiresInSec: 600 });
    expect(r.ok && r.identity.info).toStrictEqual({ n: 1 });

    const other = await authenticateRefresh(auth, first.identity, await sign(hmacKey(), 'HS256', { sub: 'bob' }), NOW_MS);
    expect(other).toMatchObject({ ok: false, code: 'unauthorized', close: undefined });
    const expired = await authenticateRefresh(auth, first.identity, await sign(hmacKey(), 'HS256', { exp: NOW_SEC - 60 }), NOW_MS);
    expect(expired).toMatchObject({ ok: false, code: 'token_expired', close: undefined });
    expect(await authenticateRefresh(auth, ANONYMOUS, await sign(hmacKey(), 'HS256'), NOW_MS)).toMatchObject({ ok: false, code: 'unauthorized', close: undefined });
  });
});

describe('member fields and data rights', () => {
  it('anonymous members add nothing to member maps (v1 bytes); token members add userId and info', async () => {
    expect(memberFields(ANONYMOUS)).toStrictEqual({});
    const r = await (await keyed()).verifier!.verify(await sign(hmacKey(), 'HS256', { info: { team: 'red' }, rooms: { 'game:*': ['send'] } }));
    if (!r.ok) throw new Error(r.reason);
    expect(memberFields(r.identity)).toStrictEqual({ userId: 'ada', info: { team: 'red' } });
    expect(dataRights(r.identity.rights, 'game:1')).toStrictEqual({ send: true, direct: false, presence: false });
    expect(dataRights(ANONYMOUS.rights, 'x')).toStrictEqual({ send: true, direct: true, presence: true });
  });
});

describe('ExpiryTimer', () => {
  /** A clock whose timers fire only when the test advances it. */
  function fakeClock() {
    let t = 0;
    let seq = 0;
    const timers = new Map<number, { at: number; fn: () => void }>();
    const clock: TimerClock & { advance(ms: number): void; pending: () => number } = {
      setTimeout(fn, ms) { const id = ++seq; timers.set(id, { at: t + ms, fn }); return id; },
      clearTimeout(h) { timers.delete(h as number); },
      advance(ms) {
        const end = t + ms;
        for (;;) {
          const next = [...timers.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
          if (!next) break;
          timers.delete(next[0]);
          t = next[1].at;
          next[1].fn();
        }
        t = end;
      },
      pending: () => timers.size,
    };
    return clock;
  }

  it('fires once at the delay, not before', () => {
    const clock = fakeClock();
    let fired = 0;
    const timer = new ExpiryTimer(clock, () => fired++);
    timer.arm(95_000);
    clock.advance(94_999);
    expect(fired).toBe(0);
    clock.advance(1);
    expect([fired, timer.armed]).toStrictEqual([1, false]);
  });

  it('re-arming (a refresh) replaces the deadline; stop and undefined cancel it', () => {
    const clock = fakeClock();
    let fired = 0;
    const timer = new ExpiryTimer(clock, () => fired++);
    timer.arm(1000);
    clock.advance(900);
    timer.arm(5000);
    clock.advance(4000);
    expect(fired).toBe(0);
    clock.advance(1000);
    expect(fired).toBe(1);
    timer.arm(10);
    timer.stop();
    timer.arm(undefined);
    clock.advance(100);
    expect([fired, clock.pending()]).toStrictEqual([1, 0]);
  });

  it('a delay beyond 2^31-1 ms is re-armed in steps instead of firing at once', () => {
    const clock = fakeClock();
    let fired = 0;
    const timer = new ExpiryTimer(clock, () => fired++);
    const thirtyDays = 30 * 86_400_000;
    timer.arm(thirtyDays);
    clock.advance(MAX_TIMER_MS);
    expect([fired, timer.armed]).toStrictEqual([0, true]);
    clock.advance(thirtyDays - MAX_TIMER_MS - 1);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
  });
});
