// Write coalescing on TCP (issue 17): every frame a TCP peer gets in one event-loop turn goes out
// in one socket write at the end of the turn, in order, with the close frame after them; the
// queued bytes count toward the send-buffer backstop like the socket's own buffer.
import type { Socket } from 'node:net';
import { decodeServerFrame, encodeControl, FrameStreamReader, lengthPrefixed } from '@roomcast/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlushQueue } from '../src/tcp/flush-queue.js';
import { CLOSE_LINGER_MS, FLUSH_NOW_BYTES, TcpPeer, type TcpPeerEvents } from '../src/tcp/peer.js';

/** A socket that records what is written to it. */
function fakeSocket() {
  const writes: Uint8Array[] = [];
  const socket = {
    writableLength: 0, destroyed: false, ended: false,
    write(bytes: Uint8Array) { writes.push(Uint8Array.from(bytes)); return true; },
    end() { socket.ended = true; },
    destroy() { socket.destroyed = true; },
  };
  return { socket, writes };
}

function frames(bytes: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  const reader = new FrameStreamReader(1 << 20);
  for (const b of bytes) reader.push(b, (f) => { out.push(f.slice()); });
  return out;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('tcp write coalescing', () => {
  const events = (backstopBytes = 1 << 20) => {
    const seen = { overflowed: 0, closed: 0 };
    const e: TcpPeerEvents = { backstopBytes, overflowed: () => { seen.overflowed++; }, closed: () => { seen.closed++; } };
    return { e, seen };
  };

  it('writes the frames of one turn in one write, in order, and nothing before the turn ends', async () => {
    const { socket, writes } = fakeSocket();
    const queue = new FlushQueue();
    const peer = new TcpPeer(socket as unknown as Socket, 'test', events().e, queue, 0);
    const sent = [1, 2, 3, 4, 5].map((id) => encodeControl({ type: 'pong', id }));
    for (const f of sent.slice(0, 3)) peer.send(f);
    peer.writeWire(lengthPrefixed(sent[3]!));
    peer.send(sent[4]!);
    expect(writes).toHaveLength(0);
    expect(peer.bufferedAmount()).toBe(sent.reduce((n, f) => n + 4 + f.length, 0));
    await nextTurn();
    expect(writes).toHaveLength(1);
    expect(frames(writes)).toEqual(sent);
    expect(peer.bufferedAmount()).toBe(0);
    // The next turn starts a new batch.
    peer.send(sent[0]!);
    await nextTurn();
    expect(writes).toHaveLength(2);
  });

  it('a close writes the queued frames first, then the close frame, then ends', () => {
    const { socket, writes } = fakeSocket();
    const { e, seen } = events();
    const peer = new TcpPeer(socket as unknown as Socket, 'test', e, new FlushQueue(), 0);
    peer.send(encodeControl({ type: 'pong', id: 1 }));
    peer.close(4503, 'send buffer above the hard cap');
    expect(socket.ended).toBe(true);
    expect(seen.closed).toBe(1);
    const got = frames(writes).map((f) => decodeServerFrame(f));
    expect(got.map((d) => d.ok && d.frame.kind === 'control' && d.frame.message.type)).toEqual(['pong', 'close']);
    // Closed: later frames are dropped, and the turn's flush writes nothing more.
    peer.send(encodeControl({ type: 'pong', id: 2 }));
    expect(writes).toHaveLength(2);
    // A second close (or a policy answer) after the first writes nothing and reports nothing.
    peer.close(4400, 'again');
    peer.endWith(Uint8Array.of(0));
    expect(writes).toHaveLength(2);
    expect(seen.closed).toBe(1);
  });

  it('queued bytes count toward the backstop: past it the peer overflows once and queues nothing more', async () => {
    const { socket, writes } = fakeSocket();
    const { e, seen } = events(100);
    const peer = new TcpPeer(socket as unknown as Socket, 'test', e, new FlushQueue(), 0);
    const frame = new Uint8Array(40).fill(7);
    peer.send(frame);
    peer.send(frame);
    expect(peer.bufferedAmount()).toBe(88);
    peer.send(frame); // 132 > 100
    peer.send(frame); // dropped
    expect(peer.bufferedAmount()).toBe(132);
    await Promise.resolve();
    expect(seen.overflowed).toBe(1);
    await nextTurn();
    expect(frames(writes)).toHaveLength(3);
  });

  it('a turn whose queue reaches 64 KiB is written at once, not at the end of the turn', async () => {
    const { socket, writes } = fakeSocket();
    const peer = new TcpPeer(socket as unknown as Socket, 'test', events(1 << 24).e, new FlushQueue(), 0);
    expect(FLUSH_NOW_BYTES).toBe(65_536);
    peer.writeWire(new Uint8Array(FLUSH_NOW_BYTES - 1).fill(1));
    expect(writes).toHaveLength(0);
    peer.writeWire(Uint8Array.of(2)); // exactly 64 KiB queued
    expect(writes.map((w) => w.length)).toEqual([FLUSH_NOW_BYTES]);
    expect([writes[0]![0], writes[0]![FLUSH_NOW_BYTES - 1]]).toEqual([1, 2]);
    expect(peer.bufferedAmount()).toBe(0);
    await nextTurn();
    expect(writes).toHaveLength(1);
  });

  it('the backstop counts the socket\'s own buffer too, and a queue exactly at it is not over it', async () => {
    const { socket } = fakeSocket();
    const { e, seen } = events(88);
    const peer = new TcpPeer(socket as unknown as Socket, 'test', e, new FlushQueue(), 0);
    const frame = new Uint8Array(40);
    peer.send(frame);
    peer.send(frame); // 88 bytes queued: at the backstop, not past it
    await Promise.resolve();
    expect(seen.overflowed).toBe(0);
    await nextTurn();
    socket.writableLength = 45; // the kernel did not take everything
    peer.send(frame); // 45 + 44 = 89 > 88
    await Promise.resolve();
    expect(seen.overflowed).toBe(1);
    expect(peer.bufferedAmount()).toBe(89);
  });

  it('a closed peer reports nothing buffered, and a destroyed socket is not written to', async () => {
    const { socket, writes } = fakeSocket();
    const peer = new TcpPeer(socket as unknown as Socket, 'test', events().e, new FlushQueue(), 0);
    peer.send(new Uint8Array(10));
    socket.destroyed = true;
    await nextTurn();
    expect(writes).toHaveLength(0);
    socket.writableLength = 100;
    peer.gone();
    expect(peer.closed).toBe(true);
    expect(peer.bufferedAmount()).toBe(0);
  });

  describe('the linger after a close', () => {
    afterEach(() => { vi.useRealTimers(); });

    it('an ended socket that has not finished flushing is destroyed after CLOSE_LINGER_MS, not before', () => {
      vi.useFakeTimers();
      const { socket } = fakeSocket();
      const peer = new TcpPeer(socket as unknown as Socket, 'test', events().e, new FlushQueue(), 0);
      peer.close(4503, 'send buffer above the hard cap');
      expect(socket.ended).toBe(true);
      vi.advanceTimersByTime(CLOSE_LINGER_MS - 1);
      expect(socket.destroyed).toBe(false);
      vi.advanceTimersByTime(1);
      expect(socket.destroyed).toBe(true);
    });

    it('a socket that closes by itself in the meantime cancels the linger', () => {
      vi.useFakeTimers();
      const { socket } = fakeSocket();
      const { e, seen } = events();
      const peer = new TcpPeer(socket as unknown as Socket, 'test', e, new FlushQueue(), 0);
      peer.endWith(Uint8Array.of(1, 2, 3));
      expect(seen.closed).toBe(1);
      peer.gone(); // the socket's 'close': reported once only
      expect(seen.closed).toBe(1);
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});

