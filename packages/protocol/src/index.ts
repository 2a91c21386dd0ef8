// Public API of @roomcast/protocol: the wire format shared by the relay and every client.
// Clients import `@roomcast/protocol/client` (client.ts), the same API without zod and msgpackr.
export * from './codes.js';
export * from './frames.js';
export * from './messages.js';
export * from './codec.js';
export * from './decode-client.js';
export * from './decode-server.js';
export * from './server-messages.js';
export * from './stream.js';
export * from './batch.js';
export { scanPlain, type ScanOptions, type ScanResult } from './msgpack.js';
export { packPlain } from './plain-writer.js';
export { readPlain, type ReadOptions, type ReadResult } from './plain-reader.js';
