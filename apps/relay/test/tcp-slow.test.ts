// Slow TCP readers: a member that stops reading is closed with 4503 once its relay-side write
// buffer passes RELAY_MAX_BUFFERED_BYTES; the room sees member_left; the reader, resuming, gets
// every frame before the close frame in order (no silent gap), and the relay lets go of it.
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
});
