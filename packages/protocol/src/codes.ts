// Error and close codes of the Roomcast protocol, as documented data.
// Used by the relay (to send them) and by clients (to decide whether to reconnect).

/** Error codes carried in `error` control frames. The connection stays open unless a close follows. */
export const ErrorCodes = {
  bad_frame: { retry: false, description: 'The frame could not be decoded: unknown kind, truncated header, reserved bits set, or invalid MessagePack.' },
  bad_message: { retry: false, description: 'The control message decoded but failed validation (unknown type, missing or wrong field).' },
  handshake_required: { retry: false, description: 'A frame other than `hello` arrived before the handshake completed.' },
  already_welcomed: { retry: false, description: 'A second `hello` arrived on an open session.' },
  unsupported_version: { retry: false, description: 'The client speaks a protocol version the relay does not (the relay closes with 4406).' },
  bad_room_name: { retry: false, description: 'The room name is empty, too long, or has characters outside printable ASCII.' },
  room_full: { retry: true, description: 'The room already has the maximum number of members.' },
  room_locked: { retry: true, description: 'The room is locked by the application\'s server: no new joins until it unlocks it (§8.20).' },
  too_many_rooms: { retry: false, description: 'This connection is already in the maximum number of rooms.' },
  relay_full: { retry: true, description: 'The relay already hosts the maximum number of rooms.' },
  already_joined: { retry: false, description: 'This connection is already a member of that room.' },
  not_in_room: { retry: false, description: 'The room handle does not name a room this connection has joined.' },
  unknown_member: { retry: false, description: 'The target member of a direct frame is not in the room.' },
  unsupported_class: { retry: false, description: 'The delivery class cannot be used this way (latest frames cannot be direct).' },
  too_many_keys: { retry: false, description: 'This member already holds the maximum number of `latest` keys in the room (`limits.maxKeysPerMember`); clear one with an empty payload first.' },
  too_many_groups: { retry: false, description: 'An `interest` lists more groups than `limits.maxGroupsPerMember`, or the relay offers no interest groups (limit 0 or absent, e.g. clustered relays) and got an `interest` or a group-addressed data frame (§4.5).' },
  bad_tick_rate: { retry: false, description: 'The `tickHz` asked for in `join` is outside the relay bounds (`limits.minTickHz`..`limits.maxTickHz`).' },
  payload_too_large: { retry: false, description: 'A data frame payload is above the relay limit (`limits.maxPayloadBytes`).' },
  control_too_large: { retry: false, description: 'A control frame is above the relay limit (`limits.maxControlBytes`).' },
  presence_too_large: { retry: false, description: 'Presence state serialised as JSON is above `limits.maxPresenceBytes`.' },
  unauthorized: { retry: false, description: 'v2: the token is missing (this relay does not allow anonymous connections) or invalid: bad signature, unexpected algorithm or key, unknown `kid`, wrong `aud` or `iss`, no `exp`, not yet valid (`nbf`). After `hello` the relay closes with 4401; after `refresh` the current token stays in force.' },
  token_expired: { retry: true, description: 'v2: the token has expired. After `hello` the relay closes with 4440; after `refresh` the current token stays in force until it expires. Get a new token.' },
  forbidden: { retry: false, description: 'v2: the token does not allow this: joining this room, or sending, direct messages or presence in it. The request or frame is dropped; the connection stays open.' },
  rate_limited: { retry: true, description: 'Too many frames or bytes per second from this connection; the frame was dropped. Slow down.' },
  internal: { retry: true, description: 'Unexpected relay failure while handling the frame.' },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;
export const ERROR_CODE_NAMES = Object.keys(ErrorCodes) as [ErrorCode, ...ErrorCode[]];

/**
 * WebSocket close codes the relay uses. 1xxx are RFC 6455 codes; 4xxx mirror HTTP statuses.
 * `reconnect` says whether a client should reconnect automatically (with backoff).
 */
export const CloseCodes = {
  normal: { code: 1000, reconnect: false, description: 'Normal closure requested by the client.' },
  going_away: { code: 1001, reconnect: true, description: 'The relay is shutting down or restarting; reconnect (to it or another node).' },
  message_too_big: { code: 1009, reconnect: false, description: 'A frame was larger than the relay accepts (limits.maxPayloadBytes plus header, or limits.maxControlBytes). Far larger messages are dropped without a close frame (1006).' },
  protocol_error: { code: 4400, reconnect: false, description: 'Too many malformed or unexpected frames, or a frame before `hello`. Fix the client.' },
  unauthorized: { code: 4401, reconnect: false, description: 'Authentication failed: no token where the relay requires one, or an invalid token (see error `unauthorized`). Reconnect only with a new token.' },
  kicked: { code: 4403, reconnect: false, description: 'The server removed this connection through the HTTP server API (kick a member, disconnect a user); the close reason is the text the server gave. Do not reconnect automatically.' },
  unsupported_version: { code: 4406, reconnect: false, description: 'The `hello` asked for a protocol version the relay does not speak.' },
  timeout: { code: 4408, reconnect: true, description: 'No `hello` within the handshake deadline, or (raw TCP) no complete frame within the idle timeout, or a frame not completed within the frame deadline (appendix A.3). (A WebSocket connection silent past the idle timeout is dropped by the WebSocket layer without a close frame: 1006.)' },
  try_again_later: { code: 1013, reconnect: true, description: 'Raw TCP only: the relay refused the connection because it is at its connection cap (an HTTP 503 before the WebSocket upgrade). Reconnect with backoff, maybe to another node.' },
  rate_limited: { code: 4429, reconnect: true, description: 'The connection kept sending above its rate limit after `rate_limited` errors; or (raw TCP) its address is over its connection cap, connect rate or flood cool-down (an HTTP 429 before the WebSocket upgrade). Reconnect with backoff.' },
  token_expired: { code: 4440, reconnect: true, description: 'v2: the connection token expired and no `refresh` replaced it in time (or `hello` carried an expired token). Get a new token, then reconnect.' },
  internal_error: { code: 4500, reconnect: true, description: 'Unexpected relay failure.' },
  frames_lost: { code: 4502, reconnect: true, description: 'Clustered relays: frames or member events meant for this connection from another relay node were lost or arrived too late (the cluster store froze or dropped them). Reconnect, rejoin and resync (§8.5 rule 9).' },
  slow_consumer: { code: 4503, reconnect: true, description: 'The connection read too slowly: its send buffer passed the hard cap. Reconnect and resync.' },
} as const;

export type CloseName = keyof typeof CloseCodes;

/** Looks up a close code's entry; `undefined` for codes the protocol does not define (e.g. 1006 abnormal). */
export function closeInfo(code: number): (typeof CloseCodes)[CloseName] & { name: CloseName } | undefined {
  for (const [name, info] of Object.entries(CloseCodes) as [CloseName, (typeof CloseCodes)[CloseName]][]) {
    if (info.code === code) return { ...info, name };
  }
  return undefined;
}

/** Whether a client should reconnect after a close with this code. Unknown codes (1005, 1006, network drops) do. */
export function shouldReconnect(code: number): boolean {
  return closeInfo(code)?.reconnect ?? true;
}
