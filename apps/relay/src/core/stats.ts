// Plain counters the core increments on the hot path (no metric library calls per frame);
// http/metrics.ts exposes them to Prometheus when scraped.
import { ERROR_CODE_NAMES, type CloseName, type ErrorCode } from '@roomcast/protocol';

export const LIMIT_NAMES = [
  'frame_bytes', 'payload_bytes', 'control_bytes', 'rooms_per_connection', 'members_per_room', 'rooms',
  'presence_bytes', 'messages_per_sec', 'flood', 'protocol_errors', 'hello_timeout', 'buffered_bytes',
] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

export class Stats {
  connectionsOpened = 0;
  framesIn = { control: 0, data: 0 };
  bytesIn = 0;
  /** Frames sent, counted per recipient (a broadcast to 9 members counts 9). */
  framesOut = { control: 0, data: 0 };
  bytesOut = 0;
  errors: Record<ErrorCode, number> = Object.fromEntries(ERROR_CODE_NAMES.map((c) => [c, 0])) as Record<ErrorCode, number>;
  limitHits: Record<LimitName, number> = Object.fromEntries(LIMIT_NAMES.map((l) => [l, 0])) as Record<LimitName, number>;
  /** Closes the relay initiated, by close name. */
  closes: Partial<Record<CloseName, number>> = {};

  countClose(name: CloseName): void {
    this.closes[name] = (this.closes[name] ?? 0) + 1;
  }
}
