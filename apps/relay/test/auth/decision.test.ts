// The minting example of docs/decisions/0001-identity.md (the README will show the same ten lines)
// runs as written, and its token gets that user into exactly the rooms it names.
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { expect, it } from 'vitest';
import { can, canJoin, createAuth } from '../../src/auth/index.js';
import { SECRET, config } from './tokens.js';

const doc = readFileSync(new URL('../../../../docs/decisions/0001-identity.md', import.meta.url), 'utf8');

it('the jose example mints a token the relay accepts, for those rooms only', async () => {
  const block = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  expect(block).toBeDefined();
  const lines = block!.split('\n').filter((l) => l.trim() !== '');
  expect(lines.length).toBeLessThanOrEqual(11); // "ten lines" of code plus the import
  const body = lines.filter((l) => !l.startsWith('import ')).join('\n');
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  const run = new AsyncFunction('SignJWT', 'process', `${body}\nreturn token;`);
  const token = await run(SignJWT, { env: { RELAY_JWT_SECRET: SECRET } }) as unknown as string;

  const auth = await createAuth(config({ RELAY_JWT_SECRET: SECRET }));
  const r = await auth.verifier!.verify(token);
  if (!r.ok) throw new Error(r.reason);
  expect(r.identity.userId).toBe('user-123');
  expect(r.identity.info).toStrictEqual({ name: 'Ada', team: 'red' });
  expect(r.identity.expiresAtMs! - Date.now()).toBeGreaterThan(14 * 60_000);
  expect(r.identity.expiresAtMs! - Date.now()).toBeLessThanOrEqual(15 * 60_000);
  expect(can(r.identity.rights, 'game:42', 'direct')).toBe(true);
  expect(canJoin(r.identity.rights, 'lobby')).toBe(true);
  expect(can(r.identity.rights, 'lobby', 'send')).toBe(false);
  expect(canJoin(r.identity.rights, 'game:43')).toBe(false);
});
