// TCP framing against the real relay: frames split at every byte boundary, many frames in one
// segment, random segmentation (fast-check), zero and oversized length prefixes, garbage first.
import { DeliveryClass, encodeControl, encodeData, lengthPrefixed, PROTOCOL_VERSION } from '@roomcast/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex, RawTcpClient, useTcpRelay } from './tcp-helpers.js';

const relay = useTcpRelay({ maxMessagesPerSec: 1e6, burstMessages: 1e6 });

/** hello, join "seg", then `n` data frames to handle 1 with payload [i]: one byte stream. */
function stream(room: string, n: number): Uint8Array {
  const frames = [
    encodeControl({ type: 'hello', id: 1, v: PROTOCOL_VERSION }),
    encodeControl({ type: 'join', id: 2, room }),
    ...Array.from({ length: n }, (_, i) => encodeData({ room: 1 }, Uint8Array.of(i, 0xaa))),
  ];
  return Buffer.concat(frames.map(lengthPrefixed));
}

/** Writes `bytes` cut at `cuts` (sorted offsets), one write per piece, each after the previous was flushed. */
async function writeInPieces(c: RawTcpClient, bytes: Uint8Array, cuts: number[]): Promise<void> {
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut <= at) continue;
    await new Promise<void>((resolve) => c.socket.write(bytes.subarray(at, cut), () => resolve()));
    at = cut;
  }
}

/** A WebSocket watcher in room `room` (so it gets handle 1) that collects `n` payloads in order. */
async function watcher(room: string) {
  const ws = await relay.wsOpen();
  const joined = await ws.join(room);
  expect(joined.handle).toBe(1);
  return {
    async payloads(n: number): Promise<string[]> {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push(hex((await ws.nextDeliver()).payload));
      return out;
    },
  };
}

const expected = (n: number) => Array.from({ length: n }, (_, i) => hex(Uint8Array.of(i, 0xaa)));

describe('tcp framing', () => {
  it('reassembles a stream split at every byte boundary', async () => {
    await relay.start();
    const bytes = stream('split', 2);
    const w = await watcher('split');
    for (let cut = 1; cut < bytes.length; cut++) {
      const c = await relay.tcpConnect();
      await writeInPieces(c, bytes, [cut]);
      expect(await w.payloads(2)).toEqual(expected(2));
      await c.close();
    }
  });

  it('reassembles a stream sent one byte per write', async () => {
    await relay.start();
    const bytes = stream('bytewise', 3);
    const w = await watcher('bytewise');
    const c = await relay.tcpConnect();
    await writeInPieces(c, bytes, Array.from({ length: bytes.length }, (_, i) => i + 1));
    expect(await w.payloads(3)).toEqual(expected(3));
  });

  it('reads many frames packed in one segment', async () => {
    await relay.start();
    const w = await watcher('packed');
    const c = await relay.tcpConnect();
    c.write(stream('packed', 200));
    expect(await w.payloads(200)).toEqual(expected(200));
    // The hello and join replies came back too, in order.
    expect((await c.nextMessage('welcome')).id).toBe(1);
    expect((await c.nextMessage('joined')).id).toBe(2);
  });

  it('fast-check: any segmentation of a valid stream delivers every frame in order', async () => {
    await relay.start();
    const bytes = stream('fuzz', 12);
    const w = await watcher('fuzz');
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), async (cuts) => {
        const c = await RawTcpClient.connect(relay.tcpPort);
        await writeInPieces(c, bytes, cuts.sort((a, b) => a - b));
        expect(await w.payloads(12)).toEqual(expected(12));
        await c.close();
      }),
      { numRuns: 60 },
    );
  });

  it('a zero length prefix is an empty frame: bad_frame, and the stream goes on', async () => {
    await relay.start();
    const c = await relay.tcpOpen();
    c.write(Uint8Array.of(0, 0, 0, 0));
    expect(await c.nextError('bad_frame')).toMatchObject({ message: 'empty frame' });
    await c.request({ type: 'ping' }, 'pong');
  });

  it.each([
    ['4 GiB - 1', 'ffffffff'],
    ['one above the cap', '00004008'],
  ])('a length prefix above the cap (%s) gets bad_frame and close 1009 after its 4 bytes', async (_name, prefix) => {
    const server = await relay.start();
    expect(server.relay.maxFrameBytes).toBe(16391); // 0x4007: the cap the second case exceeds by one
    const c = await relay.tcpOpen();
    const before = process.memoryUsage().arrayBuffers;
    // Only the prefix is sent: the relay must not wait for (or allocate) the claimed bytes.
    c.write(Buffer.from(prefix, 'hex'));
    const err = await c.nextError('bad_frame');
    expect(err.message).toContain(`length prefix of ${Number.parseInt(prefix, 16)} bytes is above the frame cap of 16391`);
    expect(await c.closed).toEqual({ code: 1009, reason: 'frame above the size cap' });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
    // Counted by the core's close path, as for a WebSocket frame above the cap.
    expect(server.relay.stats.limitHits.frame_bytes).toBe(1);
    expect(server.relay.stats.closes).toEqual({ message_too_big: 1 });
    expect(server.relay.stats.errors.bad_frame).toBe(1);
  });

  it('a frame of exactly the cap (16391 bytes) is read whole, then judged by the core (payload_too_large)', async () => {
    const server = await relay.start();
    const c = await relay.tcpOpen();
    const { handle } = await c.join('big');
    const other = await relay.tcpOpen();
    const { self: target } = await other.join('big');
    // Header 4 + target 2 + payload 16385: the cap exactly, one payload byte above RELAY_MAX_PAYLOAD_BYTES.
    const frame = encodeData({ room: handle, cls: DeliveryClass.Droppable, target }, new Uint8Array(16385));
    expect(frame.length).toBe(server.relay.maxFrameBytes);
    c.sendFrame(frame);
    expect(await c.nextError('payload_too_large')).toMatchObject({ room: handle });
    await c.request({ type: 'ping' }, 'pong'); // still connected: the framing accepted the record
    expect(c.frames.filter((f) => f.kind === 'control' && f.message.type === 'error')).toEqual([]);
  });

  it('the largest accepted payload (16384 bytes, direct: a 16390-byte frame) arrives whole', async () => {
    await relay.start();
    const c = await relay.tcpOpen();
    const { handle, self } = await c.join('big');
    const other = await relay.tcpOpen();
    const { self: target } = await other.join('big');
    const payload = Uint8Array.from({ length: 16384 }, (_, i) => (i * 7) & 0xff);
    c.sendFrame(encodeData({ room: handle, target }, payload));
    const got = await other.nextDeliver();
    expect(got).toMatchObject({ sender: self, direct: true });
    expect(hex(got.payload)).toBe(hex(payload));
  });

  it('a whole frame one byte above the cap (16392 bytes) gets bad_frame and close 1009', async () => {
    await relay.start();
    const c = await relay.tcpOpen();
    const { handle } = await c.join('big');
    c.sendFrame(encodeData({ room: handle, cls: DeliveryClass.Droppable, target: 1 }, new Uint8Array(16386)));
    expect((await c.nextError('bad_frame')).message).toContain('length prefix of 16392 bytes is above the frame cap of 16391');
    expect((await c.closed).code).toBe(1009);
  });

  it('an HTTP request on the TCP port is refused after its first 4 bytes', async () => {
    await relay.start();
    const c = await relay.tcpConnect();
    c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await c.nextError('bad_frame')).message).toContain('length prefix of 1195725856 bytes'); // "GET "
    expect((await c.closed).code).toBe(1009);
  });

  it('garbage frames before the handshake get typed errors, then close 4400', async () => {
    await relay.start({ maxProtocolErrors: 3 });
    const c = await relay.tcpConnect();
    c.write(Buffer.from('00000003ffffff' + '000000020000' + '0000000101', 'hex'));
    expect((await c.nextError('bad_frame')).message).toBe('unknown frame kind 0xff');
    expect((await c.nextError('bad_frame')).message).toBe('unknown frame kind 0x00');
    await c.nextError('bad_frame');
    expect((await c.closed).code).toBe(4400);
  });

  it('a data frame before hello: handshake_required and close 4400', async () => {
    await relay.start();
    const c = await relay.tcpConnect();
    c.sendData(1, Uint8Array.of(1));
    await c.nextError('handshake_required');
    expect((await c.closed).code).toBe(4400);
  });
});
