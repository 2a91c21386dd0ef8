// The HTTP server API (docs/server-api.md) as a plain function of a request: bearer-key check,
// routing over OPERATIONS, zod validation, and the call into core/admin.ts. uws/http.ts reads the
// request (headers and body) and serves the answer; this file does not import uWebSockets.js.
import type { z } from 'zod';
import type { AdminApi } from '../core/admin.js';
import {
  API_ERROR_CODES, API_PREFIX, CreateRoomBody, OPERATIONS, ReasonBody, SettingsPatch,
  type ApiErrorCode, type Operation, type OperationId,
} from './api-schemas.js';
import { keyChecker } from './api-keys.js';
import { apiRateLimit } from './api-rate.js';
import { openApiDocument } from './openapi.js';
import type { HttpAnswer } from './routes.js';

/** What uws/http.ts reads from a request before calling the API. */
export interface ApiRequest {
  /** Lower-case method. */
  method: string;
  /** Path without the query, as sent (still percent-encoded). */
  path: string;
  /** Query string without `?`. */
  query: string;
  authorization: string;
  contentType: string;
  body: Uint8Array;
}

export interface Api {
  /** Largest request body accepted; uws/http.ts stops reading and answers 413 above it. */
  readonly maxBodyBytes: number;
  /** Asynchronous in a cluster (the store and the other nodes answer); a rejection is an unreachable store. */
  handle(req: ApiRequest): Promise<HttpAnswer>;
  /** `GET /api/v1/openapi.json` (no key needed: it holds no data). */
  openapi(): HttpAnswer;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 429: 'Too Many Requests', 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 503: 'Service Unavailable', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
};

function json(status: number, value: unknown): HttpAnswer {
  return { status: `${status} ${STATUS_TEXT[status] ?? ''}`.trim(), type: 'application/json', body: JSON.stringify(value) };
}

export function apiError(code: ApiErrorCode, message: string): HttpAnswer {
  return json(API_ERROR_CODES[code], { error: { code, message } });
}

/** 429 with `Retry-After` in whole seconds (RFC 9110) and the exact wait in the body. */
function rateLimited(retryAfterMs: number, ratePerSec: number): HttpAnswer {
  const answer = json(API_ERROR_CODES.rate_limited, {
    error: { code: 'rate_limited', message: `more than RELAY_API_RATE_PER_SEC (${ratePerSec}) requests per second with this key; retry in ${retryAfterMs} ms`, retryAfterMs },
  });
  return { ...answer, headers: { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } };
}

interface Matched {
  op: Operation;
  params: Record<string, string>;
}

type Found = { ok: true; matched: Matched } | { ok: false; answer: HttpAnswer };

/** Finds the operation for a path and method; segments are percent-decoded one by one. */
function route(method: string, path: string): Found {
  const rest = path.slice(API_PREFIX.length);
  let segments: string[];
  try {
    segments = rest.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return { ok: false, answer: apiError('bad_request', 'the path has a malformed percent-encoding') };
  }
  let otherMethod = false;
  for (const op of OPERATIONS as readonly Operation[]) {
    const template = op.path.split('/').slice(1);
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = template.every((part, i) => {
      if (part.startsWith('{')) {
        params[part.slice(1, -1)] = segments[i]!;
        return true;
      }
      return part === segments[i];
    });
    if (!fits) continue;
    if (op.method === method) return { ok: true, matched: { op, params } };
    otherMethod = true;
  }
  return otherMethod
    ? { ok: false, answer: apiError('method_not_allowed', `${method.toUpperCase()} is not allowed on ${path}`) }
    : { ok: false, answer: apiError('not_found', `no API operation at ${path} (see ${API_PREFIX}/openapi.json)`) };
}

function invalid(part: string, error: z.ZodError): HttpAnswer {
  const issue = error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? part : `${part} ${issue.path.join('.')}`;
  return apiError('bad_request', `${where}: ${issue?.message ?? 'invalid'}`);
}

type Parsed<T> = { ok: true; value: T } | { ok: false; answer: HttpAnswer };

function parse<T>(schema: z.ZodType<T>, value: unknown, part: string): Parsed<T> {
  const result = schema.safeParse(value);
  return result.success ? { ok: true, value: result.data } : { ok: false, answer: invalid(part, result.error) };
}

/** A JSON body: empty means `{}`. */
function jsonBody<T>(req: ApiRequest, schema: z.ZodType<T>): Parsed<T> {
  if (req.body.length === 0) return parse(schema, {}, 'body');
  if (!/^application\/json\b/i.test(req.contentType)) {
    return { ok: false, answer: apiError('unsupported_media_type', 'send a JSON body with content-type application/json (or no body)') };
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(req.body).toString('utf8'));
  } catch {
    return { ok: false, answer: apiError('bad_request', 'body: not valid JSON') };
  }
  return parse(schema, value, 'body');
}

const reasonBody = (req: ApiRequest) => jsonBody(req, ReasonBody);

export interface ApiOptions {
  /** This node's Admin, or the cluster-wide ClusterAdmin (core/cluster-admin.ts). */
  admin: AdminApi;
  /** RELAY_API_KEYS; the API is off (undefined) without one. */
  keys: readonly string[];
  /** Largest frame payload (RELAY_MAX_PAYLOAD_BYTES): the largest publish body. */
  maxPayloadBytes: number;
  /** RELAY_MAX_MEMBERS_PER_ROOM: the largest capacity. */
  maxMembersPerRoom: number;
  /** RELAY_MAX_ROOM_METADATA_BYTES: the largest metadata, as compact JSON. */
  maxMetadataBytes: number;
  /** RELAY_MIN_TICK_HZ / RELAY_MAX_TICK_HZ: bounds of a created room's tick rate. */
  minTickHz: number;
  maxTickHz: number;
  /** The rooms' file budget announced to members (core/limits.ts roomFileBytesPerSec). */
  fileBytesPerSec: number;
  /** RELAY_API_RATE_PER_SEC / RELAY_API_BURST: requests per key (0: no limit). */
  ratePerSec: number;
  burst: number;
  /** Monotonic milliseconds for the rate limit. */
  now: () => number;
  /** Counts a refused request (roomcast_limit_hits_total{limit="api_requests"}). */
  limited: () => void;
}

export function createApi(options: ApiOptions): Api | undefined {
  if (options.keys.length === 0) return undefined;
  const { admin, maxPayloadBytes } = options;
  const keyOf = keyChecker(options.keys);
  const overRate = apiRateLimit({ keys: options.keys.length, ratePerSec: options.ratePerSec, burst: options.burst, now: options.now });
  const document = JSON.stringify(openApiDocument(), null, 2);

  /** Bounds of settings that depend on the relay's config; undefined when within them. */
  const outOfBounds = (patch: { capacity?: number | undefined; metadata?: unknown }, where: string): HttpAnswer | undefined => {
    if (patch.capacity !== undefined && patch.capacity > options.maxMembersPerRoom) {
      return apiError('bad_request', `${where} capacity: must be at most RELAY_MAX_MEMBERS_PER_ROOM (${options.maxMembersPerRoom})`);
    }
    if (patch.metadata !== undefined) {
      const bytes = Buffer.byteLength(JSON.stringify(patch.metadata));
      if (bytes > options.maxMetadataBytes) return apiError('bad_request', `${where} metadata: ${bytes} bytes as JSON, above RELAY_MAX_ROOM_METADATA_BYTES (${options.maxMetadataBytes})`);
    }
    return undefined;
  };

  const handlers: Record<OperationId, (m: Matched, req: ApiRequest, query: Record<string, string>) => Promise<HttpAnswer>> = {
    async listRooms(m, _req, query) {
      const q = parse(m.op.query!, query, 'query');
      if (!q.ok) return q.answer;
      const { prefix, limit, after, private: priv } = q.value as { prefix: string; limit: number; after?: string; private: 'true' | 'false' };
      const page = await admin.listRooms({ prefix, limit, after, includePrivate: priv === 'true' });
      return json(200, page);
    },
    async createRoom(_m, req) {
      if (!/^application\/json\b/i.test(req.contentType)) {
        return apiError('unsupported_media_type', 'send a JSON body with content-type application/json');
      }
      const body = jsonBody(req, CreateRoomBody);
      if (!body.ok) return body.answer;
      const { name, settings = {}, tickHz } = body.value;
      const bad = outOfBounds(settings, 'body settings');
      if (bad !== undefined) return bad;
      if (tickHz !== undefined && (tickHz < options.minTickHz || tickHz > options.maxTickHz)) {
        return apiError('bad_request', `body tickHz: must be between RELAY_MIN_TICK_HZ (${options.minTickHz}) and RELAY_MAX_TICK_HZ (${options.maxTickHz})`);
      }
      const created = await admin.createRoom(name, settings, tickHz);
      if (created === 'exists') return apiError('room_exists', `room ${name} already exists`);
      if (created === 'relay_full') return apiError('relay_full', 'the relay hosts its maximum of RELAY_MAX_ROOMS rooms');
      return json(200, created);
    },
    async getRoom(m) {
      const p = parse(m.op.params!, m.params, 'path');
      if (!p.ok) return p.answer;
      const { room } = p.value as { room: string };
      const view = await admin.room(room);
      return view === undefined ? apiError('room_not_found', `no room ${room} (rooms exist while they have members)`) : json(200, view);
    },
    async updateSettings(m, req) {
      const p = parse(m.op.params!, m.params, 'path');
      if (!p.ok) return p.answer;
      const body = jsonBody(req, SettingsPatch);
      if (!body.ok) return body.answer;
      const patch = body.value;
      const bad = outOfBounds(patch, 'body');
      if (bad !== undefined) return bad;
      const { room } = p.value as { room: string };
      const settings = await admin.updateSettings(room, patch);
      return settings === undefined ? apiError('room_not_found', `no room ${room}`) : json(200, { settings });
    },
    async publish(m, req, query) {
      const p = parse(m.op.params!, m.params, 'path');
      if (!p.ok) return p.answer;
      const q = parse(m.op.query!, query, 'query');
      if (!q.ok) return q.answer;
      if (!/^application\/octet-stream\b/i.test(req.contentType)) {
        return apiError('unsupported_media_type', 'send the payload as the raw body with content-type application/octet-stream');
      }
      if (req.body.length > maxPayloadBytes) return apiError('payload_too_large', `the payload is ${req.body.length} bytes, above RELAY_MAX_PAYLOAD_BYTES (${maxPayloadBytes})`);
      const { room } = p.value as { room: string };
      const { class: cls, to } = q.value as { class: 'reliable' | 'droppable'; to?: number };
      const result = await admin.publish(room, req.body, cls, to);
      if (result.ok) return json(200, { recipients: result.recipients });
      return result.error === 'room_not_found' ? apiError('room_not_found', `no room ${room}`) : apiError('member_not_found', `no member ${to} in room ${room}`);
    },
    async kickMember(m, req) {
      const p = parse(m.op.params!, m.params, 'path');
      if (!p.ok) return p.answer;
      const body = reasonBody(req);
      if (!body.ok) return body.answer;
      const { room, member } = p.value as { room: string; member: number };
      const result = await admin.kickMember(room, member, body.value.reason);
      if (result === 'kicked') return json(200, { kicked: true });
      return result === 'room_not_found' ? apiError('room_not_found', `no room ${room}`) : apiError('member_not_found', `no member ${member} in room ${room}`);
    },
    async removeMember(m, req) {
      const p = parse(m.op.params!, m.params, 'path');
      if (!p.ok) return p.answer;
      const body = reasonBody(req);
      if (!body.ok) return body.answer;
      const { room, member } = p.value as { room: string; member: number };
      const result = await admin.removeMember(room, member, body.value.reason);
      if (result === 'removed') return json(200, { removed: true });
      return result === 'room_not_found' ? apiError('room_not_found', `no room ${room}`) : apiError('member_not_found', `no member ${member} in room ${room}`);
    },
    async closeRoom(m, req) {
      const p = parse(m.op.params!, m.params, 'path');
      if (!p.ok) return p.answer;
      const body = reasonBody(req);
      if (!body.ok) return body.answer;
      const { room } = p.value as { room: string };
      const removed = await admin.closeRoom(room, body.value.reason);
      return removed === undefined ? apiError('room_not_found', `no room ${room}`) : json(200, { removed });
    },
    async getLimits() {
      return json(200, { maxPayloadBytes, fileBytesPerSec: options.fileBytesPerSec, apiRatePerSec: options.ratePerSec, apiBurst: options.burst });
    },
    async disconnectUser(m, req) {
      const p = parse(m.op.params!, m.params, 'path');
      if (!p.ok) return p.answer;
      const body = reasonBody(req);
      if (!body.ok) return body.answer;
      const { userId } = p.value as { userId: string };
      return json(200, { disconnected: await admin.disconnectUser(userId, body.value.reason) });
    },
  };

  return {
    // The publish payload plus room for a JSON body; anything larger is refused while reading.
    maxBodyBytes: maxPayloadBytes + 4096,
    openapi: () => ({ status: '200 OK', type: 'application/json', body: document }),
    async handle(req) {
      // The key is checked before routing, so an unauthorized caller learns nothing about paths.
      const key = keyOf(req.authorization);
      if (key < 0) return apiError('unauthorized', 'send an API key of RELAY_API_KEYS as `Authorization: Bearer <key>`');
      const wait = overRate(key);
      if (wait !== undefined) {
        options.limited();
        return rateLimited(wait, options.ratePerSec);
      }
      const found = route(req.method, req.path);
      if (!found.ok) return found.answer;
      const query = Object.fromEntries(new URLSearchParams(req.query));
      try {
        return await handlers[found.matched.op.id as OperationId](found.matched, req, query);
      } catch (err) {
        // In a cluster: Redis did not answer (down, or slower than the command timeout).
        return apiError('cluster_unavailable', `the cluster store (Redis) did not answer: ${(err as Error).message}; retry`);
      }
    },
  };
}
