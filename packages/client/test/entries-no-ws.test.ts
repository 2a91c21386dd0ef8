// The Node entry without the `ws` package (an optional peer dependency): it falls back to the
// global WebSocket (Node 22+), and without one creating a client throws no_websocket naming the fix.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeWebSocket } from './fake-socket.js';

vi.mock('ws', () => {
  throw new Error('Cannot find package ws');
});
const { RoomcastClient } = await import('../src/node.js');

const holder = globalThis as { WebSocket?: unknown };
const original = holder.WebSocket;
afterEach(() => {
  holder.WebSocket = original;
});

describe('Node entry without ws', () => {
  it('throws no_websocket when there is no global WebSocket either', () => {
    for (const global of [undefined, 'not a class']) {
      holder.WebSocket = global;
      expect(() => new RoomcastClient('ws://127.0.0.1:1/ws')).toThrow(expect.objectContaining({
        code: 'no_websocket',
        message: 'no WebSocket class: install the `ws` package (npm install ws), use Node 22+, or pass the `WebSocket` option',
      }));
    }
  });

  it('uses the global WebSocket', () => {
    const global = fakeWebSocket();
    holder.WebSocket = global.WebSocket;
    void new RoomcastClient('ws://127.0.0.1:1/ws', { reconnect: false }).connect().catch(() => {});
    expect(global.sockets.map((s) => s.url)).toEqual(['ws://127.0.0.1:1/ws']);
  });

  it('still uses raw TCP for tcp:// URLs', () => {
    holder.WebSocket = undefined;
    expect(() => new RoomcastClient('tcp://127.0.0.1:1', { reconnect: false })).not.toThrow();
  });
});
