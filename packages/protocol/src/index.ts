// Public API of @roomcast/protocol: the wire format shared by the relay and every client.
export * from './codes.js';
export * from './frames.js';
export * from './messages.js';
export * from './codec.js';
export * from './stream.js';
export * from './batch.js';
export { scanPlain } from './msgpack.js';
