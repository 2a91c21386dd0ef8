// One connection's handshake and frames (connection.ts, socket.ts), against the fake socket:
// the exact error each failure gives (code, message, close code), which `error` replies and
// welcomes count as the answer to hello, the token in hello, and the message formats accepted.
import { PROTOCOL_VERSION, encodeControl, encodeDeliver } from '@roomcast/protocol';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { RoomcastClient, type RoomcastError } from '../src/node.js';
import { messageBytes } from '../src/socket.js';
import { type FakeSocket, LIMITS } from './fake-socket.js';
import { connected, harness, joinRoom } from './harness.js';

/** connect() on a fresh client; returns its socket (opened) and the outcome (error or 'open'). */
function connecting(options = {}) {
  const h = harness({ reconnect: false, ...options });
  const outcome = h.client.connect().then(() => 'open' as const, (err: RoomcastError) => err);
  const socket = h.socket();
  return { h, socket, outcome };
}

const fields = (err: unknown) => {
  const e = err as RoomcastError;
  return { code: e.code, message: e.message, closeCode: e.closeCode, closeReason: e.closeReason };
};

describe('handshake failures, exactly', () => {
  it('a close before welcome names the URL, the code and the reason', async () => {
    const { socket, outcome } = connecting();
    socket.open();
    socket.drop(4400, 'bad hello');
    expect(fields(await outcome)).toEqual({
      code: 'connect_failed', message: 'connection to ws://relay.test/ws closed before welcome (code 4400: bad hello)', closeCode: 4400, closeReason: 'bad hello',
    });
  });

  it('without a reason, the message of the socket error event is used; without either, nothing', async () => {
    const a = connecting();
    a.socket.onerror?.({ message: 'connect ECONNREFUSED 127.0.0.1:1' });
    a.socket.drop(1006);
    expect((await a.outcome as RoomcastError).message).toBe('connection to ws://relay.test/ws closed before welcome (code 1006: connect ECONNREFUSED 127.0.0.1:1)');
    for (const event of [{ message: '' }, { message: 42 }, null, 'text', {}]) {
      const b = connecting();
      b.socket.onerror?.(event);
      b.socket.drop(1006);
      expect((await b.outcome as RoomcastError).message).toBe('connection to ws://relay.test/ws closed before welcome (code 1006)');
    }
  });

  it('the deadline error names the URL and the time', async () => {
    const { socket, outcome } = connecting({ connectTimeoutMs: 20 });
    socket.open();
    expect(fields(await outcome)).toEqual({ code: 'timeout', message: 'no welcome from ws://relay.test/ws within 20 ms', closeCode: undefined, closeReason: undefined });
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'handshake failed' });
  });

  it('a welcome of another protocol version is refused', async () => {
    const { socket, outcome } = connecting();
    socket.open();
    const hello = socket.nextControl('hello');
    socket.reply({ type: 'welcome', id: hello.id, v: PROTOCOL_VERSION + 1, session: 's', limits: LIMITS });
    expect(fields(await outcome)).toMatchObject({
      code: 'unsupported_version', message: `relay speaks protocol v${PROTOCOL_VERSION + 1}, this client v${PROTOCOL_VERSION}`,
    });
  });

  it('a welcome for another hello id is not the answer', async () => {
    const { socket, outcome } = connecting();
    socket.open();
    const hello = socket.nextControl('hello');
    socket.reply({ type: 'welcome', id: hello.id + 1, v: PROTOCOL_VERSION, session: 's', limits: LIMITS });
    expect(fields(await outcome)).toMatchObject({ code: 'bad_message', message: "expected welcome from the relay, got 'welcome'" });
  });

  it('an error without id, or with the hello id, refuses the handshake; with another id it is unexpected', async () => {
    for (const [id, want] of [
      [undefined, { code: 'rate_limited', message: 'relay refused the handshake: busy' }],
      ['hello', { code: 'rate_limited', message: 'relay refused the handshake: busy' }],
      ['other', { code: 'bad_message', message: "expected welcome from the relay, got 'error'" }],
    ] as const) {
      const { socket, outcome } = connecting();
      socket.open();
      const hello = socket.nextControl('hello');
      const replyId = id === undefined ? undefined : id === 'hello' ? hello.id : hello.id + 7;
      socket.reply({ type: 'error', ...(replyId === undefined ? {} : { id: replyId }), code: 'rate_limited', message: 'busy' });
      expect(fields(await outcome)).toMatchObject(want);
    }
  });

  it('a data frame, a text message or garbage before welcome fail the handshake', async () => {
    const deliver = connecting();
    deliver.socket.open();
    deliver.socket.push(encodeDeliver({ room: 1, sender: 2 }, Uint8Array.of(1)));
    expect(fields(await deliver.outcome)).toMatchObject({ code: 'bad_message', message: 'expected welcome from the relay, got a deliver frame' });
    const text = connecting();
    text.socket.open();
    text.socket.onmessage?.({ data: 'hello?' });
    expect(fields(await text.outcome)).toMatchObject({ code: 'bad_frame', message: 'relay sent a text message; Roomcast frames are binary' });
    const garbage = connecting();
    garbage.socket.open();
    garbage.socket.push(Uint8Array.of(0x09));
    expect((await garbage.outcome as RoomcastError).message).toMatch(/^undecodable frame from the relay: /);
  });

  it('a hello the socket refuses to send fails with connect_failed', async () => {
    const { socket, outcome } = connecting();
    socket.send = () => {
      throw new Error('socket exploded');
    };
    socket.open();
    const err = await outcome;
    expect(fields(err)).toMatchObject({ code: 'connect_failed', message: 'could not send hello: socket exploded' });
    expect((err as RoomcastError).cause).toEqual(new Error('socket exploded'));
  });

  it('a socket whose close() throws still fails the handshake cleanly', async () => {
    const { socket, outcome } = connecting({ connectTimeoutMs: 10 });
    socket.close = () => {
      throw new Error('reason too long');
    };
    socket.open();
    expect(fields(await outcome)).toMatchObject({ code: 'timeout' });
  });

  it('the constructor error names the URL and the cause', async () => {
    const client = new RoomcastClient('ws://x/', {
      WebSocket: class {
        constructor() {
          throw 'not an Error';
        }
      } as never,
    });
    await expect(client.connect()).rejects.toMatchObject({ code: 'connect_failed', message: 'could not open a WebSocket to ws://x/: not an Error', cause: 'not an Error' });
  });
});

describe('the handshake, from the client', () => {
  it('requests before welcome are refused without being sent', async () => {
    const { h, socket } = connecting();
    socket.open();
    socket.nextControl('hello');
    await expect(h.client.ping()).rejects.toMatchObject({ code: 'not_connected', message: "cannot send 'ping': the client is connecting" });
    expect(socket.sent).toEqual([]);
  });

  it('a timed-out attempt of connect({ retry: true }) counts once, though its close event follows', async () => {
    const h = harness({ connectTimeoutMs: 10, reconnect: { initialDelayMs: 1, maxDelayMs: 1 } });
    const retries: number[] = [];
    h.client.on('retrying', (r) => retries.push(r.failedAttempts));
    const connecting = h.client.connect({ retry: true, maxAttempts: 2 }).catch((e: RoomcastError) => e.code);
    h.socket().open();
    // The first attempt times out (one failure), the second too: then maxAttempts is reached.
    expect(await connecting).toBe('timeout');
    expect([retries, h.fake.sockets.length]).toEqual([[1], 2]);
  });
});

describe('hello', () => {
  it('carries the token from getToken, and no token field without one', async () => {
    const anonymous = connecting();
    anonymous.socket.open();
    expect(anonymous.socket.nextControl('hello')).not.toHaveProperty('token');
    const h = harness({ getToken: () => 'tok-1' });
    void h.client.connect().catch(() => {});
    await new Promise((r) => setTimeout(r, 0));
    h.socket().open();
    expect(h.socket().nextControl('hello').token).toBe('tok-1');
  });

  it('an open event after the attempt ended sends nothing', async () => {
    const { socket, outcome } = connecting({ connectTimeoutMs: 10 });
    await outcome;
    socket.readyState = 1;
    socket.onopen?.({});
    expect(socket.sent).toEqual([]);
  });

  it('hello ids differ between connections', async () => {
    const a = connecting();
    const b = connecting();
    a.socket.open();
    b.socket.open();
    expect(b.socket.nextControl('hello').id).toBe(a.socket.nextControl('hello').id + 1);
  });
});

describe('after welcome', () => {
  it('frames after the close are ignored; a send on a socket that is not open throws not_connected', async () => {
    const h = await connected({ reconnect: false });
    const room = await joinRoom(h, 'r', { handle: 3, self: 1, members: [{ id: 1, presence: null }] });
    const got: number[] = [];
    room.on('message', (m) => got.push(m.payload[0]!));
    const socket = h.socket();
    socket.readyState = 2; // closing: the client's view is still open
    expect(() => room.send(Uint8Array.of(1))).toThrow(expect.objectContaining({ code: 'not_connected', message: 'the connection is not open' }));
    socket.readyState = 1;
    socket.drop(1000);
    socket.push(encodeDeliver({ room: 3, sender: 2 }, Uint8Array.of(5)));
    expect(got).toEqual([]);
  });

  it('bufferedAmount is the socket\'s, 0 when the socket has none', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'r', { handle: 3, self: 1, members: [{ id: 1, presence: null }, { id: 2, presence: null }] });
    const { roomFiles } = await import('../src/files/index.js');
    const files = roomFiles(room, { highWaterBytes: 10 });
    (h.socket() as FakeSocket & { bufferedAmount?: number }).bufferedAmount = 11;
    const file = files.sendFile(Uint8Array.of(1), { name: 'a', type: 'b' });
    await new Promise((r) => setTimeout(r, 20));
    expect(file.sent).toBe(0); // held back: 11 bytes buffered, above the mark
    (h.socket() as FakeSocket & { bufferedAmount?: number }).bufferedAmount = undefined;
    await file.done;
    expect(file.sent).toBe(1);
  });
});

describe('messageBytes', () => {
  it('reads an ArrayBuffer, a view (with its offset), a buffer from another realm; not text', () => {
    const buffer = Uint8Array.of(1, 2, 3, 4).buffer;
    expect([...messageBytes(buffer)!]).toEqual([1, 2, 3, 4]);
    expect([...messageBytes(new Uint8Array(buffer, 1, 2))!]).toEqual([2, 3]);
    expect([...messageBytes(new DataView(buffer, 2))!]).toEqual([3, 4]);
    const foreign: unknown = runInNewContext('new Uint8Array([7, 8]).buffer'); // another realm: instanceof fails
    expect(foreign instanceof ArrayBuffer).toBe(false);
    expect([...messageBytes(foreign)!]).toEqual([7, 8]);
    expect(messageBytes('text')).toBeUndefined();
    expect(messageBytes({})).toBeUndefined();
    expect(messageBytes(encodeControl({ type: 'ping', id: 1 }))?.[0]).toBe(1);
  });
});
