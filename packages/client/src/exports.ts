// The API both entries export besides their RoomcastClient class (types, errors, helpers).
export type { ClientEvents, ClientStatus, CloseInfo, ReconnectedInfo, RetryingInfo } from './client.js';
export type { ClientOptions, ConnectOptions, ReconnectOptions } from './options.js';
export { RoomcastError, type ClientErrorCode, type RoomcastErrorCode, type RoomcastErrorDetails } from './errors.js';
export { Room, type ClassName, type GroupOption, type RoomEvents, type RoomMember, type RoomMessage, type RoomResync } from './room.js';
export { CURSOR_BYTES, CURSOR_KEY, decodeCursor, encodeCursor } from './cursor.js';
export type { Listener } from './emitter.js';
export type { SocketCloseEvent, SocketMessageEvent, WebSocketConstructor, WebSocketLike } from './socket.js';
export { PROTOCOL_VERSION, SERVER_SENDER_ID, type ErrorCode, type Limits, type Presence, type RoomSettings } from '@roomcast/protocol/client';
