// The Node TCP socket adapter against a scripted relay on a loopback port: length-prefixed
// messages, heartbeats answered with ping 0 (whose pong is swallowed), close frames → close codes.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { FrameStreamReader, encodeControl, lengthPrefixed } from '@roomcast/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpSocket } from '../src/tcp-socket.js';

let server: Server | undefined;
afterEach(async () => {
  server?.close();
  server = undefined;
});

/** A relay stand-in: resolves with the accepted socket and a queue of the frames it receives. */
async function scriptedRelay(): Promise<{ url: string; accepted: Promise<{ socket: Socket; next(): Promise<Uint8Array> }> }> {
  server = createServer();
  server.listen(0, '127.0.0.1');
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
  return { url: `tcp://127.0.0.1:${port}`, accepted };
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
    expect((await ev.closed).code).toBe(1009);
  });

  it('refuses URLs that are not tcp://host:port', () => {
    expect(() => new TcpSocket('ws://127.0.0.1:1/ws')).toThrow(TypeError);
    expect(() => new TcpSocket('tcp://127.0.0.1')).toThrow(/tcp:\/\/host:port/);
  });
});
