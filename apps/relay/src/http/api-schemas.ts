// The HTTP server API's contract: one zod schema per request part and per answer, and the table of
// operations. api.ts validates requests with these schemas and openapi.ts turns the same schemas
// into the OpenAPI document (z.toJSONSchema), so the document cannot drift from the checks.
import { MAX_MEMBER_ID, MAX_USER_ID_CHARS, ROOM_NAME_PATTERN } from '@roomcast/protocol';
import { z } from 'zod';

/** Versioned prefix of every API path. */
export const API_PREFIX = '/api/v1';

/** WebSocket close reasons are at most 123 bytes; the reason is ASCII-printable so chars = bytes. */
const reason = z.string().regex(/^[\x20-\x7e]{0,120}$/, { error: 'must be at most 120 printable ASCII characters' })
  .meta({ description: 'Shown to the clients: the close reason (4403 `kicked`), or the reason of `room_closed`.', example: 'cheating' });

export const RoomName = z.string().regex(ROOM_NAME_PATTERN, { error: 'room names are 1-128 printable ASCII characters (0x21-0x7e)' })
  .meta({ description: 'Room name; percent-encode it in paths (a `/` in a name is `%2F`).', example: 'match-42' });
export const MemberId = z.coerce.number().int().min(1).max(MAX_MEMBER_ID).meta({ description: 'Member id in the room (1-65535).' });
export const UserId = z.string().min(1).max(MAX_USER_ID_CHARS).meta({ description: 'User id (the `sub` of the user\'s tokens).', example: 'user-17' });

export const ListRoomsQuery = z.strictObject({
  prefix: z.string().max(128).default('').meta({ description: 'Only rooms whose name starts with this.' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100).meta({ description: 'Rooms per page (1-1000).' }),
  after: z.string().max(128).optional().meta({ description: 'The `next` of the previous page: rooms sorted after this name.' }),
  private: z.enum(['true', 'false']).default('false').meta({ description: '`true` lists private rooms too.' }),
});

export const RoomParams = z.strictObject({ room: RoomName });
export const MemberParams = z.strictObject({ room: RoomName, member: MemberId });
export const UserParams = z.strictObject({ userId: UserId });

export const PublishQuery = z.strictObject({
  class: z.enum(['reliable', 'droppable']).default('reliable')
    .meta({ description: 'Delivery class (PROTOCOL.md §8.5): reliable frames always arrive, droppable ones skip members that fell behind.' }),
  to: MemberId.optional().meta({ description: 'Deliver to this member alone (direct flag set); absent: every member.' }),
});

export const ReasonBody = z.strictObject({ reason: reason.default('') });

const JsonValue = z.unknown().meta({ description: 'Any JSON value.' });

const Settings = z.object({
  capacity: z.number().int().meta({ description: 'Members the room may hold (at most RELAY_MAX_MEMBERS_PER_ROOM).' }),
  locked: z.boolean().meta({ description: 'No new joins (`room_locked`).' }),
  private: z.boolean().meta({ description: 'Listed only with `private=true`.' }),
  metadata: JsonValue.meta({ description: 'Small JSON (at most RELAY_MAX_ROOM_METADATA_BYTES); null when none.' }),
});

/** Body of the settings call: any subset; bounds that depend on config are checked in api.ts. */
export const SettingsPatch = z.strictObject({
  capacity: z.number().int().min(1).max(MAX_MEMBER_ID).optional(),
  locked: z.boolean().optional(),
  private: z.boolean().optional(),
  metadata: z.json().optional().meta({ description: 'Replaces the metadata (null clears it).' }),
});

const RoomSummary = z.object({
  name: z.string(),
  members: z.number().int().meta({ description: 'Members present.' }),
  tickHz: z.number().meta({ description: 'How often `latest` values are flushed.' }),
  settings: Settings,
  host: z.number().int().meta({ description: 'Member id of the host (the longest-present member).' }),
});

export const RoomPage = z.object({
  rooms: z.array(RoomSummary),
  next: z.string().optional().meta({ description: 'Pass as `after` to get the next page; absent on the last page.' }),
});

export const RoomDetail = RoomSummary.extend({
  memberList: z.array(z.object({
    id: z.number().int(),
    userId: z.string().optional(),
    info: JsonValue.optional(),
    presence: JsonValue,
    away: z.boolean().optional().meta({ description: 'True while its connection is gone and its seat is held (RELAY_SEAT_GRACE_MS).' }),
  })).meta({ description: 'Members in join order: the first is the longest present.' }),
});

export const SettingsAnswer = z.object({ settings: Settings });
export const CreateRoomBody = z.strictObject({
  name: RoomName,
  settings: SettingsPatch.optional(),
  tickHz: z.number().int().min(1).max(1000).optional().meta({ description: 'Tick rate for `latest` values (RELAY_MIN_TICK_HZ..RELAY_MAX_TICK_HZ); default RELAY_TICK_HZ.' }),
});
export const CreatedRoom = RoomSummary;
export const Published = z.object({ recipients: z.number().int().meta({ description: 'Connections the frame was sent to.' }) });
export const Kicked = z.object({ kicked: z.literal(true) });
export const Removed = z.object({ removed: z.literal(true) });
export const RoomClosed = z.object({ removed: z.number().int().meta({ description: 'Members removed from the room.' }) });
export const Disconnected = z.object({ disconnected: z.number().int().meta({ description: 'Connections closed.' }) });

export const API_ERROR_CODES = {
  unauthorized: 401,
  bad_request: 400,
  not_found: 404,
  method_not_allowed: 405,
  room_not_found: 404,
  member_not_found: 404,
  room_exists: 409,
  relay_full: 503,
  cluster_unavailable: 503,
  payload_too_large: 413,
  unsupported_media_type: 415,
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_CODES;

export const ApiError = z.object({
  error: z.object({
    code: z.enum(Object.keys(API_ERROR_CODES) as [ApiErrorCode, ...ApiErrorCode[]]),
    message: z.string(),
  }),
});

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
  { id: 'createRoom', method: 'post', path: '/rooms', summary: 'Create an empty room with settings, before anyone joins (it lives until closed, or until its last member leaves).',
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
] as const satisfies readonly Operation[];

export type OperationId = (typeof OPERATIONS)[number]['id'];
