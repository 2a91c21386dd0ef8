// Binary layout of Roomcast frames: kinds, delivery classes, header sizes and limits.
// Every WebSocket message (and every length-prefixed TCP record) carries exactly one frame.

/**
 * Newest protocol version spoken by this package; sent in `hello` and `welcome`.
 * v2 adds tokens (`hello.token`, `refresh`), trusted member identity and the auth codes.
 */
export const PROTOCOL_VERSION = 2;
/** Oldest version a relay still accepts in `hello`; it answers `welcome` with the hello's `v`. */
export const MIN_PROTOCOL_VERSION = 1;

/** Whether a relay of this package accepts a `hello` with this `v`. */
export function isSupportedVersion(v: number): boolean {
  return Number.isInteger(v) && v >= MIN_PROTOCOL_VERSION && v <= PROTOCOL_VERSION;
}

/** First byte of every frame. */
export const FrameKind = {
  /** 0x01 · MessagePack map: hello, join, leave, presence, errors, member events. */
  Control: 0x01,
  /** 0x02 · client → relay data frame with a binary header and an opaque payload. */
  Data: 0x02,
  /** 0x03 · relay → client data frame: the same payload, stamped with the sender's member id. */
  Deliver: 0x03,
  /** 0x04 · relay → client: one room tick of `latest` values from many senders, in one frame. */
  Batch: 0x04,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Delivery class, bits 0-1 of the flags byte. */
export const DeliveryClass = {
  /** Ordered per sender, never dropped silently. */
  Reliable: 0,
  /** Keyed state: only the newest value per (sender, key) matters; delivered in batch frames once per room tick. */
  Latest: 1,
  /** Transient: delivered at once to recipients that keep up, dropped (and counted) for the others. */
  Droppable: 2,
} as const;
export type DeliveryClass = (typeof DeliveryClass)[keyof typeof DeliveryClass];

/** Name of each delivery class, indexed by its number (`CLASS_NAMES[DeliveryClass.Latest]` is `'latest'`); used in metrics, SDK events and CLI options. */
export const CLASS_NAMES = ['reliable', 'latest', 'droppable'] as const;
export type ClassName = (typeof CLASS_NAMES)[number];

/** Flags byte layout. */
export const Flags = {
  CLASS_MASK: 0b0000_0011,
  /** Data: a 2-byte target member id follows the room handle. Deliver: the frame was sent to you alone. */
  DIRECT: 0b0000_0100,
  /** Batch frames: the batch holds every current value of the room (sent on join and after a stall). */
  SNAPSHOT: 0b0000_1000,
  /** Data frames (interest groups, §4.5): a 2-byte group id follows the room handle; the frame goes to that group's subscribers. */
  GROUP: 0b0000_1000,
  /** Batch frames (interest groups, §4.5): a 2-byte group id follows the room handle; the batch is that group's. */
  BATCH_GROUP: 0b0001_0000,
  /** Bits that must be zero in deliver frames. */
  RESERVED_MASK: 0b1111_1000,
  /** Bits that must be zero in data frames (bit 3 is the group bit). */
  DATA_RESERVED_MASK: 0b1111_0000,
  /** Bits that must be zero in batch frames (bit 4 is the group bit). */
  BATCH_RESERVED_MASK: 0b1110_0100,
} as const;

/** Kind + flags + room handle (u16 BE); entries follow until the end of the frame. */
export const BATCH_HEADER_BYTES = 4;

/** Kind + flags + room handle (u16 BE). */
export const DATA_HEADER_BYTES = 4;
/** Kind + flags + room handle + sender (u16 BE). */
export const DELIVER_HEADER_BYTES = 6;
/** Size of the optional target / sender member id. */
export const MEMBER_ID_BYTES = 2;
/** Size of the key byte present in `latest` class frames. */
export const KEY_BYTES = 1;
/** Largest data frame header: kind, flags, room handle, target member id and key byte. */
export const MAX_DATA_HEADER_BYTES = DATA_HEADER_BYTES + MEMBER_ID_BYTES + KEY_BYTES;

/** Member ids are 1..65535; 0 never names a member. */
export const MAX_MEMBER_ID = 0xffff;
/** Sender id of deliver frames the server published through the HTTP server API (§8.3): never a member. */
export const SERVER_SENDER_ID = 0;
/** Interest group ids are 1..65535; 0 never names a group (§4.5). */
export const MAX_GROUP_ID = 0xffff;
/** Size of the group id in data and batch frames that carry the group bit. */
export const GROUP_ID_BYTES = 2;
/** Room handles are 1..65535; 0 never names a room. */
export const MAX_ROOM_HANDLE = 0xffff;

/** Bounds the MessagePack structure of a control frame before it is decoded. */
export const CONTROL_MAX_DEPTH = 16;
export const CONTROL_MAX_ITEMS = 4096;
/**
 * Deepest presence (and `info`) value, counting a top-level map or array as 1: leaves room for
 * the envelope of `joined` (3 levels) within CONTROL_MAX_DEPTH, so relayed frames stay legal.
 */
export const PRESENCE_MAX_DEPTH = 13;

/** Longest token accepted in `hello` / `refresh`, in characters (the whole frame must also fit `limits.maxControlBytes`). */
export const MAX_TOKEN_CHARS = 8192;
/** Longest user id (`sub` claim), in characters. */
export const MAX_USER_ID_CHARS = 256;

/** Room names: 1..128 printable ASCII characters (0x21-0x7e). */
export const ROOM_NAME_PATTERN = /^[\x21-\x7e]{1,128}$/;
