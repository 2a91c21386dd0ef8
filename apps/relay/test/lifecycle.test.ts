// Connection lifecycle against the real relay: dead peers time out, slow readers are cut off
// at the send-buffer cap, and every disappearance produces member_left (no ghosts).
import type { Socket } from 'node:net';
import { CloseCodes } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { httpGet, useRelay, type RawClient } from './helpers.js';

const relay = useRelay();
const start = relay.start.bind(relay);
const open = () => relay.open();
/** The TCP socket under a `ws` client, to stop reading from it (a frozen or half-open peer). */
function tcp(c: RawClient): Socket {
  return (c.ws as unknown as { _socket: Socket })._socket;
}

describe('dead and slow peers', () => {
  it('removes a peer that stops answering (no pongs) after the idle timeout', { timeout: 40_000 }, async () => {
    await start({ idleTimeoutSec: 8 });
    const watcher = await open();
    const wj = await watcher.join('idle');
    const sleeper = await open();
    const sj = await sleeper.join('idle');
    await watcher.nextMessage('member_joined');
    tcp(sleeper).pause(); // stops reading: relay pings go unanswered, like a dropped Wi-Fi link
    // The watcher keeps talking, so only the sleeper is idle.
    const keepAlive = setInterval(() => watcher.sendControl({ type: 'ping', id: 0 }), 1000);
    try {
      const left = await watcher.nextMessage('member_left');
      expect(left).toEqual({ type: 'member_left', room: wj.handle, member: sj.self });
    } finally {
      clearInterval(keepAlive);
    }
    // Only the silent peer went: the watcher, which kept talking, is still served. (No wall-clock
    // bound here: the test's own timeout is the bound, and a busy machine must not fail it.)
    expect(relay.server.relay.connections.size).toBe(1);
    expect(await watcher.request({ type: 'ping' }, 'pong')).toMatchObject({ type: 'pong' });
    expect(relay.server.relay.rooms.size).toBe(1);
  });

  it('disconnects a reader that stops reading once its send buffer passes the hard cap (4503)', async () => {
    await start({ maxBufferedBytes: 64 * 1024, maxPayloadBytes: 16 * 1024, maxMessagesPerSec: 1e6, burstMessages: 1e6, maxBytesPerSec: 1e9, softBufferedBytes: 16 * 1024, backpressureCheckMs: 20 });
    const sender = await open();
    const sj = await sender.join('slow');
    const healthy = await open();
    await healthy.join('slow');
    const slow = await open();
    const slj = await slow.join('slow');
    await sender.nextMessage('member_joined');
    await sender.nextMessage('member_joined');
    tcp(slow).pause();
    /** Frame i: 16 KiB whose first 4 bytes are i and whose other bytes are (i + offset) & 0xff. */
    const payloadOf = (i: number): Uint8Array => {
      const p = Uint8Array.from({ length: 16 * 1024 }, (_, k) => (i + k) & 0xff);
      new DataView(p.buffer).setUint32(0, i);
      return p;
    };
    let sent = 0;
    // Send until the relay reports the slow member gone; bounded in count.
    const left = sender.nextMessage('member_left', (m) => m.member === slj.self);
    let gone = false;
    void left.then(() => { gone = true; });
    while (!gone && sent < 4000) {
      sender.sendData(sj.handle, payloadOf(sent));
      sent++;
      if (sent % 50 === 0) await sender.request({ type: 'ping' }, 'pong');
    }
    expect(gone).toBe(true);
    // The healthy member got every frame, in order, byte for byte, from the sender, nothing dropped.
    for (let i = 0; i < sent; i++) {
      const d = await healthy.nextDeliver();
      expect(d.sender).toBe(sj.self);
      expect(d.room).toBe(sj.handle);
      expect(new DataView(d.payload.buffer, d.payload.byteOffset).getUint32(0)).toBe(i);
      expect(Buffer.from(d.payload).equals(Buffer.from(payloadOf(i)))).toBe(true);
    }
    expect(healthy.frames.filter((f) => f.kind === 'deliver')).toEqual([]);
    // When the slow reader finally reads, it finds the 4503 close after its backlog.
    // Either the relay's check closed it with 4503 (the usual case), or a burst passed twice the
    // cap before the next check and the WebSocket layer dropped it at once (1006). Never a silent gap.
    tcp(slow).resume();
    const closed = await slow.closed;
    expect([CloseCodes.slow_consumer.code, 1006]).toContain(closed.code);
  });

  it('closes with 4503 at once when a direct send pushes a reader past the cap', async () => {
    await start({ maxBufferedBytes: 64 * 1024, softBufferedBytes: 16 * 1024, maxPayloadBytes: 16 * 1024, maxMessagesPerSec: 1e6, burstMessages: 1e6, maxBytesPerSec: 1e9 });
    const sender = await open();
    const sj = await sender.join('direct-slow');
    const slow = await open();
    const slj = await slow.join('direct-slow');
    await sender.nextMessage('member_joined');
    tcp(slow).pause();
    const left = sender.nextMessage('member_left', (m) => m.member === slj.self);
    let gone = false;
    void left.then(() => { gone = true; });
    let sent = 0;
    while (!gone && sent < 4000) {
      sender.sendData(sj.handle, new Uint8Array(16 * 1024), slj.self);
      sent++;
      if (sent % 10 === 0) await sender.request({ type: 'ping' }, 'pong');
    }
    expect(gone).toBe(true);
    expect(relay.server.relay.stats.closes.slow_consumer).toBe(1);
    expect(relay.server.relay.stats.limitHits.buffered_bytes).toBe(1);
    tcp(slow).resume();
    expect((await slow.closed).code).toBe(CloseCodes.slow_consumer.code);
  });

  it('reports member_left when a client closes normally', async () => {
    await start();
    const a = await open();
    const ja = await a.join('bye');
    const b = await open();
    const jb = await b.join('bye');
    await a.nextMessage('member_joined');
    await b.close();
    expect(await a.nextMessage('member_left')).toEqual({ type: 'member_left', room: ja.handle, member: jb.self });
  });

  it('leaves every registry empty after all clients go', async () => {
    await start();
    const all = await Promise.all(Array.from({ length: 30 }, () => open()));
    await Promise.all(all.map((c, i) => c.join(`room-${i % 7}`)));
    expect(relay.server.relay.rooms.size).toBe(7);
    await Promise.all(all.map((c) => c.close()));
    // A fresh client's round trip orders after the closes on the relay's single thread.
    const probe = await open();
    await probe.request({ type: 'ping' }, 'pong');
    expect(relay.server.relay.rooms.size).toBe(0);
    expect(relay.server.relay.connections.size).toBe(1);
    const health = JSON.parse((await httpGet(relay.server, '/healthz')).body) as { rooms: number; connections: number };
    expect(health).toMatchObject({ rooms: 0, connections: 1 });
  });
});

describe('shutdown', () => {
  it('closes every client with 1001 going_away and stops answering HTTP', async () => {
    const s = await start();
    const a = await open();
    await a.join('x');
    await s.close();
    expect((await a.closed).code).toBe(CloseCodes.going_away.code);
    await expect(fetch(`${s.httpUrl}/healthz`)).rejects.toThrow();
  });
});
