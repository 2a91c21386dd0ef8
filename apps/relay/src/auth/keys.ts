// Where token keys come from (one source per relay): an HMAC secret, a public key (PEM or JWK),
// or a JWKS (file, or URL fetched and cached by jose). Also fixes the accepted algorithms, so a
// token can never pick its own (no `none`, no HMAC next to a public key: algorithm confusion).
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { ConfigError, type Config, type JwtAlgorithm } from '../config.js';

export type KeySource =
  | { kind: 'secret'; key: Uint8Array; algorithms: JwtAlgorithm[] }
  | { kind: 'public-key'; key: KeyObject; algorithms: JwtAlgorithm[] }
  | { kind: 'jwks'; getKey: JWTVerifyGetKey; algorithms: JwtAlgorithm[]; url?: string; reload?: () => Promise<void> };

export type KeyConfig = Pick<Config,
  'jwtSecret' | 'jwtPublicKey' | 'jwtPublicKeyFile' | 'jwksUrl' | 'jwksFile' | 'jwtAlgorithms'
  | 'jwksCacheMaxAgeSec' | 'jwksCooldownSec' | 'jwksTimeoutMs'>;

/** Thrown by a JWKS resolver when the key set could not be fetched: the relay's problem, not the token's. */
export class KeySetUnavailable extends Error {
  override name = 'KeySetUnavailable';
}

/**
 * Reads the configured key source (files are read here, at start-up). Undefined: no key
 * configured (anonymous mode). Throws ConfigError naming the variable.
 */
export async function loadKeySource(config: KeyConfig): Promise<KeySource | undefined> {
  const algs = config.jwtAlgorithms;
  if (config.jwtSecret !== '') {
    return { kind: 'secret', key: new TextEncoder().encode(config.jwtSecret), algorithms: algs.length > 0 ? algs : ['HS256'] };
  }
  if (config.jwtPublicKey !== '' || config.jwtPublicKeyFile !== '') {
    const name = config.jwtPublicKey !== '' ? 'RELAY_JWT_PUBLIC_KEY' : 'RELAY_JWT_PUBLIC_KEY_FILE';
    const text = config.jwtPublicKey !== '' ? config.jwtPublicKey : await readText(name, config.jwtPublicKeyFile);
    const key = parsePublicKey(name, text);
    const own = algorithmsForKey(key);
    const algorithms = algs.length > 0 ? algs : own.slice(0, 1);
    const wrong = algorithms.filter((a) => !own.includes(a));
    if (wrong.length > 0) {
      throw new ConfigError([`RELAY_JWT_ALGORITHMS lists ${wrong.join(', ')}, which the ${describeKey(key)} key in ${name} cannot verify (it can: ${own.join(', ')})`]);
    }
    return { kind: 'public-key', key, algorithms };
  }
  if (config.jwksFile !== '') {
    const text = await readText('RELAY_JWKS_FILE', config.jwksFile);
    let jwks: JSONWebKeySet;
    try {
      jwks = JSON.parse(text) as JSONWebKeySet;
      if (!Array.isArray(jwks.keys)) throw new Error('no "keys" array');
      if (jwks.keys.some((k) => 'd' in k || 'k' in k)) throw new Error('it holds private or symmetric key material; give the relay public keys only');
    } catch (err) {
      throw new ConfigError([`RELAY_JWKS_FILE is not a usable JWKS: ${(err as Error).message}`]);
    }
    return { kind: 'jwks', getKey: createLocalJWKSet(jwks), algorithms: algs.length > 0 ? algs : ['RS256'] };
  }
  if (config.jwksUrl !== '') {
    const remote = createRemoteJWKSet(new URL(config.jwksUrl), {
      cacheMaxAge: config.jwksCacheMaxAgeSec * 1000,
      cooldownDuration: config.jwksCooldownSec * 1000,
      timeoutDuration: config.jwksTimeoutMs,
    });
    // Tell "the token names no key we know" (401) apart from "we could not fetch the keys" (retry).
    const getKey: JWTVerifyGetKey = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' || code === 'ERR_JOSE_NOT_SUPPORTED') throw err;
        throw new KeySetUnavailable(`JWKS fetch failed: ${(err as Error).message}`);
      }
    };
    return { kind: 'jwks', getKey, algorithms: algs.length > 0 ? algs : ['RS256'], url: config.jwksUrl, reload: () => remote.reload() };
  }
  return undefined;
}

async function readText(name: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${name} cannot be read (${path}): ${(err as Error).message}`]);
  }
}

function parsePublicKey(name: string, text: string): KeyObject {
  const trimmed = text.trim();
  if (/PRIVATE KEY/.test(trimmed)) throw new ConfigError([`${name} holds a private key; give the relay the public key only`]);
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as Record<string, unknown>;
      if ('d' in jwk || 'k' in jwk) throw new Error('the JWK holds private or symmetric key material');
      return createPublicKey({ key: jwk as never, format: 'jwk' });
    }
    return createPublicKey(trimmed);
  } catch (err) {
    throw new ConfigError([`${name} is not a PEM (SPKI) public key or a public JWK: ${(err as Error).message}`]);
  }
}

/** The algorithms a public key can verify; the first is the default. */
export function algorithmsForKey(key: KeyObject): JwtAlgorithm[] {
  switch (key.asymmetricKeyType) {
    case 'rsa': return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss': return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') return ['ES256'];
      if (curve === 'secp384r1') return ['ES384'];
      if (curve === 'secp521r1') return ['ES512'];
      return [];
    }
    case 'ed25519': return ['EdDSA', 'Ed25519'];
    default: return [];
  }
}

function describeKey(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return `${key.asymmetricKeyType ?? 'unknown'}${curve ? ` ${curve}` : ''}`;
}
