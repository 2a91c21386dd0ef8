// File transfer (`@roomcast/client/files`) against the fake socket: the test plays the relay and
// the other members, so every frame the SDK sends is read back byte for byte (PROTOCOL.md
// appendix B) and every event is checked in order. The real-relay tests are in apps/relay/test/files*.
import { DeliveryClass, encodeDeliver, type Limits } from '@roomcast/protocol';
import {
  FileCancelReason, decodeFileMessage, encodeFileCancel, encodeFileChunk, encodeFileStart, type FileMessage,
} from '@roomcast/protocol/files';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileTransferError, roomFiles, type RoomFilesOptions } from '../src/files/index.js';
import type { FakeSocket } from './fake-socket.js';
import { harness } from './harness.js';

const HANDLE = 4;
const SELF = 1;
const member = (id: number) => ({ id, presence: null });

/** A client in room 'files' as member 1 with members 2 and 3; pacing off unless limits say otherwise. */
async function setup(limits: Partial<Limits> = {}, options: RoomFilesOptions = {}, members = [1, 2, 3], fileBytesPerSec?: number) {
  const h = harness({ reconnect: false });
  const connecting = h.client.connect();
  const socket = h.socket();
  socket.open();
  socket.welcome('s', { maxBytesPerSec: 0, maxMessagesPerSec: 0, ...limits });
  await connecting;
  const joining = h.client.join('files');
  const join = socket.nextControl('join');
  socket.reply({ type: 'joined', id: join.id, room: 'files', handle: HANDLE, self: SELF, members: members.map(member), ...(fileBytesPerSec === undefined ? {} : { fileBytesPerSec }) });
  const room = await joining;
  const files = roomFiles(room, options);
  const log: unknown[][] = [];
  files.on('file_start', (f) => log.push(['file_start', f.sender, f.id, f.name, f.type, f.size, f.direct]));
  files.on('file_data', ({ file, offset, data }) => log.push(['file_data', file.id, offset, [...data]]));
  files.on('file_progress', (f) => log.push(['file_progress', f.id, f.received]));
  files.on('file_end', ({ file, bytes }) => log.push(['file_end', file.id, file.state, [...bytes]]));
  files.on('file_cancel', ({ file, error }) => log.push(['file_cancel', file.id, file.state, error.reason, error.message]));
  files.on('send_progress', (f) => log.push(['send_progress', f.id, f.sent]));
  files.on('send_end', (f) => log.push(['send_end', f.id, f.state]));
  files.on('send_cancel', ({ file, error }) => log.push(['send_cancel', file.id, file.state, error.reason, error.message]));
  const messages: number[][] = [];
  room.on('message', (m) => messages.push([m.sender, ...m.payload]));
  return { h, socket, room, files, log, messages };
}

/** Bob (or `sender`) sends a file message to the room (or to us alone with `direct`). */
function from(socket: FakeSocket, payload: Uint8Array, sender = 2, direct = false): void {
  socket.push(encodeDeliver({ room: HANDLE, sender, direct }, payload));
}

/** Every data frame the client sent since the last call, as [target, decoded file message]. */
function sentFiles(socket: FakeSocket): [number | undefined, FileMessage | undefined][] {
  const out: [number | undefined, FileMessage | undefined][] = [];
  while (socket.sent.length > 0) {
    const frame = socket.nextData();
    expect([frame.room, frame.cls]).toEqual([HANDLE, DeliveryClass.Reliable]);
    out.push([frame.target, decodeFileMessage(frame.payload)]);
  }
  return out;
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const chunk = (id: number, offset: number, data: number[]) => ({ op: 'chunk', id, offset, data: Uint8Array.from(data) });

describe('receiving a file', () => {
  it('emits start, each chunk, progress and the whole file, in order', async () => {
    const { socket, files, log, messages } = await setup();
    from(socket, encodeFileStart(7, 5, 'notes.txt', 'text/plain'));
    expect(files.active.incoming.map((f) => [f.sender, f.id, f.state, f.received])).toEqual([[2, 7, 'receiving', 0]]);
    const file = files.active.incoming[0]!;
    from(socket, encodeFileChunk(7, 0, Uint8Array.of(1, 2)));
    from(socket, encodeFileChunk(7, 2, Uint8Array.of(3, 4, 5)));
    expect(log).toEqual([
      ['file_start', 2, 7, 'notes.txt', 'text/plain', 5, false],
      ['file_data', 7, 0, [1, 2]],
      ['file_progress', 7, 2],
      ['file_data', 7, 2, [3, 4, 5]],
      ['file_progress', 7, 5],
      ['file_end', 7, 'done', [1, 2, 3, 4, 5]],
    ]);
    expect([...(await file.done)]).toEqual([1, 2, 3, 4, 5]);
    expect(files.active).toEqual({ outgoing: [], incoming: [] });
    expect(messages).toEqual([]); // file messages never reach 'message'
    expect(socket.sent).toEqual([]);
    from(socket, encodeFileChunk(7, 5, Uint8Array.of(6))); // after the end: ignored
    expect(log).toHaveLength(6);
  });

  it('a direct file says so; an empty file ends at its start', async () => {
    const { socket, log } = await setup();
    from(socket, encodeFileStart(1, 0, 'empty', ''), 3, true);
    expect(log).toEqual([['file_start', 3, 1, 'empty', '', 0, true], ['file_end', 1, 'done', []]]);
  });

  it('keeps transfers of two senders with the same id apart, and ignores a repeated start', async () => {
    const { socket, files, log } = await setup();
    from(socket, encodeFileStart(9, 2, 'b', ''), 2);
    from(socket, encodeFileStart(9, 1, 'c', ''), 3);
    from(socket, encodeFileStart(9, 1, 'again', ''), 2);
    expect(files.active.incoming.map((f) => [f.sender, f.name])).toEqual([[2, 'b'], [3, 'c']]);
    from(socket, encodeFileChunk(9, 0, Uint8Array.of(8)), 3);
    from(socket, encodeFileChunk(9, 0, Uint8Array.of(1, 2)), 2);
    expect(log.filter((e) => e[0] === 'file_end')).toEqual([['file_end', 9, 'done', [8]], ['file_end', 9, 'done', [1, 2]]]);
  });

  it('with collect: false, the bytes come only through file_data and done is empty', async () => {
    const { socket, files, log } = await setup({}, { collect: false });
    from(socket, encodeFileStart(3, 2, 'x', ''));
    const file = files.active.incoming[0]!;
    from(socket, encodeFileChunk(3, 0, Uint8Array.of(5, 6)));
    expect(log.slice(1)).toEqual([['file_data', 3, 0, [5, 6]], ['file_progress', 3, 2], ['file_end', 3, 'done', []]]);
    expect((await file.done).length).toBe(0);
  });

  it.each([
    ['a gap', 1, [1], 'chunk at offset 1 does not continue at 0 (size 3)'],
    ['a repeat', 0, [1, 2, 3, 4], 'chunk at offset 0 does not continue at 0 (size 3)'],
  ])('%s breaks the transfer and declines it to the sender', async (_, offset, data, message) => {
    const { socket, files, log } = await setup();
    from(socket, encodeFileStart(4, 3, 'y', ''));
    const file = files.active.incoming[0]!;
    from(socket, encodeFileChunk(4, offset, Uint8Array.from(data)));
    expect(log.slice(1)).toEqual([['file_cancel', 4, 'cancelled', 'broken', message]]);
    expect(sentFiles(socket)).toEqual([[2, { op: 'cancel', id: 4, reason: FileCancelReason.Declined }]]);
    await expect(file.done).rejects.toThrow(new FileTransferError('broken', message));
    expect(files.active.incoming).toEqual([]);
  });

  it('a chunk that ends exactly at the size completes the file', async () => {
    const { socket, log } = await setup();
    from(socket, encodeFileStart(4, 3, 'y', ''));
    from(socket, encodeFileChunk(4, 0, Uint8Array.of(1, 2, 3)));
    expect(log.at(-1)).toEqual(['file_end', 4, 'done', [1, 2, 3]]);
  });

  it('cancel() declines to the sender and rejects done; a second cancel does nothing', async () => {
    const { socket, files, log } = await setup();
    from(socket, encodeFileStart(6, 10, 'z', ''));
    const file = files.active.incoming[0]!;
    file.cancel();
    file.cancel();
    expect(sentFiles(socket)).toEqual([[2, { op: 'cancel', id: 6, reason: FileCancelReason.Declined }]]);
    expect(log.slice(1)).toEqual([['file_cancel', 6, 'cancelled', 'cancelled', 'you cancelled the transfer']]);
    const err = await file.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileTransferError);
    expect([(err as FileTransferError).name, (err as FileTransferError).reason]).toEqual(['FileTransferError', 'cancelled']);
  });

  it('a file from the server (sender 0) is cancelled without a decline: no member to tell', async () => {
    const { socket, files, log } = await setup();
    from(socket, encodeFileStart(6, 10, 'z', ''), 0);
    files.active.incoming[0]!.cancel();
    expect(socket.sent).toEqual([]);
    expect(log.at(-1)).toEqual(['file_cancel', 6, 'cancelled', 'cancelled', 'you cancelled the transfer']);
  });

  it('refuses a file above maxFileBytes (and declines it), accepts one of exactly that size', async () => {
    const { socket, log } = await setup({}, { maxFileBytes: 4 });
    from(socket, encodeFileStart(1, 5, 'big', ''));
    from(socket, encodeFileStart(2, 4, 'fits', ''));
    expect(log).toEqual([
      ['file_start', 2, 1, 'big', '', 5, false],
      ['file_cancel', 1, 'cancelled', 'too_large', '5 bytes is above maxFileBytes 4'],
      ['file_start', 2, 2, 'fits', '', 4, false],
    ]);
    expect(sentFiles(socket)).toEqual([[2, { op: 'cancel', id: 1, reason: FileCancelReason.Declined }]]);
  });

  it.each([
    [FileCancelReason.Cancelled, 'remote_cancelled', 'the sender cancelled the transfer'],
    [FileCancelReason.Failed, 'failed', 'the sender could not read the file'],
  ])('a cancel from the sender (reason %i) ends it as %s', async (reason, want, message) => {
    const { socket, log } = await setup();
    from(socket, encodeFileStart(8, 10, 'w', ''));
    from(socket, encodeFileCancel(8, reason), 3); // another member's cancel of its own id 8: not this file
    from(socket, encodeFileCancel(8, reason));
    expect(log.slice(1)).toEqual([['file_cancel', 8, 'cancelled', want, message]]);
    expect(socket.sent).toEqual([]);
  });

  it('the sender leaving ends its files only; the connection dropping ends the rest', async () => {
    const { socket, log } = await setup();
    from(socket, encodeFileStart(1, 10, 'from-bob', ''), 2);
    from(socket, encodeFileStart(2, 10, 'from-cy', ''), 3);
    socket.reply({ type: 'member_left', room: HANDLE, member: 2 });
    expect(log.slice(2)).toEqual([['file_cancel', 1, 'cancelled', 'sender_left', 'member 2 left the room']]);
    socket.drop(1006);
    expect(log.slice(3)).toEqual([['file_cancel', 2, 'cancelled', 'disconnected', 'the connection dropped or the room was left']]);
  });

  it('leaves the application its own payloads: other classes, a malformed file message, plain bytes', async () => {
    const { socket, log, messages } = await setup();
    const start = encodeFileStart(1, 1, 'a', '');
    socket.push(encodeDeliver({ room: HANDLE, sender: 2, cls: DeliveryClass.Droppable }, start));
    from(socket, start.subarray(0, 8)); // the magic, but truncated
    from(socket, Uint8Array.of(0x52, 0x43, 0x46));
    expect(log).toEqual([]);
    expect(messages).toEqual([[2, ...start], [2, ...start.subarray(0, 8)], [2, 0x52, 0x43, 0x46]]);
  });
});

describe('sending a file', () => {
  // maxPayloadBytes 22 leaves 5 bytes of data per chunk (17-byte header); name 'a' and type 'b'
  // make a start message of exactly 22 bytes.
  const small = { maxPayloadBytes: 22 };
  const bytes = Uint8Array.from({ length: 12 }, (_, i) => i + 1);

  it('sends the start and the chunks to the room, cut at maxPayloadBytes, and resolves done', async () => {
    const { socket, files, log } = await setup(small);
    const file = files.sendFile(bytes, { name: 'a', type: 'b' });
    expect([file.name, file.type, file.size, file.to, [...file.recipients], file.state]).toEqual(['a', 'b', 12, undefined, [2, 3], 'sending']);
    expect(files.active.outgoing).toEqual([file]);
    await file.done;
    expect(sentFiles(socket)).toEqual([
      [undefined, { op: 'start', id: file.id, size: 12, name: 'a', type: 'b' }],
      [undefined, chunk(file.id, 0, [1, 2, 3, 4, 5])],
      [undefined, chunk(file.id, 5, [6, 7, 8, 9, 10])],
      [undefined, chunk(file.id, 10, [11, 12])],
    ]);
    expect(log).toEqual([
      ['send_progress', file.id, 5], ['send_progress', file.id, 10], ['send_progress', file.id, 12], ['send_end', file.id, 'done'],
    ]);
    expect(files.active.outgoing).toEqual([]);
  });

  it('to one member: every frame is direct; ids of successive files differ by one', async () => {
    const { socket, files } = await setup(small);
    const first = files.sendFile(new Uint8Array(0), { to: 3, name: 'a', type: 'b' });
    const second = files.sendFile(Uint8Array.of(9), { to: 3, name: 'a', type: 'b' });
    await Promise.all([first.done, second.done]);
    expect(second.id).toBe((first.id + 1) >>> 0);
    expect([...first.recipients]).toEqual([3]);
    expect(sentFiles(socket)).toEqual([
      [3, { op: 'start', id: first.id, size: 0, name: 'a', type: 'b' }],
      [3, { op: 'start', id: second.id, size: 1, name: 'a', type: 'b' }],
      [3, chunk(second.id, 0, [9])],
    ]);
  });

  it('names and types: defaults, a Blob\'s own, and options over both', async () => {
    const { socket, files } = await setup();
    const blob = Object.assign(new Blob([Uint8Array.of(1)], { type: 'image/png' }), { name: 'pic.png' });
    const sent = [
      files.sendFile(Uint8Array.of(1)),
      files.sendFile(blob),
      files.sendFile(new Blob([Uint8Array.of(1)])),
      files.sendFile(blob, { name: 'n', type: 't' }),
    ];
    expect(sent.map((f) => [f.name, f.type])).toEqual([
      ['file', 'application/octet-stream'], ['pic.png', 'image/png'], ['file', 'application/octet-stream'], ['n', 't'],
    ]);
    await Promise.all(sent.map((f) => f.done));
    expect(sentFiles(socket).filter(([, m]) => m?.op === 'chunk')).toHaveLength(4);
  });

  it('a stream is sent with options.size, re-cut into full chunks', async () => {
    const { socket, files } = await setup(small);
    async function* pieces() {
      yield bytes.subarray(0, 3);
      yield bytes.subarray(3);
    }
    const file = files.sendFile(pieces(), { size: 12, name: 'a', type: 'b' });
    await file.done;
    expect(sentFiles(socket).slice(1).map(([, m]) => m)).toEqual([
      chunk(file.id, 0, [1, 2, 3, 4, 5]), chunk(file.id, 5, [6, 7, 8, 9, 10]), chunk(file.id, 10, [11, 12]),
    ]);
  });

  it.each([
    ['fewer', 13],
    ['more', 11],
  ])('a stream that yields %s bytes than its size fails and tells the recipients', async (_, size) => {
    const { socket, files, log } = await setup(small);
    async function* pieces() {
      yield bytes;
    }
    const file = files.sendFile(pieces(), { size, name: 'a', type: 'b' });
    await expect(file.done).rejects.toThrow(`the source yielded more or fewer bytes than size ${size}`);
    const sent = sentFiles(socket);
    expect(sent.at(-1)).toEqual([undefined, { op: 'cancel', id: file.id, reason: FileCancelReason.Failed }]);
    // Never a chunk past the announced size.
    expect(sent.filter(([, m]) => m?.op === 'chunk').map(([, m]) => (m as { offset: number }).offset)).toEqual(size === 13 ? [0, 5, 10] : [0, 5]);
    expect(log.at(-1)).toEqual(['send_cancel', file.id, 'cancelled', 'failed', `the source yielded more or fewer bytes than size ${size}`]);
  });

  it('a source that throws fails the transfer with its message', async () => {
    const { socket, files, log } = await setup(small);
    const broken: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('disk gone')) }) };
    const file = files.sendFile(broken, { size: 3, name: 'a', type: 'b' });
    await expect(file.done).rejects.toThrow('could not read or send the file: Error: disk gone');
    expect(sentFiles(socket).map(([, m]) => m?.op)).toEqual(['start', 'cancel']);
    expect(log.at(-1)?.slice(0, 4)).toEqual(['send_cancel', file.id, 'cancelled', 'failed']);
  });

  it('alone in the room, done resolves at once and nothing is sent', async () => {
    const { socket, files, log } = await setup({}, {}, [1]);
    const file = files.sendFile(bytes);
    await file.done;
    expect([file.state, socket.sent.length]).toEqual(['done', 0]);
    expect(log).toEqual([['send_end', file.id, 'done']]);
  });

  it('cancel() tells the recipients and rejects done', async () => {
    const { socket, files, log } = await setup({ ...small, maxMessagesPerSec: 2 }); // 1 frame per second after the first
    const file = files.sendFile(bytes, { name: 'a', type: 'b' });
    await Promise.resolve();
    file.cancel();
    await expect(file.done).rejects.toThrow(new FileTransferError('cancelled', 'you cancelled the transfer'));
    expect(sentFiles(socket).map(([to, m]) => [to, m?.op, m && 'reason' in m ? m.reason : undefined]))
      .toEqual([[undefined, 'start', undefined], [undefined, 'cancel', FileCancelReason.Cancelled]]);
    expect(log).toEqual([['send_cancel', file.id, 'cancelled', 'cancelled', 'you cancelled the transfer']]);
  });

  it('ends when every recipient declined or left, not before', async () => {
    const { socket, files, log } = await setup({ ...small, maxMessagesPerSec: 2 });
    const file = files.sendFile(bytes, { name: 'a', type: 'b' });
    from(socket, encodeFileCancel(file.id, FileCancelReason.Declined), 2, true);
    expect([file.state, [...file.recipients]]).toEqual(['sending', [3]]);
    from(socket, encodeFileCancel(file.id, FileCancelReason.Declined), 2, true); // again: no change
    from(socket, encodeFileCancel(file.id, FileCancelReason.Declined), 3, true);
    expect(log).toEqual([['send_cancel', file.id, 'cancelled', 'declined', 'every recipient declined the file']]);
    const other = files.sendFile(bytes, { name: 'a', type: 'b' });
    socket.reply({ type: 'member_left', room: HANDLE, member: 2 });
    expect(other.state).toBe('sending');
    socket.reply({ type: 'member_left', room: HANDLE, member: 3 });
    expect(log.at(-1)).toEqual(['send_cancel', other.id, 'cancelled', 'recipient_left', 'every recipient left the room']);
  });

  it('the connection dropping ends it as disconnected', async () => {
    const { socket, files, log } = await setup({ ...small, maxMessagesPerSec: 2 });
    const file = files.sendFile(bytes, { name: 'a', type: 'b' });
    socket.drop(1006);
    await expect(file.done).rejects.toThrow('the connection dropped or the room was left');
    expect(log).toEqual([['send_cancel', file.id, 'cancelled', 'disconnected', 'the connection dropped or the room was left']]);
  });

  it('refuses what it cannot send, with the reason', async () => {
    const { files, room, h } = await setup(small);
    const stream = (async function* () {})();
    expect(() => files.sendFile(stream)).toThrow(new RangeError('sendFile: a stream needs options.size'));
    expect(() => files.sendFile(bytes, { size: 11 })).toThrow(new RangeError("sendFile: options.size 11 differs from the data's size 12"));
    expect(files.sendFile(bytes, { size: 12, name: 'a', type: 'b' }).size).toBe(12);
    for (const size of [-1, 1.5, 2 ** 53]) {
      expect(() => files.sendFile(stream, { size })).toThrow(new RangeError(`sendFile: size must be a safe non-negative integer (got ${size})`));
    }
    for (const to of [SELF, 9]) {
      expect(() => files.sendFile(bytes, { to })).toThrow(new RangeError(`sendFile: member ${to} is not another member of room 'files'`));
    }
    void room.leave(); // forgotten at once; the relay's reply does not matter here
    expect(() => files.sendFile(bytes)).toThrow(expect.objectContaining({ code: 'not_in_room', message: "room 'files' was left" }));
    h.client.close();
    expect(() => files.sendFile(bytes)).toThrow(expect.objectContaining({ code: 'not_connected' }));
  });

  it.each([
    [17, "sendFile: the relay's maxPayloadBytes (17) leaves no room for file data"],
    [18, undefined],
  ])('maxPayloadBytes %i: a chunk needs at least one byte of data', async (maxPayloadBytes, error) => {
    const { files } = await setup({ maxPayloadBytes });
    const send = () => files.sendFile(Uint8Array.of(1), { name: 'a', type: 'b' });
    if (error === undefined) expect(send().size).toBe(1);
    else expect(send).toThrow(new RangeError(error));
  });

  it('chunks are at most 64 KiB even when the relay allows more', async () => {
    const { socket, files } = await setup({ maxPayloadBytes: 100_000 });
    const file = files.sendFile(new Uint8Array(65_536 - 17 + 1), { name: 'a', type: 'b' });
    await file.done;
    expect(sentFiles(socket).map(([, m]) => (m?.op === 'chunk' ? m.data.length : m?.op))).toEqual(['start', 65_519, 1]);
  });

  it('a relay that announces no payload cap (0) still gets chunks of 64 KiB, not a refusal', async () => {
    const { files } = await setup({ maxPayloadBytes: 0 });
    expect(() => files.sendFile(Uint8Array.of(1)).done.catch(() => {})).not.toThrow();
  });
});

describe('options and defaults', () => {
  it('one RoomFiles per room; ids start at a random u32', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { files, room } = await setup();
    expect(roomFiles(room)).toBe(files);
    const file = files.sendFile(Uint8Array.of(1));
    expect(file.id).toBe(2 ** 31); // (0.5 * 0xffffffff) >>> 0, plus one
  });

  it('an option given as undefined keeps its default', async () => {
    const { socket, log } = await setup({}, { collect: undefined, maxFileBytes: undefined });
    from(socket, encodeFileStart(1, 1, 'a', ''));
    from(socket, encodeFileChunk(1, 0, Uint8Array.of(4)));
    expect(log.at(-1)).toEqual(['file_end', 1, 'done', [4]]);
  });

  it('the room budget: the option, else what joined announced, else 4 MiB/s', async () => {
    expect((await setup({}, { roomBytesPerSec: 50 }, [1, 2], 100)).files.roomBytesPerSec).toBe(50);
    expect((await setup({}, {}, [1, 2], 100)).files.roomBytesPerSec).toBe(100);
    expect((await setup({}, {}, [1, 2])).files.roomBytesPerSec).toBe(4 * 1024 * 1024);
  });

  it('maxFileBytes defaults to 256 MiB', async () => {
    const { socket, log } = await setup();
    from(socket, encodeFileStart(1, 256 * 1024 * 1024, 'a', ''));
    from(socket, encodeFileStart(2, 256 * 1024 * 1024 + 1, 'b', ''));
    expect(log.map((e) => [e[0], e[0] === 'file_start' ? e[2] : e[1]])).toEqual([['file_start', 1], ['file_start', 2], ['file_cancel', 2]]);
  });

  it('highWaterBytes defaults to 64 KiB', async () => {
    const { socket, files } = await setup();
    const buffered = socket as FakeSocket & { bufferedAmount?: number };
    buffered.bufferedAmount = 64 * 1024 + 1;
    const file = files.sendFile(Uint8Array.of(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(file.sent).toBe(0);
    buffered.bufferedAmount = 64 * 1024;
    await file.done;
  });

  it('refuses to send before the connection is open, saying so', async () => {
    const { files, h } = await setup();
    h.client.close();
    expect(() => files.sendFile(Uint8Array.of(1))).toThrow(expect.objectContaining({ code: 'not_connected', message: 'cannot send a file: the client is not connected' }));
  });
});

describe('pacing (fake timers)', () => {
  const settledLog = (socket: FakeSocket) => sentFiles(socket).map(([, m]) => (m?.op === 'chunk' ? `chunk@${m.offset}` : m?.op));

  it('frames go at half of maxMessagesPerSec, after a burst of one', async () => {
    vi.useFakeTimers();
    const { socket, files } = await setup({ maxPayloadBytes: 22, maxMessagesPerSec: 2 }); // 1 frame per second
    const file = files.sendFile(Uint8Array.of(1, 2, 3, 4, 5, 6), { name: 'a', type: 'b' });
    await vi.advanceTimersByTimeAsync(900);
    expect(settledLog(socket)).toEqual(['start']);
    await vi.advanceTimersByTimeAsync(200);
    expect(settledLog(socket)).toEqual(['chunk@0']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(settledLog(socket)).toEqual(['chunk@5']);
    await file.done;
  });

  it('the room budget is shared by every transfer and counts every recipient', async () => {
    vi.useFakeTimers();
    // 100 B/s with a burst of 10; an incoming transfer halves the outgoing one's share to 50 B/s.
    const { socket, files } = await setup({ maxPayloadBytes: 22 }, { roomBytesPerSec: 100 });
    from(socket, encodeFileStart(1, 10, 'in', ''), 3);
    const file = files.sendFile(Uint8Array.of(1), { name: 'a', type: 'b' });
    // The 22-byte start goes to 2 recipients: 44 bytes, 34 over the burst at 50 B/s = 680 ms.
    await vi.advanceTimersByTimeAsync(600);
    expect(socket.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(120);
    expect(settledLog(socket)).toEqual(['start']);
    file.cancel();
  });

  it('a cancel while a frame waits for its turn sends no more frames', async () => {
    vi.useFakeTimers();
    const { socket, files } = await setup({ maxPayloadBytes: 22, maxMessagesPerSec: 2 });
    const first = files.sendFile(Uint8Array.of(1), { name: 'a', type: 'b' });
    const second = files.sendFile(Uint8Array.of(2), { name: 'a', type: 'b' });
    await vi.advanceTimersByTimeAsync(0);
    expect(settledLog(socket)).toEqual(['start']); // the first's start; the second's waits
    second.cancel();
    await vi.advanceTimersByTimeAsync(500);
    first.cancel();
    first.cancel();
    await vi.advanceTimersByTimeAsync(5000);
    expect(sentFiles(socket).map(([, m]) => [m?.id === first.id ? 'first' : 'second', m?.op])).toEqual([
      ['second', 'cancel'], ['first', 'cancel'],
    ]);
  });
});

describe('edges of a transfer', () => {
  it('an empty chunk after the end is ignored', async () => {
    const { socket, log } = await setup();
    from(socket, encodeFileStart(1, 1, 'a', ''));
    from(socket, encodeFileChunk(1, 0, Uint8Array.of(1)));
    from(socket, encodeFileChunk(1, 1, new Uint8Array(0)));
    expect(log.map((e) => e[0])).toEqual(['file_start', 'file_data', 'file_progress', 'file_end']);
  });

  it('a decline for a transfer it does not know is ignored', async () => {
    const { socket, log } = await setup();
    expect(() => from(socket, encodeFileCancel(12345, FileCancelReason.Declined), 2, true)).not.toThrow();
    expect(log).toEqual([]);
  });

  it('when every recipient declined, nothing more is sent to them (no cancel either)', async () => {
    vi.useFakeTimers();
    const { socket, files } = await setup({ ...small, maxMessagesPerSec: 2 });
    const file = files.sendFile(Uint8Array.of(1), { name: 'a', type: 'b' });
    await vi.advanceTimersByTimeAsync(0);
    from(socket, encodeFileCancel(file.id, FileCancelReason.Declined), 2, true);
    from(socket, encodeFileCancel(file.id, FileCancelReason.Declined), 3, true);
    await vi.advanceTimersByTimeAsync(3000);
    expect(settledOps(socket)).toEqual(['start']);
  });

  it('a socket that stops taking frames ends the transfer as disconnected', async () => {
    const { socket, files, log } = await setup(small);
    socket.readyState = 2; // closing; the client has not seen the close yet
    const file = files.sendFile(Uint8Array.of(1), { name: 'a', type: 'b' });
    await expect(file.done).rejects.toThrow(new FileTransferError('disconnected', 'connection lost while sending: RoomcastError: the connection is not open'));
    expect(log).toEqual([['send_cancel', file.id, 'cancelled', 'disconnected', 'connection lost while sending: RoomcastError: the connection is not open']]);
  });
});

const small = { maxPayloadBytes: 22 };
const settledOps = (socket: FakeSocket) => sentFiles(socket).map(([, m]) => m?.op);
