// Slow TCP readers: a member that stops reading is closed with 4503 once its relay-side write
// buffer passes RELAY_MAX_BUFFERED_BYTES; the room sees member_left; the reader, resuming, gets
// every frame before the close frame in order (no silent gap), and the relay lets go of it.
import { encodeData, lengthPrefixed } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { useTcpRelay } from './tcp-helpers.js';

const relay = useTcpRelay({ maxMessagesPerSec: 1e6, burstMessages: 1e6, maxBytesPerSec: 1024 ** 3, maxBufferedBytes: 256 * 1024 });

describe('tcp slow consumer', () => {
  it('a reader that stops reading is closed with 4503 and memory stays bounded', { timeout: 30_000 }, async () => {
    const server = await relay.start();
    const slow = await relay.tcpOpen();
    const sender = await relay.wsOpen();
    const { self: slowId } = await slow.join('slow');
    const { handle } = await sender.join('slow');
    slow.socket.pause();

    let gone = false;
    const left = sender.nextMessage('member_left', (m) => m.member === slowId).then(() => { gone = true; });
    const payload = new Uint8Array(16 * 1024);
    let sent = 0;
    let maxBuffered = 0;
    const peerOf = () => [...server.relay.connections].find((c) => c.peer.transport === 'tcp')?.peer;
    // 64 MiB at most; the loopback socket buffers absorb a few MiB before the relay's buffer grows.
    while (!gone && sent < 4096) {
      for (let i = 0; i < 32; i++) {
        new DataView(payload.buffer).setUint32(0, sent++);
        sender.sendData(handle, payload);
      }
      await sender.request({ type: 'ping' }, 'pong');
      maxBuffered = Math.max(maxBuffered, peerOf()?.bufferedAmount() ?? 0);
    }
    await left;
    // The relay's buffer for it never went far past the backstop (twice the cap) plus one batch.
    expect(maxBuffered).toBeLessThanOrEqual(2 * 256 * 1024 + 32 * (16 * 1024 + 12));
    expect(server.relay.connections.size).toBe(1);
    // Counted once, by the core's close path (whether the write backstop or the sweep saw it first).
    expect(server.relay.stats.closes).toEqual({ slow_consumer: 1 });
    expect(server.relay.stats.limitHits.buffered_bytes).toBe(1);

    slow.socket.resume();
    expect((await slow.closed).code).toBe(4503);
    const seqs = slow.frames.filter((f) => f.kind === 'deliver').map((f) => (f.kind === 'deliver' ? new DataView(f.payload.buffer, f.payload.byteOffset).getUint32(0) : -1));
    // At least the relay's own buffer (the 256 KiB cap, 16 KiB frames) was flushed before the close.
    expect(seqs.length).toBeGreaterThanOrEqual(16);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    expect(server.tcp?.connections).toBe(0);
  });

  it('the write backstop is twice RELAY_MAX_BUFFERED_BYTES: a fan-out burst below it in one turn is delivered, one above it closes the member at once with 4503', async () => {
    // 4 KiB cap: backstop 8 KiB. Each frame below is 1,500 payload bytes (about 1.5 KiB on the wire).
    const server = await relay.start({ maxBufferedBytes: 4096, softBufferedBytes: 2048 });
    const reader = await relay.tcpOpen();
    const sender = await relay.tcpOpen();
    const { self: readerId } = await reader.join('burst');
    const { handle } = await sender.join('burst');
    const burst = (count: number, first: number): Uint8Array => Buffer.concat(Array.from({ length: count }, (_, i) => {
      const payload = new Uint8Array(1500).fill(first + i);
      return lengthPrefixed(encodeData({ room: handle }, payload));
    }));
    // Five frames in one write (one read, one turn on the relay): 7.5 KiB queued for the reader, under 8 KiB.
    sender.write(burst(5, 0));
    for (let i = 0; i < 5; i++) expect((await reader.nextDeliver()).payload[0]).toBe(i);
    await reader.request({ type: 'ping' }, 'pong');
    expect(server.relay.stats.limitHits.buffered_bytes ?? 0).toBe(0);
    // Twenty in one write: past the backstop within the turn, so the reader is closed without waiting for the sweep.
    const left = sender.nextMessage('member_left', (m) => m.member === readerId);
    sender.write(burst(20, 5));
    expect(await reader.closed).toEqual({ code: 4503, reason: 'send buffer above the hard cap' });
    await left;
    expect(server.relay.stats.closes).toEqual({ slow_consumer: 1 });
    expect(server.relay.stats.limitHits.buffered_bytes).toBe(1);
    // What it got of the second burst before the close frame is its beginning, in order, and not all of it.
    const got = reader.frames.filter((f) => f.kind === 'deliver').map((f) => (f.kind === 'deliver' ? f.payload[0] : -1));
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(20);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => 5 + i));
  });
});

