// Plain counters the core increments on the hot path (no metric library calls per frame);
// http/metrics.ts exposes them to Prometheus when scraped. Frames and bytes out are counted only
// by outbox.ts, closes only by connections.ts, whatever the transport.
import { ERROR_CODE_NAMES, type ClassName, type CloseName, type ErrorCode } from '@roomcast/protocol';
import { REFUSAL_REASONS, type RefusalReason } from './addresses.js';

/** What a frame is, for the frame counters: a control frame, or the delivery class of a data frame. */
export type FrameCountKind = 'control' | ClassName;

export const LIMIT_NAMES = [
  'frame_bytes', 'payload_bytes', 'control_bytes', 'rooms_per_connection', 'members_per_room', 'rooms',
  'presence_bytes', 'messages_per_sec', 'bytes_per_sec', 'flood', 'protocol_errors', 'hello_timeout', 'buffered_bytes',
  'keys_per_member', 'room_bytes_out', 'frame_timeout', 'api_requests', 'groups_per_member',
] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

export const HELLO_RESULTS = ['anonymous', 'token', 'unauthorized', 'token_expired', 'internal', 'unsupported_version'] as const;
export type HelloResult = (typeof HELLO_RESULTS)[number];
export const REFRESH_RESULTS = ['ok', 'unauthorized', 'token_expired', 'internal'] as const;
export type RefreshResult = (typeof REFRESH_RESULTS)[number];

export class Stats {
  connectionsOpened = 0;
  /** Frames received, by kind: control, or the delivery class of a data frame. */
  framesIn: Record<FrameCountKind, number> = { control: 0, reliable: 0, latest: 0, droppable: 0 };
  bytesIn = 0;
  /** Frames sent, counted per recipient (a broadcast to 9 members counts 9); batch frames count as latest. */
  framesOut: Record<FrameCountKind, number> = { control: 0, reliable: 0, latest: 0, droppable: 0 };
  bytesOut = 0;
  /** `latest` values delivered: entries of each batch times its recipients. */
  latestUpdatesOut = 0;
  /** `latest` values replaced before their tick flushed them. */
  merges = 0;
  /** `droppable` frames not delivered to a recipient (behind, or over a budget), per recipient. */
  drops = 0;
  /** Room ticks a lagging member missed, plus ticks skipped for a room's output budget. */
  skippedTicks = 0;
  /** Room ticks that sent a batch. */
  ticks = 0;
  /** Snapshots sent (on join and after a member drained). */
  snapshots = 0;
  /** Times a connection went over the soft send-buffer limit. */
  lagStarts = 0;
  /** Rooms the server API created that nobody joined within RELAY_EMPTY_ROOM_TTL_SEC. */
  emptyRoomsExpired = 0;
  errors: Record<ErrorCode, number> = Object.fromEntries(ERROR_CODE_NAMES.map((c) => [c, 0])) as Record<ErrorCode, number>;
  limitHits: Record<LimitName, number> = Object.fromEntries(LIMIT_NAMES.map((l) => [l, 0])) as Record<LimitName, number>;
  /** Connections refused before they opened (PROTOCOL.md §8.19), by reason. */
  refused: Record<RefusalReason, number> = Object.fromEntries(REFUSAL_REASONS.map((r) => [r, 0])) as Record<RefusalReason, number>;
  /** `hello` outcomes: welcomed anonymous or with a token, or refused by code. */
  hellos: Record<HelloResult, number> = { anonymous: 0, token: 0, unauthorized: 0, token_expired: 0, internal: 0, unsupported_version: 0 };
  /** `refresh` outcomes. */
  refreshes: Record<RefreshResult, number> = { ok: 0, unauthorized: 0, token_expired: 0, internal: 0 };
  /** WebSocket upgrades refused with 403 for their Origin. */
  originRefused = 0;
  /** Closes the relay initiated, by close name. */
  closes: Partial<Record<CloseName, number>> = {};

  countClose(name: CloseName): void {
    this.closes[name] = (this.closes[name] ?? 0) + 1;
  }

  hitLimit(name: LimitName): void {
    this.limitHits[name]++;
  }
}
