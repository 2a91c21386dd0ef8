// The Origin allow-list at the real relay's WebSocket upgrade: a foreign Origin gets HTTP 403 and
// no socket (counted in /metrics); listed origins, subdomain patterns and clients without Origin
// are upgraded. Raw TCP has no Origin and is unaffected (PROTOCOL.md §8.18 rule 7).
import { describe, expect, it } from 'vitest';
import type { RelayServer } from '../../src/index.js';
import { upgrade, useAuthRelays } from './harness.js';

const relays = useAuthRelays();

describe('Origin allow-list', () => {
  it('403 for a foreign Origin before the upgrade; listed ones, subdomains and no Origin pass', async () => {
    const server = await relays.start({ RELAY_ALLOWED_ORIGINS: 'https://app.example,https://*.games.example,http://127.0.0.1:5173' });
    expect(await upgrade(server, 'https://evil.example')).toBe(403);
    expect(await upgrade(server, 'https://app.example.evil.example')).toBe(403);
    expect(await upgrade(server, 'http://app.example')).toBe(403); // scheme matters
    expect(await upgrade(server, 'https://games.example')).toBe(403); // the pattern is for subdomains
    expect(await upgrade(server, 'null')).toBe(403);
    expect(await upgrade(server, 'https://app.example')).toBe(101);
    expect(await upgrade(server, 'https://APP.example')).toBe(101);
    expect(await upgrade(server, 'https://eu.games.example')).toBe(101);
    expect(await upgrade(server, 'http://127.0.0.1:5173')).toBe(101);
    expect(await upgrade(server, undefined)).toBe(101);
    expect(server.relay.stats.originRefused).toBe(5);
    expect(server.relay.stats.connectionsOpened).toBe(5);
    const metrics = await (await fetch(`${server.httpUrl}/metrics`)).text();
    expect(metrics).toContain('roomcast_origin_refused_total 5');
    expect(metrics).not.toContain('evil');
  });

  it('the default (*) lets every Origin through', async () => {
    const server = await relays.start({});
    expect(await upgrade(server, 'https://anywhere.example')).toBe(101);
    expect(server.relay.stats.originRefused).toBe(0);
  });
});
