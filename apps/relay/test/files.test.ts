// File transfer through the real relay (SDK `@roomcast/client/files`, PROTOCOL.md appendix B):
// sizes at the chunk boundaries, 20 MB, two at once, direct, streams and Blobs, WebSocket and TCP
// members in one room, and pacing that never trips the relay's rate limit at its default budgets.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FILE_CHUNK_HEADER_BYTES } from '@roomcast/protocol/files';
import { nextFile, othersPresent, pattern, same, useFileRelay } from './files-helpers.js';

const FAST = { maxBytesPerSec: 512 * 1024 ** 2, maxMessagesPerSec: 100_000, burstMessages: 100_000 };
const relay = useFileRelay(FAST);
const ONE_CHUNK = 16384 - FILE_CHUNK_HEADER_BYTES;

describe('sendFile through the relay', () => {
  it.each([0, 1, ONE_CHUNK, ONE_CHUNK + 1, 3 * ONE_CHUNK])('%i bytes reach a WebSocket and a TCP member byte-identical', async (size) => {
    await relay.start();
    const sender = await relay.member('sizes');
    const ws = await relay.member('sizes', 'ws');
    const tcp = await relay.member('sizes', 'tcp');
    await othersPresent(sender, 2);
    const progress: number[] = [];
    ws.files.on('file_progress', (f) => progress.push(f.received));
    const atWs = nextFile(ws);
    const atTcp = nextFile(tcp);
    const data = pattern(size);
    const out = sender.files.sendFile(data, { name: 'pic.png', type: 'image/png' });
    const sent: number[] = [];
    sender.files.on('send_progress', (f) => sent.push(f.sent));
    for (const incoming of [await atWs, await atTcp]) {
      expect(incoming).toMatchObject({ id: out.id, name: 'pic.png', type: 'image/png', size, sender: sender.room.self, direct: false });
      expect(same(await incoming.done, data)).toBe(true);
      expect(incoming.state).toBe('done');
    }
    await out.done;
    const chunks = Math.ceil(size / ONE_CHUNK);
    expect(progress).toEqual(Array.from({ length: chunks }, (_, i) => Math.min(size, (i + 1) * ONE_CHUNK)));
    expect(sent).toEqual(progress);
    // File messages never reach 'message' listeners, and the relay refused nothing.
    for (const m of [ws, tcp, sender]) expect({ messages: m.messages, errors: m.errors }).toEqual({ messages: [], errors: [] });
  });

  it('20 MB to a WebSocket and a TCP member, byte-identical, while ordinary messages still flow', { timeout: 120_000 }, async () => {
    await relay.start();
    const sender = await relay.member('big');
    const ws = await relay.member('big', 'ws');
    const tcp = await relay.member('big', 'tcp');
    await othersPresent(sender, 2);
    const data = pattern(20 * 1024 * 1024, 7);
    const atWs = nextFile(ws);
    const atTcp = nextFile(tcp);
    const out = sender.files.sendFile(data, { name: 'map.bin' });
    sender.room.send(Uint8Array.of(1, 2, 3));
    const [a, b] = [await atWs, await atTcp];
    expect(same(await a.done, data)).toBe(true);
    expect(same(await b.done, data)).toBe(true);
    await out.done;
    expect(out.sent).toBe(data.length);
    expect(ws.messages.map((m) => [...m.payload])).toEqual([[1, 2, 3]]);
    expect(tcp.messages.map((m) => [...m.payload])).toEqual([[1, 2, 3]]);
    expect([...sender.errors, ...ws.errors, ...tcp.errors]).toEqual([]);
  });

  it('two files at once from one sender and one from another member all arrive intact', { timeout: 60_000 }, async () => {
    await relay.start();
    const a = await relay.member('two');
    const b = await relay.member('two', 'tcp');
    const c = await relay.member('two');
    await othersPresent(a, 2);
    await othersPresent(b, 2);
    const got = new Map<string, Uint8Array>();
    const three = new Promise<void>((resolve) => {
      const pending: Promise<void>[] = [];
      c.files.on('file_start', (f) => {
        pending.push(f.done.then((bytes) => { got.set(f.name, bytes); }));
        if (pending.length === 3) void Promise.all(pending).then(() => resolve());
      });
    });
    const x = pattern(2 * 1024 * 1024, 2);
    const y = pattern(1024 * 1024 + 5, 3);
    const z = pattern(700_001, 4);
    const outs = [a.files.sendFile(x, { name: 'x' }), a.files.sendFile(y, { name: 'y' }), b.files.sendFile(z, { name: 'z' })];
    expect(outs[0]!.id).not.toBe(outs[1]!.id);
    await Promise.all(outs.map((o) => o.done));
    await three;
    expect(same(got.get('x')!, x) && same(got.get('y')!, y) && same(got.get('z')!, z)).toBe(true);
  });

  it('a direct file reaches its target only', async () => {
    await relay.start();
    const sender = await relay.member('direct');
    const target = await relay.member('direct', 'tcp');
    const other = await relay.member('direct');
    await othersPresent(sender, 2);
    let otherSaw = 0;
    other.files.on('file_start', () => otherSaw++);
    const at = nextFile(target);
    const data = pattern(50_000, 9);
    const out = sender.files.sendFile(data, { name: 'secret', to: target.room.self });
    const incoming = await at;
    expect(incoming.direct).toBe(true);
    expect(same(await incoming.done, data)).toBe(true);
    await out.done;
    await other.client.ping();
    await sender.client.ping();
    expect(otherSaw).toBe(0);
    expect(() => sender.files.sendFile(data, { to: sender.room.self })).toThrow(RangeError);
  });

  it('sends a Node stream (with size) and a Blob', async () => {
    await relay.start();
    const sender = await relay.member('sources');
    const receiver = await relay.member('sources', 'tcp');
    await othersPresent(sender, 1);
    const data = pattern(100_003, 5);
    // Uneven pieces, so the SDK has to re-cut them into chunks.
    const pieces = [data.subarray(0, 7), data.subarray(7, 40_000), data.subarray(40_000)];
    let at = nextFile(receiver);
    sender.files.sendFile(Readable.from(pieces), { name: 'stream', size: data.length });
    expect(same(await (await at).done, data)).toBe(true);
    at = nextFile(receiver);
    sender.files.sendFile(new Blob([data], { type: 'application/x-test' }), { name: 'blob' });
    const blobFile = await at;
    expect(blobFile.type).toBe('application/x-test');
    expect(same(await blobFile.done, data)).toBe(true);
    expect(() => sender.files.sendFile(Readable.from(pieces), { name: 'no size' })).toThrow(/size/);
  });

  it('with collect: false a receiver gets the bytes as file_data only, in order', async () => {
    await relay.start();
    const sender = await relay.member('streamed');
    const receiver = await relay.member('streamed', 'tcp', { collect: false });
    await othersPresent(sender, 1);
    const data = pattern(5 * ONE_CHUNK + 3, 6);
    const hash = createHash('sha256');
    const offsets: number[] = [];
    receiver.files.on('file_data', ({ offset, data: chunk }) => {
      offsets.push(offset);
      hash.update(chunk);
    });
    const at = nextFile(receiver);
    sender.files.sendFile(data);
    const bytes = await (await at).done;
    expect(bytes.length).toBe(0);
    expect(offsets).toEqual([0, 1, 2, 3, 4, 5].map((i) => i * ONE_CHUNK));
    expect(hash.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('a stream shorter than its size fails on both ends', async () => {
    await relay.start();
    const sender = await relay.member('short');
    const receiver = await relay.member('short');
    await othersPresent(sender, 1);
    const at = nextFile(receiver);
    const out = sender.files.sendFile(Readable.from([pattern(1000)]), { size: 2000 });
    const incoming = await at;
    await expect(out.done).rejects.toMatchObject({ reason: 'failed' });
    await expect(incoming.done).rejects.toMatchObject({ reason: 'failed' });
  });
});

describe('pacing at the relay default budgets', () => {
  it('a 768 KiB file never gets rate_limited (256 KiB/s per connection)', { timeout: 30_000 }, async () => {
    const server = await relay.start({ maxBytesPerSec: 262144, maxMessagesPerSec: 200, burstMessages: 400 });
    const sender = await relay.member('paced');
    const receiver = await relay.member('paced', 'tcp');
    await othersPresent(sender, 1);
    const data = pattern(768 * 1024, 11);
    const at = nextFile(receiver);
    // Cursors beside it: latest values are never refused, but count toward the byte budget.
    const cursor = setInterval(() => sender.room.sendLatest(1, pattern(8)), 16);
    const out = sender.files.sendFile(data);
    try {
      expect(same(await (await at).done, data)).toBe(true);
      await out.done;
    } finally {
      clearInterval(cursor);
    }
    expect(sender.errors).toEqual([]);
    expect([server.relay.stats.limitHits.messages_per_sec, server.relay.stats.limitHits.bytes_per_sec]).toEqual([0, 0]);
  });
});
