// The auth table (reliability.md catalogue item 4) at unit level: real jose-signed tokens against
// the verifier the relay uses. Each failure has the typed code the relay turns into a close code.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAuth, type Auth } from '../../src/auth/index.js';
import { NOW_MS, NOW_SEC, SECRET, config, hmacKey, keyPair, sign, unsecured } from './tokens.js';

const clock = { now: NOW_MS };
const now = () => clock.now;

async function hsAuth(env: Record<string, string> = {}): Promise<Auth> {
  return createAuth(config({ RELAY_JWT_SECRET: SECRET, ...env }), { now });
}

async function verify(auth: Auth, token: string) {
  return auth.verifier!.verify(token);
}

describe('HS256 secret', () => {
  it('accepts a valid token and reads sub, rooms, info and exp', async () => {
    const auth = await hsAuth();
    const token = await sign(hmacKey(), 'HS256', { rooms: { 'game:*': ['send'] }, info: { name: 'Ada L.' } });
    const r = await verify(auth, token);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.identity).toMatchObject({ userId: 'ada', role: 'user', info: { name: 'Ada L.' }, expiresAtMs: NOW_MS + 3_600_000 });
    expect(auth.allowAnonymous).toBe(false);
  });

  it.each([
    ['garbage', async () => 'not a token', 'unauthorized', 'token is not a well-formed JWT'],
    ['empty string', async () => '', 'unauthorized', 'token is empty or too long'],
    ['three dots of garbage', async () => 'a.b.c', 'unauthorized', 'token is not a well-formed JWT'],
    ['alg none', async () => unsecured({ sub: 'ada', exp: NOW_SEC + 60 }), 'unauthorized', 'token algorithm (alg) is not accepted'],
    ['wrong secret', async () => sign(hmacKey('another-secret-0123456789-abcdefghij'), 'HS256'), 'unauthorized', 'token signature is invalid'],
    ['HS512 when only HS256 is pinned', async () => sign(hmacKey(), 'HS512'), 'unauthorized', 'token algorithm (alg) is not accepted'],
    ['expired', async () => sign(hmacKey(), 'HS256', { exp: NOW_SEC - 60 }), 'token_expired', 'token expired (exp)'],
    ['missing exp', async () => sign(hmacKey(), 'HS256', { exp: undefined }), 'unauthorized', 'token has no exp claim'],
    ['missing sub', async () => sign(hmacKey(), 'HS256', { sub: undefined }), 'unauthorized', 'token has no sub claim'],
    ['future nbf', async () => sign(hmacKey(), 'HS256', { nbf: NOW_SEC + 60 }), 'unauthorized', 'token is not valid yet (nbf)'],
    ['rooms of the wrong shape', async () => sign(hmacKey(), 'HS256', { rooms: 'lobby' }), 'unauthorized', 'claim rooms'],
    ['unknown action', async () => sign(hmacKey(), 'HS256', { rooms: { lobby: ['fly'] } }), 'unauthorized', 'claim rooms'],
    ['info above RELAY_MAX_INFO_BYTES', async () => sign(hmacKey(), 'HS256', { info: { bio: 'x'.repeat(1100) } }), 'unauthorized', 'RELAY_MAX_INFO_BYTES (1024)'],
  ])('%s → %s', async (_name, make, code, reason) => {
    const r = await verify(await hsAuth(), await make());
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('bad signature: one flipped character in the signature of a valid token', async () => {
    const token = await sign(hmacKey(), 'HS256');
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    expect(await verify(await hsAuth(), tampered)).toStrictEqual({ ok: false, code: 'unauthorized', reason: 'token signature is invalid' });
  });

  it('bad signature: the payload changed (another user) under the original signature', async () => {
    const [h, , s] = (await sign(hmacKey(), 'HS256')).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'mallory', exp: NOW_SEC + 3600, role: 'server' })).toString('base64url');
    expect(await verify(await hsAuth(), `${h}.${forged}.${s}`)).toMatchObject({ ok: false, code: 'unauthorized', reason: 'token signature is invalid' });
  });

  it('exp and nbf are honoured within the clock tolerance (5 s by default), not beyond', async () => {
    const auth = await hsAuth();
    expect((await verify(auth, await sign(hmacKey(), 'HS256', { exp: NOW_SEC - 4 }))).ok).toBe(true);
    expect((await verify(auth, await sign(hmacKey(), 'HS256', { nbf: NOW_SEC + 4 }))).ok).toBe(true);
    expect(await verify(auth, await sign(hmacKey(), 'HS256', { exp: NOW_SEC - 6 }))).toMatchObject({ ok: false, code: 'token_expired' });
    const strict = await hsAuth({ RELAY_JWT_CLOCK_TOLERANCE_SEC: '0' });
    expect(await verify(strict, await sign(hmacKey(), 'HS256', { exp: NOW_SEC - 1 }))).toMatchObject({ ok: false, code: 'token_expired' });
  });

  it('the same token expires when the injected clock passes exp', async () => {
    const auth = await hsAuth();
    const token = await sign(hmacKey(), 'HS256', { exp: NOW_SEC + 30 });
    expect((await verify(auth, token)).ok).toBe(true);
    clock.now = NOW_MS + 36_000;
    try {
      expect(await verify(auth, token)).toMatchObject({ ok: false, code: 'token_expired' });
    } finally {
      clock.now = NOW_MS;
    }
  });

  it('aud and iss are required and checked when configured', async () => {
    const auth = await hsAuth({ RELAY_JWT_AUDIENCE: 'roomcast,roomcast-staging', RELAY_JWT_ISSUER: 'https://game.example' });
    const good = { aud: 'roomcast', iss: 'https://game.example' };
    expect((await verify(auth, await sign(hmacKey(), 'HS256', good))).ok).toBe(true);
    expect((await verify(auth, await sign(hmacKey(), 'HS256', { ...good, aud: ['other', 'roomcast-staging'] }))).ok).toBe(true);
    expect(await verify(auth, await sign(hmacKey(), 'HS256', { ...good, aud: 'other' })))
      .toStrictEqual({ ok: false, code: 'unauthorized', reason: 'token audience (aud) is not accepted' });
    expect(await verify(auth, await sign(hmacKey(), 'HS256', { ...good, iss: 'https://evil.example' })))
      .toStrictEqual({ ok: false, code: 'unauthorized', reason: 'token issuer (iss) is not accepted' });
    expect(await verify(auth, await sign(hmacKey(), 'HS256', { iss: 'https://game.example' })))
      .toStrictEqual({ ok: false, code: 'unauthorized', reason: 'token has no aud claim' });
  });

  it('aud and iss are ignored when not configured', async () => {
    expect((await verify(await hsAuth(), await sign(hmacKey(), 'HS256', { aud: 'anything', iss: 'anyone' }))).ok).toBe(true);
  });

  it('never throws, whatever the input', async () => {
    const auth = await hsAuth();
    const inputs = ['.', '..', '...', 'ey.ey.ey', `${'a'.repeat(9000)}`, '\u0000.\u0000.\u0000', 'eyJhbGciOiJIUzI1NiJ9.bnVsbA.x', undefined as unknown as string];
    for (const input of inputs) {
      const r = await verify(auth, input);
      expect(r.ok, String(input).slice(0, 20)).toBe(false);
    }
  });
});

describe('public keys', () => {
  it.each(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'])('%s: a PEM public key verifies its tokens; the default alg is pinned', async (alg) => {
    const k = await keyPair(alg);
    const auth = await createAuth(config({ RELAY_JWT_PUBLIC_KEY: k.pem, RELAY_JWT_ALGORITHMS: alg }), { now });
    expect((await verify(auth, await sign(k.privateKey, alg))).ok).toBe(true);
    const other = await keyPair(alg);
    expect(await verify(auth, await sign(other.privateKey, alg))).toMatchObject({ ok: false, code: 'unauthorized', reason: 'token signature is invalid' });
  });

  it('a JWK public key works like a PEM one', async () => {
    const k = await keyPair('ES256');
    const auth = await createAuth(config({ RELAY_JWT_PUBLIC_KEY: JSON.stringify(k.jwk) }), { now });
    expect(auth.summary.algorithms).toStrictEqual(['ES256']);
    expect((await verify(auth, await sign(k.privateKey, 'ES256'))).ok).toBe(true);
  });

  it('algorithm confusion: an HS256 token signed with the RSA public key (PEM bytes as the secret) is refused', async () => {
    const k = await keyPair('RS256');
    const auth = await createAuth(config({ RELAY_JWT_PUBLIC_KEY: k.pem }), { now });
    expect(auth.summary.algorithms).toStrictEqual(['RS256']);
    const forged = await sign(new TextEncoder().encode(k.pem), 'HS256', { role: 'server' });
    expect(await verify(auth, forged)).toStrictEqual({ ok: false, code: 'unauthorized', reason: 'token algorithm (alg) is not accepted' });
    // And by hand, so no library default could make it pass: HMAC over header.payload with the PEM.
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b64({ alg: 'HS256' })}.${b64({ sub: 'mallory', exp: NOW_SEC + 60 })}`;
    const mac = createHmac('sha256', k.pem).update(input).digest('base64url');
    expect(await verify(auth, `${input}.${mac}`)).toMatchObject({ ok: false, code: 'unauthorized' });
  });

  it('an RS256 token against an ES256 key (wrong key type) is refused', async () => {
    const es = await keyPair('ES256');
    const rs = await keyPair('RS256');
    const auth = await createAuth(config({ RELAY_JWT_PUBLIC_KEY: es.pem }), { now });
    expect(await verify(auth, await sign(rs.privateKey, 'RS256'))).toMatchObject({ ok: false, code: 'unauthorized', reason: 'token algorithm (alg) is not accepted' });
  });

  it('alg none against a public key is refused', async () => {
    const k = await keyPair('EdDSA');
    const auth = await createAuth(config({ RELAY_JWT_PUBLIC_KEY: k.pem }), { now });
    expect(await verify(auth, unsecured({ sub: 'ada', exp: NOW_SEC + 60 }))).toMatchObject({ ok: false, code: 'unauthorized' });
  });
});

describe('properties (fast-check)', () => {
  it('any string: a typed failure, never a throw', async () => {
    const auth = await hsAuth();
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), fc.base64String({ maxLength: 300 })), async (input) => {
      const r = await verify(auth, input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(['unauthorized', 'token_expired']).toContain(r.code);
    }), { numRuns: 300 });
  });

  it('any one-character change of a valid token is refused', async () => {
    const auth = await hsAuth();
    const token = await sign(hmacKey(), 'HS256', { rooms: ['lobby'] });
    // The last character of the signature carries 2 unused bits (32 bytes in 43 base64url
    // characters), so some changes there decode to the same signature: leave it out.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: token.length - 2 }), fc.constantFrom(...alphabet),
      async (at, ch) => {
        fc.pre(token[at] !== ch);
        const mutated = token.slice(0, at) + ch + token.slice(at + 1);
        expect((await verify(auth, mutated)).ok).toBe(false);
      },
    ), { numRuns: 300 });
  });
});
