// Entry `@roomcast/client/files`: sending files through a room in paced reliable chunks
// (PROTOCOL.md appendix B). A separate entry so that applications that never send files do not
// ship this code: the main bundle only carries the small tap in room.ts.
export { roomFiles, RoomFiles, type FileEvents, type RoomFilesOptions, type SendFileOptions } from './room-files.js';
export { OutgoingFile } from './outgoing.js';
export { IncomingFile } from './incoming.js';
export { FileTransferError, type FileTransferReason } from './errors.js';
export type { BlobLike, FileSource } from './source.js';
