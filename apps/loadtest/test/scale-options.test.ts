// The options that let one load generator hold 10,000 clients: connections from several source
// addresses (each with its own ephemeral ports) and a duty cycle (cursors move part of the time).
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createClient, type ClientSink } from '../src/adapters.js';
import { DEFAULTS, parseArgs, UsageError, type Options } from '../src/args.js';
import { runLoadTest } from '../src/run.js';
import { useLocalRelay } from './relay.js';

const relay = useLocalRelay();
const sink: ClientSink = { onDeliver() {}, onOther() {}, onDataFrame() {}, onError() {}, onClose() {} };
const opts = (url: string, localAddress: string) => ({ url, room: 'r', cls: 'reliable' as const, cursor: true, payloadBytes: 8, timeoutMs: 2000, localAddress });

describe('--source-addresses', () => {
  it('parses, defaults to 1 and needs a 127.x target', () => {
    expect(DEFAULTS.sourceAddresses).toBe(1);
    expect(parseArgs(['--source-addresses', '4']).sourceAddresses).toBe(4);
    expect(() => parseArgs(['--source-addresses', '0'])).toThrow(UsageError);
    expect(() => parseArgs(['--source-addresses', '2', '--url', 'ws://localhost:1/ws'])).toThrow(/127\.x/);
  });

  it('connects WebSocket clients from the given source address', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    const seen = new Promise<string | undefined>((resolve) => wss.once('connection', (_ws, req) => resolve(req.socket.remoteAddress)));
    const client = createClient('roomcast', 0, opts(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`, '127.0.0.3'), sink);
    const opening = client.open().catch(() => undefined);
    expect(await seen).toBe('127.0.0.3');
    client.close();
    await opening;
    await new Promise((r) => wss.close(r));
  });

  it('connects raw TCP clients from the given source address', async () => {
    const sockets: Socket[] = [];
    const server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = createClient('roomcast', 0, opts(`tcp://127.0.0.1:${(server.address() as AddressInfo).port}`, '127.0.0.5'), sink);
    const opening = client.open().catch(() => undefined);
    for (let i = 0; i < 100 && sockets.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sockets[0]?.remoteAddress).toBe('127.0.0.5');
    for (const s of sockets) s.destroy();
    await opening;
    await new Promise((r) => server.close(r));
  });
});

describe('--duty', () => {
  const run = (o: Partial<Options>) => runLoadTest({
    ...DEFAULTS, url: relay.wsUrl, rooms: 2, perRoom: 3, hz: 50, cursor: true, seconds: 1, warmup: 0.1, workers: 0,
    drainMs: 500, quiet: true, sourceAddresses: 2, ...o,
  });

  it('parses, defaults to 1 (always sending) and refuses 0', () => {
    expect(DEFAULTS.duty).toBe(1);
    expect(parseArgs(['--duty', '0.2']).duty).toBe(0.2);
    expect(() => parseArgs(['--duty', '0'])).toThrow(UsageError);
  });

  it('sends a small share of the full rate when clients rest most of the time, from 2 source addresses', async () => {
    const full = await run({});
    const resting = await run({ duty: 0.02 });
    expect(full.connected).toBe(6);
    expect(resting.connected).toBe(6);
    expect(full.errors).toEqual({});
    // Full duty: every client at 50 Hz for about a second; 2% duty (rests of 49 s on average): far fewer.
    expect(full.sent).toBeGreaterThan(6 * 50 * 0.5);
    expect(resting.sent).toBeLessThan(full.sent / 3);
  });
});
