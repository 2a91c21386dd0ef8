// Hand-written validators for relay → client control messages: what clients run instead of the
// zod schemas in messages.ts, so a browser bundle carries a few hundred bytes instead of zod.
// The zod schemas stay the single source of truth for the types, and tests prove both accept
// and refuse the same inputs (test/server-messages.test.ts). Like the zod `z.object` readers,
// unknown fields are dropped from the result.
import { ERROR_CODE_NAMES } from './codes.js';
import { MAX_MEMBER_ID, MAX_ROOM_HANDLE, MAX_USER_ID_CHARS, ROOM_NAME_PATTERN } from './frames.js';
import type { Limits, Member, RoomSettings, ServerMessage } from './messages.js';

/** Where and why a message was refused, like the first issue of a zod error. */
export interface MessageIssue {
  path: (string | number)[];
  message: string;
}
export type ParsedServerMessage = { ok: true; message: ServerMessage } | { ok: false; issue: MessageIssue };

class Invalid extends Error {
  constructor(readonly path: (string | number)[], message: string) {
    super(message);
  }
}

type Obj = Record<string, unknown>;
const ERROR_CODES: ReadonlySet<string> = new Set(ERROR_CODE_NAMES);

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

function num(o: Obj, key: string, min: number, max = Infinity, int = true): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Invalid([key], 'expected a finite number');
  if (int && !Number.isSafeInteger(v)) throw new Invalid([key], 'expected an integer');
  if (v < min || v > max) throw new Invalid([key], `expected a number in ${min}..${max}`);
  return v;
}

function str(o: Obj, key: string, maxLength: number, minLength = 0): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Invalid([key], 'expected a string');
  if (v.length > maxLength) throw new Invalid([key], `expected at most ${maxLength} characters`);
  if (v.length < minLength) throw new Invalid([key], `expected at least ${minLength} characters`);
  return v;
}

/** v2 identity fields (`userId`, `expiresInSec`): copied to `out` only when present, as zod's `.optional()` does. */
function userId(o: Obj, out: { userId?: string }): void {
  if (o['userId'] !== undefined) out.userId = str(o, 'userId', MAX_USER_ID_CHARS, 1);
}
const expiresInSec = (o: Obj): number => num(o, 'expiresInSec', 0, 0xffff_ffff);

/** JSON values only (zod's `z.json()`): no binaries, no NaN or infinities. */
function isJson(v: unknown, depth = 0): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (depth > 64) return false;
  if (Array.isArray(v)) return v.every((x) => isJson(x, depth + 1));
  return isObject(v) && Object.values(v).every((x) => isJson(x, depth + 1));
}

function member(v: unknown, path: (string | number)[]): Member {
  if (!isObject(v)) throw new Invalid(path, 'expected a member object');
  try {
    if (!('presence' in v) || !isJson(v['presence'])) throw new Invalid(['presence'], 'expected a JSON value');
    const out: Member = { id: num(v, 'id', 1, MAX_MEMBER_ID), presence: v['presence'] as Member['presence'] };
    userId(v, out);
    if (v['info'] !== undefined) {
      if (!isJson(v['info'])) throw new Invalid(['info'], 'expected a JSON value');
      out.info = v['info'] as Member['presence'];
    }
    if (v['away'] !== undefined) {
      if (typeof v['away'] !== 'boolean') throw new Invalid(['away'], 'expected a boolean');
      out.away = v['away'];
    }
    return out;
  } catch (err) {
    throw err instanceof Invalid ? new Invalid([...path, ...err.path], err.message) : err;
  }
}

const LIMIT_INTS = [
  'maxPayloadBytes', 'maxControlBytes', 'maxRoomsPerConnection', 'maxMembersPerRoom', 'maxPresenceBytes',
  'burstMessages', 'maxBytesPerSec', 'maxKeysPerMember',
] as const;

function limits(v: unknown): Limits {
  if (!isObject(v)) throw new Invalid(['limits'], 'expected an object');
  try {
    const out = {} as Limits;
    for (const k of LIMIT_INTS) out[k] = num(v, k, 0);
    out.maxMessagesPerSec = num(v, 'maxMessagesPerSec', 0, Infinity, false);
    out.idleTimeoutSec = num(v, 'idleTimeoutSec', 0, Infinity, false);
    for (const k of ['tickHz', 'minTickHz', 'maxTickHz'] as const) out[k] = num(v, k, 1);
    if (v['maxGroupsPerMember'] !== undefined) out.maxGroupsPerMember = num(v, 'maxGroupsPerMember', 0);
    return out;
  } catch (err) {
    throw err instanceof Invalid ? new Invalid(['limits', ...err.path], err.message) : err;
  }
}

function settings(v: unknown): RoomSettings {
  if (!isObject(v)) throw new Invalid(['settings'], 'expected an object');
  try {
    const capacity = num(v, 'capacity', 1, MAX_MEMBER_ID);
    const flags = { locked: v['locked'], private: v['private'] };
    for (const [k, flag] of Object.entries(flags)) if (typeof flag !== 'boolean') throw new Invalid([k], 'expected a boolean');
    if (!('metadata' in v) || !isJson(v['metadata'])) throw new Invalid(['metadata'], 'expected a JSON value');
    return { capacity, locked: flags.locked as boolean, private: flags.private as boolean, metadata: v['metadata'] as RoomSettings['metadata'] };
  } catch (err) {
    throw err instanceof Invalid ? new Invalid(['settings', ...err.path], err.message) : err;
  }
}

const requestId = (o: Obj): number => num(o, 'id', 0, 0xffff_ffff);
const room = (o: Obj): number => num(o, 'room', 1, MAX_ROOM_HANDLE);

function parse(o: Obj): ServerMessage {
  const type = o['type'];
  switch (type) {
    case 'welcome': {
      const out: ServerMessage = { type, id: requestId(o), v: num(o, 'v', -Infinity), session: str(o, 'session', 256), limits: limits(o['limits']) };
      userId(o, out);
      if (o['expiresInSec'] !== undefined) out.expiresInSec = expiresInSec(o);
      return out;
    }
    case 'refreshed':
      return { type, id: requestId(o), expiresInSec: expiresInSec(o) };
    case 'joined': {
      const id = requestId(o);
      const name = str(o, 'room', Infinity);
      if (!ROOM_NAME_PATTERN.test(name)) throw new Invalid(['room'], 'room name must be 1-128 printable ASCII characters');
      const handle = num(o, 'handle', 1, MAX_ROOM_HANDLE);
      const self = num(o, 'self', 1, MAX_MEMBER_ID);
      const members = o['members'];
      if (!Array.isArray(members) || members.length > MAX_MEMBER_ID) throw new Invalid(['members'], 'expected an array of members');
      const out: ServerMessage = { type, id, room: name, handle, self, members: Array.from(members, (m, i) => member(m, ['members', i])) };
      if (o['tickHz'] !== undefined) out.tickHz = num(o, 'tickHz', 1);
      if (o['settings'] !== undefined) out.settings = settings(o['settings']);
      if (o['host'] !== undefined) out.host = num(o, 'host', 1, MAX_MEMBER_ID);
      if (o['seat'] !== undefined) out.seat = str(o, 'seat', 64, 1);
      if (o['fileBytesPerSec'] !== undefined) out.fileBytesPerSec = num(o, 'fileBytesPerSec', 1);
      return out;
    }
    case 'ok':
    case 'pong':
      return { type, id: requestId(o) };
    case 'member_joined':
    case 'member_updated':
      return { type, room: room(o), member: member(o['member'], ['member']) };
    case 'member_left':
    case 'member_away':
    case 'member_back':
      return { type, room: room(o), member: num(o, 'member', 1, MAX_MEMBER_ID) };
    case 'room_settings':
      return { type, room: room(o), settings: settings(o['settings']) };
    case 'host_changed':
      return { type, room: room(o), host: num(o, 'host', 1, MAX_MEMBER_ID) };
    case 'room_closed':
    case 'removed':
      return { type, room: room(o), reason: str(o, 'reason', 256) };
    case 'error': {
      const code = o['code'];
      if (typeof code !== 'string' || !ERROR_CODES.has(code)) throw new Invalid(['code'], 'unknown error code');
      const out: ServerMessage = { type, code: code as (typeof ERROR_CODE_NAMES)[number], message: str(o, 'message', 1024) };
      if (o['id'] !== undefined) out.id = requestId(o);
      if (o['room'] !== undefined) out.room = room(o);
      return out;
    }
    case 'heartbeat':
      return { type };
    case 'close':
      return { type, code: num(o, 'code', 1000, 4999), reason: str(o, 'reason', 256) };
    default:
      throw new Invalid(['type'], 'unknown message type');
  }
}

/**
 * Checks a decoded control message from the relay: the same rules as `serverMessageSchema`
 * (tolerant of unknown fields, which are dropped). Never throws.
 */
export function parseServerMessage(value: unknown): ParsedServerMessage {
  if (!isObject(value)) return { ok: false, issue: { path: [], message: 'expected a map' } };
  try {
    return { ok: true, message: parse(value) };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, issue: { path: err.path, message: err.message } };
    throw err;
  }
}
