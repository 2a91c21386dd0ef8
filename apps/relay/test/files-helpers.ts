// Helpers for the file-transfer tests: SDK members (WebSocket or raw TCP) of one room on a real
// relay, each with its RoomFiles and a record of what reached the application.
import { RoomcastClient, type Room, type RoomMessage, type RoomcastError } from '@roomcast/client';
import { roomFiles, type IncomingFile, type RoomFiles, type RoomFilesOptions } from '@roomcast/client/files';
import type { Config, RelayServer } from '../src/index.js';
import { useRelay } from './helpers.js';

export interface FileMember {
  client: RoomcastClient;
  room: Room;
  files: RoomFiles;
  /** Ordinary messages that reached the application (file messages must not). */
  messages: RoomMessage[];
  /** Room errors (a `rate_limited` here means the pacing failed). */
  errors: RoomcastError[];
}

/** A relay per test and SDK members in it; everything is closed after each test. */
export function useFileRelay(config: Partial<Config>) {
  const relay = useRelay(config);
  return {
    start: (overrides: Partial<Config> = {}): Promise<RelayServer> => relay.start(overrides),
    server: (): RelayServer => relay.server,
    /** Joins `room` over WebSocket (or raw TCP) with its own RoomFiles. */
    async member(roomName: string, transport: 'ws' | 'tcp' = 'ws', options: RoomFilesOptions = {}, reconnect = false): Promise<FileMember> {
      const url = transport === 'ws' ? relay.server.wsUrl : relay.server.tcpUrl!;
      const client = new RoomcastClient(url, { reconnect: reconnect ? { initialDelayMs: 10, maxDelayMs: 100 } : false });
      relay.keep(client);
      await client.connect();
      const room = await client.join(roomName);
      const files = roomFiles(room, { roomBytesPerSec: 1024 ** 3, ...options });
      const member: FileMember = { client, room, files, messages: [], errors: [] };
      room.on('message', (m) => member.messages.push(m));
      room.on('error', (e) => member.errors.push(e));
      return member;
    },
  };
}

/** The next file another member starts sending to `m`. */
export function nextFile(m: FileMember): Promise<IncomingFile> {
  return new Promise((resolve) => {
    const off = m.files.on('file_start', (f) => { off(); resolve(f); });
  });
}

/** Resolves once `m` has `count` other members. */
export function othersPresent(m: FileMember, count: number): Promise<void> {
  if (m.room.members.size - 1 >= count) return Promise.resolve();
  return new Promise((resolve) => {
    const off = m.room.on('member_joined', () => {
      if (m.room.members.size - 1 >= count) { off(); resolve(); }
    });
  });
}

/** Bytes 0..n-1 of a fixed pseudo-random sequence (so a shifted or swapped chunk shows). */
export function pattern(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Whether two byte arrays are equal (without printing megabytes on failure). */
export function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** The rejection reason of a promise that must reject with a FileTransferError. */
export async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { reason?: string }).reason ?? `not a FileTransferError: ${String(err)}`;
  }
  return 'resolved';
}
