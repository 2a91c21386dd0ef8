// The two entries choose the default socket class: the browser one `globalThis.WebSocket`
// (looked up when a client is created), the Node one `ws` for ws:// URLs and the raw TCP socket
// for tcp:// URLs; an explicit `WebSocket` option wins in both. Connections go to a closed
// loopback port, so the class shows in the error each one gives.
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RoomcastClient as BrowserClient } from '../src/browser.js';
import { RoomcastClient as NodeClient, type RoomcastError } from '../src/node.js';
import { fakeWebSocket } from './fake-socket.js';

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

const holder = globalThis as { WebSocket?: unknown };
const original = holder.WebSocket;
afterEach(() => {
  holder.WebSocket = original;
});

describe('browser entry', () => {
  it('without a global WebSocket, creating a client throws no_websocket', () => {
    holder.WebSocket = undefined;
    expect(() => new BrowserClient('ws://x/ws')).toThrow(expect.objectContaining({
      code: 'no_websocket', message: 'globalThis.WebSocket is not available: pass the `WebSocket` option',
    }));
    holder.WebSocket = 'not a class';
    expect(() => new BrowserClient('ws://x/ws')).toThrow(expect.objectContaining({ code: 'no_websocket' }));
  });

  it('uses the global WebSocket present when the client is created, unless the option gives one', async () => {
    const global = fakeWebSocket();
    const own = fakeWebSocket();
    holder.WebSocket = global.WebSocket;
    void new BrowserClient('ws://x/ws', { reconnect: false }).connect().catch(() => {});
    void new BrowserClient('ws://y/ws', { reconnect: false, WebSocket: own.WebSocket }).connect().catch(() => {});
    expect([global.sockets.map((s) => s.url), own.sockets.map((s) => s.url)]).toEqual([['ws://x/ws'], ['ws://y/ws']]);
  });
});

describe('Node entry', () => {
  it('ws:// goes through the ws package, tcp:// through the raw TCP socket', async () => {
    holder.WebSocket = undefined; // Node 22+ has one; `ws` must be chosen first anyway
    const port = await closedPort();
    const viaWs = await new NodeClient(`ws://127.0.0.1:${port}/ws`).connect().catch((e: RoomcastError) => e);
    const viaTcp = await new NodeClient(`tcp://127.0.0.1:${port}`).connect().catch((e: RoomcastError) => e);
    expect([viaWs?.code, viaTcp?.code]).toEqual(['connect_failed', 'connect_failed']);
    expect([viaWs?.closeCode, viaTcp?.closeCode]).toEqual([1006, 1006]);
    expect(viaWs?.message).toContain('ECONNREFUSED');
    expect(viaTcp?.message).toBe(`connection to tcp://127.0.0.1:${port} closed before welcome (code 1006: connect ECONNREFUSED 127.0.0.1:${port})`);
  });

  it('the WebSocket option wins, for tcp:// too', async () => {
    const own = fakeWebSocket();
    void new NodeClient('tcp://127.0.0.1:1', { reconnect: false, WebSocket: own.WebSocket }).connect().catch(() => {});
    expect(own.sockets.map((s) => s.url)).toEqual(['tcp://127.0.0.1:1']);
  });
});
