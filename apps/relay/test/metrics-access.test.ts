// /metrics moved off the public port (METRICS_PORT, loopback by default) or behind a bearer token
// (METRICS_TOKEN): what Node version, start time, descriptor limit and traffic figures it shows
// are then not open to every client of the relay.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { httpGet, useRelay } from './helpers.js';

const relay = useRelay();

describe('METRICS_PORT', () => {
  it('serves /metrics on its own loopback port only; the public port answers 404', async () => {
    const server = await relay.start({ metricsPort: 0, metricsHost: '127.0.0.1' });
    expect(server.metricsPort).toBeGreaterThan(0);
    expect(server.metricsPort).not.toBe(server.port);
    expect((await httpGet(server, '/metrics')).status).toBe(404);
    const res = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('roomcast_connections ');
    const other = await fetch(`http://127.0.0.1:${server.metricsPort}/healthz`);
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await other.text()).toBe('not found\n');
    expect((await httpGet(server, '/healthz')).status).toBe(200);
  });

  it('is off by default, and config errors name the variable', () => {
    expect(parseConfig({}).metricsPort).toBe('off');
    expect(() => parseConfig({ METRICS_PORT: 'x' })).toThrow(/METRICS_PORT must be a port number/);
    expect(() => parseConfig({ METRICS_HOST: '0.0.0.0' })).toThrow(/METRICS_HOST is only used with METRICS_PORT/);
  });
});

describe('METRICS_TOKEN', () => {
  const token = 'a-long-metrics-token-1234';

  it('answers 401 without the bearer token and 200 with it', async () => {
    const server = await relay.start({ metricsToken: token });
    const none = await fetch(`${server.httpUrl}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect(await none.text()).toBe('metrics need a bearer token\n');
    expect((await fetch(`${server.httpUrl}/metrics`, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    const ok = await fetch(`${server.httpUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('roomcast_connections_refused_total{reason="connections"} 0');
  });

  it('must be at least 16 characters, and its value never appears in the error', () => {
    let message = '';
    try {
      parseConfig({ METRICS_TOKEN: 'short-secret' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('METRICS_TOKEN must be at least 16 characters');
    expect(message).not.toContain('short-secret');
  });
});

describe('admission settings', () => {
  it.each([
    ['RELAY_MAX_CONNECTIONS', 'lots', "RELAY_MAX_CONNECTIONS must be 'auto' or a whole number"],
    ['RELAY_MAX_CONNECTIONS_PER_IP', '-1', 'RELAY_MAX_CONNECTIONS_PER_IP must be at least 0'],
    ['RELAY_CONNECT_RATE_PER_IP', 'fast', 'RELAY_CONNECT_RATE_PER_IP must be a number'],
    ['RELAY_CONNECT_BURST_PER_IP', '0', 'RELAY_CONNECT_BURST_PER_IP must be at least 1'],
    ['RELAY_FLOOD_COOLDOWN_SEC', '4000', 'RELAY_FLOOD_COOLDOWN_SEC must be at most 3600'],
    ['RELAY_MAX_TRACKED_ADDRESSES', '0', 'RELAY_MAX_TRACKED_ADDRESSES must be at least 1'],
    ['RELAY_IP_LIMIT_EXEMPT', '127.0.0.0/8', 'RELAY_IP_LIMIT_EXEMPT has "127.0.0.0/8": each entry must be an IPv4 or IPv6 address'],
    ['RELAY_IP_LIMIT_EXEMPT', '127.0.0.1,localhost', 'RELAY_IP_LIMIT_EXEMPT has "localhost"'],
  ])('%s=%s fails naming the variable', (name, value, message) => {
    expect(() => parseConfig({ [name]: value })).toThrow(message);
  });

  it('RELAY_IP_LIMIT_EXEMPT: loopback by default, a list, or none', () => {
    expect(parseConfig({}).ipLimitExempt).toEqual(['127.0.0.1', '::1']);
    expect(parseConfig({ RELAY_IP_LIMIT_EXEMPT: '10.0.0.5, ::1' }).ipLimitExempt).toEqual(['10.0.0.5', '::1']);
    expect(parseConfig({ RELAY_IP_LIMIT_EXEMPT: 'none' }).ipLimitExempt).toEqual([]);
  });

  it('refuses a per-address cap above the relay-wide cap', () => {
    expect(() => parseConfig({ RELAY_MAX_CONNECTIONS: '10', RELAY_MAX_CONNECTIONS_PER_IP: '20' }))
      .toThrow('RELAY_MAX_CONNECTIONS_PER_IP must not be above RELAY_MAX_CONNECTIONS (10)');
  });
});
