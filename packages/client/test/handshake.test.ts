// hello → welcome, and every way the first connection can fail.
import { PROTOCOL_VERSION } from '@roomcast/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RoomcastClient, RoomcastError, type ClientStatus } from '../src/node.js';
import { LIMITS } from './fake-socket.js';
import { connected, harness, RELAY_URL } from './harness.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('handshake', () => {
  it('sends hello first and resolves connect() on welcome', async () => {
    const h = harness({ clientName: 'test-suite/1' });
    const statuses: ClientStatus[] = [];
    h.client.on('status', (s) => statuses.push(s));
    expect(h.client.status).toBe('idle');

    const connecting = h.client.connect();
    const socket = h.socket();
    expect(socket.url).toBe(RELAY_URL);
    expect(h.client.status).toBe('connecting');
    socket.open();
    expect(socket.binaryType).toBe('arraybuffer');
    const hello = socket.nextControl('hello');
    expect(hello).toMatchObject({ type: 'hello', v: PROTOCOL_VERSION, client: 'test-suite/1' });
    expect(socket.sent).toHaveLength(0);

    socket.reply({ type: 'welcome', id: hello.id, v: PROTOCOL_VERSION, session: 'abc', limits: LIMITS });
    await connecting;
    expect(h.client.status).toBe('open');
    expect(h.client.session).toBe('abc');
    expect(h.client.limits).toEqual(LIMITS);
    expect(statuses).toEqual(['connecting', 'open']);
  });

  it('returns the same attempt when connect() is called while connecting, and resolves at once when open', async () => {
    const h = harness();
    const a = h.client.connect();
    const b = h.client.connect();
    expect(b).toBe(a);
    h.socket().open();
    h.socket().welcome();
    await a;
    await h.client.connect();
    expect(h.fake.sockets).toHaveLength(1);
  });

  it('rejects with the relay error code when the relay refuses hello', async () => {
    const h = harness();
    const connecting = h.client.connect();
    h.socket().open();
    const hello = h.socket().nextControl('hello');
    h.socket().reply({ type: 'error', id: hello.id, code: 'unsupported_version', message: 'v1 only' });
    await expect(connecting).rejects.toMatchObject({ name: 'RoomcastError', code: 'unsupported_version' });
    expect(h.client.status).toBe('closed');
  });

  it('rejects with connect_failed (carrying the close code) when the socket closes before welcome, and does not retry', async () => {
    vi.useFakeTimers();
    const h = harness();
    const closes: { code: number }[] = [];
    h.client.on('close', (c) => closes.push(c));
    const connecting = h.client.connect();
    h.socket().drop(1006);
    await expect(connecting).rejects.toMatchObject({ code: 'connect_failed', closeCode: 1006 });
    expect(h.client.status).toBe('closed');
    expect(closes).toEqual([{ code: 1006, reason: expect.stringContaining('closed before welcome') }]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.fake.sockets).toHaveLength(1);
  });

  it('rejects with timeout when no welcome arrives within connectTimeoutMs, and closes the socket', async () => {
    vi.useFakeTimers();
    const h = harness({ connectTimeoutMs: 2000 });
    const connecting = h.client.connect();
    const outcome = connecting.then(() => 'resolved', (err: unknown) => err);
    h.socket().open();
    await vi.advanceTimersByTimeAsync(1999);
    expect(h.client.status).toBe('connecting');
    await vi.advanceTimersByTimeAsync(1);
    const err = await outcome;
    expect(err).toBeInstanceOf(RoomcastError);
    expect(err).toMatchObject({ code: 'timeout' });
    expect(h.socket().closedWith?.code).toBe(1000);
    expect(h.client.status).toBe('closed');
  });

  it('rejects with connect_failed when the WebSocket constructor throws', async () => {
    const client = new RoomcastClient('not a url', {
      WebSocket: class {
        constructor() {
          throw new SyntaxError('invalid URL');
        }
      } as never,
    });
    await expect(client.connect()).rejects.toMatchObject({ code: 'connect_failed', message: expect.stringContaining('invalid URL') });
    expect(client.status).toBe('closed');
  });

  it('rejects with bad_message when the relay answers hello with something else', async () => {
    const h = harness();
    const connecting = h.client.connect();
    h.socket().open();
    h.socket().nextControl('hello');
    h.socket().reply({ type: 'pong', id: 1 });
    await expect(connecting).rejects.toMatchObject({ code: 'bad_message' });
  });

  it('can connect again after a failed attempt', async () => {
    const h = harness();
    const first = h.client.connect();
    h.socket().drop(1006);
    await expect(first).rejects.toMatchObject({ code: 'connect_failed' });
    const second = h.client.connect();
    h.socket().open();
    h.socket().welcome('second');
    await second;
    expect(h.client.status).toBe('open');
    expect(h.client.session).toBe('second');
  });

  it('rejects a pending connect() with closed when close() is called', async () => {
    const h = harness();
    const connecting = h.client.connect();
    h.client.close();
    await expect(connecting).rejects.toMatchObject({ code: 'closed' });
    expect(h.client.status).toBe('closed');
  });

  it('throws not_connected for requests before connect()', async () => {
    const h = harness();
    await expect(h.client.join('lobby')).rejects.toMatchObject({ code: 'not_connected' });
    await expect(h.client.ping()).rejects.toMatchObject({ code: 'not_connected' });
  });

  it('validates options, naming the field', () => {
    const h = harness();
    expect(() => new RoomcastClient(RELAY_URL, { WebSocket: h.fake.WebSocket, requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs/);
    expect(() => new RoomcastClient(RELAY_URL, { WebSocket: h.fake.WebSocket, reconnect: { factor: 0 } })).toThrow(/factor/);
  });

  it('emits an error (and keeps the connection) for an undecodable frame after welcome', async () => {
    const h = await connected();
    const errors: RoomcastError[] = [];
    h.client.on('error', (e) => errors.push(e));
    h.socket().push(new Uint8Array([0x09, 0x00]));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('bad_frame');
    h.socket().onmessage?.({ data: 'a text message' });
    expect(errors.map((e) => e.code)).toEqual(['bad_frame', 'bad_frame']);
    expect(h.client.status).toBe('open');
  });
});
