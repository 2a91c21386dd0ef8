// Test helpers: real keys and real jose-signed tokens, plus a relay config for the auth settings.
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWTPayload } from 'jose';
import { parseConfig, type Config } from '../../src/config.js';

export const SECRET = 'test-secret-0123456789-abcdefghij-KLMNOP'; // 40 characters
export const NOW_MS = Date.UTC(2026, 10, 29, 9, 0, 0);
export const NOW_SEC = NOW_MS / 1000;

export type SignKey = CryptoKey | Uint8Array;

/** Signs `claims` with `alg`; `exp` defaults to an hour after NOW, `sub` to "ada". Pass `exp: undefined` to omit it. */
export async function sign(
  key: SignKey, alg: string, claims: JWTPayload & Record<string, unknown> = {}, header: Record<string, unknown> = {},
): Promise<string> {
  const payload: Record<string, unknown> = { sub: 'ada', exp: NOW_SEC + 3600, ...claims };
  for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
  return new SignJWT(payload).setProtectedHeader({ alg, ...header }).sign(key);
}

export const hmacKey = (secret = SECRET) => new TextEncoder().encode(secret);

export async function keyPair(alg: string, kid?: string) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), alg, ...(kid ? { kid } : {}) };
  return { publicKey, privateKey, pem: await exportSPKI(publicKey), jwk };
}

/** `{"alg":"none"}.{claims}.` — an unsecured JWT, built by hand since jose will not sign one. */
export function unsecured(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

export function config(env: Record<string, string>): Config {
  return parseConfig(env);
}
