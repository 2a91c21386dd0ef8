// Token lifetime against the real relay over WebSocket and TCP, with the relay on a fake clock (its
// wall clock moves with it): expiry closes with 4440 at exp + tolerance, a refresh before that keeps
// the connection and replaces the rights, a refused refresh changes nothing. And the async hello:
// frames while the token is checked are refused, and a connection closed meanwhile gets nothing.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../fakes.js';
import { TRANSPORTS, useAuthRelays } from './harness.js';
import { NOW_SEC, SECRET, hmacKey, keyPair, sign } from './tokens.js';

const relays = useAuthRelays();
// TCP idle deadlines run on the fake clock too: off here, so only the token decides.
const env = { RELAY_JWT_SECRET: SECRET, RELAY_IDLE_TIMEOUT_SEC: '0' };
const token = (claims: Record<string, unknown>) => sign(hmacKey(), 'HS256', claims);

describe.each(TRANSPORTS)('expiry and refresh over %s', (transport) => {
  it('closes with 4440 at exp plus the 5 s tolerance; the room sees the member leave', async () => {
    const clock = new FakeClock();
    const server = await relays.start(env, { clock });
    const { client, reply } = await relays.hello(server, transport, await token({ exp: NOW_SEC + 60, rooms: ['r'] }));
    expect(reply).toMatchObject({ type: 'welcome', expiresInSec: 60 });
    const other = await relays.welcomed(server, transport, await token({ sub: 'bob', exp: NOW_SEC + 3600, rooms: ['r'] }));
    const joined = await client.join('r');
    await other.join('r');
    clock.advance(64_999);
    await client.request({ type: 'ping' }, 'pong');
    clock.advance(1);
    expect(await client.closed).toStrictEqual({ code: 4440, reason: 'token expired: get a new token and reconnect' });
    expect((await other.nextMessage('member_left')).member).toBe(joined.self);
    expect(server.relay.stats.closes.token_expired).toBe(1);
    expect(server.relay.connections.size).toBe(1);
  });

  it('a refresh before expiry keeps the connection until the new token expires', async () => {
    const clock = new FakeClock();
    const server = await relays.start(env, { clock });
    const client = await relays.welcomed(server, transport, await token({ exp: NOW_SEC + 60 }));
    clock.advance(40_000);
    expect(await client.requestAny({ type: 'refresh', token: await token({ exp: NOW_SEC + 120 }) }))
      .toStrictEqual({ type: 'refreshed', id: 2, expiresInSec: 80 });
    clock.advance(60_000); // 100 s: past the first token's close (65 s)
    await client.request({ type: 'ping' }, 'pong');
    clock.advance(24_999); // 124.999 s
    await client.request({ type: 'ping' }, 'pong');
    clock.advance(1);
    expect((await client.closed).code).toBe(4440);
    expect(server.relay.stats.refreshes.ok).toBe(1);
  });

  it('a refused refresh (other user, expired, garbage) keeps the connection and the old expiry', async () => {
    const clock = new FakeClock();
    const server = await relays.start(env, { clock });
    const client = await relays.welcomed(server, transport, await token({ exp: NOW_SEC + 60 }));
    expect(await client.requestAny({ type: 'refresh', token: await token({ sub: 'mallory', exp: NOW_SEC + 3600 }) })).toStrictEqual({
      type: 'error', id: 2, code: 'unauthorized', message: 'the new token names another user (sub); reconnect to change user',
    });
    expect(await client.requestAny({ type: 'refresh', token: await token({ exp: NOW_SEC - 60 }) }))
      .toMatchObject({ type: 'error', id: 3, code: 'token_expired', message: 'token expired (exp)' });
    expect(await client.requestAny({ type: 'refresh', token: 'garbage' })).toMatchObject({ type: 'error', id: 4, code: 'unauthorized' });
    await client.request({ type: 'ping' }, 'pong');
    clock.advance(65_000);
    expect((await client.closed).code).toBe(4440);
    expect(server.relay.stats.refreshes).toStrictEqual({ ok: 0, unauthorized: 2, token_expired: 1, internal: 0 });
  });

  it('the refreshed token\'s rights apply to later frames in rooms already joined', async () => {
    const server = await relays.start(env);
    const ada = await relays.welcomed(server, transport, await token({ rooms: ['r'] }));
    const bob = await relays.welcomed(server, transport, await token({ sub: 'bob', rooms: ['r'] }));
    const joined = await ada.join('r');
    await bob.join('r');
    ada.sendData(joined.handle, new Uint8Array([1]));
    expect([...(await bob.nextDeliver()).payload]).toStrictEqual([1]);
    await ada.request({ type: 'refresh', token: await token({ rooms: { r: ['join'] } }) }, 'refreshed');
    ada.sendData(joined.handle, new Uint8Array([2]));
    expect(await ada.nextError('forbidden')).toMatchObject({ room: joined.handle });
    expect(server.relay.rooms.memberCount()).toBe(2); // still a member: it receives, read-only
  });

  it('an anonymous connection cannot refresh', async () => {
    const server = await relays.start({ ...env, RELAY_ALLOW_ANONYMOUS: 'true' });
    const anon = await relays.welcomed(server, transport);
    expect(await anon.requestAny({ type: 'refresh', token: await token({}) }))
      .toMatchObject({ type: 'error', code: 'unauthorized', message: 'this connection has no token to refresh' });
  });
});

/**
 * A relay whose key set is being refetched when the returned token arrives: it knows k1 from its
 * start-up fetch; k2 appears on the JWKS endpoint afterwards, whose answers are held back, so a
 * hello signed with k2 stays `authenticating` until `release()`.
 */
async function heldKeySet(options: Parameters<typeof relays.start>[1] = {}) {
  const k1 = await keyPair('RS256', 'k1');
  const k2 = await keyPair('RS256', 'k2');
  const jwks = await relays.serveJwks([k1.jwk]);
  const server = await relays.start({ RELAY_JWKS_URL: jwks.url, RELAY_JWKS_COOLDOWN_SEC: '0', RELAY_IDLE_TIMEOUT_SEC: '0' }, options);
  expect(jwks.fetches).toBe(1); // the start-up warm-up
  jwks.setKeys([k1.jwk, k2.jwk]);
  const release = jwks.hold();
  const token = (claims: Record<string, unknown>) => sign(k2.privateKey, 'RS256', claims, { kid: 'k2' });
  /** A token the relay can check at once (its key was fetched at start-up). */
  const known = (claims: Record<string, unknown>) => sign(k1.privateKey, 'RS256', claims, { kid: 'k1' });
  /** Resolves once the relay is fetching the key set again (a k2 hello is being checked). */
  const fetching = async (): Promise<void> => {
    for (let i = 0; i < 400 && jwks.fetches < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(jwks.fetches).toBe(2);
  };
  return { server, release, token, known, fetching };
}

describe.each(TRANSPORTS)('async hello over %s', (transport) => {
  it('frames sent while the token is checked get handshake_required; the welcome follows', async () => {
    const { server, release, token, fetching } = await heldKeySet();
    const client = await relays.dial(server, transport);
    client.sendControl({ type: 'hello', id: 1, v: 2, token: await token({ rooms: ['r'] }) });
    await fetching();
    client.sendControl({ type: 'join', id: 2, room: 'r' });
    client.sendData(1, new Uint8Array([1]));
    expect(await client.nextError()).toStrictEqual({
      type: 'error', id: 2, code: 'handshake_required', message: "got 'join' while the token in hello is being checked: wait for welcome",
    });
    expect(await client.nextError()).toMatchObject({ code: 'handshake_required', message: 'the token in hello is being checked: wait for welcome' });
    release();
    expect(await client.nextMessage('welcome')).toMatchObject({ id: 1, userId: 'ada' });
    expect((await client.join('r')).room).toBe('r');
  });

  it('the hello deadline runs while the token is checked; a decision after the close is dropped', async () => {
    const clock = new FakeClock();
    const { server, release, token, fetching } = await heldKeySet({ clock });
    const late = await relays.dial(server, transport);
    late.sendControl({ type: 'hello', id: 1, v: 2, token: await token({}) });
    await fetching(); // the hello is being checked: now pass the deadline
    expect(server.relay.connections.size).toBe(1);
    clock.advance(10_200);
    expect(await late.closed).toStrictEqual({ code: 4408, reason: 'no hello within the handshake deadline' });
    // A second client waits on the same fetch: once it is welcomed, the first decision has run too.
    const second = await relays.dial(server, transport);
    const reply = second.requestAny({ type: 'hello', v: 2, token: await token({ sub: 'bob' }) });
    release();
    expect(await reply).toMatchObject({ type: 'welcome', userId: 'bob' });
    // Nothing but the close (TCP carries it as a frame): no welcome, no error after the deadline.
    expect(late.frames.filter((f) => !(f.kind === 'control' && f.message.type === 'close'))).toStrictEqual([]);
    expect(server.relay.stats.hellos.token).toBe(1);
    expect(server.relay.connections.size).toBe(1);
  });

  it('one refresh at a time: another while the first is checked gets rate_limited', async () => {
    const { server, release, token, known, fetching } = await heldKeySet();
    const client = await relays.welcomed(server, transport, await known({}));
    client.sendControl({ type: 'refresh', id: 10, token: await token({}) });
    await fetching();
    expect(await client.requestAny({ type: 'refresh', token: await known({}) })).toStrictEqual({
      type: 'error', id: 2, code: 'rate_limited', message: 'a refresh is already being checked: wait for its answer',
    });
    release();
    expect(await client.nextMessage('refreshed')).toMatchObject({ id: 10, expiresInSec: 3600 });
    expect(await client.requestAny({ type: 'refresh', token: await known({}) })).toMatchObject({ type: 'refreshed' });
  });
});
