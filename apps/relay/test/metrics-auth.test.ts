// The identity metrics the README lists, read from a real /metrics scrape after the behaviour they
// count, exactly: hellos and token refreshes by result (a relay with RELAY_JWT_SECRET and tokens
// signed by jose), and WebSocket upgrades refused for their Origin. metrics.test.ts covers the rest;
// docs-metrics.test.ts checks that every README metric is read in one of the two files.
import { describe, expect, it } from 'vitest';
import type { RelayServer } from '../src/index.js';
import { upgrade, useAuthRelays } from './auth/harness.js';
import { hmacKey, NOW_SEC, SECRET, sign } from './auth/tokens.js';

const relays = useAuthRelays();

/** Every sample of a labelled counter, from a real scrape: { token: 1, unauthorized: 0, … }. */
async function byLabel(server: RelayServer, name: string, label: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(new RegExp(`^${name}\\{${label}="([a-z_]+)"\\} (\\S+)$`, 'gm'))) out[m[1]!] = Number(m[2]);
  return out;
}

async function unlabelled(server: RelayServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`no sample ${name} in the scrape`);
  return Number(m[1]);
}

describe('identity metrics after real traffic', () => {
  it('hellos by result: anonymous, token and each refusal once, exactly', async () => {
    const server = await relays.start({ RELAY_JWT_SECRET: SECRET, RELAY_ALLOW_ANONYMOUS: 'true' });
    expect(await byLabel(server, 'roomcast_auth_hellos_total', 'result')).toStrictEqual({
      anonymous: 0, token: 0, unauthorized: 0, token_expired: 0, internal: 0, unsupported_version: 0,
    });
    await relays.welcomed(server, 'ws');
    await relays.welcomed(server, 'ws', await sign(hmacKey(), 'HS256'));
    await (await relays.hello(server, 'ws', 'not-a-jwt')).client.closed;
    await (await relays.hello(server, 'ws', await sign(hmacKey(), 'HS256', { exp: NOW_SEC - 60 }))).client.closed;
    const v1 = await relays.dial(server, 'ws');
    expect(await v1.requestAny({ type: 'hello', v: 1, token: await sign(hmacKey(), 'HS256') })).toMatchObject({ code: 'unsupported_version' });
    await v1.closed;
    expect(await byLabel(server, 'roomcast_auth_hellos_total', 'result')).toStrictEqual({
      anonymous: 1, token: 1, unauthorized: 1, token_expired: 1, internal: 0, unsupported_version: 1,
    });
  });

  it('token refreshes by result: ok, unauthorized and token_expired, exactly', async () => {
    const server = await relays.start({ RELAY_JWT_SECRET: SECRET });
    const client = await relays.welcomed(server, 'ws', await sign(hmacKey(), 'HS256', { exp: NOW_SEC + 60 }));
    expect(await client.requestAny({ type: 'refresh', token: await sign(hmacKey(), 'HS256', { exp: NOW_SEC + 120 }) })).toMatchObject({ type: 'refreshed' });
    expect(await client.requestAny({ type: 'refresh', token: 'garbage' })).toMatchObject({ code: 'unauthorized' });
    expect(await client.requestAny({ type: 'refresh', token: 'garbage' })).toMatchObject({ code: 'unauthorized' });
    expect(await client.requestAny({ type: 'refresh', token: await sign(hmacKey(), 'HS256', { exp: NOW_SEC - 60 }) })).toMatchObject({ code: 'token_expired' });
    expect(await byLabel(server, 'roomcast_auth_refreshes_total', 'result')).toStrictEqual({ ok: 1, unauthorized: 2, token_expired: 1, internal: 0 });
  });

  it('origin refusals: each 403 upgrade counted once, an allowed Origin not at all', async () => {
    const server = await relays.start({ RELAY_ALLOWED_ORIGINS: 'https://app.example' });
    expect(await unlabelled(server, 'roomcast_origin_refused_total')).toBe(0);
    expect(await upgrade(server, 'https://evil.example')).toBe(403);
    expect(await upgrade(server, 'https://app.example')).toBe(101);
    expect(await upgrade(server, 'http://app.example')).toBe(403);
    expect(await unlabelled(server, 'roomcast_origin_refused_total')).toBe(2);
  });
});
