// The server API's data contract (server-api.ts): each request schema accepts and refuses inputs at
// its bounds (with the messages the code sets), fills its defaults and coerces query strings; each
// answer schema keeps every field; and docs/openapi.json publishes exactly these schemas (their
// descriptions, examples and bounds), as the relay generates it from them.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  ApiError, ApiLimits, CreateRoomBody, CreatedRoom, Disconnected, Kicked, ListRoomsQuery, MemberId, MemberParams, Published,
  PublishQuery, ReasonBody, Removed, RoomClosed, RoomDetail, RoomMember, RoomName, RoomPage, RoomParams, RoomSummary, Settings,
  SettingsAnswer, SettingsPatch, UserId, UserParams,
} from '@roomcast/protocol/server-api';

/** The issues of a refused input, as path and message. */
function refusal(schema: z.ZodType, input: unknown): { path: PropertyKey[]; message: string }[] {
  const r = schema.safeParse(input);
  expect(r.success, JSON.stringify(input)?.slice(0, 80)).toBe(false);
  return r.error!.issues.map((i) => ({ path: i.path, message: i.message }));
}
const accepts = (schema: z.ZodType, input: unknown): unknown => schema.parse(input);

const REASON = 'must be at most 120 printable ASCII characters';
const ROOM = 'room names are 1-128 printable ASCII characters (0x21-0x7e)';

describe('request schemas', () => {
  test('a reason is 0-120 printable ASCII characters, default empty', () => {
    for (const r of ['', 'cheating', ' ', '~'.repeat(120), `${'x'.repeat(119)}~`]) expect(accepts(ReasonBody, { reason: r })).toEqual({ reason: r });
    expect(accepts(ReasonBody, {})).toEqual({ reason: '' });
    for (const r of ['x'.repeat(121), 'café', 'a\nb', '\u001f', '\u007f', 'ok\u0000']) {
      expect(refusal(ReasonBody, { reason: r })).toEqual([{ path: ['reason'], message: REASON }]);
    }
    expect(refusal(ReasonBody, { reason: 'x', extra: 1 })[0]!.path).toEqual([]);
  });

  test('a room name is 1-128 characters 0x21-0x7e, refused with its own message', () => {
    for (const room of ['!', 'match-42', '~'.repeat(128), 'a/b']) expect(accepts(RoomParams, { room })).toEqual({ room });
    for (const room of ['', 'a b', 'x'.repeat(129), 'café']) expect(refusal(RoomParams, { room })).toEqual([{ path: ['room'], message: ROOM }]);
    expect(accepts(RoomName, 'lobby')).toBe('lobby');
  });

  test('a member id is 1-65535, coerced from the path string', () => {
    for (const [input, id] of [['1', 1], ['2', 2], ['65535', 65_535], [7, 7]] as const) {
      expect(accepts(MemberParams, { room: 'r', member: input })).toEqual({ room: 'r', member: id });
    }
    expect(accepts(MemberId, '300')).toBe(300);
    for (const member of ['0', '65536', '1.5', 'x']) expect(refusal(MemberParams, { room: 'r', member })[0]!.path).toEqual(['member']);
  });

  test('a user id is 1-256 characters', () => {
    for (const userId of ['u', 'ab', 'x'.repeat(256)]) expect(accepts(UserParams, { userId })).toEqual({ userId });
    expect(accepts(UserId, 'user-17')).toBe('user-17');
    for (const userId of ['', 'x'.repeat(257)]) expect(refusal(UserParams, { userId })[0]!.path).toEqual(['userId']);
  });

  test('list query: defaults, coerced limit 1-1000, prefix and after at most 128, private as a string flag', () => {
    expect(accepts(ListRoomsQuery, {})).toEqual({ prefix: '', limit: 100, private: 'false' });
    expect(accepts(ListRoomsQuery, { prefix: 'a', limit: '1', after: 'b', private: 'true' })).toEqual({ prefix: 'a', limit: 1, after: 'b', private: 'true' });
    expect(accepts(ListRoomsQuery, { prefix: 'x'.repeat(128), limit: '1000', after: 'y'.repeat(128), private: 'false' }))
      .toEqual({ prefix: 'x'.repeat(128), limit: 1000, after: 'y'.repeat(128), private: 'false' });
    expect(accepts(ListRoomsQuery, { limit: '2' })).toEqual({ prefix: '', limit: 2, private: 'false' });
    for (const [field, value] of [['prefix', 'x'.repeat(129)], ['after', 'y'.repeat(129)], ['limit', '0'], ['limit', '1001'],
      ['limit', '2.5'], ['private', 'yes'], ['private', '']] as const) {
      expect(refusal(ListRoomsQuery, { [field]: value })[0]!.path, `${field}=${value}`).toEqual([field]);
    }
    expect(refusal(ListRoomsQuery, { page: '2' })[0]!.path).toEqual([]);
  });

  test('publish query: class reliable (default) or droppable, an optional member to send to', () => {
    expect(accepts(PublishQuery, {})).toEqual({ class: 'reliable' });
    expect(accepts(PublishQuery, { class: 'reliable' })).toEqual({ class: 'reliable' });
    expect(accepts(PublishQuery, { class: 'droppable', to: '9' })).toEqual({ class: 'droppable', to: 9 });
    expect(refusal(PublishQuery, { class: '' })[0]!.path).toEqual(['class']);
    expect(refusal(PublishQuery, { to: '0' })[0]!.path).toEqual(['to']);
  });

  test('a settings patch: any subset, capacity 1-65535', () => {
    expect(accepts(SettingsPatch, {})).toEqual({});
    for (const capacity of [1, 2, 65_535]) expect(accepts(SettingsPatch, { capacity })).toEqual({ capacity });
    const all = { capacity: 8, locked: true, private: false, metadata: { map: 'dust', n: [1, null] } };
    expect(accepts(SettingsPatch, all)).toEqual(all);
    expect(accepts(SettingsPatch, { metadata: null })).toEqual({ metadata: null });
    for (const capacity of [0, 65_536, 1.5]) expect(refusal(SettingsPatch, { capacity })[0]!.path).toEqual(['capacity']);
    expect(refusal(SettingsPatch, { locked: 'yes' })[0]!.path).toEqual(['locked']);
    expect(refusal(SettingsPatch, { tickHz: 5 })[0]!.path).toEqual([]);
  });

  test('a room to create: a name, optional settings, tickHz 1-1000', () => {
    expect(accepts(CreateRoomBody, { name: 'r' })).toEqual({ name: 'r' });
    for (const tickHz of [1, 2, 1000]) expect(accepts(CreateRoomBody, { name: 'r', tickHz })).toEqual({ name: 'r', tickHz });
    expect(accepts(CreateRoomBody, { name: 'r', settings: { capacity: 2 } })).toEqual({ name: 'r', settings: { capacity: 2 } });
    for (const tickHz of [0, 1001, 2.5]) expect(refusal(CreateRoomBody, { name: 'r', tickHz })[0]!.path).toEqual(['tickHz']);
    expect(refusal(CreateRoomBody, { name: '' })).toEqual([{ path: ['name'], message: ROOM }]);
    expect(refusal(CreateRoomBody, { name: 'r', settings: { capacity: 0 } })[0]!.path).toEqual(['settings', 'capacity']);
  });
});

describe('answer schemas keep every field', () => {
  const settings = { capacity: 4, locked: false, private: true, metadata: { mode: 'ctf' } };
  const summary = { name: 'lobby', members: 2, tickHz: 20, settings, host: 1 };
  const members = [{ id: 1, userId: 'u1', info: { n: 1 }, presence: null, away: true }, { id: 2, presence: [1] }];

  test.each([
    ['Settings', Settings, settings],
    ['RoomSummary', RoomSummary, summary],
    ['CreatedRoom', CreatedRoom, summary],
    ['RoomPage', RoomPage, { rooms: [summary], next: 'lobby' }],
    ['RoomMember', RoomMember, members[0]],
    ['RoomDetail', RoomDetail, { ...summary, memberList: members }],
    ['SettingsAnswer', SettingsAnswer, { settings }],
    ['Published', Published, { recipients: 3 }],
    ['Kicked', Kicked, { kicked: true }],
    ['Removed', Removed, { removed: true }],
    ['RoomClosed', RoomClosed, { removed: 2 }],
    ['Disconnected', Disconnected, { disconnected: 1 }],
    ['ApiLimits', ApiLimits, { maxPayloadBytes: 65_536, fileBytesPerSec: 1_000_000, apiRatePerSec: 50, apiBurst: 100 }],
    ['ApiError', ApiError, { error: { code: 'rate_limited', message: 'slow down', retryAfterMs: 250 } }],
  ] as const)('%s', (_name, schema, value) => {
    expect((schema as z.ZodType).parse(value)).toStrictEqual(value);
  });

  test('kicked and removed are literally true', () => {
    expect(Kicked.safeParse({ kicked: false }).success).toBe(false);
    expect(Removed.safeParse({ removed: false }).success).toBe(false);
  });
});

describe('docs/openapi.json publishes these schemas', () => {
  const doc: unknown = JSON.parse(readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8'));

  /** Every object anywhere in the document. */
  function objects(v: unknown, out: unknown[] = []): unknown[] {
    if (v !== null && typeof v === 'object') {
      out.push(v);
      for (const x of Object.values(v)) objects(x, out);
    }
    return out;
  }
  const all = objects(doc);
  const json = (schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> => {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
    return rest;
  };
  const published = (schema: Record<string, unknown>) => all.some((o) => isDeepStrictEqual(o, schema));

  test.each([
    ['RoomPage', RoomPage, 'output'], ['CreatedRoom', CreatedRoom, 'output'], ['RoomDetail', RoomDetail, 'output'],
    ['SettingsAnswer', SettingsAnswer, 'output'], ['Published', Published, 'output'], ['Kicked', Kicked, 'output'],
    ['Removed', Removed, 'output'], ['RoomClosed', RoomClosed, 'output'], ['Disconnected', Disconnected, 'output'],
    ['ApiLimits', ApiLimits, 'output'], ['ApiError', ApiError, 'output'],
    ['CreateRoomBody', CreateRoomBody, 'input'], ['SettingsPatch', SettingsPatch, 'input'], ['ReasonBody', ReasonBody, 'input'],
  ] as const)('%s as a body', (_name, schema, io) => {
    expect(published(json(schema as z.ZodType, io))).toBe(true);
  });

  test.each([
    ['RoomParams', RoomParams], ['MemberParams', MemberParams], ['UserParams', UserParams], ['ListRoomsQuery', ListRoomsQuery],
    ['PublishQuery', PublishQuery],
  ] as const)('%s as parameters, each with its description', (_name, schema) => {
    const properties = (json(schema, 'input').properties ?? {}) as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties).length).toBeGreaterThan(0);
    for (const [name, { description, ...rest }] of Object.entries(properties)) {
      expect(typeof description, name).toBe('string');
      const parameter = all.find((o) => (o as { name?: unknown }).name === name && isDeepStrictEqual((o as { schema?: unknown }).schema, rest)
        && (o as { description?: unknown }).description === description);
      expect(parameter, name).toBeDefined();
    }
  });
});
