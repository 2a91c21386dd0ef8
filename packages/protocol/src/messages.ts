// Control messages: zod schemas (the single source of truth for their shape) and their types.
// Requests from the client carry an `id` that the relay echoes in the reply (`welcome`, `joined`, `ok`, `error`).
import { z } from 'zod';
import { ERROR_CODE_NAMES } from './codes.js';
import { MAX_GROUP_ID, MAX_MEMBER_ID, MAX_ROOM_HANDLE, MAX_TOKEN_CHARS, MAX_USER_ID_CHARS, ROOM_NAME_PATTERN } from './frames.js';

const requestId = z.number().int().min(0).max(0xffff_ffff);
const roomHandle = z.number().int().min(1).max(MAX_ROOM_HANDLE);
const memberId = z.number().int().min(1).max(MAX_MEMBER_ID);
const shortText = z.string().max(256);
/** A signed connection token (a compact JWT, `header.payload.signature`), protocol v2. */
const token = z.string().min(1).max(MAX_TOKEN_CHARS);
/** Seconds until the connection's token expires, by the relay's clock. */
const expiresInSec = z.number().int().min(0).max(0xffff_ffff);
/** The verified user id (the token's `sub`). */
const userId = z.string().min(1).max(MAX_USER_ID_CHARS);
/** Any JSON value (the relay also caps its serialised size). */
export const presenceSchema = z.json();
export type Presence = z.infer<typeof presenceSchema>;

export const roomNameSchema = z.string().regex(ROOM_NAME_PATTERN, 'room name must be 1-128 printable ASCII characters');

// ---- client → relay -------------------------------------------------------

/** Loose on purpose: unknown fields are ignored, so a newer client's hello still gets a clear version answer. */
export const helloSchema = z.object({
  type: z.literal('hello'),
  id: requestId,
  /** Protocol version the client speaks. */
  v: z.number().int().min(0).max(0xffff),
  /** Free-form client name and version, for logs ("roomcast-js/0.1.0"). */
  client: shortText.optional(),
  /** v2: the connection token. Never put it in the URL (URLs end up in logs). */
  token: token.optional(),
});

export const joinSchema = z.strictObject({
  type: z.literal('join'),
  id: requestId,
  room: z.string().max(1024),
  presence: presenceSchema.optional(),
  /** Room tick rate for `latest` values, in Hz; used only when this join creates the room. */
  tickHz: z.number().int().min(1).max(1000).optional(),
  /** The resume token of a seat held for you (§8.21): the relay gives you back that member id. */
  seat: z.string().min(1).max(64).optional(),
  /** Settings of the room this join creates (§8.20 rule 6): only `role: "server"` tokens; ignored when the room exists. */
  settings: z.strictObject({
    capacity: z.number().int().min(1).max(MAX_MEMBER_ID).optional(),
    locked: z.boolean().optional(),
    private: z.boolean().optional(),
    metadata: presenceSchema.optional(),
  }).optional(),
});

export const leaveSchema = z.strictObject({
  type: z.literal('leave'),
  id: requestId,
  room: roomHandle,
});

export const setPresenceSchema = z.strictObject({
  type: z.literal('presence'),
  id: requestId,
  room: roomHandle,
  presence: presenceSchema,
});

export const pingSchema = z.strictObject({
  type: z.literal('ping'),
  id: requestId,
});

/**
 * Interest groups (§4.5): the groups of a room whose `latest` batches and group-addressed frames
 * this member receives from now on; replaces the previous set. The relay caps its length at
 * `limits.maxGroupsPerMember` (`too_many_groups`); CONTROL_MAX_ITEMS bounds it before that.
 */
export const interestSchema = z.strictObject({
  type: z.literal('interest'),
  id: requestId,
  room: roomHandle,
  groups: z.array(z.number().int().min(1).max(MAX_GROUP_ID)),
});

/** v2: replaces the connection's token before it expires, without reconnecting. */
export const refreshSchema = z.strictObject({
  type: z.literal('refresh'),
  id: requestId,
  token,
});

export const clientMessageSchema = z.discriminatedUnion('type', [
  helloSchema,
  joinSchema,
  leaveSchema,
  setPresenceSchema,
  pingSchema,
  refreshSchema,
  interestSchema,
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

// ---- relay → client -------------------------------------------------------
// Tolerant readers: clients ignore fields they do not know, so a relay can add fields (a new
// limit, say) without breaking older clients. Client → relay messages above are strict.

export const limitsSchema = z.object({
  maxPayloadBytes: z.number().int().min(0),
  maxControlBytes: z.number().int().min(0),
  maxRoomsPerConnection: z.number().int().min(0),
  maxMembersPerRoom: z.number().int().min(0),
  maxPresenceBytes: z.number().int().min(0),
  maxMessagesPerSec: z.number().min(0),
  idleTimeoutSec: z.number().min(0),
  burstMessages: z.number().int().min(0),
  /** Sustained bytes per second a connection may send. */
  maxBytesPerSec: z.number().int().min(0),
  /** `latest` keys one member may hold in one room. */
  maxKeysPerMember: z.number().int().min(0),
  /** Default room tick rate, and the bounds a `join` may ask for, in Hz. */
  tickHz: z.number().int().min(1),
  minTickHz: z.number().int().min(1),
  maxTickHz: z.number().int().min(1),
  /** Interest groups one member may subscribe to in one room (§4.5); absent from relays without groups (read it as 0). */
  maxGroupsPerMember: z.number().int().min(0).optional(),
});
export type Limits = z.infer<typeof limitsSchema>;

export const memberSchema = z.object({
  id: memberId,
  presence: presenceSchema,
  /** v2: the member's verified user id (its token's `sub`); absent for anonymous members. */
  userId: userId.optional(),
  /** v2: trusted member info from the token's `info` claim (any JSON, size-capped by the relay); absent when the token has none. */
  info: presenceSchema.optional(),
  /** True while the member's connection is gone and its seat is held (§8.21); absent otherwise. */
  away: z.boolean().optional(),
});
export type Member = z.infer<typeof memberSchema>;

export const welcomeSchema = z.object({
  type: z.literal('welcome'),
  id: requestId,
  v: z.number().int(),
  /** Opaque id of this connection on the relay, for logs and support. */
  session: shortText,
  limits: limitsSchema,
  /** v2: the verified user id of this connection; absent for anonymous connections. */
  userId: userId.optional(),
  /** v2: seconds until the token expires (then the relay closes with 4440 unless a `refresh` came first); absent when nothing expires. */
  expiresInSec: expiresInSec.optional(),
});

/** v2: reply to `refresh`: the new token is in force. */
export const refreshedSchema = z.object({
  type: z.literal('refreshed'),
  id: requestId,
  /** Seconds until the new token expires. */
  expiresInSec,
});

/** The room's settings (PROTOCOL.md §8.20), set by the application's server; defaults when it set none. */
export const roomSettingsSchema = z.object({
  /** Members the room may hold (at most the relay's `maxMembersPerRoom`). */
  capacity: z.number().int().min(1).max(MAX_MEMBER_ID),
  /** No new joins (`room_locked`); members present stay. */
  locked: z.boolean(),
  /** Not listed by the server API unless asked for. */
  private: z.boolean(),
  /** Small JSON set by the server (size-capped by the relay); `null` when none. */
  metadata: presenceSchema,
});
export type RoomSettings = z.infer<typeof roomSettingsSchema>;

export const joinedSchema = z.object({
  type: z.literal('joined'),
  id: requestId,
  room: roomNameSchema,
  handle: roomHandle,
  /** Your member id in this room. */
  self: memberId,
  /** Every member, you included, in join order. */
  members: z.array(memberSchema).max(MAX_MEMBER_ID),
  /** The room's tick rate for `latest` values, in Hz. */
  tickHz: z.number().int().min(1).optional(),
  /** The room's settings (§8.20); relays of this revision always send them. */
  settings: roomSettingsSchema.optional(),
  /** The host's member id (§8.20); relays of this revision always send it. */
  host: memberId.optional(),
  /** Your seat's resume token (§8.21), when the relay holds seats: send it in `join` after a reconnect. */
  seat: z.string().min(1).max(64).optional(),
  /**
   * The room's file budget (appendix B.3 rule 2): bytes per second that file transfers in this room
   * may make the relay send, counted once per recipient. Senders pace by it; relays of this
   * revision always send it.
   */
  fileBytesPerSec: z.number().int().min(1).optional(),
});

/** The application's server removed you from the room (§8.20 rule 7): the handle is dead, the connection stays. */
export const removedSchema = z.object({
  type: z.literal('removed'),
  room: roomHandle,
  /** The text the server gave (may be empty). */
  reason: z.string().max(256),
});

/** A member's connection dropped; its seat is held for the relay's grace window (§8.21). */
export const memberAwaySchema = z.object({
  type: z.literal('member_away'),
  room: roomHandle,
  member: memberId,
});

/** A member that was away took its seat back (§8.21). */
export const memberBackSchema = z.object({
  type: z.literal('member_back'),
  room: roomHandle,
  member: memberId,
});

/** The server changed the room's settings (§8.20): every member gets the new settings, whole. */
export const roomSettingsMessageSchema = z.object({
  type: z.literal('room_settings'),
  room: roomHandle,
  settings: roomSettingsSchema,
});

/** The application's server closed the room (§8.20): you are no longer in it and its handle is dead. */
export const roomClosedSchema = z.object({
  type: z.literal('room_closed'),
  room: roomHandle,
  /** The text the server gave (at most 120 characters; may be empty). */
  reason: z.string().max(256),
});

/** The room has a new host (§8.20): the previous one left, or a server member arrived. */
export const hostChangedSchema = z.object({
  type: z.literal('host_changed'),
  room: roomHandle,
  host: memberId,
});

export const okSchema = z.object({
  type: z.literal('ok'),
  id: requestId,
});

export const pongSchema = z.object({
  type: z.literal('pong'),
  id: requestId,
});

export const memberJoinedSchema = z.object({
  type: z.literal('member_joined'),
  room: roomHandle,
  member: memberSchema,
});

export const memberUpdatedSchema = z.object({
  type: z.literal('member_updated'),
  room: roomHandle,
  member: memberSchema,
});

export const memberLeftSchema = z.object({
  type: z.literal('member_left'),
  room: roomHandle,
  member: memberId,
});

export const errorSchema = z.object({
  type: z.literal('error'),
  /** The request this error answers; absent for errors about data frames or the connection. */
  id: requestId.optional(),
  code: z.enum(ERROR_CODE_NAMES),
  message: z.string().max(1024),
  /** The room handle concerned, when there is one. */
  room: roomHandle.optional(),
});

/**
 * Relay → client, raw TCP only (PROTOCOL.md appendix A): the relay has received no complete frame for half
 * the idle window. The client answers with any frame (`ping` is the natural one) or is closed.
 */
export const heartbeatSchema = z.object({
  type: z.literal('heartbeat'),
});

/**
 * Relay → client, raw TCP only: the last frame before the relay ends the connection. Carries what
 * a WebSocket close frame carries, since TCP has no close frame of its own.
 */
export const closeSchema = z.object({
  type: z.literal('close'),
  /** A close code of CloseCodes (PROTOCOL.md §10). */
  code: z.number().int().min(1000).max(4999),
  reason: z.string().max(256),
});

export const serverMessageSchema = z.discriminatedUnion('type', [
  welcomeSchema,
  joinedSchema,
  okSchema,
  refreshedSchema,
  pongSchema,
  memberJoinedSchema,
  memberUpdatedSchema,
  memberLeftSchema,
  roomSettingsMessageSchema,
  hostChangedSchema,
  roomClosedSchema,
  removedSchema,
  memberAwaySchema,
  memberBackSchema,
  errorSchema,
  heartbeatSchema,
  closeSchema,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/** Any control message, either direction. */
export const controlMessageSchema = z.union([clientMessageSchema, serverMessageSchema]);
export type ControlMessage = ClientMessage | ServerMessage;
export type ErrorMessage = z.infer<typeof errorSchema>;
