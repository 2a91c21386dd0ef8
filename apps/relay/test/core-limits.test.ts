// Unit tests of core/limits.ts: the limits a client learns in `welcome` are exactly the relay's
// own (each field from its own setting), and the largest frame is the larger of data and control.
import { MAX_DATA_HEADER_BYTES } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { maxFrameBytes, welcomeLimits, type RelayLimits } from '../src/core/limits.js';

const WELCOME_FIELDS = [
  'maxPayloadBytes', 'maxControlBytes', 'maxRoomsPerConnection', 'maxMembersPerRoom', 'maxPresenceBytes',
  'maxMessagesPerSec', 'idleTimeoutSec', 'burstMessages', 'maxBytesPerSec', 'maxKeysPerMember', 'tickHz',
  'minTickHz', 'maxTickHz', 'maxGroupsPerMember',
] as const;

describe('core limits', () => {
  it('welcome carries exactly the fourteen client-facing limits, each from its own setting', () => {
    // A distinct value per field, so a field filled from the wrong setting shows.
    const limits = { ...parseConfig({}) } as unknown as Record<string, number>;
    for (const [i, key] of Object.keys(limits).entries()) if (typeof limits[key] === 'number') limits[key] = 1000 + i;
    const welcome = welcomeLimits(limits as unknown as RelayLimits);
    expect(Object.keys(welcome).sort()).toEqual([...WELCOME_FIELDS].sort());
    for (const key of WELCOME_FIELDS) expect(welcome[key], key).toBe(limits[key]);
  });

  it('the largest frame is a full data frame, or the control cap when that is larger', () => {
    const base = parseConfig({}) as unknown as RelayLimits;
    expect(maxFrameBytes({ ...base, maxPayloadBytes: 100, maxControlBytes: 50 })).toBe(100 + MAX_DATA_HEADER_BYTES);
    expect(maxFrameBytes({ ...base, maxPayloadBytes: 100, maxControlBytes: 500 })).toBe(500);
    expect(maxFrameBytes({ ...base, maxPayloadBytes: 100, maxControlBytes: 100 + MAX_DATA_HEADER_BYTES })).toBe(100 + MAX_DATA_HEADER_BYTES);
  });
});
