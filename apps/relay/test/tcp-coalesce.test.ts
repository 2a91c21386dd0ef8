// Write coalescing on TCP (issue 17): every frame a TCP peer gets in one event-loop turn goes out
// in one socket write at the end of the turn, in order, with the close frame after them; the
// queued bytes count toward the send-buffer backstop like the socket's own buffer.
import type { Socket } from 'node:net';
import { decodeServerFrame, encodeControl, FrameStreamReader, lengthPrefixed } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { FlushQueue } from '../src/tcp/flush-queue.js';
import { TcpPeer, type TcpPeerEvents } from '../src/tcp/peer.js';

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
});
