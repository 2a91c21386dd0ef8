// The HTTP server API's operations: each one's path, method, request schemas, answer and errors.
// The schemas themselves are the API's data contract in @roomcast/protocol/server-api (shared with
// the core's answers and @roomcast/server); api.ts validates requests with them and openapi.ts
// turns the same schemas into the OpenAPI document (z.toJSONSchema), so the document cannot drift
// from the checks.
import {
  ApiLimits, CreateRoomBody, CreatedRoom, Disconnected, Kicked, ListRoomsQuery, MemberParams, Published, PublishQuery, ReasonBody, Removed,
  RoomClosed, RoomDetail, RoomPage, RoomParams, SettingsAnswer, SettingsPatch, UserParams, type ApiErrorCode,
} from '@roomcast/protocol/server-api';
import type { z } from 'zod';

export { API_ERROR_CODES, ApiError, CreateRoomBody, ReasonBody, SettingsPatch, type ApiErrorCode } from '@roomcast/protocol/server-api';

/** Versioned prefix of every API path. */
export const API_PREFIX = '/api/v1';

type Schema = z.ZodType;

export interface Operation {
  id: string;
  method: 'get' | 'post';
  /** OpenAPI path template under API_PREFIX. */
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** JSON body schema, or 'binary' for an application/octet-stream body. */
  body?: Schema | 'binary';
  response: Schema;
  errors: ApiErrorCode[];
}

/** Every operation, in the order of docs/server-api.md. */
export const OPERATIONS = [
  { id: 'listRooms', method: 'get', path: '/rooms', summary: 'List rooms (sorted by name, paginated, optionally filtered by a name prefix).',
    query: ListRoomsQuery, response: RoomPage, errors: ['bad_request'] },
  { id: 'createRoom', method: 'post', path: '/rooms', summary: 'Create an empty room with settings, before anyone joins (it lives until closed, until its last member leaves, or, when nobody joins, for RELAY_EMPTY_ROOM_TTL_SEC).',
    body: CreateRoomBody, response: CreatedRoom, errors: ['bad_request', 'room_exists', 'relay_full', 'unsupported_media_type'] },
  { id: 'getRoom', method: 'get', path: '/rooms/{room}', summary: 'One room: its settings and members (user id, info, presence).',
    params: RoomParams, response: RoomDetail, errors: ['bad_request', 'room_not_found'] },
  { id: 'updateSettings', method: 'post', path: '/rooms/{room}/settings', summary: 'Change some of a room\'s settings (capacity, locked, private, metadata); members get `room_settings`.',
    params: RoomParams, body: SettingsPatch, response: SettingsAnswer, errors: ['bad_request', 'room_not_found', 'unsupported_media_type'] },
  { id: 'publish', method: 'post', path: '/rooms/{room}/publish', summary: 'Publish the request body as one frame from the server (sender 0) to the room or to one member.',
    params: RoomParams, query: PublishQuery, body: 'binary', response: Published, errors: ['bad_request', 'room_not_found', 'member_not_found', 'payload_too_large', 'unsupported_media_type'] },
  { id: 'kickMember', method: 'post', path: '/rooms/{room}/members/{member}/kick', summary: 'Close the connection of one member with 4403 `kicked` and the reason.',
    params: MemberParams, body: ReasonBody, response: Kicked, errors: ['bad_request', 'room_not_found', 'member_not_found', 'unsupported_media_type'] },
  { id: 'removeMember', method: 'post', path: '/rooms/{room}/members/{member}/remove', summary: 'Remove one member from the room (it gets `removed` with the reason); its connection and other rooms stay.',
    params: MemberParams, body: ReasonBody, response: Removed, errors: ['bad_request', 'room_not_found', 'member_not_found', 'unsupported_media_type'] },
  { id: 'closeRoom', method: 'post', path: '/rooms/{room}/close', summary: 'Close a room: every member gets `room_closed` with the reason and is removed (connections stay open).',
    params: RoomParams, body: ReasonBody, response: RoomClosed, errors: ['bad_request', 'room_not_found', 'unsupported_media_type'] },
  { id: 'disconnectUser', method: 'post', path: '/users/{userId}/disconnect', summary: 'Close every connection of a user with 4403 `kicked` and the reason.',
    params: UserParams, body: ReasonBody, response: Disconnected, errors: ['bad_request', 'unsupported_media_type'] },
  { id: 'getLimits', method: 'get', path: '/limits', summary: 'The relay\'s limits a backend paces by: payload size, the rooms\' file budget, this API\'s rate.',
    response: ApiLimits, errors: [] },
] as const satisfies readonly Operation[];

export type OperationId = (typeof OPERATIONS)[number]['id'];
