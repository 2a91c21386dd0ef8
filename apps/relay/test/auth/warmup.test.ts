// JWKS warm-up: a relay with RELAY_JWKS_URL fetches the key set while starting, so the first hello
// does not wait for it; an unreachable key set is a start-up warning, not a failure, and the relay
// fetches again on the next token (so it recovers without a restart).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { useAuthRelays } from './harness.js';
import { keyPair, sign } from './tokens.js';

const relays = useAuthRelays();

it('fetches the JWKS at start-up; the first hello uses the cached keys', async () => {
  const key = await keyPair('RS256', 'k1');
  const jwks = await relays.serveJwks([key.jwk]);
  const server = await relays.start({ RELAY_JWKS_URL: jwks.url });
  expect(jwks.fetches).toBe(1);
  await relays.welcomed(server, 'ws', await sign(key.privateKey, 'RS256', {}, { kid: 'k1' }));
  expect(jwks.fetches).toBe(1);
});

it('starts with a warning when the JWKS cannot be fetched, and recovers once it can', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk: Buffer, _e, done) { lines.push(chunk.toString()); done(); } }));
  const key = await keyPair('RS256', 'k1');
  const jwks = await relays.serveJwks([key.jwk]);
  const release = jwks.hold(); // the endpoint hangs: the start-up fetch times out
  const server = await relays.start({ RELAY_JWKS_URL: jwks.url, RELAY_JWKS_TIMEOUT_MS: '200', RELAY_JWKS_COOLDOWN_SEC: '0' }, { logger });
  const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40).map((l) => l.msg);
  expect(warnings).toContainEqual(expect.stringMatching(
    new RegExp(`^the JWKS at http://127\\.0\\.0\\.1:\\d+/\\.well-known/jwks\\.json could not be fetched at start-up \\(.+\\); hellos with a token answer internal \\(4500\\) until it can$`),
  ));
  release();
  const { reply } = await relays.hello(server, 'tcp', await sign(key.privateKey, 'RS256', {}, { kid: 'k1' }));
  expect(reply).toMatchObject({ type: 'welcome', userId: 'ada' });
});
