// Sending files (`@roomcast/client/files`) against the fake socket: the frames the client sends,
// byte for byte (PROTOCOL.md appendix B), the events, the options and their defaults, and the
// pacing (with fake timers). The real-relay tests are in apps/relay/test/files*.
import { FileCancelReason, encodeFileCancel, encodeFileChunk, encodeFileStart } from '@roomcast/protocol/files';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileTransferError, roomFiles } from '../src/files/index.js';
import type { FakeSocket } from './fake-socket.js';
import { HANDLE, SELF, chunk, from, sentFiles, sentOps, setup } from './files-setup.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
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
    expect(sentOps(socket)).toEqual(['start']);
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
