// The root README's "Tokens for game backends" example runs as written, and against the real relay
// its token gets user-123 into exactly what the README says: game:42 with every action, any
// spectate:* room read-only, nothing else; the others see its userId and info.
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { expect, it } from 'vitest';
import { RawClient } from '../helpers.js';
import { useAuthRelays } from './harness.js';
import { SECRET } from './tokens.js';

const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
const relays = useAuthRelays();

/** Runs the section's first ts block with `process.env.RELAY_JWT_SECRET` set; returns its `token`. */
async function runExample(): Promise<string> {
  const block = /## Tokens for game backends[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const lines = block!.split('\n').filter((l) => l.trim() !== '');
  expect(lines.length).toBeLessThanOrEqual(11); // ten lines plus the import
  const body = lines.filter((l) => !l.startsWith('import ')).join('\n');
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<string>;
  return new AsyncFunction('SignJWT', 'process', `${body}\nreturn token;`)(SignJWT, { env: { RELAY_JWT_SECRET: SECRET } });
}

it('the README minting example gets that user into only those rooms, visible to the others', async () => {
  const token = await runExample();
  // The real clock: the example's exp is 15 minutes from now.
  const server = await relays.start({ RELAY_JWT_SECRET: SECRET }, { wallClock: Date.now });
  const ada = await RawClient.connect(server.wsUrl);
  const welcome = await ada.requestAny({ type: 'hello', v: 2, token });
  expect(welcome).toMatchObject({ type: 'welcome', userId: 'user-123' });
  expect(welcome.type === 'welcome' && welcome.expiresInSec).toBeGreaterThanOrEqual(898);
  const backend = await relays.welcomed(server, 'tcp', await new SignJWT({ role: 'server' }).setProtectedHeader({ alg: 'HS256' })
    .setSubject('game-server').setExpirationTime('15m').sign(new TextEncoder().encode(SECRET)));
  await backend.join('game:42');
  const game = await ada.join('game:42', { cursor: [0, 0] });
  expect(game.members.at(-1)).toStrictEqual({ id: game.self, presence: { cursor: [0, 0] }, userId: 'user-123', info: { name: 'Ada', team: 'red' } });
  expect((await backend.nextMessage('member_joined')).member.userId).toBe('user-123');
  ada.sendData(game.handle, new Uint8Array([7]), 1);
  expect([...(await backend.nextDeliver()).payload]).toStrictEqual([7]);

  const spectate = await ada.join('spectate:cup-final');
  ada.sendData(spectate.handle, new Uint8Array([1]));
  expect(await ada.nextError('forbidden')).toMatchObject({ room: spectate.handle });
  expect(await ada.requestAny({ type: 'join', room: 'game:43' })).toMatchObject({ type: 'error', code: 'forbidden' });
  expect(await ada.requestAny({ type: 'join', room: 'lobby' })).toMatchObject({ type: 'error', code: 'forbidden' });
  ada.ws.terminate();
});
