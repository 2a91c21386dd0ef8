// Origin allow-list for WebSocket upgrades (PROTOCOL.md §8.18 rule 7).
import { describe, expect, it } from 'vitest';
import { isOriginAllowed, originPolicy } from '../../src/auth/index.js';

describe('origin allow-list', () => {
  const policy = originPolicy(['https://app.example.com', 'http://127.0.0.1:5173', 'https://*.games.example']);

  it.each([
    ['https://app.example.com', true],
    ['HTTPS://APP.EXAMPLE.COM', true],
    ['http://127.0.0.1:5173', true],
    ['https://eu.games.example', true],
    ['https://a.b.games.example', true],
    ['http://app.example.com', false], // other scheme
    ['https://app.example.com:8443', false], // other port
    ['http://127.0.0.1:5174', false],
    ['https://games.example', false], // the wildcard needs a subdomain
    ['https://evilgames.example', false],
    ['https://evil.example/.games.example', false],
    ['https://x@eu.games.example', false],
    ['http://eu.games.example', false],
    ['null', false],
  ])('%s → %s', (origin, allowed) => {
    expect(isOriginAllowed(policy, origin)).toBe(allowed);
  });

  it('no Origin header (non-browser client) is not refused by this check', () => {
    expect(isOriginAllowed(policy, undefined)).toBe(true);
    expect(isOriginAllowed(policy, '')).toBe(true);
  });

  it('* allows every origin (the default)', () => {
    expect(isOriginAllowed(originPolicy(['*']), 'https://anything.example')).toBe(true);
  });

  it('"null" is allowed only when listed literally', () => {
    expect(isOriginAllowed(originPolicy(['null']), 'null')).toBe(true);
  });
});
