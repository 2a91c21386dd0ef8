// Version negotiation (PROTOCOL.md §8.1 rule 3, §15): a relay of this package accepts every
// version from MIN_PROTOCOL_VERSION to PROTOCOL_VERSION and answers `welcome` with the client's.
import { expect, test } from 'vitest';
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, isSupportedVersion } from '@roomcast/protocol';

test('this package speaks v2 and still accepts v1', () => {
  expect([MIN_PROTOCOL_VERSION, PROTOCOL_VERSION]).toStrictEqual([1, 2]);
});

test.each([[1, true], [2, true], [0, false], [3, false], [1.5, false], [65535, false], [Number.NaN, false]])(
  'isSupportedVersion(%d) → %s', (v, expected) => {
    expect(isSupportedVersion(v)).toBe(expected);
  },
);
