// core/presence.ts: the early-exit walk must never refuse a presence that fits (its size bound is
// a lower bound of the real JSON size) and must agree with JSON.stringify + the depth cap exactly.
import fc from 'fast-check';
import { PRESENCE_MAX_DEPTH } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { presenceProblem } from '../src/core/presence.js';

function depth(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depth));
}

describe('presenceProblem', () => {
  it('refuses exactly the values above the size or depth cap (fast-check, any JSON value)', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 16 }), fc.integer({ min: 2, max: 600 }), (value, max) => {
      const bytes = Buffer.byteLength(JSON.stringify(value));
      const fits = bytes <= max && depth(value) <= PRESENCE_MAX_DEPTH;
      expect(presenceProblem(value, max) === undefined).toBe(fits);
    }), { numRuns: 3000 });
  });

  it('counts UTF-8 bytes, escapes and lone surrogates as JSON.stringify writes them', () => {
    for (const value of ['ééé', '\u0000\n"\\', '\ud83d\ude00', '\ud800', { 'k\u2028': ['\u007f', 1.5e-7, -0] }]) {
      const bytes = Buffer.byteLength(JSON.stringify(value));
      expect(presenceProblem(value, bytes)).toBeUndefined();
      expect(presenceProblem(value, bytes - 1)).toMatch(/bytes as JSON/);
    }
  });
});
