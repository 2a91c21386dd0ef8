// The HTTP server API's data contract (docs/server-api.md): one zod schema per request part and per
// answer, the API's error codes, and the webhook events. The one source of these shapes: the relay
// validates requests with the schemas and generates docs/openapi.json from them
// (apps/relay/src/http/api-schemas.ts, openapi.ts), its core builds the answers as the inferred
// types (core/admin.ts), and @roomcast/server types its client with them. Why here:
// docs/decisions/0004-server-api-types.md.
// Entry `@roomcast/protocol/server-api`: it imports zod, so browser code (@roomcast/client) never
// imports it.
import { z } from 'zod';
import { MAX_MEMBER_ID, MAX_USER_ID_CHARS, ROOM_NAME_PATTERN } from './frames.js';
import type { RoomSettings } from './messages.js';

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

export const Settings = z.object({
  capacity: z.number().int().meta({ description: 'Members the room may hold (at most RELAY_MAX_MEMBERS_PER_ROOM).' }),
  locked: z.boolean().meta({ description: 'No new joins (`room_locked`).' }),
  private: z.boolean().meta({ description: 'Listed only with `private=true`.' }),
  metadata: JsonValue.meta({ description: 'Small JSON (at most RELAY_MAX_ROOM_METADATA_BYTES); null when none.' }),
});

/** Body of the settings call: any subset; bounds that depend on config are checked by the relay. */
export const SettingsPatch = z.strictObject({
  capacity: z.number().int().min(1).max(MAX_MEMBER_ID).optional(),
  locked: z.boolean().optional(),
  private: z.boolean().optional(),
  metadata: z.json().optional().meta({ description: 'Replaces the metadata (null clears it).' }),
});

export const RoomSummary = z.object({
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

export const RoomMember = z.object({
  id: z.number().int(),
  userId: z.string().optional(),
  info: JsonValue.optional(),
  presence: JsonValue,
  away: z.boolean().optional().meta({ description: 'True while its connection is gone and its seat is held (RELAY_SEAT_GRACE_MS).' }),
});

export const RoomDetail = RoomSummary.extend({
  memberList: z.array(RoomMember).meta({ description: 'Members in join order: the first is the longest present.' }),
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

export const ApiLimits = z.object({
  maxPayloadBytes: z.number().int().meta({ description: 'RELAY_MAX_PAYLOAD_BYTES: the largest publish body (a file chunk is this minus its 17-byte header).' }),
  fileBytesPerSec: z.number().int().meta({ description: 'The rooms\' file budget (PROTOCOL.md appendix B.3 rule 2): bytes per second file transfers may make the relay send, counted per recipient.' }),
  apiRatePerSec: z.number().int().meta({ description: 'RELAY_API_RATE_PER_SEC: requests per second per key (0: no limit).' }),
  apiBurst: z.number().int().meta({ description: 'RELAY_API_BURST: requests one key may make at once.' }),
});

/** Every error code of the API and its HTTP status. */
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
  rate_limited: 429,
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_CODES;

export const ApiError = z.object({
  error: z.object({
    code: z.enum(Object.keys(API_ERROR_CODES) as [ApiErrorCode, ...ApiErrorCode[]]),
    message: z.string(),
    retryAfterMs: z.number().int().optional().meta({ description: '`rate_limited` only: milliseconds until the key may make its next request (the `Retry-After` header rounds it up to seconds).' }),
  }),
});

// ---- the TypeScript types: what the schemas produce (answers) or accept (requests) -----------

/** A room's settings as the API shows them (PROTOCOL.md §8.20). */
export type ApiRoomSettings = z.output<typeof Settings>;
/** A room in a list. */
export type ApiRoomSummary = z.output<typeof RoomSummary>;
/** One member of a room. */
export type ApiRoomMember = z.output<typeof RoomMember>;
/** A room with its members. */
export type ApiRoomDetail = z.output<typeof RoomDetail>;
/** One page of rooms. */
export type ApiRoomPage = z.output<typeof RoomPage>;
/** A settings change: any subset. */
export type ApiSettingsPatch = z.input<typeof SettingsPatch>;
/** The relay's limits a backend paces by (`GET /api/v1/limits`). */
export type ApiLimitsAnswer = z.output<typeof ApiLimits>;
/** The body of an error answer. */
export type ApiErrorBody = z.output<typeof ApiError>;

// ---- webhooks (docs/server-api.md#webhooks) ----------------------------------------------

/** Why a member left: its `leave`, its connection closing, the server kicking it (4403) or closing the room. */
export type LeftReason = 'left' | 'disconnected' | 'kicked' | 'room_closed';

/** One event of a webhook request, in the order they happened. */
export type WebhookEvent =
  | { type: 'room.created' | 'room.closed'; timestamp: string; room: string }
  | { type: 'member.joined'; timestamp: string; room: string; memberId: number; userId?: string }
  | { type: 'member.left'; timestamp: string; room: string; memberId: number; userId?: string; reason: LeftReason }
  | { type: 'settings.changed'; timestamp: string; room: string; settings: RoomSettings };
