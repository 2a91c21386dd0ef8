// Relay configuration, part 1 of 5: what one connection, room and frame may cost (config.ts composes
// the parts into one schema, in this order).
import { MAX_ROOM_HANDLE } from '@roomcast/protocol';
import { int, number } from './kit.js';

export const limitsEnv = {
  /** Largest data frame payload accepted, in bytes. */
  RELAY_MAX_PAYLOAD_BYTES: int(1, 16 * 1024 * 1024).default(16 * 1024),
  /** Largest control frame accepted, in bytes. */
  RELAY_MAX_CONTROL_BYTES: int(64, 1024 * 1024).default(4096),
  /** Rooms one connection may be in at once. */
  RELAY_MAX_ROOMS_PER_CONNECTION: int(1, 1024).default(16),
  /** Members one room may hold. */
  RELAY_MAX_MEMBERS_PER_ROOM: int(1, 65535).default(256),
  /** Rooms the relay hosts at once. */
  RELAY_MAX_ROOMS: int(1, MAX_ROOM_HANDLE).default(10_000),
  /** Size of one member's presence state serialised as JSON, in UTF-8 bytes. */
  RELAY_MAX_PRESENCE_BYTES: int(2, 64 * 1024).default(512),
  /** Sustained frames per second per connection (token bucket refill rate). */
  RELAY_MAX_MESSAGES_PER_SEC: number().positive({ error: 'must be above 0' }).max(1_000_000, { error: 'must be at most 1000000' }).default(200),
  /** Token bucket capacity: frames a connection may send in a burst. */
  RELAY_BURST_MESSAGES: int(1, 10_000_000).default(400),
  /** Rejected (rate-limited) frames within one 10-second window before the connection is closed with 4429. */
  RELAY_FLOOD_STRIKES: int(1, 1_000_000).default(100),
  /** Protocol errors (malformed or unexpected frames) on one connection before it is closed with 4400. */
  RELAY_MAX_PROTOCOL_ERRORS: int(1, 1_000_000).default(10),
  /** Time a new connection has to send `hello`, in milliseconds. */
  RELAY_HELLO_TIMEOUT_MS: int(100, 600_000).default(10_000),
  /** Seconds without traffic before a connection is closed (the relay pings before that). 0 disables. */
  RELAY_IDLE_TIMEOUT_SEC: int(0, 960)
    .refine((v) => v === 0 || v >= 8, { error: 'must be 0 (disabled) or at least 8 seconds (the WebSocket layer checks timeouts every 4 s)' })
    .default(32),
  /** Hard cap on a connection's send buffer, in bytes; above it the connection is closed with 4503. */
  RELAY_MAX_BUFFERED_BYTES: int(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  /** How often send buffers are checked against the hard cap, in milliseconds. */
  RELAY_BACKPRESSURE_CHECK_MS: int(10, 10_000).default(100),
  /** Send buffer above which a connection skips `latest` ticks and `droppable` frames (it gets a snapshot when it drains). */
  RELAY_SOFT_BUFFERED_BYTES: int(1024, 1024 * 1024 * 1024).default(64 * 1024),
  /** Sustained bytes per second per connection (token bucket; the burst is twice that). */
  RELAY_MAX_BYTES_PER_SEC: int(1024, 1024 * 1024 * 1024).default(256 * 1024),
  /** Default room tick: how often changed `latest` values are flushed, in Hz. */
  RELAY_TICK_HZ: int(1, 1000).default(30),
  /** Lowest tick rate a `join` may ask for, in Hz. */
  RELAY_MIN_TICK_HZ: int(1, 1000).default(1),
  /** Highest tick rate a `join` may ask for, in Hz. */
  RELAY_MAX_TICK_HZ: int(1, 1000).default(60),
  /** `latest` keys one member may hold in one room. */
  RELAY_MAX_KEYS_PER_MEMBER: int(1, 256).default(16),
  /** Interest groups one member may subscribe to in one room (PROTOCOL.md §4.5); 0 offers no groups. */
  RELAY_MAX_GROUPS_PER_MEMBER: int(0, 1024).default(64),
  /** Bytes per second one room may send out (all recipients); above it `latest` ticks are skipped and `droppable` frames dropped. */
  RELAY_ROOM_MAX_BYTES_OUT_PER_SEC: int(1024, 1024 * 1024 * 1024).default(8 * 1024 * 1024),
};
