// File messages that arrive with the join (before `roomFiles(room)` or any 'message' listener)
// still reach the file module, in order, and never the application's 'message' listeners.
import { encodeDeliver } from '@roomcast/protocol';
import { encodeFileChunk, encodeFileStart } from '@roomcast/protocol/files';
import { describe, expect, it } from 'vitest';
import { roomFiles } from '../src/files/index.js';
import { connected } from './harness.js';

const ada = { id: 1, presence: null };
const bob = { id: 2, presence: null };

async function joinWithEarlyFrames() {
  const h = await connected();
  const joining = h.client.join('early-files');
  const join = h.socket().nextControl('join');
  h.socket().reply({ type: 'joined', id: join.id, room: 'early-files', handle: 3, self: 1, members: [ada, bob] });
  // Same network read as the joined reply: a file from Bob, and one ordinary message.
  h.socket().push(encodeDeliver({ room: 3, sender: 2 }, encodeFileStart(5, 3, 'a.bin', '')));
  h.socket().push(encodeDeliver({ room: 3, sender: 2 }, Uint8Array.of(7)));
  h.socket().push(encodeDeliver({ room: 3, sender: 2 }, encodeFileChunk(5, 0, Uint8Array.of(1, 2, 3))));
  return { h, room: await joining };
}

describe('file messages that came with the join', () => {
  it.each(['files first', 'message listener first'])('go to the file module (%s)', async (order) => {
    const { room } = await joinWithEarlyFrames();
    const app: number[][] = [];
    const ends: number[][] = [];
    const listen = () => room.on('message', (m) => app.push([...m.payload]));
    if (order === 'message listener first') listen();
    const files = roomFiles(room);
    files.on('file_end', ({ file, bytes }) => ends.push([file.sender, file.id, ...bytes]));
    if (order === 'files first') listen();
    await Promise.resolve();
    await Promise.resolve();
    expect(ends).toEqual([[2, 5, 1, 2, 3]]);
    expect(app).toEqual([[7]]);
  });
});
