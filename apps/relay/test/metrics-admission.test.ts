// The admission metrics (README's GET /metrics list), read exactly from a real scrape after the
// behaviour they count: roomcast_connections_refused_total{reason} after a per-address refusal
// (429) and a full address table (503), and roomcast_tracked_addresses as addresses come, while
// the exempt loopback address stays untracked. 127.0.0.2 … act as other clients' addresses
// (127.0.0.1 is exempt by default). Admission itself is tested in admission.test.ts.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { httpGet, RawClient, useRelay } from './helpers.js';

const relay = useRelay();
const REFUSED = 'roomcast_connections_refused_total';
const TRACKED = 'roomcast_tracked_addresses';

/** Opens a WebSocket from `address`: 101 when it opens (then closed by the test's end), or the refusal's HTTP status. */
async function wsStatus(address: string, open: WebSocket[]): Promise<number> {
  const ws = new WebSocket(relay.server.wsUrl, { localAddress: address });
  ws.on('error', () => {});
  return new Promise<number>((resolve) => {
    ws.once('open', () => {
      open.push(ws);
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
  });
}

async function admission(): Promise<{ refused: Record<string, number>; tracked: number | undefined }> {
  const res = await httpGet(relay.server, '/metrics');
  expect(res.status).toBe(200);
  const refused: Record<string, number> = {};
  let tracked: number | undefined;
  for (const line of res.body.split('\n')) {
    const m = new RegExp(`^${REFUSED}\\{reason="([a-z_]+)"\\} (\\S+)$`).exec(line);
    if (m) refused[m[1]!] = Number(m[2]);
    if (line.startsWith(`${TRACKED} `)) tracked = Number(line.slice(line.indexOf(' ') + 1));
  }
  return { refused, tracked };
}

const NONE = { connections_per_ip: 0, connect_rate: 0, flood_cooldown: 0, connections: 0, tracked_addresses: 0 };

describe('admission metrics', () => {
  it('refusals by reason and tracked addresses: exact', async () => {
    await relay.start({ maxConnectionsPerIp: 2, connectRatePerIp: 0, maxTrackedAddresses: 2 });
    const open: WebSocket[] = [];
    try {
      expect(await admission()).toEqual({ refused: NONE, tracked: 0 });

      // The exempt loopback address is not tracked.
      open.push((await RawClient.open(relay.server.wsUrl, '127.0.0.1')).ws);
      expect((await admission()).tracked).toBe(0);

      // Two from 127.0.0.2 fill its cap; the third is refused with 429.
      expect(await wsStatus('127.0.0.2', open)).toBe(101);
      expect(await wsStatus('127.0.0.2', open)).toBe(101);
      expect(await wsStatus('127.0.0.2', open)).toBe(429);
      expect(await admission()).toEqual({ refused: { ...NONE, connections_per_ip: 1 }, tracked: 1 });

      // A second address fills the table (2); a third address gets 503, nothing being expirable.
      expect(await wsStatus('127.0.0.3', open)).toBe(101);
      expect(await wsStatus('127.0.0.4', open)).toBe(503);
      expect(await admission()).toEqual({ refused: { ...NONE, connections_per_ip: 1, tracked_addresses: 1 }, tracked: 2 });
      expect(relay.server.relay.connections.size).toBe(4);
    } finally {
      for (const ws of open) ws.terminate();
    }
  });
});
