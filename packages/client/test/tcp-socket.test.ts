// The Node TCP socket adapter against a scripted relay on a loopback port: length-prefixed
// messages, heartbeats answered with ping 0 (whose pong is swallowed), close frames → close codes.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { FrameStreamReader, encodeControl, lengthPrefixed } from '@roomcast/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_INCOMING_FRAME_BYTES, TcpSocket, isTcpUrl } from '../src/tcp-socket.js';

let server: Server | undefined;
afterEach(async () => {
  server?.close();
  server = undefined;
});

/** A relay stand-in: resolves with the accepted socket and a queue of the frames it receives. */
async function scriptedRelay(host = '127.0.0.1'): Promise<{ url: string; accepted: Promise<{ socket: Socket; next(): Promise<Uint8Array> }> }> {
  server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const accepted = once(server, 'connection').then((args) => {
    const socket = args[0] as Socket;
    const frames: Uint8Array[] = [];
    const waiters: ((f: Uint8Array) => void)[] = [];
    const reader = new FrameStreamReader(1 << 20);
    socket.on('data', (d: Buffer) => reader.push(new Uint8Array(d), (f) => {
      const copy = f.slice();
      const w = waiters.shift();
      if (w) w(copy);
      else frames.push(copy);
    }));
    return { socket, next: () => (frames.length ? Promise.resolve(frames.shift()!) : new Promise<Uint8Array>((r) => waiters.push(r))) };
  });
  return { url: `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`, accepted };
}

function events(s: TcpSocket) {
  const messages: Uint8Array[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  s.onmessage = (e) => {
    messages.push(new Uint8Array(e.data as ArrayBuffer));
    if (waiter && messages.length >= waiter.n) waiter.resolve();
  };
  /** Resolves once `n` messages have arrived (event-driven, no polling). */
  const until = (n: number) => new Promise<void>((resolve) => {
    if (messages.length >= n) resolve();
    else waiter = { n, resolve };
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => { s.onclose = resolve; });
  const opened = new Promise<void>((resolve) => { s.onopen = () => resolve(); });
  return { messages, closed, opened, until };
}

describe('TcpSocket', () => {
  it('sends and receives length-prefixed frames as whole messages', async () => {
    const relay = await scriptedRelay();
    const s = new TcpSocket(relay.url);
    const ev = events(s);
    await ev.opened;
    expect(s.readyState).toBe(1);
    expect(s.bufferedAmount).toBe(0);
    const { socket, next } = await relay.accepted;
    s.send(Uint8Array.of(2, 0, 0, 1, 9) as Uint8Array<ArrayBuffer>);
    expect([...await next()]).toEqual([2, 0, 0, 1, 9]);
    const deliver = Uint8Array.of(3, 0, 0, 1, 0, 2, 7, 7);
    // Two frames, the second split across writes.
    const wire = Buffer.concat([lengthPrefixed(deliver), lengthPrefixed(deliver)]);
    socket.write(wire.subarray(0, 15));
    socket.write(wire.subarray(15));
    await ev.until(2);
    expect(ev.messages.map((m) => [...m])).toEqual([[...deliver], [...deliver]]);
    s.close();
    expect(await ev.closed).toEqual({ code: 1000, reason: '' });
  });

  it('answers a heartbeat with ping id 0 and hides both from the client', async () => {
    const relay = await scriptedRelay();
    const s = new TcpSocket(relay.url);
    const ev = events(s);
    await ev.opened;
    const { socket, next } = await relay.accepted;
    socket.write(lengthPrefixed(encodeControl({ type: 'heartbeat' })));
    expect(Buffer.from(await next()).toString('hex')).toBe(Buffer.from(encodeControl({ type: 'ping', id: 0 })).toString('hex'));
    socket.write(lengthPrefixed(encodeControl({ type: 'pong', id: 0 })));
    socket.write(lengthPrefixed(encodeControl({ type: 'pong', id: 5 })));
    socket.write(lengthPrefixed(encodeControl({ type: 'close', code: 4503, reason: 'slow' })));
    socket.end();
    expect(await ev.closed).toEqual({ code: 4503, reason: 'slow' });
    // Only the client's own pong got through.
    expect(ev.messages.map((m) => Buffer.from(m).toString('hex'))).toEqual([Buffer.from(encodeControl({ type: 'pong', id: 5 })).toString('hex')]);
  });

  it('reports 1006 when the connection ends without a close frame, 1009 for an absurd length', async () => {
    let relay = await scriptedRelay();
    let s = new TcpSocket(relay.url);
    let ev = events(s);
    (await relay.accepted).socket.destroy();
    expect((await ev.closed).code).toBe(1006);
    server?.close();

    relay = await scriptedRelay();
    s = new TcpSocket(relay.url);
    ev = events(s);
    (await relay.accepted).socket.write(Buffer.from('7fffffff', 'hex'));
    expect(await ev.closed).toEqual({ code: 1009, reason: `relay length prefix of ${0x7fffffff} bytes is above the frame cap of ${MAX_INCOMING_FRAME_BYTES}` });
    expect(s.readyState).toBe(3);
  });

  it('accepts a frame of exactly MAX_INCOMING_FRAME_BYTES (16 MiB + 64)', async () => {
    const relay = await scriptedRelay();
    const s = new TcpSocket(relay.url);
    const ev = events(s);
    await ev.opened;
    const { socket } = await relay.accepted;
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(16 * 1024 * 1024 + 64);
    socket.write(prefix); // a frame that big is allowed; the connection then ends without it
    socket.end();
    expect(await ev.closed).toEqual({ code: 1006, reason: '' });
  });

  it('connects to an IPv6 literal in brackets', async () => {
    const relay = await scriptedRelay('::1');
    const s = new TcpSocket(relay.url);
    const ev = events(s);
    await ev.opened;
    const { next } = await relay.accepted;
    s.send(Uint8Array.of(1, 2) as Uint8Array<ArrayBuffer>);
    expect([...await next()]).toEqual([1, 2]);
    s.close(4000, 'bye');
    s.close(4001, 'again'); // closing already: no effect
    expect(await ev.closed).toEqual({ code: 4000, reason: 'bye' });
    expect(() => s.send(Uint8Array.of(1) as Uint8Array<ArrayBuffer>)).toThrow(new Error('the TCP socket is not open'));
  });

  it('refuses to send before the connection is open; reports a refused connection as error then 1006', async () => {
    const relay = await scriptedRelay();
    const port = Number(new URL(relay.url).port);
    server?.close();
    await once(server!, 'close');
    const s = new TcpSocket(`tcp://127.0.0.1:${port}`);
    expect(s.readyState).toBe(0);
    expect(() => s.send(Uint8Array.of(1) as Uint8Array<ArrayBuffer>)).toThrow(new Error('the TCP socket is not open'));
    const errors: unknown[] = [];
    s.onerror = (e) => errors.push(e);
    const ev = events(s);
    expect(await ev.closed).toEqual({ code: 1006, reason: '' });
    expect(errors).toEqual([{ message: expect.stringContaining('ECONNREFUSED') }]);
  });

  it('after close() no further message of the same read is delivered', async () => {
    const relay = await scriptedRelay();
    const s = new TcpSocket(relay.url);
    const ev = events(s);
    await ev.opened;
    const { socket } = await relay.accepted;
    const got: number[] = [];
    s.onmessage = (e) => {
      got.push(new Uint8Array(e.data as ArrayBuffer)[0]!);
      s.close();
    };
    socket.write(Buffer.concat([lengthPrefixed(Uint8Array.of(3, 1)), lengthPrefixed(Uint8Array.of(3, 2))]));
    expect(await ev.closed).toEqual({ code: 1000, reason: '' });
    expect(got).toEqual([3]);
  });

  it('passes on control frames it does not own: large ones, undecodable ones, other types; each in a buffer of its own', async () => {
    const relay = await scriptedRelay();
    const s = new TcpSocket(relay.url);
    const ev = events(s);
    await ev.opened;
    const { socket } = await relay.accepted;
    const big = encodeControl({ type: 'close', code: 4000, reason: 'x'.repeat(600) });
    const broken = Uint8Array.of(0x01, 0xc1);
    const error = encodeControl({ type: 'error', code: 'rate_limited', message: 'slow' });
    socket.write(Buffer.concat([lengthPrefixed(big), lengthPrefixed(broken), lengthPrefixed(error)]));
    await ev.until(3);
    expect(ev.messages.map((m) => Buffer.from(m).toString('hex'))).toEqual([big, broken, error].map((f) => Buffer.from(f).toString('hex')));
    expect(new Set(ev.messages.map((m) => m.buffer)).size).toBe(3);
    expect(ev.messages.every((m) => m.byteOffset === 0 && m.buffer.byteLength === m.length)).toBe(true);
    // The big close frame was not taken as the close code.
    socket.end();
    expect(await ev.closed).toEqual({ code: 1006, reason: '' });
  });

  it('the first close frame wins', async () => {
    const relay = await scriptedRelay();
    const s = new TcpSocket(relay.url);
    const ev = events(s);
    await ev.opened;
    const { socket } = await relay.accepted;
    socket.write(Buffer.concat([
      lengthPrefixed(encodeControl({ type: 'close', code: 4503, reason: 'slow' })),
      lengthPrefixed(encodeControl({ type: 'close', code: 4000, reason: 'later' })),
    ]));
    socket.end();
    expect(await ev.closed).toEqual({ code: 4503, reason: 'slow' });
  });

  it('refuses URLs that are not tcp://host:port', () => {
    expect(() => new TcpSocket('ws://127.0.0.1:1/ws')).toThrow(TypeError);
    expect(() => new TcpSocket('tcp://127.0.0.1')).toThrow(new TypeError('expected tcp://host:port, got tcp://127.0.0.1'));
    expect(() => new TcpSocket('tcp://:80')).toThrow(TypeError);
    expect(isTcpUrl('tcp://127.0.0.1:1')).toBe(true);
    expect(isTcpUrl('ws://127.0.0.1:1/tcp://')).toBe(false);
  });
});
