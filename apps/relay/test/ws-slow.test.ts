// Slow WebSocket readers: uWS buffers what the kernel does not take; the relay's periodic check
// closes a member whose buffer passes RELAY_MAX_BUFFERED_BYTES with 4503 (uWS's own backstop sits
// at twice that, so it does not close first), and the reader, resuming, gets every frame before
// the close frame in order. The relay runs on a fake clock: the check runs when the test says so.
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './fakes.js';
import { useRelay } from './helpers.js';

const relay = useRelay({ maxMessagesPerSec: 1e6, burstMessages: 1e6, maxBytesPerSec: 1024 ** 3 });

describe('websocket slow consumer', () => {
  it('a reader that stops reading is closed with 4503 by the relay\'s check, before uWS\'s backstop at twice the cap', { timeout: 30_000 }, async () => {
    const clock = new FakeClock();
    const server = await relay.start({ maxBufferedBytes: 64 * 1024, softBufferedBytes: 32 * 1024, backpressureCheckMs: 100 }, clock);
    const slow = await relay.open();
    const [slowConn] = [...server.relay.connections];
    const sender = await relay.open();
    const { self: slowId } = await slow.join('slow');
    const { handle } = await sender.join('slow');
    (slow.ws as unknown as { _socket: Socket })._socket.pause();

    let gone = false;
    const left = sender.nextMessage('member_left', (m) => m.member === slowId).then(() => { gone = true; });
    const payload = new Uint8Array(1024);
    let sent = 0;
    let maxBuffered = 0;
    // 8 KiB per round, then the relay's check: the buffer grows by at most 8 KiB between checks,
    // so the check sees it between 64 KiB and 72 KiB, far below uWS's 128 KiB. At most 32 MiB.
    while (!gone && sent < 32 * 1024) {
      for (let i = 0; i < 8; i++) {
        new DataView(payload.buffer).setUint32(0, sent++);
        sender.sendData(handle, payload);
      }
      await sender.request({ type: 'ping' }, 'pong');
      maxBuffered = Math.max(maxBuffered, slowConn!.peer.bufferedAmount());
      clock.advance(100);
      await sender.request({ type: 'ping' }, 'pong');
    }
    await left;
    expect(maxBuffered).toBeGreaterThan(64 * 1024);
    expect(maxBuffered).toBeLessThanOrEqual(64 * 1024 + 8 * (1024 + 16));
    expect(server.relay.stats.closes).toEqual({ slow_consumer: 1 });
    expect(server.relay.stats.limitHits.buffered_bytes).toBe(1);

    (slow.ws as unknown as { _socket: Socket })._socket.resume();
    expect(await slow.closed).toEqual({ code: 4503, reason: 'send buffer above the hard cap' });
    const seqs = slow.frames.filter((f) => f.kind === 'deliver').map((f) => (f.kind === 'deliver' ? new DataView(f.payload.buffer, f.payload.byteOffset).getUint32(0) : -1));
    expect(seqs.length).toBeGreaterThan(64);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    expect(server.relay.connections.size).toBe(1);
  });
});
