// File transfer for one room (`roomFiles(room)`): starts outgoing transfers, turns file messages
// from the room into incoming ones, and ends both when members leave or the connection drops.
// The convention on the wire is PROTOCOL.md appendix B; pacing is pacer.ts.
import { FileCancelReason, FILE_CHUNK_HEADER_BYTES, decodeFileMessage, isFileMessage, type FileMessage } from '@roomcast/protocol/files';
import { Emitter, type Listener } from '../emitter.js';
import { RoomcastError } from '../errors.js';
import { tapRoom, type Room, type RoomLink } from '../room.js';
import type { RoomMessage } from '../room-events.js';
import type { FileTransferError } from './errors.js';
import { IncomingFile, type IncomingHost } from './incoming.js';
import { OutgoingFile, type OutgoingHost } from './outgoing.js';
import { Pacer, ReservationBucket } from './pacer.js';
import { isBlobLike, knownSize, type FileSource } from './source.js';

/** Options of `sendFile`. */
export interface SendFileOptions {
  /** File name shown to the recipients (≤ 1024 UTF-8 bytes). Default: a File's name, else `'file'`. */
  name?: string;
  /** Media type, e.g. `'image/png'` (≤ 255 bytes). Default: a Blob's type, else `'application/octet-stream'`. */
  type?: string;
  /** Send to this member only; default the whole room (every member present now). */
  to?: number;
  /** Size in bytes: required for streams, checked against bytes and Blobs. */
  size?: number;
}

/** Options of `roomFiles`. */
export interface RoomFilesOptions {
  /** Larger incoming files are declined (`file_cancel` with reason `too_large`). Default 256 MiB. */
  maxFileBytes?: number;
  /**
   * Bytes per second all file transfers of this room may make the relay send (a chunk to N
   * recipients counts N times), shared by the transfers in the room this client knows of.
   * Keeps files from using the room's output budget that cursors need. Default: the room's file
   * budget the relay announces (`room.fileBytesPerSec`: half of its
   * `RELAY_ROOM_MAX_BYTES_OUT_PER_SEC`), or 4 MiB/s from a relay that announces none.
   */
  roomBytesPerSec?: number;
  /** Share of the connection's `limits.maxBytesPerSec` that files may use. Default 0.75. */
  connectionShare?: number;
  /** Wait while the socket holds more than this many bytes. Default 64 KiB. */
  highWaterBytes?: number;
  /**
   * Keep incoming files in memory and hand them over whole (`file_end.bytes`, `done`). Default
   * true. With false, take the bytes from `'file_data'` as they arrive (write them to disk, hash
   * them) and `bytes` is empty; raise `maxFileBytes` for large files.
   */
  collect?: boolean;
}

/** Events of {@link RoomFiles}. */
export interface FileEvents {
  /** Another member started sending you a file (call `file.cancel()` to decline it). */
  file_start: IncomingFile;
  /** A chunk of an incoming file, in order (`offset` = bytes before it); a view into its own message's buffer, so it may be kept. */
  file_data: { file: IncomingFile; offset: number; data: Uint8Array };
  /** More of an incoming file arrived (`file.received` of `file.size`). */
  file_progress: IncomingFile;
  /** An incoming file is complete; `bytes` is byte-identical to what was sent (also `file.done`). */
  file_end: { file: IncomingFile; bytes: Uint8Array };
  /** An incoming file ended early. */
  file_cancel: { file: IncomingFile; error: FileTransferError };
  /** More of an outgoing file was handed to the socket (`file.sent` of `file.size`). */
  send_progress: OutgoingFile;
  /** An outgoing file was sent completely. */
  send_end: OutgoingFile;
  /** An outgoing file ended early. */
  send_cancel: { file: OutgoingFile; error: FileTransferError };
}

const DEFAULTS = { maxFileBytes: 256 * 1024 * 1024, connectionShare: 0.75, highWaterBytes: 64 * 1024, collect: true };
/** The room's file budget when the relay announces none (half of its default room output budget). */
const DEFAULT_ROOM_BYTES_PER_SEC = 4 * 1024 * 1024;
/** Frames per second for files, as a share of `limits.maxMessagesPerSec`. */
const FRAME_SHARE = 0.5;
/** Largest chunk payload even when the relay allows more (keeps cursors' frames from waiting long behind one). */
const MAX_CHUNK_PAYLOAD = 64 * 1024;

const instances = new WeakMap<Room, RoomFiles>();
/** One pacer per connection's limits (a new `welcome` brings a new limits object). */
const pacers = new WeakMap<RoomLink, { limits: object; pacer: Pacer }>();

/** The file transfer of `room` (one per room; options apply on the first call). */
export function roomFiles(room: Room, options: RoomFilesOptions = {}): RoomFiles {
  let files = instances.get(room);
  if (files === undefined) {
    files = new RoomFiles(room, options);
    instances.set(room, files);
  }
  return files;
}

/** Sends and receives files in one room. Get it with {@link roomFiles}. */
export class RoomFiles {
  readonly room: Room;
  readonly #link: RoomLink;
  readonly #options: typeof DEFAULTS & RoomFilesOptions;
  readonly #events = new Emitter<FileEvents>();
  readonly #outgoing = new Map<number, OutgoingFile>();
  /** By sender * 2^32 + transfer id. */
  readonly #incoming = new Map<number, IncomingFile>();
  readonly #roomBucket: ReservationBucket;
  #nextId = (Math.random() * 0xffff_ffff) >>> 0;
  readonly #outHost: OutgoingHost;
  readonly #inHost: IncomingHost;

  /** @internal Use {@link roomFiles}. */
  constructor(room: Room, options: RoomFilesOptions) {
    this.room = room;
    // An option given as undefined keeps its default.
    this.#options = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
    const budget = this.#roomBytesPerSec();
    // Stryker disable next-line ArithmeticOperator: equivalent, #pace sets rate and capacity before every reservation.
    this.#roomBucket = new ReservationBucket(budget, budget / 10, performance.now());
    this.#link = tapRoom(room, { message: (m) => this.#message(m), down: () => this.#down() });
    room.on('member_left', (m) => {
      for (const file of [...this.#incoming.values()]) if (file.sender === m.id) file.abort('sender_left', `member ${m.id} left the room`);
      for (const file of [...this.#outgoing.values()]) file.lose(m.id, 'recipient_left');
    });
    this.#outHost = {
      transmit: (payload, to) => (to === undefined ? room.send(payload) : room.sendTo(to, payload)),
      pace: (file, bytes, alive) => this.#pace(file, bytes, alive),
      progress: (file) => this.#events.emit('send_progress', file),
      finished: (file, error) => {
        this.#outgoing.delete(file.id);
        if (error === undefined) this.#events.emit('send_end', file);
        else this.#events.emit('send_cancel', { file, error });
      },
    };
    this.#inHost = {
      reply: (payload, member) => room.sendTo(member, payload),
      data: (file, offset, data) => this.#events.emit('file_data', { file, offset, data }),
      collect: this.#options.collect,
      progress: (file) => this.#events.emit('file_progress', file),
      finished: (file, bytes, error) => {
        this.#incoming.delete(file.sender * 2 ** 32 + file.id);
        if (error !== undefined) this.#events.emit('file_cancel', { file, error });
        else this.#events.emit('file_end', { file, bytes: bytes! });
      },
    };
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof FileEvents>(event: K, listener: Listener<FileEvents[K]>): () => void {
    return this.#events.on(event, listener);
  }

  /** Transfers in progress, both ways. */
  get active(): { outgoing: OutgoingFile[]; incoming: IncomingFile[] } {
    return { outgoing: [...this.#outgoing.values()], incoming: [...this.#incoming.values()] };
  }

  /**
   * Sends a file to the room (every member present now) or to one member (`to`), in reliable
   * chunks that fit the relay's `maxPayloadBytes`, paced below its rate limits. Returns at once;
   * `done` settles when the last chunk was handed to the socket. Members that join meanwhile do
   * not get it. Alone in the room, `done` resolves at once and nothing is sent.
   * @throws RoomcastError `not_connected` / `not_in_room`; RangeError for a bad `to`, `size`, name or type
   */
  sendFile(data: FileSource, options: SendFileOptions = {}): OutgoingFile {
    const limits = this.#link.limits();
    if (!this.#link.connected() || limits === undefined) throw new RoomcastError('not_connected', 'cannot send a file: the client is not connected');
    if (!this.room.joined) throw new RoomcastError('not_in_room', `room '${this.room.name}' was left`);
    const known = knownSize(data);
    const size = known ?? options.size;
    if (size === undefined) throw new RangeError('sendFile: a stream needs options.size');
    if (known !== undefined && options.size !== undefined && options.size !== known) {
      throw new RangeError(`sendFile: options.size ${options.size} differs from the data's size ${known}`);
    }
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`sendFile: size must be a safe non-negative integer (got ${size})`);
    const { to } = options;
    if (to !== undefined && (to === this.room.self || !this.room.members.has(to))) {
      throw new RangeError(`sendFile: member ${to} is not another member of room '${this.room.name}'`);
    }
    const maxPayload = limits.maxPayloadBytes > 0 ? Math.min(limits.maxPayloadBytes, MAX_CHUNK_PAYLOAD) : MAX_CHUNK_PAYLOAD;
    const chunkBytes = maxPayload - FILE_CHUNK_HEADER_BYTES;
    if (chunkBytes < 1) throw new RangeError(`sendFile: the relay's maxPayloadBytes (${limits.maxPayloadBytes}) leaves no room for file data`);
    const blobName = isBlobLike(data) ? data.name : undefined;
    const name = options.name ?? blobName ?? 'file';
    const type = options.type ?? (isBlobLike(data) && data.type !== '' ? data.type : 'application/octet-stream');
    const recipients = to !== undefined ? [to] : [...this.room.members.keys()].filter((id) => id !== this.room.self);
    this.#nextId = (this.#nextId + 1) >>> 0;
    const file = new OutgoingFile(this.#outHost, this.#nextId, name, type, size, to, recipients);
    this.#outgoing.set(file.id, file);
    void file.run(data, chunkBytes);
    return file;
  }

  /** Frames of all transfers wait their turn: connection budgets, the room budget, the socket. */
  #pace(file: OutgoingFile, bytes: number, alive: () => boolean): Promise<void> {
    const limits = this.#link.limits();
    let entry = pacers.get(this.#link);
    if (limits !== undefined && entry?.limits !== limits) {
      const perSec = (v: number, share: number) => (v > 0 ? v * share : Number.POSITIVE_INFINITY);
      const pacer = new Pacer(this.#link, perSec(limits.maxBytesPerSec, this.#options.connectionShare), perSec(limits.maxMessagesPerSec, FRAME_SHARE), this.#options.highWaterBytes);
      entry = { limits, pacer };
      pacers.set(this.#link, entry);
    }
    // The room budget counts every copy the relay sends and is shared by every transfer here. It
    // is read each time: a rejoin (new `joined`) may announce another one.
    const transfers = Math.max(1, this.#outgoing.size + this.#incoming.size);
    const budget = this.#roomBytesPerSec();
    this.#roomBucket.rate = budget / transfers;
    this.#roomBucket.capacity = budget / 10;
    return entry!.pacer.take(bytes, alive, this.#roomBucket, bytes * Math.max(1, file.recipients.size));
  }

  /** The option, else the relay's announced budget, else the default. */
  #roomBytesPerSec(): number {
    return this.#options.roomBytesPerSec ?? this.room.fileBytesPerSec ?? DEFAULT_ROOM_BYTES_PER_SEC;
  }

  /** The room file budget this room's transfers pace by now (bytes per second, all copies counted). */
  get roomBytesPerSec(): number {
    return this.#roomBytesPerSec();
  }

  #message(m: RoomMessage): boolean {
    if (m.cls !== 'reliable' || !isFileMessage(m.payload)) return false;
    const msg = decodeFileMessage(m.payload);
    // Not a well-formed file message: the application's own payload after all.
    if (msg === undefined) return false;
    this.#dispatch(m.sender, m.direct, msg);
    return true;
  }

  #dispatch(sender: number, direct: boolean, msg: FileMessage): void {
    const key = sender * 2 ** 32 + msg.id;
    if (msg.op === 'start') {
      if (this.#incoming.has(key)) return;
      const file = new IncomingFile(this.#inHost, sender, msg.id, msg.name, msg.type, msg.size, direct);
      this.#incoming.set(key, file);
      this.#events.emit('file_start', file);
      if (msg.size > this.#options.maxFileBytes) {
        return file.abort('too_large', `${msg.size} bytes is above maxFileBytes ${this.#options.maxFileBytes}`, true);
      }
      file.complete();
    } else if (msg.op === 'chunk') {
      this.#incoming.get(key)?.chunk(msg.offset, msg.data);
    } else if (msg.reason === FileCancelReason.Declined) {
      this.#outgoing.get(msg.id)?.lose(sender, 'declined');
    } else {
      const failed = msg.reason === FileCancelReason.Failed;
      this.#incoming.get(key)?.abort(failed ? 'failed' : 'remote_cancelled', failed ? 'the sender could not read the file' : 'the sender cancelled the transfer');
    }
  }

  /** The connection dropped or the room ended: every transfer is over (member ids will change). */
  #down(): void {
    for (const file of [...this.#incoming.values()]) file.abort('disconnected', 'the connection dropped or the room was left');
    for (const file of [...this.#outgoing.values()]) file.abort('disconnected', 'the connection dropped or the room was left');
  }
}
