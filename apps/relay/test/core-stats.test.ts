// Unit tests of core/stats.ts: the counters http/metrics.ts exposes start at zero under exactly
// the label values the README's metrics list names (every limit, refusal, hello and refresh
// result, every error code), and the two counting helpers.
import { ERROR_CODE_NAMES } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { HELLO_RESULTS, LIMIT_NAMES, REFRESH_RESULTS, Stats } from '../src/core/stats.js';
import { REFUSAL_REASONS } from '../src/core/addresses.js';

describe('Stats', () => {
  it('starts every counter at zero, keyed by exactly these label values', () => {
    const s = new Stats();
    expect(LIMIT_NAMES).toEqual([
      'frame_bytes', 'payload_bytes', 'control_bytes', 'rooms_per_connection', 'members_per_room', 'rooms',
      'presence_bytes', 'messages_per_sec', 'bytes_per_sec', 'flood', 'protocol_errors', 'hello_timeout', 'buffered_bytes',
      'keys_per_member', 'room_bytes_out', 'frame_timeout', 'api_requests', 'groups_per_member',
    ]);
    expect(s.limitHits).toEqual(Object.fromEntries(LIMIT_NAMES.map((l) => [l, 0])));
    expect(HELLO_RESULTS).toEqual(['anonymous', 'token', 'unauthorized', 'token_expired', 'internal', 'unsupported_version']);
    expect(s.hellos).toEqual(Object.fromEntries(HELLO_RESULTS.map((r) => [r, 0])));
    expect(REFRESH_RESULTS).toEqual(['ok', 'unauthorized', 'token_expired', 'internal']);
    expect(s.refreshes).toEqual(Object.fromEntries(REFRESH_RESULTS.map((r) => [r, 0])));
    expect(REFUSAL_REASONS).toEqual(['connections_per_ip', 'connect_rate', 'flood_cooldown', 'connections', 'tracked_addresses']);
    expect(s.refused).toEqual(Object.fromEntries(REFUSAL_REASONS.map((r) => [r, 0])));
    expect(s.errors).toEqual(Object.fromEntries(ERROR_CODE_NAMES.map((c) => [c, 0])));
    expect(s.framesIn).toEqual({ control: 0, reliable: 0, latest: 0, droppable: 0 });
    expect(s.framesOut).toEqual({ control: 0, reliable: 0, latest: 0, droppable: 0 });
    expect(s.closes).toEqual({});
    expect([s.connectionsOpened, s.bytesIn, s.bytesOut, s.latestUpdatesOut, s.merges, s.drops, s.skippedTicks, s.ticks, s.snapshots, s.lagStarts, s.emptyRoomsExpired, s.originRefused])
      .toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('counts closes by name (absent until the first) and limit hits by limit', () => {
    const s = new Stats();
    s.countClose('timeout');
    s.countClose('timeout');
    s.countClose('kicked');
    expect(s.closes).toEqual({ timeout: 2, kicked: 1 });
    s.hitLimit('flood');
    s.hitLimit('flood');
    expect(s.limitHits.flood).toBe(2);
    expect(Object.values(s.limitHits).reduce((a, b) => a + b, 0)).toBe(2);
  });
});
