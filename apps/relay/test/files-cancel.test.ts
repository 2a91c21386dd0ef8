// File transfers that end early, through the real relay: cancel by the sender and by a
// recipient, sender or recipient leaving mid-transfer, and a recipient too slow to read (closed
// by the relay's slow-consumer rule while the others still get the file).
import { describe, expect, it } from 'vitest';
import { DeliveryClass } from '@roomcast/protocol';
import { FileOp } from '@roomcast/protocol/files';
import { RawTcpClient } from './tcp-helpers.js';
import { nextFile, othersPresent, pattern, reason, same, useFileRelay } from './files-helpers.js';

// 4 MiB/s per connection: a 4 MiB file takes over a second, so "mid-transfer" is certain.
const relay = useFileRelay({ maxBytesPerSec: 4 * 1024 ** 2, maxMessagesPerSec: 10_000, burstMessages: 10_000 });
const FILE = pattern(4 * 1024 * 1024, 21);

/** Resolves on the first progress event of `file`'s receiver. */
function firstProgress(files: { on(e: 'file_progress', l: () => void): () => void }): Promise<void> {
  return new Promise((resolve) => {
    const off = files.on('file_progress', () => { off(); resolve(); });
  });
}

describe('ending a transfer early', () => {
  it('the sender cancels: every recipient gets remote_cancelled, the sender cancelled', async () => {
    await relay.start();
    const sender = await relay.member('cancel');
    const ws = await relay.member('cancel');
    const tcp = await relay.member('cancel', 'tcp');
    await othersPresent(sender, 2);
    const [atWs, atTcp] = [nextFile(ws), nextFile(tcp)];
    const out = sender.files.sendFile(FILE, { name: 'big' });
    const cancels: string[] = [];
    ws.files.on('file_cancel', ({ error }) => cancels.push(error.reason));
    await firstProgress(ws.files);
    out.cancel();
    expect(await reason(out.done)).toBe('cancelled');
    expect(await reason((await atWs).done)).toBe('remote_cancelled');
    expect(await reason((await atTcp).done)).toBe('remote_cancelled');
    expect(cancels).toEqual(['remote_cancelled']);
    expect(out.sent).toBeLessThan(FILE.length);
    expect((await atWs).received).toBeLessThan(FILE.length);
    // No chunk of it follows the cancel: the room is quiet and usable afterwards.
    const next = nextFile(ws);
    sender.files.sendFile(pattern(10), { name: 'after' });
    const after = await next;
    expect(after.name).toBe('after');
    expect(same(await after.done, pattern(10))).toBe(true);
    expect(ws.files.active).toEqual({ incoming: [], outgoing: [] });
  });

  it('a recipient declines a direct file: the sender stops with declined', async () => {
    await relay.start();
    const sender = await relay.member('decline');
    const receiver = await relay.member('decline', 'tcp');
    await othersPresent(sender, 1);
    const at = nextFile(receiver);
    const out = sender.files.sendFile(FILE, { to: receiver.room.self });
    const incoming = await at;
    await firstProgress(receiver.files);
    incoming.cancel();
    expect(await reason(incoming.done)).toBe('cancelled');
    expect(await reason(out.done)).toBe('declined');
    expect(out.sent).toBeLessThan(FILE.length);
  });

  it('one recipient of a broadcast declines: the other still gets every byte', async () => {
    await relay.start();
    const sender = await relay.member('decline-one');
    const quitter = await relay.member('decline-one');
    const keeper = await relay.member('decline-one', 'tcp');
    await othersPresent(sender, 2);
    const [atQuit, atKeep] = [nextFile(quitter), nextFile(keeper)];
    const out = sender.files.sendFile(FILE);
    await firstProgress(quitter.files);
    (await atQuit).cancel();
    expect(same(await (await atKeep).done, FILE)).toBe(true);
    await out.done;
    expect(out.recipients).toEqual(new Set([keeper.room.self]));
  });

  it('the sender leaves mid-transfer: recipients get sender_left, the sender disconnected', async () => {
    await relay.start();
    const sender = await relay.member('sender-leaves');
    const ws = await relay.member('sender-leaves');
    const tcp = await relay.member('sender-leaves', 'tcp');
    await othersPresent(sender, 2);
    const [atWs, atTcp] = [nextFile(ws), nextFile(tcp)];
    const out = sender.files.sendFile(FILE);
    await firstProgress(tcp.files);
    sender.client.close();
    expect(await reason(out.done)).toBe('disconnected');
    expect(await reason((await atWs).done)).toBe('sender_left');
    expect(await reason((await atTcp).done)).toBe('sender_left');
    expect(ws.files.active).toEqual({ incoming: [], outgoing: [] });
  });

  it('the only recipient leaves mid-transfer: the sender stops with recipient_left', async () => {
    await relay.start();
    const sender = await relay.member('recipient-leaves');
    const receiver = await relay.member('recipient-leaves', 'tcp');
    await othersPresent(sender, 1);
    const at = nextFile(receiver);
    const out = sender.files.sendFile(FILE);
    await firstProgress(receiver.files);
    await receiver.room.leave();
    expect(await reason((await at).done)).toBe('disconnected');
    expect(await reason(out.done)).toBe('recipient_left');
    expect(sender.files.active.outgoing).toEqual([]);
    expect(sender.errors).toEqual([]);
  });

  it('a connection that drops and reconnects ends its transfers on both ends; files work after the resync', async () => {
    const server = await relay.start();
    const sender = await relay.member('reconnect');
    const receiver = await relay.member('reconnect', 'tcp', {}, true);
    await othersPresent(sender, 1);
    const at = nextFile(receiver);
    const out = sender.files.sendFile(FILE);
    await firstProgress(receiver.files);
    const resync = new Promise((resolve) => receiver.room.once('resync', resolve));
    const conn = [...server.relay.connections].find((c) => c.peer.transport === 'tcp')!;
    conn.peer.close(4500, 'test: dropped'); // reconnectable
    server.relay.closed(conn);
    expect(await reason((await at).done)).toBe('disconnected');
    expect(await reason(out.done)).toBe('recipient_left');
    await resync;
    await othersPresent(sender, 1);
    const again = nextFile(receiver);
    sender.files.sendFile(pattern(70_000, 3), { to: receiver.room.self });
    expect(same(await (await again).done, pattern(70_000, 3))).toBe(true);
  });

  it('a recipient that stops reading is closed with 4503; the others get the file', { timeout: 60_000 }, async () => {
    const server = await relay.start({ maxBufferedBytes: 256 * 1024, maxBytesPerSec: 64 * 1024 ** 2 });
    const sender = await relay.member('slow');
    const keeper = await relay.member('slow', 'tcp');
    const slow = await RawTcpClient.open(Number(new URL(server.tcpUrl!).port));
    const { self: slowId } = await slow.join('slow');
    await othersPresent(sender, 2);
    slow.socket.pause();
    const at = nextFile(keeper);
    const data = pattern(16 * 1024 * 1024, 33);
    const out = sender.files.sendFile(data);
    expect(same(await (await at).done, data)).toBe(true);
    await out.done;
    // The slow member was closed by the relay (slow consumer) and left the sender's audience.
    expect(out.recipients.has(slowId)).toBe(false);
    expect(server.relay.stats.closes).toEqual({ slow_consumer: 1 });
    slow.socket.resume();
    expect((await slow.closed).code).toBe(4503);
    // What it got before the close is a gap-free prefix of the file's chunks: no silent hole.
    const offsets = slow.frames.flatMap((f) => (f.kind === 'deliver' && f.cls === DeliveryClass.Reliable && f.payload[4] === FileOp.Chunk
      ? [Number(new DataView(f.payload.buffer, f.payload.byteOffset).getBigUint64(9))] : []));
    expect(offsets.length).toBeGreaterThan(0);
    expect(offsets).toEqual(offsets.map((_, i) => i * (16384 - 17)));
  });
});
