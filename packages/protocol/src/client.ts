// Entry `@roomcast/protocol/client`: what a client needs to speak the protocol, and nothing that
// pulls in zod or msgpackr (relay → client messages are checked by server-messages.ts). The
// message types still come from the zod schemas, as types only (erased from the JavaScript).
export * from './codes.js';
export * from './frames.js';
export * from './codec.js';
export * from './decode-server.js';
export * from './server-messages.js';
export * from './stream.js';
export * from './batch.js';
export { packPlain } from './plain-writer.js';
export { readPlain, type ReadOptions, type ReadResult } from './plain-reader.js';
export type {
  ClientMessage, ServerMessage, ControlMessage, ErrorMessage, Limits, Member, Presence, RoomSettings,
} from './messages.js';
