// The WebSocket handshake and RFC 6455 framing, with hand-made bytes on raw sockets: what our
// upgrade checks do (426 for other versions and plain GETs, no subprotocol echo), and what uWS
// v20.30 does with broken frames, which SECURITY.md documents ("Known limits of uWebSockets.js").
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { RawClient, useRelay } from './helpers.js';

const relay = useRelay();

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const upgrade = (headers: string): string =>
  `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\n${headers}\r\n`;
/** `{type:"hello",id:1,v:1}` as a control frame. */
const HELLO = Buffer.from('0183a474797065a568656c6c6fa2696401a17601', 'hex');

/** One client frame: FIN + opcode, masked with a fixed key unless `masked` is false (payload < 126 bytes). */
function wsFrame(opcode: number, payload: Uint8Array, { fin = true, masked = true } = {}): Buffer {
  const key = [0x11, 0x22, 0x33, 0x44];
  const body = masked ? Buffer.from(payload.map((b, i) => b ^ key[i % 4]!)) : Buffer.from(payload);
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, (masked ? 0x80 : 0) | payload.length]), Buffer.from(masked ? key : []), body]);
}

interface Exchange {
  socket: Socket;
  /** Everything received so far. */
  received(): Buffer;
  /** The HTTP head (status line and headers). */
  head(): string;
  /** Bytes after the HTTP head (WebSocket frames from the relay). */
  frames(): Buffer;
  closed: Promise<void>;
}

async function open(request: string): Promise<Exchange> {
  const socket = connect({ port: relay.server.port, host: '127.0.0.1' });
  socket.on('error', () => {});
  let buf = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => { buf = Buffer.concat([buf, d]); });
  const closed = once(socket, 'close').then(() => undefined);
  await once(socket, 'connect');
  socket.write(request);
  const split = (): number => buf.indexOf('\r\n\r\n');
  await vi.waitFor(() => expect(split()).toBeGreaterThan(0));
  return {
    socket, closed,
    received: () => buf,
    head: () => buf.subarray(0, split()).toString('latin1'),
    frames: () => buf.subarray(split() + 4),
  };
}

const header = (head: string, name: string): string | undefined =>
  head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();

describe('upgrade checks (ours)', () => {
  it('answers Sec-WebSocket-Version 8 with 426 and the version it speaks, and closes', async () => {
    await relay.start();
    const x = await open(upgrade('Sec-WebSocket-Version: 8\r\n'));
    expect(x.head()).toMatch(/^HTTP\/1\.1 426 /);
    expect(header(x.head(), 'sec-websocket-version')).toBe('13');
    expect(header(x.head(), 'content-type')).toBe('text/plain; charset=utf-8');
    await x.closed;
    expect(x.frames().toString()).toBe('unsupported Sec-WebSocket-Version "8"; this relay speaks 13\n');
    expect(relay.server.relay.connections.size).toBe(0);
  });

  it('answers an upgrade without a version with 426', async () => {
    await relay.start();
    const x = await open(upgrade(''));
    expect(x.head()).toMatch(/^HTTP\/1\.1 426 /);
    await x.closed;
    expect(x.frames().toString()).toBe('unsupported Sec-WebSocket-Version ""; this relay speaks 13\n');
  });

  it('quotes at most 16 characters of an unsupported version in the 426 body', async () => {
    await relay.start();
    const x = await open(upgrade(`Sec-WebSocket-Version: ${'9'.repeat(40)}\r\n`));
    expect(x.head()).toMatch(/^HTTP\/1\.1 426 /);
    await x.closed;
    expect(x.frames().toString()).toBe(`unsupported Sec-WebSocket-Version "${'9'.repeat(16)}"; this relay speaks 13\n`);
  });

  it('does not echo an offered subprotocol (PROTOCOL.md §2: none is negotiated)', async () => {
    await relay.start();
    const x = await open(upgrade('Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat, superchat\r\n'));
    expect(x.head()).toMatch(/^HTTP\/1\.1 101 /);
    expect(header(x.head(), 'sec-websocket-protocol')).toBeUndefined();
    x.socket.destroy();
  });

  it('answers a plain GET on /ws with 426, not 404', async () => {
    await relay.start();
    const x = await open('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(x.head()).toMatch(/^HTTP\/1\.1 426 /);
    expect(header(x.head(), 'upgrade')).toBe('websocket');
    expect(header(x.head(), 'content-type')).toBe('text/plain; charset=utf-8');
    // Closed after the answer, like every refused upgrade.
    await x.closed;
    expect(x.frames().toString()).toBe('this path takes WebSocket upgrades only\n');
  });

  it('answers a foreign Origin with 403 and closes the connection (keep-alive asked for)', async () => {
    await relay.start({ allowedOrigins: ['https://app.example'] });
    const x = await open(upgrade('Sec-WebSocket-Version: 13\r\nOrigin: https://evil.example\r\n'));
    expect(x.head()).toMatch(/^HTTP\/1\.1 403 /);
    expect(header(x.head(), 'content-type')).toBe('text/plain; charset=utf-8');
    await x.closed;
    expect(x.frames().toString()).toBe('origin not allowed\n');
    expect(relay.server.relay.connections.size).toBe(0);
  });

  it('checks the version before the Origin: version 8 from a foreign Origin gets 426', async () => {
    await relay.start({ allowedOrigins: ['https://app.example'] });
    const x = await open(upgrade('Sec-WebSocket-Version: 8\r\nOrigin: https://evil.example\r\n'));
    expect(x.head()).toMatch(/^HTTP\/1\.1 426 /);
    await x.closed;
  });
});

describe('broken frames (inside uWS: what happens, documented in SECURITY.md)', () => {
  const up = upgrade('Sec-WebSocket-Version: 13\r\n');

  it('a masked hello is answered (the control case for the rows below)', async () => {
    await relay.start();
    const x = await open(up);
    x.socket.write(wsFrame(2, HELLO));
    await vi.waitFor(() => expect(x.frames().length).toBeGreaterThan(0));
    expect(x.frames()[0]).toBe(0x82); // FIN + binary: the welcome
    x.socket.destroy();
  });

  it('an unmasked client frame is not read as a frame; the relay closes the connection at the hello deadline (4408)', async () => {
    await relay.start({ helloTimeoutMs: 200 });
    const x = await open(up);
    x.socket.write(wsFrame(2, HELLO, { masked: false }));
    await x.closed;
    // A close frame with 4408 (0x1138), unmasked as server frames are.
    expect([...x.frames().subarray(0, 4)]).toEqual([0x88, expect.any(Number), 0x11, 0x38]);
  });

  it.each([
    ['a close frame with the invalid code 999', wsFrame(8, Uint8Array.from([0x03, 0xe7]))],
    ['a close frame with a reason that is not UTF-8', wsFrame(8, Uint8Array.from([0x03, 0xe8, 0xff, 0xfe]))],
  ])('%s: uWS answers an empty close frame (not 1002/1007) and ends the connection', async (_name, frame) => {
    await relay.start();
    const x = await open(up);
    x.socket.write(frame);
    await x.closed;
    expect(x.frames().toString('hex')).toBe('8800');
  });

  it.each([
    ['a reserved bit set', Buffer.concat([Buffer.from([0xc2]), wsFrame(2, HELLO).subarray(1)])],
    ['the undefined opcode 3', wsFrame(3, HELLO)],
    ['a ping of 126 bytes (control frames are at most 125)', Buffer.from([0x89, 0xfe, 0, 126, 1, 2, 3, 4, ...new Array<number>(126).fill(0)])],
    ['a fragmented ping', wsFrame(9, Uint8Array.from([1, 2]), { fin: false })],
  ])('%s: uWS drops the TCP connection at once (no close frame)', async (_name, bytes) => {
    await relay.start();
    const x = await open(up);
    x.socket.write(bytes);
    await x.closed;
    expect(x.frames().length).toBe(0);
  });

  it('a data frame inside an open fragmented message is merged into it by uWS; the relay handles the result as one frame', async () => {
    await relay.start();
    const x = await open(up);
    // First fragment (FIN=0, binary), then a second *binary* frame (RFC: must be a continuation, 0x0).
    x.socket.write(Buffer.concat([wsFrame(2, HELLO.subarray(0, 5), { fin: false }), wsFrame(2, HELLO.subarray(5))]));
    await vi.waitFor(() => expect(x.frames().length).toBeGreaterThan(0));
    expect(x.frames()[0]).toBe(0x82); // the merged bytes were a valid hello: welcome
    x.socket.destroy();
  });

  it('none of this disturbs another client', async () => {
    await relay.start();
    const bystander = await RawClient.open(relay.server.wsUrl);
    for (const bytes of [wsFrame(3, HELLO), wsFrame(8, Uint8Array.from([0x03, 0xe7]))]) {
      const x = await open(up);
      x.socket.write(bytes);
      await x.closed;
    }
    expect(await bystander.request({ type: 'ping' }, 'pong')).toMatchObject({ type: 'pong' });
    bystander.ws.terminate();
  });
});
