// Cluster settings: unset REDIS_URL means a single relay; bad values are refused naming the variable.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.js';

function problem(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('parseConfig accepted the value');
}

describe('cluster config', () => {
  it('defaults: no Redis, a generated node id, a 5 s lease', () => {
    const a = parseConfig({});
    const b = parseConfig({});
    expect(a.redisUrl).toBe('');
    expect(a.nodeId).toMatch(/^node-[0-9a-f]{8}$/);
    expect(a.nodeId).not.toBe(b.nodeId);
    expect(a.leaseTtlMs).toBe(5000);
    expect(a.busStaleMs).toBe(1000);
  });

  it('reads the values', () => {
    const c = parseConfig({ REDIS_URL: 'redis://127.0.0.1:6379', RELAY_NODE_ID: 'eu-1.a_b', RELAY_LEASE_TTL_MS: '2000' });
    expect(c).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', nodeId: 'eu-1.a_b', leaseTtlMs: 2000 });
  });

  it.each([
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
    [{ RELAY_NODE_ID: 'has space' }, 'RELAY_NODE_ID must be 1-64 characters'],
    [{ RELAY_NODE_ID: 'x'.repeat(65) }, 'RELAY_NODE_ID must be 1-64 characters'],
    [{ RELAY_LEASE_TTL_MS: '500' }, 'RELAY_LEASE_TTL_MS must be at least 1000'],
    [{ RELAY_LEASE_TTL_MS: 'soon' }, 'RELAY_LEASE_TTL_MS must be a number'],
    [{ RELAY_BUS_STALE_MS: '50' }, 'RELAY_BUS_STALE_MS must be at least 100'],
  ])('%o is refused: %s', (env, message) => {
    expect(problem(env)).toContain(message);
  });

  it('never echoes REDIS_URL (it may hold a password)', () => {
    const message = problem({ REDIS_URL: 'redis:// user:hunter2@host' });
    expect(message).toContain('REDIS_URL must be');
    expect(message).not.toContain('hunter2');
  });
});
