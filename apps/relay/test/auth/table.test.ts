// The auth table of issue 11 against the real relay, over WebSocket and raw TCP: each bad token
// gets the documented error (with the hello's id) and close, before it could join anything; a
// good one is welcomed with its user id and lifetime (PROTOCOL.md §8.18, decision 0001).
import { describe, expect, it } from 'vitest';
import { TRANSPORTS, useAuthRelays } from './harness.js';
import { NOW_SEC, SECRET, hmacKey, keyPair, sign, unsecured } from './tokens.js';

const relays = useAuthRelays();

describe.each(TRANSPORTS)('auth table over %s', (transport) => {
  /** Expects `token` to be refused at hello with this error and close; the relay keeps no member. */
  async function refused(env: Record<string, string>, token: string | undefined, code: string, message: string, close: number): Promise<void> {
    const server = await relays.start(env);
    const { client, reply } = await relays.hello(server, transport, token);
    expect(reply).toMatchObject({ type: 'error', id: 1, code, message });
    expect((await client.closed).code).toBe(close);
    expect(server.relay.rooms.size).toBe(0);
    expect(server.relay.connections.size).toBe(0);
  }

  const hs = { RELAY_JWT_SECRET: SECRET };

  it('a valid token is welcomed with its user id and lifetime', async () => {
    const server = await relays.start(hs);
    const { reply } = await relays.hello(server, transport, await sign(hmacKey(), 'HS256', { rooms: ['lobby'] }));
    expect(reply).toMatchObject({ type: 'welcome', id: 1, v: 2, userId: 'ada', expiresInSec: 3600 });
    expect(server.relay.stats.hellos.token).toBe(1);
  });

  it('no token where one is required → unauthorized, 4401', async () => {
    await refused(hs, undefined, 'unauthorized', 'this relay requires a token in hello', 4401);
  });

  it('garbage → unauthorized, 4401', async () => {
    await refused(hs, 'not-a-jwt', 'unauthorized', 'token is not a well-formed JWT', 4401);
  });

  it('alg none → unauthorized, 4401', async () => {
    await refused(hs, unsecured({ sub: 'ada', exp: NOW_SEC + 3600, rooms: ['*'] }), 'unauthorized', 'token algorithm (alg) is not accepted', 4401);
  });

  it('an HS256 token signed with the RS public key as its secret (algorithm confusion) → unauthorized, 4401', async () => {
    const rs = await keyPair('RS256');
    const forged = await sign(new TextEncoder().encode(rs.pem), 'HS256', { role: 'server' });
    await refused({ RELAY_JWT_PUBLIC_KEY: rs.pem }, forged, 'unauthorized', 'token algorithm (alg) is not accepted', 4401);
  });

  it('signed with another secret → unauthorized, 4401', async () => {
    const token = await sign(hmacKey('another-secret-0123456789-abcdefghijk'), 'HS256');
    await refused(hs, token, 'unauthorized', 'token signature is invalid', 4401);
  });

  it('signed with another RSA key → unauthorized, 4401', async () => {
    const rs = await keyPair('RS256');
    const stranger = await keyPair('RS256');
    await refused({ RELAY_JWT_PUBLIC_KEY: rs.pem }, await sign(stranger.privateKey, 'RS256'), 'unauthorized', 'token signature is invalid', 4401);
  });

  it('a tampered signature → unauthorized, 4401', async () => {
    const token = await sign(hmacKey(), 'HS256');
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    await refused(hs, `${token.slice(0, -2)}${last}${token.at(-1)}`, 'unauthorized', 'token signature is invalid', 4401);
  });

  it('a tampered payload (other user, same signature) → unauthorized, 4401', async () => {
    const [header, , signature] = (await sign(hmacKey(), 'HS256')).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'mallory', exp: NOW_SEC + 3600, role: 'server' })).toString('base64url');
    await refused(hs, `${header}.${payload}.${signature}`, 'unauthorized', 'token signature is invalid', 4401);
  });

  it('expired → token_expired, 4440 (reconnect with a new token)', async () => {
    await refused(hs, await sign(hmacKey(), 'HS256', { exp: NOW_SEC - 60 }), 'token_expired', 'token expired (exp)', 4440);
  });

  it('expired within the clock tolerance is still welcomed', async () => {
    const server = await relays.start(hs);
    const { reply } = await relays.hello(server, transport, await sign(hmacKey(), 'HS256', { exp: NOW_SEC - 3 }));
    expect(reply).toMatchObject({ type: 'welcome', userId: 'ada', expiresInSec: 0 });
  });

  it('missing exp → unauthorized, 4401', async () => {
    await refused(hs, await sign(hmacKey(), 'HS256', { exp: undefined }), 'unauthorized', 'token has no exp claim', 4401);
  });

  it('missing sub → unauthorized, 4401', async () => {
    await refused(hs, await sign(hmacKey(), 'HS256', { sub: undefined }), 'unauthorized', 'token has no sub claim', 4401);
  });

  it('nbf in the future → unauthorized, 4401', async () => {
    await refused(hs, await sign(hmacKey(), 'HS256', { nbf: NOW_SEC + 600 }), 'unauthorized', 'token is not valid yet (nbf)', 4401);
  });

  it('wrong aud → unauthorized, 4401; the configured one is welcomed', async () => {
    const env = { ...hs, RELAY_JWT_AUDIENCE: 'roomcast' };
    const server = await relays.start(env);
    expect((await relays.hello(server, transport, await sign(hmacKey(), 'HS256', { aud: 'roomcast' }))).reply.type).toBe('welcome');
    await refused(env, await sign(hmacKey(), 'HS256', { aud: 'billing' }), 'unauthorized', 'token audience (aud) is not accepted', 4401);
    await refused(env, await sign(hmacKey(), 'HS256'), 'unauthorized', 'token has no aud claim', 4401);
  });

  it('wrong iss → unauthorized, 4401', async () => {
    const env = { ...hs, RELAY_JWT_ISSUER: 'https://auth.example' };
    await refused(env, await sign(hmacKey(), 'HS256', { iss: 'https://evil.example' }), 'unauthorized', 'token issuer (iss) is not accepted', 4401);
  });

  it('a token on a relay without a key → unauthorized, 4401 (it cannot be checked)', async () => {
    await refused({}, await sign(hmacKey(), 'HS256'), 'unauthorized', 'this relay has no token key configured; connect without a token', 4401);
  });

  it('a v1 hello with a token → unsupported_version, 4406', async () => {
    const server = await relays.start(hs);
    const client = await relays.dial(server, transport);
    const reply = await client.requestAny({ type: 'hello', v: 1, token: await sign(hmacKey(), 'HS256') });
    expect(reply).toMatchObject({ type: 'error', code: 'unsupported_version', message: 'tokens need protocol v2: send hello with v: 2' });
    expect((await client.closed).code).toBe(4406);
  });

  it('JWKS: unknown kid → unauthorized, 4401; rotation to a new kid is followed', async () => {
    const a = await keyPair('RS256', 'key-a');
    const b = await keyPair('RS256', 'key-b');
    const stranger = await keyPair('RS256', 'key-x');
    const jwks = await relays.serveJwks([a.jwk]);
    const env = { RELAY_JWKS_URL: jwks.url, RELAY_JWKS_COOLDOWN_SEC: '0' };
    const server = await relays.start(env);
    expect((await relays.hello(server, transport, await sign(a.privateKey, 'RS256', {}, { kid: 'key-a' }))).reply)
      .toMatchObject({ type: 'welcome', userId: 'ada' });

    const { client, reply } = await relays.hello(server, transport, await sign(stranger.privateKey, 'RS256', {}, { kid: 'key-x' }));
    expect(reply).toMatchObject({ type: 'error', code: 'unauthorized', message: 'token key id (kid) is unknown' });
    expect((await client.closed).code).toBe(4401);

    // The issuer rotates: key-b appears (key-a retires). The relay refetches on the unknown kid.
    jwks.setKeys([b.jwk]);
    expect((await relays.hello(server, transport, await sign(b.privateKey, 'RS256', { sub: 'bob' }, { kid: 'key-b' }))).reply)
      .toMatchObject({ type: 'welcome', userId: 'bob' });
    const old = await relays.hello(server, transport, await sign(a.privateKey, 'RS256', {}, { kid: 'key-a' }));
    expect(old.reply).toMatchObject({ type: 'error', code: 'unauthorized', message: 'token key id (kid) is unknown' });
    expect((await old.client.closed).code).toBe(4401);
  });

  it('JWKS that cannot be fetched → internal, 4500 (the relay\'s fault: reconnect later)', async () => {
    const a = await keyPair('RS256', 'key-a');
    const jwks = await relays.serveJwks([a.jwk]);
    await jwks.close();
    await refused({ RELAY_JWKS_URL: jwks.url, RELAY_JWKS_TIMEOUT_MS: '1000' }, await sign(a.privateKey, 'RS256', {}, { kid: 'key-a' }),
      'internal', 'the key set (JWKS) could not be fetched', 4500);
  });

  it('RELAY_ALLOW_ANONYMOUS=true next to a key: no token is anonymous, a token is checked', async () => {
    const server = await relays.start({ ...hs, RELAY_ALLOW_ANONYMOUS: 'true' });
    const anon = await relays.hello(server, transport);
    expect(anon.reply.type).toBe('welcome');
    expect(anon.reply).not.toHaveProperty('userId');
    expect(anon.reply).not.toHaveProperty('expiresInSec');
    const bad = await relays.hello(server, transport, 'not-a-jwt');
    expect(bad.reply).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect((await bad.client.closed).code).toBe(4401);
  });

  it('counts hellos by result in /metrics, without user ids or tokens', async () => {
    const server = await relays.start(hs);
    const token = await sign(hmacKey(), 'HS256');
    await relays.welcomed(server, transport, token);
    await (await relays.hello(server, transport, 'garbage')).client.closed;
    await (await relays.hello(server, transport, await sign(hmacKey(), 'HS256', { exp: NOW_SEC - 60 }))).client.closed;
    const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
    expect(text).toContain('roomcast_auth_hellos_total{result="token"} 1');
    expect(text).toContain('roomcast_auth_hellos_total{result="unauthorized"} 1');
    expect(text).toContain('roomcast_auth_hellos_total{result="token_expired"} 1');
    expect(text).toContain('roomcast_closes_total{reason="token_expired"} 1');
    expect(text).not.toContain('ada');
    expect(text).not.toContain(token.split('.')[2]!);
  });
});
