// Why a file transfer ended early: one error class with a stable `reason`, for both directions.

/**
 * - `cancelled`: you called `cancel()`.
 * - `remote_cancelled`: (receiving) the sender cancelled.
 * - `declined`: (sending) every recipient declined (cancelled on its side, or the file was too large for it).
 * - `failed`: (receiving) the sender could not read its source; (sending) your source failed or
 *   yielded a different number of bytes than `size`.
 * - `sender_left`: (receiving) the sender left the room or its connection closed.
 * - `recipient_left`: (sending) every recipient left.
 * - `too_large`: (receiving) the announced size is above `maxFileBytes`; the sender was told.
 * - `broken`: (receiving) a chunk did not continue where the last one ended.
 * - `disconnected`: your connection dropped, you left the room, or the client closed.
 */
export type FileTransferReason =
  | 'cancelled' | 'remote_cancelled' | 'declined' | 'failed' | 'sender_left' | 'recipient_left'
  | 'too_large' | 'broken' | 'disconnected';

/** Rejection of `OutgoingFile.done` / `IncomingFile.done`, and the payload of the `*_cancel` events. */
export class FileTransferError extends Error {
  override readonly name = 'FileTransferError';
  constructor(readonly reason: FileTransferReason, message: string) {
    super(message);
  }
}
