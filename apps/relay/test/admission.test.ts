// Connection admission (PROTOCOL.md §8.19) on the real relay over real sockets: per-address
// connection cap and connect rate on both transports, the relay-wide cap (with /healthz and
// /metrics still answering), the flood cool-down after 4429, and budgets that a reconnect does
// not refill. 127.0.0.2, 127.0.0.3 … act as other clients' addresses.
import { once } from 'node:events';
import { PROTOCOL_VERSION, encodeControl } from '@roomcast/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { httpGet, RawClient } from './helpers.js';
import { RawTcpClient, useTcpRelay } from './tcp-helpers.js';

const relay = useTcpRelay();
const opened: { close(): void }[] = [];

/** Opens a WebSocket from `address`: 'open', or the HTTP status and headers of the refusal. */
async function tryWs(address: string): Promise<{ status: number; retryAfter?: string; ws?: WebSocket }> {
  const ws = new WebSocket(relay.server.wsUrl, { localAddress: address });
  ws.on('error', () => {});
  const result = await new Promise<{ status: number; retryAfter?: string; ws?: WebSocket }>((resolve) => {
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined });
    });
  });
  if (result.ws) opened.push({ close: () => ws.terminate() });
  return result;
}

/** Opens a raw TCP connection from `address` and sends hello: the welcome, or the close frame. */
async function tryTcp(address: string): Promise<{ code: number } | { welcome: true; client: RawTcpClient }> {
  const client = await RawTcpClient.connect(relay.tcpPort, '127.0.0.1', address);
  opened.push({ close: () => client.socket.destroy() });
  client.sendControl({ type: 'hello', id: 1, v: PROTOCOL_VERSION });
  const outcome = await Promise.race([
    client.nextMessage('welcome').then(() => 'welcome' as const),
    client.closed,
  ]);
  return outcome === 'welcome' ? { welcome: true, client } : { code: outcome.code };
}

async function refused(reason: string): Promise<number> {
  const text = (await httpGet(relay.server, '/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(`roomcast_connections_refused_total{reason="${reason}"}`));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

afterEach(() => {
  for (const c of opened.splice(0)) c.close();
});

describe('per-address connection cap', () => {
  it('refuses the 4th WebSocket from one address with 429, counts it, and lets other addresses in', async () => {
    await relay.start({ maxConnectionsPerIp: 3, connectRatePerIp: 0 });
    for (let i = 0; i < 3; i++) expect((await tryWs('127.0.0.2')).status).toBe(101);
    const fourth = await tryWs('127.0.0.2');
    expect(fourth).toMatchObject({ status: 429, retryAfter: '1' });
    expect((await tryWs('127.0.0.3')).status).toBe(101);
    expect(await refused('connections_per_ip')).toBe(1);
    expect(relay.server.relay.connections.size).toBe(4);
  });

  it('counts both transports together; TCP gets a close frame 4429 instead of a welcome', async () => {
    await relay.start({ maxConnectionsPerIp: 2, connectRatePerIp: 0 });
    expect((await tryWs('127.0.0.4')).status).toBe(101);
    expect(await tryTcp('127.0.0.4')).toMatchObject({ welcome: true });
    expect(await tryTcp('127.0.0.4')).toEqual({ code: 4429 });
    expect((await tryWs('127.0.0.4')).status).toBe(429);
    expect(await tryTcp('127.0.0.5')).toMatchObject({ welcome: true });
  });

  it('frees the slot when a connection closes', async () => {
    await relay.start({ maxConnectionsPerIp: 1, connectRatePerIp: 0 });
    const first = await RawClient.open(relay.server.wsUrl, '127.0.0.6');
    expect((await tryWs('127.0.0.6')).status).toBe(429);
    await first.close();
    await vi.waitFor(() => expect(relay.server.relay.connections.size).toBe(0));
    expect((await tryWs('127.0.0.6')).status).toBe(101);
  });
});

describe('per-address connect rate', () => {
  it('refuses connections past the burst with 429 until the rate refills; other addresses are not affected', async () => {
    await relay.start({ connectRatePerIp: 0.5, connectBurstPerIp: 3 });
    for (let i = 0; i < 3; i++) {
      const r = await tryWs('127.0.0.7');
      expect(r.status).toBe(101);
      r.ws?.terminate();
    }
    expect((await tryWs('127.0.0.7')).status).toBe(429);
    expect(await tryTcp('127.0.0.7')).toEqual({ code: 4429 });
    expect((await tryWs('127.0.0.8')).status).toBe(101);
    expect(await refused('connect_rate')).toBe(2);
  });
});

describe('relay-wide connection cap', () => {
  it('refuses with 503 (WebSocket) and 1013 (TCP) at the cap, while /healthz and /metrics answer', async () => {
    await relay.start({ maxConnections: 3, maxConnectionsPerIp: 0, connectRatePerIp: 0 });
    expect((await tryWs('127.0.0.9')).status).toBe(101);
    expect((await tryWs('127.0.0.10')).status).toBe(101);
    expect(await tryTcp('127.0.0.11')).toMatchObject({ welcome: true });
    expect(await tryWs('127.0.0.12')).toMatchObject({ status: 503, retryAfter: '1' });
    expect(await tryTcp('127.0.0.12')).toEqual({ code: 1013 });
    const health = await httpGet(relay.server, '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', connections: 3 });
    expect(await refused('connections')).toBe(2);
  });
});

describe('budgets follow the address', () => {
  const budget = { maxMessagesPerSec: 0.5, burstMessages: 10, connectRatePerIp: 0 };

  it('a reconnect starts with what the last connection left, not a full bucket', async () => {
    await relay.start(budget);
    const first = await RawClient.open(relay.server.wsUrl, '127.0.0.13'); // hello: 1 token
    for (let i = 0; i < 9; i++) await first.request({ type: 'ping' }, 'pong');
    await first.close();
    await vi.waitFor(() => expect(relay.server.relay.connections.size).toBe(0));
    const again = await RawClient.connect(relay.server.wsUrl, '127.0.0.13');
    opened.push({ close: () => again.ws.terminate() });
    const reply = await again.requestAny({ type: 'hello', v: PROTOCOL_VERSION });
    expect(reply).toMatchObject({ type: 'error', code: 'rate_limited' });
    // Another address has its own, full budget.
    const other = await RawClient.open(relay.server.wsUrl, '127.0.0.14');
    opened.push({ close: () => other.ws.terminate() });
  });

  it('after a 4429 close the address is refused for the cool-down (429 / 4429); others are not', async () => {
    await relay.start({ maxMessagesPerSec: 1, burstMessages: 2, floodStrikes: 3, floodCooldownSec: 60, connectRatePerIp: 0 });
    const flooder = await RawClient.open(relay.server.wsUrl, '127.0.0.15');
    for (let i = 0; i < 10; i++) flooder.sendFrame(encodeControl({ type: 'ping', id: i }));
    expect((await flooder.closed).code).toBe(4429);
    await vi.waitFor(() => expect(relay.server.relay.connections.size).toBe(0));
    const retry = await tryWs('127.0.0.15');
    expect(retry.status).toBe(429);
    expect(Number(retry.retryAfter)).toBeGreaterThan(50);
    expect(await tryTcp('127.0.0.15')).toEqual({ code: 4429 });
    expect((await tryWs('127.0.0.16')).status).toBe(101);
    expect(await refused('flood_cooldown')).toBe(2);
  });
});

describe('a refused socket holds nothing', () => {
  it('the TCP connection of a refused upgrade is closed by the relay', async () => {
    await relay.start({ maxConnections: 1, maxConnectionsPerIp: 0, connectRatePerIp: 0 });
    expect((await tryWs('127.0.0.17')).status).toBe(101);
    const { connect } = await import('node:net');
    const socket = connect({ port: relay.server.port, host: '127.0.0.1', localAddress: '127.0.0.18' });
    await once(socket, 'connect');
    socket.write('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
      + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    let text = '';
    socket.on('data', (d: Buffer) => { text += d.toString(); });
    await once(socket, 'close');
    expect(text.startsWith('HTTP/1.1 503')).toBe(true);
  });

  it('an answered HTTP request does not keep its connection open (uWS would keep it without a deadline)', async () => {
    await relay.start();
    const { connect } = await import('node:net');
    const socket = connect({ port: relay.server.port, host: '127.0.0.1' });
    await once(socket, 'connect');
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    let text = '';
    socket.on('data', (d: Buffer) => { text += d.toString(); });
    await once(socket, 'close');
    expect(text.startsWith('HTTP/1.1 200')).toBe(true);
    expect(text).toContain('"status":"ok"');
  });
});

describe('addresses exempt from the per-address limits (RELAY_IP_LIMIT_EXEMPT, default 127.0.0.1 and ::1)', () => {
  it('with the default settings, 150 connections at once from 127.0.0.1 all open; from 127.0.0.2 the burst of 100 holds', async () => {
    // The README's `pnpm loadtest` and a local reverse proxy: every client arrives from 127.0.0.1.
    await relay.start();
    for (let i = 0; i < 150; i++) expect(await tryTcp('127.0.0.1'), `connection ${i + 1}`).toMatchObject({ welcome: true });
    const outcomes: string[] = [];
    for (let i = 0; i < 150; i++) {
      const r = await tryTcp('127.0.0.2');
      outcomes.push('code' in r ? String(r.code) : 'welcome');
    }
    // Burst 100 plus whatever the 20/s rate refilled while these opened.
    const welcomed = outcomes.filter((o) => o === 'welcome').length;
    expect(welcomed).toBeGreaterThanOrEqual(100);
    expect(welcomed).toBeLessThan(150);
    expect(outcomes.filter((o) => o !== 'welcome').every((o) => o === '4429')).toBe(true);
    expect(await refused('connect_rate')).toBe(150 - welcomed);
  });

  it('an exempt address is not capped; a listed one replaces the default, so 127.0.0.1 is capped again', async () => {
    await relay.start({ maxConnectionsPerIp: 2, connectRatePerIp: 0, ipLimitExempt: ['127.0.0.19'] });
    for (let i = 0; i < 5; i++) expect((await tryWs('127.0.0.19')).status).toBe(101);
    expect(await tryTcp('127.0.0.19')).toMatchObject({ welcome: true });
    for (let i = 0; i < 2; i++) expect((await tryWs('127.0.0.1')).status).toBe(101);
    expect((await tryWs('127.0.0.1')).status).toBe(429);
    expect(await tryTcp('127.0.0.20')).toMatchObject({ welcome: true });
    expect(relay.server.relay.connections.addresses.openCount('127.0.0.19')).toBe(0); // not tracked
  });

  it('the relay-wide cap still applies to an exempt address (503 / 1013)', async () => {
    await relay.start({ maxConnections: 2 });
    expect((await tryWs('127.0.0.1')).status).toBe(101);
    expect(await tryTcp('127.0.0.1')).toMatchObject({ welcome: true });
    expect((await tryWs('127.0.0.1')).status).toBe(503);
    expect(await tryTcp('127.0.0.1')).toEqual({ code: 1013 });
  });

  it('a flooder behind an exempt address is closed with 4429, but the address gets no cool-down and the next connection a full budget', async () => {
    await relay.start({ maxMessagesPerSec: 1, burstMessages: 2, floodStrikes: 3, floodCooldownSec: 60, ipLimitExempt: ['127.0.0.21'] });
    const flooder = await RawClient.open(relay.server.wsUrl, '127.0.0.21');
    for (let i = 0; i < 10; i++) flooder.sendFrame(encodeControl({ type: 'ping', id: i }));
    expect((await flooder.closed).code).toBe(4429);
    await vi.waitFor(() => expect(relay.server.relay.connections.size).toBe(0));
    const next = await RawClient.open(relay.server.wsUrl, '127.0.0.21'); // hello welcomed
    opened.push({ close: () => next.ws.terminate() });
    await next.request({ type: 'ping' }, 'pong'); // the second of a fresh burst of 2
    expect(await refused('flood_cooldown')).toBe(0);
  });
});
