// Claims → rights (PROTOCOL.md §8.18 rule 2): exact rooms, prefix patterns, actions, the server
// role, viewers; and the refresh rules. Pure functions, driven with verified identities.
import { describe, expect, it } from 'vitest';
import {
  ALL_RIGHTS, ANONYMOUS, NO_RIGHTS, applyRefresh, can, canJoin, closeDelayMs, createAuth, expiresInSec,
  identityFromClaims, rightsFromClaim, type Identity,
} from '../../src/auth/index.js';
import { NOW_MS, NOW_SEC, SECRET, config, hmacKey, sign } from './tokens.js';

function identity(claims: Record<string, unknown>): Identity {
  const r = identityFromClaims({ sub: 'ada', exp: NOW_SEC + 60, ...claims }, 1024);
  if (!r.ok) throw new Error(r.reason);
  return r.identity;
}

describe('rights', () => {
  const rights = rightsFromClaim({
    lobby: ['join', 'send', 'presence', 'direct'],
    'game:*': ['send'],
    'game:vip*': ['presence'],
    stage: ['join'],
  });

  it('exact names match only themselves', () => {
    expect(canJoin(rights, 'lobby')).toBe(true);
    expect(canJoin(rights, 'lobby2')).toBe(false);
    expect(canJoin(rights, 'lobb')).toBe(false);
  });

  it('a trailing * is a prefix; matching patterns add up', () => {
    expect(can(rights, 'game:7', 'send')).toBe(true);
    expect(can(rights, 'game:7', 'presence')).toBe(false);
    expect(can(rights, 'game:vip1', 'send')).toBe(true);
    expect(can(rights, 'game:vip1', 'presence')).toBe(true);
    expect(canJoin(rights, 'game')).toBe(false);
    expect(canJoin(rights, 'xgame:7')).toBe(false);
  });

  it('every action implies join; join alone is a read-only viewer', () => {
    expect(canJoin(rights, 'game:7')).toBe(true);
    expect(canJoin(rights, 'stage')).toBe(true);
    for (const action of ['send', 'direct', 'presence'] as const) expect(can(rights, 'stage', action)).toBe(false);
  });

  it('room outside the claim: nothing', () => {
    for (const action of ['join', 'send', 'direct', 'presence'] as const) expect(can(rights, 'admin', action)).toBe(false);
  });

  it('an array of patterns grants every action; * alone is every room', () => {
    const list = rightsFromClaim(['lobby', 'team:*']);
    expect(can(list, 'team:red', 'direct')).toBe(true);
    expect(can(list, 'lobby', 'presence')).toBe(true);
    expect(canJoin(list, 'other')).toBe(false);
    const star = rightsFromClaim(['*']);
    expect(can(star, 'anything:at:all', 'send')).toBe(true);
  });

  it('no rooms claim: connect, but join nothing', () => {
    expect(rightsFromClaim(undefined)).toBe(NO_RIGHTS);
    expect(canJoin(identity({}).rights, 'lobby')).toBe(false);
  });

  it('role server: every action in every room; other roles grant nothing extra', () => {
    const server = identity({ role: 'server' });
    expect(server.role).toBe('server');
    expect(server.rights).toBe(ALL_RIGHTS);
    expect(can(server.rights, 'any-room', 'direct')).toBe(true);
    const admin = identity({ role: 'admin', rooms: ['lobby'] });
    expect(admin.role).toBe('user');
    expect(canJoin(admin.rights, 'other')).toBe(false);
  });

  it('anonymous connections keep the v1 behaviour: every right, no user id', () => {
    expect(ANONYMOUS).toMatchObject({ userId: undefined, role: 'anonymous', expiresAtMs: undefined });
    expect(can(ANONYMOUS.rights, 'x', 'send')).toBe(true);
  });

  it('claims are bounded: 65 patterns, a 130-character pattern, or a space in a pattern are refused', () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`r${i}`, ['join']]));
    expect(identityFromClaims({ sub: 'a', exp: 1, rooms: many }, 1024)).toMatchObject({ ok: false });
    expect(identityFromClaims({ sub: 'a', exp: 1, rooms: ['x'.repeat(130)] }, 1024)).toMatchObject({ ok: false });
    expect(identityFromClaims({ sub: 'a', exp: 1, rooms: ['a b'] }, 1024)).toMatchObject({ ok: false });
    expect(identityFromClaims({ sub: 'x'.repeat(257), exp: 1 }, 1024)).toMatchObject({ ok: false, reason: expect.stringContaining('claim sub') });
  });

  it('info is capped by compact JSON size in UTF-8 bytes', () => {
    // {"n":"ééé"} is 14 bytes: 3 two-byte characters
    expect(identityFromClaims({ sub: 'a', exp: 1, info: { n: 'ééé' } }, 14)).toMatchObject({ ok: true });
    expect(identityFromClaims({ sub: 'a', exp: 1, info: { n: 'ééé' } }, 13))
      .toStrictEqual({ ok: false, reason: 'claim info is 14 bytes of JSON, above RELAY_MAX_INFO_BYTES (13)' });
  });

  it('info nests at most 13 deep, like presence (PROTOCOL.md §8.4)', () => {
    const nest = (d: number): unknown => (d === 0 ? 1 : [nest(d - 1)]);
    expect(identityFromClaims({ sub: 'a', exp: 1, info: nest(13) }, 1024)).toMatchObject({ ok: true });
    expect(identityFromClaims({ sub: 'a', exp: 1, info: nest(14) }, 1024))
      .toStrictEqual({ ok: false, reason: 'claim info nests deeper than 13' });
  });
});

describe('a signed token end to end: only that user, only those rooms', () => {
  it('the rooms claim of a verified token decides joins and actions', async () => {
    const auth = await createAuth(config({ RELAY_JWT_SECRET: SECRET }), { now: () => NOW_MS });
    const token = await sign(hmacKey(), 'HS256', { sub: 'viewer-1', rooms: { 'stream:*': ['join'], 'chat:1': ['join', 'send'] } });
    const r = await auth.verifier!.verify(token);
    if (!r.ok) throw new Error(r.reason);
    expect(canJoin(r.identity.rights, 'stream:42')).toBe(true);
    expect(can(r.identity.rights, 'stream:42', 'send')).toBe(false); // action outside the rights
    expect(can(r.identity.rights, 'chat:1', 'send')).toBe(true);
    expect(canJoin(r.identity.rights, 'chat:2')).toBe(false); // room outside the claim
  });
});

describe('expiry and refresh', () => {
  it('expiresInSec rounds down and never goes negative; the close comes after the tolerance', () => {
    const id = identity({ exp: NOW_SEC + 90 });
    expect(expiresInSec(id, NOW_MS)).toBe(90);
    expect(expiresInSec(id, NOW_MS + 500)).toBe(89);
    expect(expiresInSec(id, NOW_MS + 200_000)).toBe(0);
    expect(closeDelayMs(id, NOW_MS, 5)).toBe(95_000);
    expect(closeDelayMs(id, NOW_MS + 200_000, 5)).toBe(0);
    expect(expiresInSec(ANONYMOUS, NOW_MS)).toBeUndefined();
    expect(closeDelayMs(ANONYMOUS, NOW_MS, 5)).toBeUndefined();
  });

  it('a refresh keeps the user and the info, and takes the new rights and expiry', () => {
    const current = identity({ rooms: ['lobby'], info: { name: 'Ada' } });
    const next = identity({ exp: NOW_SEC + 3600, rooms: ['lobby', 'game:*'], info: { name: 'Someone else' } });
    const r = applyRefresh(current, next);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.identity.info).toStrictEqual({ name: 'Ada' });
    expect(r.identity.expiresAtMs).toBe((NOW_SEC + 3600) * 1000);
    expect(canJoin(r.identity.rights, 'game:1')).toBe(true);
  });

  it('a refresh naming another user, or on an anonymous connection, is unauthorized', () => {
    const current = identity({});
    expect(applyRefresh(current, identity({ sub: 'mallory' })))
      .toStrictEqual({ ok: false, code: 'unauthorized', reason: 'the new token names another user (sub); reconnect to change user' });
    expect(applyRefresh(ANONYMOUS, current)).toMatchObject({ ok: false, code: 'unauthorized' });
  });
});
