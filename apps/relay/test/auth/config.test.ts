// Identity settings: defaults (anonymous when no key), start-up errors that name the variable,
// and secrets and tokens never reaching logs or error messages.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createAuth, redactConfig } from '../../src/auth/index.js';
import { ConfigError, parseConfig } from '../../src/config.js';
import { SECRET, config, hmacKey, keyPair, sign } from './tokens.js';

function configError(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('no key: anonymous connections allowed, every origin, with loud warnings', async () => {
    const auth = await createAuth(config({}));
    expect(auth.verifier).toBeUndefined();
    expect(auth.allowAnonymous).toBe(true);
    expect(auth.summary).toStrictEqual({ keySource: 'none', algorithms: [], allowAnonymous: true, allowedOrigins: ['*'] });
    expect(auth.warnings).toHaveLength(2);
    expect(auth.warnings[0]).toContain('anyone who can reach the relay may join any room');
    expect(auth.clockToleranceSec).toBe(5);
  });

  it('a key turns anonymous connections off unless RELAY_ALLOW_ANONYMOUS=true', async () => {
    const keyed = await createAuth(config({ RELAY_JWT_SECRET: SECRET, RELAY_ALLOWED_ORIGINS: 'https://app.example' }));
    expect(keyed.allowAnonymous).toBe(false);
    expect(keyed.summary).toStrictEqual({ keySource: 'secret', algorithms: ['HS256'], allowAnonymous: false, allowedOrigins: ['https://app.example'] });
    expect(keyed.warnings).toStrictEqual([]);
    const open = await createAuth(config({ RELAY_JWT_SECRET: SECRET, RELAY_ALLOW_ANONYMOUS: 'true' }));
    expect(open.allowAnonymous).toBe(true);
    expect(open.warnings[0]).toContain('RELAY_ALLOW_ANONYMOUS=true');
    expect((await createAuth(config({ RELAY_ALLOW_ANONYMOUS: 'false' }))).allowAnonymous).toBe(false);
  });

  it('lists parse: algorithms, audiences, issuers, origins', () => {
    const c = parseConfig({
      RELAY_JWT_SECRET: SECRET, RELAY_JWT_ALGORITHMS: 'HS256, HS512', RELAY_JWT_AUDIENCE: 'a,b', RELAY_JWT_ISSUER: 'https://i',
      RELAY_ALLOWED_ORIGINS: 'https://a.example, http://127.0.0.1:5173',
    });
    expect([c.jwtAlgorithms, c.jwtAudience, c.jwtIssuer, c.allowedOrigins])
      .toStrictEqual([['HS256', 'HS512'], ['a', 'b'], ['https://i'], ['https://a.example', 'http://127.0.0.1:5173']]);
  });
});

describe('start-up errors name the variable', () => {
  it.each([
    [{ RELAY_JWT_SECRET: SECRET, RELAY_JWKS_URL: 'https://keys.example/jwks.json' }, 'RELAY_JWKS_URL cannot be combined with RELAY_JWT_SECRET'],
    [{ RELAY_JWT_SECRET: 'short' }, 'RELAY_JWT_SECRET must be at least 32 characters (got 5)'],
    [{ RELAY_JWT_ALGORITHMS: 'HS256' }, 'RELAY_JWT_ALGORITHMS is set but no key is'],
    [{ RELAY_JWT_SECRET: SECRET, RELAY_JWT_ALGORITHMS: 'none' }, 'RELAY_JWT_ALGORITHMS has unsupported algorithm none'],
    [{ RELAY_JWT_SECRET: SECRET, RELAY_JWT_ALGORITHMS: 'HS256,RS256' }, 'RELAY_JWT_ALGORITHMS must list only HS256, HS384, HS512 with RELAY_JWT_SECRET'],
    [{ RELAY_JWKS_URL: 'https://k.example/jwks', RELAY_JWT_ALGORITHMS: 'RS256,HS256' }, 'RELAY_JWT_ALGORITHMS must not list HS256 with a public key or JWKS'],
    [{ RELAY_JWKS_URL: 'ftp://k.example/jwks' }, 'RELAY_JWKS_URL must be an http:// or https:// URL'],
    [{ RELAY_ALLOW_ANONYMOUS: 'yes' }, "RELAY_ALLOW_ANONYMOUS must be 'auto', 'true' or 'false'"],
    [{ RELAY_ALLOWED_ORIGINS: 'https://a.example/path' }, 'RELAY_ALLOWED_ORIGINS has "https://a.example/path"'],
    [{ RELAY_JWT_CLOCK_TOLERANCE_SEC: '600' }, 'RELAY_JWT_CLOCK_TOLERANCE_SEC must be at most 300'],
    [{ RELAY_MAX_INFO_BYTES: '0' }, 'RELAY_MAX_INFO_BYTES must be at least 2'],
  ])('%o', (env, message) => {
    expect(configError(env)).toContain(message);
  });

  it('key problems found while loading keys name the variable too', async () => {
    const rsa = await keyPair('RS256');
    await expect(createAuth(config({ RELAY_JWT_PUBLIC_KEY: rsa.pem, RELAY_JWT_ALGORITHMS: 'ES256' })))
      .rejects.toThrow('RELAY_JWT_ALGORITHMS lists ES256, which the rsa key in RELAY_JWT_PUBLIC_KEY cannot verify');
    await expect(createAuth(config({ RELAY_JWT_PUBLIC_KEY: '-----BEGIN PRIVATE KEY-----\nMII=\n-----END PRIVATE KEY-----' })))
      .rejects.toThrow('RELAY_JWT_PUBLIC_KEY holds a private key; give the relay the public key only');
    await expect(createAuth(config({ RELAY_JWT_PUBLIC_KEY: 'hello' }))).rejects.toThrow('RELAY_JWT_PUBLIC_KEY is not a PEM (SPKI) public key or a public JWK');
    await expect(createAuth(config({ RELAY_JWT_PUBLIC_KEY_FILE: '/nonexistent/key.pem' }))).rejects.toThrow('RELAY_JWT_PUBLIC_KEY_FILE cannot be read (/nonexistent/key.pem)');
    await expect(createAuth(config({ RELAY_JWKS_FILE: '/nonexistent/jwks.json' }))).rejects.toThrow('RELAY_JWKS_FILE cannot be read');
  });
});

describe('secrets and tokens never reach logs or errors', () => {
  it('a JWKS URL is logged without user info or query (no fetch happens at start-up)', async () => {
    const auth = await createAuth(config({ RELAY_JWKS_URL: 'https://user:pass@keys.example/jwks.json?key=abc#x' }));
    expect(auth.summary.keySource).toBe('jwks https://keys.example/jwks.json');
    expect(auth.summary.algorithms).toStrictEqual(['RS256']);
  });

  it('a bad RELAY_JWT_SECRET is reported by length, never by value', () => {
    const secret = 'hunter2-but-short';
    const message = configError({ RELAY_JWT_SECRET: secret });
    expect(message).toContain('RELAY_JWT_SECRET must be at least 32 characters (got 17)');
    expect(message).not.toContain(secret);
    // Next to another bad variable, whose value is still echoed:
    const both = configError({ RELAY_JWT_SECRET: secret, PORT: 'x' });
    expect(both).toContain('PORT must be a number (got "x")');
    expect(both).not.toContain(secret);
  });

  it('the start-up log line, the redacted config and every failure reason are free of the secret and the tokens', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const log = pino({ level: 'debug' }, sink);
    const cfg = config({ RELAY_JWT_SECRET: SECRET });
    const auth = await createAuth(cfg);
    log.info({ auth: auth.summary, config: redactConfig(cfg) }, 'relay starting');
    for (const w of auth.warnings) log.warn(w);
    const tokens = [
      await sign(hmacKey(), 'HS256', { exp: 1 }),
      await sign(hmacKey('a-different-secret-of-32-characters!!'), 'HS256'),
      await sign(hmacKey(), 'HS256', { rooms: 7 }),
      'garbage.token.value',
    ];
    for (const token of tokens) {
      const r = await auth.verifier!.verify(token);
      expect(r.ok).toBe(false);
      if (!r.ok) log.info({ code: r.code, reason: r.reason }, 'hello refused');
    }
    const output = lines.join('');
    expect(output).toContain('"keySource":"secret"');
    expect(output).toContain('"jwtSecret":"[redacted]"');
    expect(output).toContain('hello refused');
    expect(output).not.toContain(SECRET);
    for (const token of tokens) {
      for (const part of token.split('.').filter((p) => p.length > 8)) expect(output).not.toContain(part);
    }
  });
});
