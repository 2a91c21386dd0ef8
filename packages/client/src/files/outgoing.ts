// One file being sent: reads its source in chunks, paces each frame, and settles `done`.
// RoomFiles creates it and routes the recipients' declines and departures to it.
import { FileCancelReason, encodeFileCancel, encodeFileChunk, encodeFileStart } from '@roomcast/protocol/files';
import { FileTransferError, type FileTransferReason } from './errors.js';
import { chunks, type FileSource } from './source.js';

/** @internal What an outgoing transfer needs from its RoomFiles. */
export interface OutgoingHost {
  /** Sends a file message to the transfer's audience (`to` or the room). */
  transmit(payload: Uint8Array, to: number | undefined): void;
  /** Waits until a frame of `bytes` of this transfer may go out. */
  pace(file: OutgoingFile, bytes: number, alive: () => boolean): Promise<void>;
  progress(file: OutgoingFile): void;
  finished(file: OutgoingFile, error: FileTransferError | undefined): void;
}

/** A file you are sending, returned by `files.sendFile()`. */
export class OutgoingFile {
  /** Bytes handed to the socket so far (paced: they leave at the rate the relay allows). */
  sent = 0;
  /** `'sending'` until it settles. */
  state: 'sending' | 'done' | 'cancelled' = 'sending';
  /** Resolves when every chunk was handed to the socket; rejects with a {@link FileTransferError}. */
  readonly done: Promise<void>;
  /** @internal Members still receiving it. */
  readonly recipients: Set<number>;
  readonly #host: OutgoingHost;
  #settle!: (error: FileTransferError | undefined) => void;

  /** @internal */
  constructor(
    host: OutgoingHost,
    /** Transfer id (u32), unique among your transfers in the room. */
    readonly id: number,
    readonly name: string,
    readonly type: string,
    readonly size: number,
    /** The one recipient, or undefined for the whole room. */
    readonly to: number | undefined,
    recipients: Iterable<number>,
  ) {
    this.#host = host;
    this.recipients = new Set(recipients);
    this.done = new Promise<void>((resolve, reject) => {
      this.#settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Callers that only listen to events must not see an unhandled rejection.
    this.done.catch(() => {});
  }

  /** Stops sending; the recipients get a cancel and `done` rejects with reason `cancelled`. */
  cancel(): void {
    this.abort('cancelled', 'you cancelled the transfer', FileCancelReason.Cancelled);
  }

  /** @internal Reads and sends the whole source. */
  async run(source: FileSource, chunkBytes: number): Promise<void> {
    const alive = () => this.state === 'sending';
    try {
      if (this.recipients.size === 0) return this.#finish(undefined);
      const start = encodeFileStart(this.id, this.size, this.name, this.type);
      await this.#host.pace(this, start.length, alive);
      if (!alive()) return;
      this.#host.transmit(start, this.to);
      for await (const data of chunks(source, chunkBytes)) {
        if (!alive()) return;
        if (this.sent + data.length > this.size) break;
        const frame = encodeFileChunk(this.id, this.sent, data);
        await this.#host.pace(this, frame.length, alive);
        if (!alive()) return;
        this.#host.transmit(frame, this.to);
        this.sent += data.length;
        this.#host.progress(this);
      }
      if (!alive()) return;
      if (this.sent !== this.size) {
        return this.abort('failed', `the source yielded more or fewer bytes than size ${this.size}`, FileCancelReason.Failed);
      }
      this.#finish(undefined);
    } catch (err) {
      if (!alive()) return;
      const disconnected = (err as { code?: string }).code === 'not_connected' || (err as { code?: string }).code === 'not_in_room';
      if (disconnected) return this.abort('disconnected', `connection lost while sending: ${String(err)}`);
      this.abort('failed', `could not read or send the file: ${String(err)}`, FileCancelReason.Failed);
    }
  }

  /** @internal Ends the transfer; with `tell`, sends that cancel reason to the recipients. */
  abort(reason: FileTransferReason, message: string, tell?: FileCancelReason): void {
    if (this.state !== 'sending') return;
    this.state = 'cancelled';
    if (tell !== undefined) {
      try {
        this.#host.transmit(encodeFileCancel(this.id, tell), this.to);
      } catch {
        // Not connected: the recipients lose the transfer with the connection anyway.
      }
    }
    const error = new FileTransferError(reason, message);
    this.#settle(error);
    this.#host.finished(this, error);
  }

  /** @internal A recipient declined or left; the transfer ends when none is left. */
  lose(member: number, reason: 'declined' | 'recipient_left'): void {
    if (!this.recipients.delete(member) || this.recipients.size > 0) return;
    this.abort(reason, reason === 'declined' ? 'every recipient declined the file' : 'every recipient left the room');
  }

  #finish(error: FileTransferError | undefined): void {
    if (this.state !== 'sending') return;
    this.state = 'done';
    this.#settle(error);
    this.#host.finished(this, error);
  }
}
