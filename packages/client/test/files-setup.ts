// Shared set-up of the file-transfer tests (files-receive, files-send): a client on the fake
// socket in room 'files' with two other members, a log of every file event, and helpers that play
// the other members' file messages and read back the frames the client sent.
import { DeliveryClass, encodeDeliver, type Limits } from '@roomcast/protocol';
import { decodeFileMessage, type FileMessage } from '@roomcast/protocol/files';
import { expect } from 'vitest';
import { roomFiles, type RoomFilesOptions } from '../src/files/index.js';
import type { FakeSocket } from './fake-socket.js';
import { harness } from './harness.js';

export const HANDLE = 4;
export const SELF = 1;
const member = (id: number) => ({ id, presence: null });

/** A client in room 'files' as member 1 with members 2 and 3; pacing off unless limits say otherwise. */
export async function setup(limits: Partial<Limits> = {}, options: RoomFilesOptions = {}, members = [1, 2, 3], fileBytesPerSec?: number) {
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
export function from(socket: FakeSocket, payload: Uint8Array, sender = 2, direct = false): void {
  socket.push(encodeDeliver({ room: HANDLE, sender, direct }, payload));
}

/** Every data frame the client sent since the last call, as [target, decoded file message]. */
export function sentFiles(socket: FakeSocket): [number | undefined, FileMessage | undefined][] {
  const out: [number | undefined, FileMessage | undefined][] = [];
  while (socket.sent.length > 0) {
    const frame = socket.nextData();
    expect([frame.room, frame.cls]).toEqual([HANDLE, DeliveryClass.Reliable]);
    out.push([frame.target, decodeFileMessage(frame.payload)]);
  }
  return out;
}

export const chunk = (id: number, offset: number, data: number[]) => ({ op: 'chunk', id, offset, data: Uint8Array.from(data) });

/** The op of each file frame sent since the last call. */
export const sentOps = (socket: FakeSocket) => sentFiles(socket).map(([, m]) => m?.op);
