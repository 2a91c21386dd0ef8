// One file being received: collects chunks in order and settles `done` with the whole file.
import { FileCancelReason, encodeFileCancel } from '@roomcast/protocol/files';
import { FileTransferError, type FileTransferReason } from './errors.js';

/** @internal What an incoming transfer needs from its RoomFiles. */
export interface IncomingHost {
  /** Sends a file message directly to `member`. */
  reply(payload: Uint8Array, member: number): void;
  /** A chunk arrived (in order); `collect` says whether the file keeps it for `done`. */
  data(file: IncomingFile, offset: number, data: Uint8Array): void;
  readonly collect: boolean;
  progress(file: IncomingFile): void;
  finished(file: IncomingFile, bytes: Uint8Array | undefined, error: FileTransferError | undefined): void;
}

/** A file another member is sending you: the payload of `'file_start'`. */
export class IncomingFile {
  /** Bytes received so far. */
  received = 0;
  /** `'receiving'` until it settles. */
  state: 'receiving' | 'done' | 'cancelled' = 'receiving';
  /**
   * Resolves with the whole file, byte-identical (empty when the RoomFiles option `collect` is
   * false: then the bytes came only through `'file_data'`); rejects with a {@link FileTransferError}.
   */
  readonly done: Promise<Uint8Array>;
  readonly #host: IncomingHost;
  #parts: Uint8Array[] = [];
  #settle!: (bytes: Uint8Array | undefined, error: FileTransferError | undefined) => void;

  /** @internal */
  constructor(
    host: IncomingHost,
    /** Member id of the sender. */
    readonly sender: number,
    /** Transfer id (unique per sender while it runs). */
    readonly id: number,
    readonly name: string,
    readonly type: string,
    /** Size in bytes, as the sender announced it. */
    readonly size: number,
    /** True when it was sent to you alone. */
    readonly direct: boolean,
  ) {
    this.#host = host;
    this.done = new Promise<Uint8Array>((resolve, reject) => {
      this.#settle = (bytes, error) => (error === undefined ? resolve(bytes!) : reject(error));
    });
    this.done.catch(() => {});
  }

  /** Stops receiving: the sender is told you declined, and `done` rejects with reason `cancelled`. */
  cancel(): void {
    this.abort('cancelled', 'you cancelled the transfer', true);
  }

  /** @internal The next chunk; a gap breaks the transfer. */
  chunk(offset: number, data: Uint8Array): void {
    if (this.state !== 'receiving') return;
    if (offset !== this.received || this.received + data.length > this.size) {
      return this.abort('broken', `chunk at offset ${offset} does not continue at ${this.received} (size ${this.size})`, true);
    }
    this.#host.data(this, offset, data);
    if (data.length > 0 && this.#host.collect) this.#parts.push(data);
    this.received += data.length;
    this.#host.progress(this);
    if (this.received === this.size) this.complete();
  }

  /** @internal Resolves `done` once every byte is here (at once for an empty file). */
  complete(): void {
    if (this.state !== 'receiving' || this.received !== this.size) return;
    this.state = 'done';
    const bytes = new Uint8Array(this.#host.collect ? this.size : 0);
    let at = 0;
    for (const part of this.#parts) {
      bytes.set(part, at);
      at += part.length;
    }
    // Stryker disable next-line ArrayDeclaration: equivalent, only frees memory; the parts are never read again.
    this.#parts = [];
    this.#settle(bytes, undefined);
    this.#host.finished(this, bytes, undefined);
  }

  /** @internal Ends the transfer; with `decline`, tells the sender to stop sending to you. */
  abort(reason: FileTransferReason, message: string, decline = false): void {
    if (this.state !== 'receiving') return;
    this.state = 'cancelled';
    // Stryker disable next-line ArrayDeclaration: equivalent, only frees memory; the parts are never read again.
    this.#parts = [];
    // A file from the server (sender 0, through the server API) cannot be declined: no member to tell.
    if (decline && this.sender !== 0) {
      try {
        this.#host.reply(encodeFileCancel(this.id, FileCancelReason.Declined), this.sender);
      } catch {
        // Not connected: the sender sees us leave instead.
      }
    }
    const error = new FileTransferError(reason, message);
    this.#settle(undefined, error);
    this.#host.finished(this, undefined, error);
  }
}
