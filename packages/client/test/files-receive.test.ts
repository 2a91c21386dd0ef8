// Receiving files (`@roomcast/client/files`) against the fake socket: the test plays the relay and
// the sending members, and checks every event in order and every frame the client sends back
// (PROTOCOL.md appendix B). The real-relay tests are in apps/relay/test/files*.
import { DeliveryClass, encodeDeliver } from '@roomcast/protocol';
import { FileCancelReason, encodeFileCancel, encodeFileChunk, encodeFileStart } from '@roomcast/protocol/files';
import { describe, expect, it } from 'vitest';
import { FileTransferError } from '../src/files/index.js';
import { HANDLE, from, sentFiles, setup } from './files-setup.js';

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

