// The hand-written relay → client validators (server-messages.ts) against the zod schema they
// stand in for (`serverMessageSchema`): same verdict and same output, on every vector, on every
// field of every vector replaced by an odd value, and on random messages.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { parseServerMessage, readPlain, serverMessageSchema } from '@roomcast/protocol';
import { DEFAULT_LIMITS, VECTORS, bytes } from './vectors.js';

function agree(value: unknown): boolean {
  const zod = serverMessageSchema.safeParse(value);
  const hand = parseServerMessage(value);
  expect(hand.ok, JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? 'bin' : v))?.slice(0, 300)).toBe(zod.success);
  if (zod.success && hand.ok) expect(hand.message).toStrictEqual(zod.data);
  return zod.success;
}

/** Decoded bodies of the relay → client control vectors. */
const SERVER_MESSAGES = VECTORS.filter((v) => v.decoder === 'server' && v.value.kind === 'control').map((v) => {
  const r = readPlain(bytes(v.hex), 1);
  if (!r.ok) throw new Error(`${v.name}: ${r.reason}`);
  return { name: v.name, value: r.value as Record<string, unknown> };
});

const ODD_VALUES: [string, unknown][] = [
  ['absent', undefined], ['nil', null], ['-1', -1], ['0', 0], ['1', 1], ['1.5', 1.5], ['65535', 65_535], ['65536', 65_536],
  ['2^32-1', 0xffff_ffff], ['2^32', 2 ** 32], ['2^53', 2 ** 53], ['NaN', Number.NaN], ['Infinity', Infinity],
  ['true', true], ['empty string', ''], ['"x"', 'x'], ['"a b"', 'a b'], ['"café"', 'café'], ['257 characters', 'x'.repeat(257)],
  ['1025 characters', 'x'.repeat(1025)], ['"lobby"', 'lobby'], ['"room_full"', 'room_full'], ['"welcome"', 'welcome'],
  ['empty array', []], ['empty map', {}], ['binary', Uint8Array.of(1)], ['array of a binary', [Uint8Array.of(1)]],
  ['a member', { id: 2, presence: null }], ['member id 0', { id: 0, presence: null }],
  ['member with a binary presence', { id: 2, presence: Uint8Array.of(1) }], ['array of members', [{ id: 1, presence: { a: 1 } }]],
];

/** Every path to a field in a decoded message (maps and arrays, recursively). */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => [[...prefix, k], ...paths((value as Record<string | number, unknown>)[k], [...prefix, k])]);
}

function withField(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy;
}

describe('parseServerMessage agrees with serverMessageSchema', () => {
  test.each(SERVER_MESSAGES)('vector $name is accepted by both, with the same output', ({ value }) => {
    expect(agree(value)).toBe(true);
  });

  test('on every field of every vector replaced by each odd value, or removed', () => {
    let accepted = 0;
    let refused = 0;
    for (const { value } of SERVER_MESSAGES) {
      for (const path of paths(value)) {
        for (const [, odd] of ODD_VALUES) {
          if (agree(withField(value, path, odd))) accepted++;
          else refused++;
        }
      }
    }
    // Both verdicts occur many times, so the comparison is not vacuous.
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(1000);
  });

  test('with unknown fields added (dropped by both)', () => {
    for (const { value } of SERVER_MESSAGES) agree({ ...value, extra: 1, limits2: { a: 1 } });
  });

  test.each([
    ['nil', null], ['array', []], ['string', 'welcome'], ['number', 1], ['binary', Uint8Array.of(1)], ['empty map', {}],
    ['unknown type', { type: 'shout', id: 1 }], ['client message', { type: 'ping', id: 1 }],
  ])('on a %s at top level (refused by both)', (_what, value) => {
    expect(agree(value)).toBe(false);
  });

  test('on random messages of every type', () => {
    const types = fc.constantFrom(...new Set(SERVER_MESSAGES.map((m) => m.value['type'] as string)));
    const field = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...ODD_VALUES.map(([, v]) => v)));
    const message = fc.record({
      type: types,
      id: field, room: field, code: field, message: field, member: field, handle: field, self: field,
      members: field, v: field, session: field, limits: field, reason: field, tickHz: field,
    }, { requiredKeys: ['type'] });
    fc.assert(fc.property(message, (m) => { agree(m); }), { numRuns: 3000 });
  });

  test('refusals name the field, as zod does', () => {
    expect(parseServerMessage({ type: 'member_left', room: 1, member: 0 })).toEqual({
      ok: false, issue: { path: ['member'], message: 'expected a number in 1..65535' },
    });
    expect(parseServerMessage({ type: 'joined', id: 1, room: 'lobby', handle: 1, self: 1, members: [{ id: 1 }] })).toEqual({
      ok: false, issue: { path: ['members', 0, 'presence'], message: 'expected a JSON value' },
    });
  });
});

describe('parseServerMessage refusals: the exact path and message of each check', () => {
  const welcome = { type: 'welcome', id: 1, v: 1, session: 's', limits: { ...DEFAULT_LIMITS } };
  const joined = { type: 'joined', id: 1, room: 'lobby', handle: 1, self: 1, members: [] as unknown[] };
  const settings = { capacity: 4, locked: false, private: false, metadata: null };

  test.each([
    ['a non-map', 'welcome', [], 'expected a map'],
    ['an array at top level', [1], [], 'expected a map'],
    ['an unknown type', { type: 'shout' }, ['type'], 'unknown message type'],
    ['a string number', { type: 'member_left', room: 1, member: '2' }, ['member'], 'expected a finite number'],
    ['a fractional id', { type: 'member_left', room: 1, member: 1.5 }, ['member'], 'expected an integer'],
    ['an id out of range', { type: 'member_left', room: 1, member: 65_536 }, ['member'], 'expected a number in 1..65535'],
    ['a numeric reason', { type: 'room_closed', room: 1, reason: 1 }, ['reason'], 'expected a string'],
    ['a reason of 257 characters', { type: 'room_closed', room: 1, reason: 'x'.repeat(257) }, ['reason'], 'expected at most 256 characters'],
    ['an empty seat', { ...joined, seat: '' }, ['seat'], 'expected at least 1 characters'],
    ['limits that are not a map', { ...welcome, limits: 1 }, ['limits'], 'expected an object'],
    ['a limit that is not a number', { ...welcome, limits: { ...DEFAULT_LIMITS, tickHz: 'x' } }, ['limits', 'tickHz'], 'expected a finite number'],
    ['a negative maxGroupsPerMember', { ...welcome, limits: { ...DEFAULT_LIMITS, maxGroupsPerMember: -1 } }, ['limits', 'maxGroupsPerMember'],
      'expected a number in 0..Infinity'],
    ['settings that are not a map', { type: 'room_settings', room: 1, settings: 1 }, ['settings'], 'expected an object'],
    ['a non-boolean locked', { type: 'room_settings', room: 1, settings: { ...settings, locked: 1 } }, ['settings', 'locked'], 'expected a boolean'],
    ['a non-boolean private', { type: 'room_settings', room: 1, settings: { ...settings, private: 'no' } }, ['settings', 'private'], 'expected a boolean'],
    ['settings without metadata', { type: 'room_settings', room: 1, settings: { capacity: 4, locked: false, private: false } },
      ['settings', 'metadata'], 'expected a JSON value'],
    ['a capacity of 0', { ...joined, settings: { ...settings, capacity: 0 } }, ['settings', 'capacity'], 'expected a number in 1..65535'],
    ['members that are not an array', { ...joined, members: {} }, ['members'], 'expected an array of members'],
    ['a member that is not a map', { type: 'member_joined', room: 1, member: 2 }, ['member'], 'expected a member object'],
    ['a member in a list that is not a map', { ...joined, members: [null] }, ['members', 0], 'expected a member object'],
    ['a member id of 0', { type: 'member_updated', room: 1, member: { id: 0, presence: null } }, ['member', 'id'], 'expected a number in 1..65535'],
    ['a member info that is not JSON', { type: 'member_joined', room: 1, member: { id: 2, presence: null, info: Number.NaN } },
      ['member', 'info'], 'expected a JSON value'],
    ['a non-boolean away', { ...joined, members: [{ id: 1, presence: null }, { id: 2, presence: null, away: 1 }] }, ['members', 1, 'away'],
      'expected a boolean'],
    ['an empty member userId', { type: 'member_joined', room: 1, member: { id: 2, presence: null, userId: '' } }, ['member', 'userId'],
      'expected at least 1 characters'],
    ['an unknown error code', { type: 'error', code: 'oops', message: 'm' }, ['code'], 'unknown error code'],
    ['a numeric error code', { type: 'error', code: 4400, message: 'm' }, ['code'], 'unknown error code'],
    ['a bad room name', { ...joined, room: 'a b' }, ['room'], 'room name must be 1-128 printable ASCII characters'],
  ] as const)('%s', (_what, value, path, message) => {
    expect(parseServerMessage(value)).toEqual({ ok: false, issue: { path, message } });
  });

  test('maxGroupsPerMember is read when present (v2 limits) and left out when absent', () => {
    const r = parseServerMessage({ ...welcome, limits: { ...DEFAULT_LIMITS, maxGroupsPerMember: 64 } });
    expect(r).toStrictEqual({ ok: true, message: { ...welcome, limits: { ...DEFAULT_LIMITS, maxGroupsPerMember: 64 } } });
    expect(parseServerMessage(welcome)).toStrictEqual({ ok: true, message: welcome });
  });

  test('a joined holds at most 65535 members', () => {
    const many = (n: number) => Array.from({ length: n }, () => ({ id: 1, presence: null }));
    const at = parseServerMessage({ ...joined, members: many(65_535) });
    expect(at.ok && at.message.type === 'joined' && at.message.members.length).toBe(65_535);
    expect(parseServerMessage({ ...joined, members: many(65_536) })).toEqual({
      ok: false, issue: { path: ['members'], message: 'expected an array of members' },
    });
  });

  test('JSON values nest at most 65 levels (arrays and maps alike)', () => {
    const arrays = (levels: number): unknown => (levels === 0 ? 1 : [arrays(levels - 1)]);
    const maps = (levels: number): unknown => (levels === 0 ? 1 : { a: maps(levels - 1) });
    for (const nest of [arrays, maps]) {
      expect(parseServerMessage({ type: 'member_joined', room: 1, member: { id: 2, presence: nest(65) } }).ok).toBe(true);
      expect(parseServerMessage({ type: 'member_joined', room: 1, member: { id: 2, presence: nest(66) } })).toEqual({
        ok: false, issue: { path: ['member', 'presence'], message: 'expected a JSON value' },
      });
    }
  });

  test('an exception that is not a refusal (a throwing getter on a caller\'s object) propagates', () => {
    const hostile = { get type(): string { throw new Error('getter'); } };
    expect(() => parseServerMessage(hostile)).toThrow('getter');
  });
});
