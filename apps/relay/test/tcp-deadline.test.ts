// Slow partial frames on raw TCP (issue 14, item 4): only complete frames count as activity, and a
// frame must complete within TCP_FRAME_TIMEOUT_SEC of its first byte, so a client trickling the
// bytes of a frame it never finishes cannot hold its connection (and the memory of its claim).
// Real sockets; the relay runs on a fake clock, so the deadlines pass in milliseconds.
import { describe, expect, it } from 'vitest';
import { encodeControl, lengthPrefixed } from '@roomcast/protocol';
import { FakeClock } from './fakes.js';
import { useTcpRelay, type RawTcpClient } from './tcp-helpers.js';

const relay = useTcpRelay();

/** Writes one byte and waits until the relay has read it (a ping answered on another connection). */
async function trickle(client: RawTcpClient, byte: number, probe: RawTcpClient): Promise<void> {
  client.write(Uint8Array.of(byte));
  await probe.request({ type: 'ping' }, 'pong');
}

describe('tcp frame deadline', () => {
  it('closes a client trickling one frame with 4408 at the frame deadline, although bytes keep coming', async () => {
    const clock = new FakeClock();
    const server = await relay.start({ idleTimeoutSec: 32, tcpFrameTimeoutSec: 10 }, clock);
    const slow = await relay.tcpOpen();
    const probe = await relay.tcpOpen();
    // A 1,000-byte frame announced, then one byte of it every 2 s: always well inside the idle window.
    slow.write(Uint8Array.of(0, 0, 0x03, 0xe8));
    await probe.request({ type: 'ping' }, 'pong');
    for (let i = 0; i < 4; i++) {
      clock.advance(2_000);
      await trickle(slow, 0x01, probe);
    }
    expect(server.relay.connections.size).toBe(2);
    clock.advance(2_000); // 10 s since the first byte of the frame
    expect(await slow.closed).toEqual({ code: 4408, reason: 'frame not completed within 10 s' });
    expect(server.relay.stats.limitHits.frame_timeout).toBe(1);
    expect(server.relay.stats.closes.timeout).toBe(1);
    // The probe sent whole frames all along and stays.
    await probe.request({ type: 'ping' }, 'pong');
    expect(server.relay.connections.size).toBe(1);
  });

  it('without a frame deadline, bytes of an unfinished frame do not reset the idle timer', async () => {
    const clock = new FakeClock();
    const server = await relay.start({ idleTimeoutSec: 8, tcpFrameTimeoutSec: 0 }, clock);
    const slow = await relay.tcpOpen();
    const probe = await relay.tcpOpen();
    clock.advance(2_000);
    // The first bytes of a frame, 2 s after the hello: not activity either.
    slow.write(Uint8Array.of(0, 0, 0x03, 0xe8));
    await probe.request({ type: 'ping' }, 'pong');
    const heartbeat = slow.nextMessage('heartbeat');
    for (let i = 0; i < 2; i++) {
      clock.advance(2_000);
      await trickle(slow, 0x01, probe);
      await probe.request({ type: 'ping' }, 'pong');
    }
    await heartbeat; // half the window after its last complete frame (the hello)
    clock.advance(2_000); // 8 s after the hello: the idle timeout
    expect(await slow.closed).toEqual({ code: 4408, reason: 'nothing received within the idle timeout' });
    expect(server.relay.stats.limitHits.frame_timeout).toBe(0);
  });

  it('a frame split across segments that completes within the deadline keeps the connection', async () => {
    const clock = new FakeClock();
    const server = await relay.start({ idleTimeoutSec: 32, tcpFrameTimeoutSec: 10 }, clock);
    const client = await relay.tcpOpen();
    const probe = await relay.tcpOpen();
    const wire = lengthPrefixed(encodeControl({ type: 'ping', id: 9 }));
    for (let round = 0; round < 3; round++) {
      client.write(wire.subarray(0, 3));
      await probe.request({ type: 'ping' }, 'pong');
      clock.advance(9_000);
      const pong = client.nextMessage('pong');
      client.write(wire.subarray(3));
      expect((await pong).id).toBe(9);
    }
    clock.advance(9_000);
    await client.request({ type: 'ping' }, 'pong');
    expect(server.relay.connections.size).toBe(2);
    expect(server.relay.stats.limitHits.frame_timeout).toBe(0);
  });

  it('the sweep runs every eighth of the shortest deadline: a frame begun off its beat is closed at the first sweep past its deadline, not before', async () => {
    const clock = new FakeClock();
    // Idle timeout off, frame deadline 1 s: sweeps at 125 ms, 250 ms, … of the relay's clock.
    const server = await relay.start({ idleTimeoutSec: 0, tcpFrameTimeoutSec: 1 }, clock);
    const slow = await relay.tcpOpen();
    const probe = await relay.tcpOpen();
    clock.advance(100);
    slow.write(Uint8Array.of(0, 0)); // half a length prefix, at 100 ms
    await probe.request({ type: 'ping' }, 'pong');
    clock.advance(1_024); // 1,124 ms: past the deadline (1,100 ms), but no sweep since the one at 1,000 ms
    await probe.request({ type: 'ping' }, 'pong');
    expect(server.relay.connections.size).toBe(2);
    clock.advance(1); // the sweep at 1,125 ms
    expect(await slow.closed).toEqual({ code: 4408, reason: 'frame not completed within 1 s' });
    // With the idle timeout off, the probe (silent since its last ping) stays.
    clock.advance(60_000);
    await probe.request({ type: 'ping' }, 'pong');
    expect(server.relay.connections.size).toBe(1);
    expect(server.relay.stats.limitHits.frame_timeout).toBe(1);
  });

  it('with the frame deadline off, the sweep runs every eighth of the idle timeout', async () => {
    const clock = new FakeClock();
    // Idle timeout 8 s: sweeps at 1 s, 2 s, … of the relay's clock.
    const server = await relay.start({ idleTimeoutSec: 8, tcpFrameTimeoutSec: 0 }, clock);
    clock.advance(100);
    const silent = await relay.tcpOpen(); // heard at 100 ms
    const heartbeat = silent.nextMessage('heartbeat');
    clock.advance(4_900); // 5 s: the first sweep past half its window (4.1 s)
    await heartbeat;
    clock.advance(3_999); // 8.999 s: past its idle timeout (8.1 s), but no sweep since the one at 8 s
    const probe = await relay.tcpOpen();
    await probe.request({ type: 'ping' }, 'pong');
    expect(server.relay.connections.size).toBe(2);
    clock.advance(1); // the sweep at 9 s
    expect(await silent.closed).toEqual({ code: 4408, reason: 'nothing received within the idle timeout' });
  });
});

