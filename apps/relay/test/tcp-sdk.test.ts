// The client SDK over raw TCP (`tcp://host:port`) against the real relay: same API as over
// WebSocket, in the same rooms as WebSocket SDK clients; close codes arrive through the close frame.
import { RoomcastClient, type Room } from '@roomcast/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RelayServer } from '../src/index.js';
import { startTestRelay } from './helpers.js';

let server: RelayServer;
const clients: RoomcastClient[] = [];
function client(url: string): RoomcastClient {
  const c = new RoomcastClient(url, { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
  clients.push(c);
  return c;
}
function next<T>(room: Room, name: 'message' | 'member_joined' | 'member_left' | 'resync'): Promise<T> {
  return new Promise((resolve) => {
    const off = room.on(name, ((e: T) => { off(); resolve(e); }) as never);
  });
}

beforeEach(async () => {
  server = await startTestRelay();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close();
});

describe('client SDK over TCP', () => {
  it('connects, joins, and exchanges frames byte-identical with a WebSocket SDK client', async () => {
    expect(server.tcpUrl).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const overTcp = client(server.tcpUrl!);
    const overWs = client(server.wsUrl);
    await Promise.all([overTcp.connect(), overWs.connect()]);
    expect(overTcp.limits?.maxPayloadBytes).toBe(16384);
    const t = await overTcp.join('sdk-tcp', { name: 'native' });
    const joined = next<{ id: number; presence: unknown }>(t, 'member_joined');
    const w = await overWs.join('sdk-tcp', { name: 'browser' });
    expect(await joined).toEqual({ id: w.self, presence: { name: 'browser' } });
    expect([...w.members.values()].map((m) => m.presence)).toEqual([{ name: 'native' }, { name: 'browser' }]);

    const all = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    const atWs = next<{ sender: number; payload: Uint8Array }>(w, 'message');
    t.send(all);
    const got = await atWs;
    expect(got.sender).toBe(t.self);
    expect(Buffer.from(got.payload).equals(Buffer.from(all))).toBe(true);

    const atTcp = next<{ sender: number; payload: Uint8Array; direct: boolean }>(t, 'message');
    w.sendTo(t.self, Uint8Array.of(9, 8, 7));
    expect(await atTcp).toMatchObject({ sender: w.self, direct: true });
    expect(await overTcp.ping()).toBeGreaterThanOrEqual(0);

    const left = next<{ id: number }>(w, 'member_left');
    overTcp.close();
    expect((await left).id).toBe(t.self);
  });

  it('reconnects over TCP after the relay closes it, and rejoins', async () => {
    const c = client(server.tcpUrl!);
    await c.connect();
    const room = await c.join('again');
    const resync = next<{ self: number }>(room, 'resync');
    // 4500 (internal_error) allows a reconnect: the close frame's code reaches the SDK.
    const conn = [...server.relay.connections][0]!;
    conn.peer.close(4500, 'test');
    server.relay.closed(conn);
    await resync;
    expect(room.joined).toBe(true);
    expect(c.status).toBe('open');
  });

  it('a close code that forbids reconnecting reaches the SDK through the close frame', async () => {
    const c = client(server.tcpUrl!);
    await c.connect();
    const closed = new Promise<{ code: number; reason: string }>((resolve) => c.once('close', resolve));
    const conn = [...server.relay.connections][0]!;
    conn.peer.close(4400, 'test: protocol error');
    server.relay.closed(conn);
    expect(await closed).toEqual({ code: 4400, reason: 'test: protocol error' });
    expect(c.status).toBe('closed');
  });
});
