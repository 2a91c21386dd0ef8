// Config: every setting has a default, bad values name their variable, and the README documents them all.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_NAMES, parseConfig } from '../src/config.js';

describe('config', () => {
  it('has a default for every setting', () => {
    const c = parseConfig({});
    expect(c.port).toBe(8080);
    expect(c.maxPayloadBytes).toBe(16384);
    expect(c.idleTimeoutSec).toBe(32);
    expect(Object.values(c).every((v) => v !== undefined)).toBe(true);
  });

  it('reads values from the environment and treats empty strings as unset', () => {
    const c = parseConfig({ PORT: '9000', RELAY_MAX_MEMBERS_PER_ROOM: '12', HOST: '' });
    expect(c.port).toBe(9000);
    expect(c.maxMembersPerRoom).toBe(12);
    expect(c.host).toBe('0.0.0.0');
  });

  it.each([
    ['PORT', '70000', 'PORT must be at most 65535'],
    ['PORT', 'eighty', 'PORT must be a number'],
    ['RELAY_MAX_PAYLOAD_BYTES', '0', 'RELAY_MAX_PAYLOAD_BYTES must be at least 1'],
    ['RELAY_MAX_ROOMS', '1.5', 'RELAY_MAX_ROOMS must be a whole number'],
    ['RELAY_MAX_ROOMS', '70000', 'RELAY_MAX_ROOMS must be at most 65535'],
    ['RELAY_IDLE_TIMEOUT_SEC', '4', 'RELAY_IDLE_TIMEOUT_SEC must be 0 (disabled) or at least 8'],
    ['RELAY_MAX_MESSAGES_PER_SEC', '-1', 'RELAY_MAX_MESSAGES_PER_SEC must be above 0'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL'],
  ])('%s=%s fails naming the variable', (name, value, message) => {
    let error: unknown;
    try {
      parseConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toContain(JSON.stringify(value));
  });

  it('reports every bad variable at once', () => {
    expect(() => parseConfig({ PORT: 'x', RELAY_MAX_ROOMS: '0' })).toThrow(/PORT[\s\S]*RELAY_MAX_ROOMS/);
  });

  it('is documented in the README, every variable', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const name of ENV_NAMES) expect(readme).toContain(`| \`${name}\` |`);
  });
});
