// JWKS key sources: a file, and a URL served by a real node:http server on 127.0.0.1:0 whose keys
// change (rotation by `kid`), stop existing (unknown kid) or stop answering (fetch failure).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/auth/index.js';
import { NOW_MS, config, keyPair, sign } from './tokens.js';

const now = () => NOW_MS;

interface JwksServer { url: string; fetches: number; setKeys(keys: object[]): void; fail(status: number): void; close(): Promise<void> }

async function serveJwks(keys: object[]): Promise<JwksServer> {
  let current = keys;
  let status = 200;
  const state = { fetches: 0 };
  const server: Server = createServer((req, res) => {
    state.fetches++;
    if (req.url !== '/.well-known/jwks.json' || status !== 200) {
      res.writeHead(status === 200 ? 404 : status).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: current }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get fetches() { return state.fetches; },
    setKeys(next) { current = next; },
    fail(next) { status = next; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

let server: JwksServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('JWKS URL', () => {
  it('verifies by kid, fetches once while cached, and follows a key rotation', async () => {
    const a = await keyPair('RS256', 'key-a');
    const b = await keyPair('RS256', 'key-b');
    server = await serveJwks([a.jwk]);
    const auth = await createAuth(config({ RELAY_JWKS_URL: server.url, RELAY_JWKS_COOLDOWN_SEC: '0' }), { now });

    const tokenA = await sign(a.privateKey, 'RS256', {}, { kid: 'key-a' });
    expect((await auth.verifier!.verify(tokenA)).ok).toBe(true);
    expect((await auth.verifier!.verify(tokenA)).ok).toBe(true);
    expect(server.fetches).toBe(1);

    // Rotation: the issuer publishes key-b next to key-a and signs with key-b. The relay has never
    // seen key-b: jose refetches on the unknown kid (no cooldown configured here).
    server.setKeys([a.jwk, b.jwk]);
    const tokenB = await sign(b.privateKey, 'RS256', { sub: 'bob' }, { kid: 'key-b' });
    const rb = await auth.verifier!.verify(tokenB);
    expect(rb.ok && rb.identity.userId).toBe('bob');
    expect(server.fetches).toBe(2);

    // key-a retired and key-c added: the next unknown kid (key-c) refetches, and key-a is gone.
    const c = await keyPair('RS256', 'key-c');
    server.setKeys([b.jwk, c.jwk]);
    const tokenC = await sign(c.privateKey, 'RS256', {}, { kid: 'key-c' });
    expect((await auth.verifier!.verify(tokenC)).ok).toBe(true);
    expect(await auth.verifier!.verify(tokenA)).toStrictEqual({ ok: false, code: 'unauthorized', reason: 'token key id (kid) is unknown' });
  });

  it('unknown kid → unauthorized', async () => {
    const a = await keyPair('ES256', 'key-a');
    const stranger = await keyPair('ES256', 'key-x');
    server = await serveJwks([a.jwk]);
    const auth = await createAuth(config({ RELAY_JWKS_URL: server.url, RELAY_JWT_ALGORITHMS: 'ES256', RELAY_JWKS_COOLDOWN_SEC: '0' }), { now });
    const token = await sign(stranger.privateKey, 'ES256', {}, { kid: 'key-x' });
    expect(await auth.verifier!.verify(token)).toStrictEqual({ ok: false, code: 'unauthorized', reason: 'token key id (kid) is unknown' });
  });

  it('a token signed by a stranger with a known kid has a bad signature', async () => {
    const a = await keyPair('RS256', 'key-a');
    const stranger = await keyPair('RS256');
    server = await serveJwks([a.jwk]);
    const auth = await createAuth(config({ RELAY_JWKS_URL: server.url }), { now });
    const token = await sign(stranger.privateKey, 'RS256', {}, { kid: 'key-a' });
    expect(await auth.verifier!.verify(token)).toStrictEqual({ ok: false, code: 'unauthorized', reason: 'token signature is invalid' });
  });

  it('a key set that cannot be fetched is the relay\'s problem: internal, not unauthorized', async () => {
    const a = await keyPair('RS256', 'key-a');
    server = await serveJwks([a.jwk]);
    server.fail(503);
    const auth = await createAuth(config({ RELAY_JWKS_URL: server.url }), { now });
    const token = await sign(a.privateKey, 'RS256', {}, { kid: 'key-a' });
    expect(await auth.verifier!.verify(token)).toStrictEqual({ ok: false, code: 'internal', reason: 'the key set (JWKS) could not be fetched' });
  });

  it('an HS256 token is refused even when the JWKS holds keys (algorithms are pinned to RS256)', async () => {
    const a = await keyPair('RS256', 'key-a');
    server = await serveJwks([a.jwk]);
    const auth = await createAuth(config({ RELAY_JWKS_URL: server.url }), { now });
    const token = await sign(new TextEncoder().encode(JSON.stringify(a.jwk)), 'HS256', {}, { kid: 'key-a' });
    expect(await auth.verifier!.verify(token)).toMatchObject({ ok: false, code: 'unauthorized', reason: 'token algorithm (alg) is not accepted' });
    expect(server.fetches).toBe(0);
  });
});

describe('JWKS file', () => {
  it('reads the keys at start-up and picks them by kid', async () => {
    const a = await keyPair('EdDSA', 'ed-1');
    const dir = mkdtempSync(join(tmpdir(), 'roomcast-jwks-'));
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [a.jwk] }));
    const auth = await createAuth(config({ RELAY_JWKS_FILE: file, RELAY_JWT_ALGORITHMS: 'EdDSA' }), { now });
    expect((await auth.verifier!.verify(await sign(a.privateKey, 'EdDSA', {}, { kid: 'ed-1' }))).ok).toBe(true);
    expect(await auth.verifier!.verify(await sign(a.privateKey, 'EdDSA', {}, { kid: 'ed-2' })))
      .toMatchObject({ ok: false, code: 'unauthorized', reason: 'token key id (kid) is unknown' });
  });

  it('refuses a file holding private key material, naming the variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomcast-jwks-'));
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }));
    await expect(createAuth(config({ RELAY_JWKS_FILE: file }))).rejects.toThrow(/RELAY_JWKS_FILE is not a usable JWKS: it holds private or symmetric key material/);
  });
});
