// A typed client of the relay's HTTP server API (docs/server-api.md, docs/openapi.json), on the
// global fetch of Node 20. Errors come back as RoomcastApiError with the API's code. The answer
// types are the relay's own schemas (@roomcast/protocol/server-api), not a copy of them.
import type {
  ApiErrorBody, ApiErrorCode, ApiLimitsAnswer, ApiRoomDetail, ApiRoomMember, ApiRoomPage, ApiRoomSettings, ApiRoomSummary, ApiSettingsPatch,
} from '@roomcast/protocol/server-api';
import { sendFile, type SendFileOptions, type SentFile } from './files.js';

/** A room's settings (PROTOCOL.md §8.20): capacity, locked, private, metadata. */
export type RoomSettings = ApiRoomSettings;
/** A room in a list: name, members, tickHz, settings, host (member id of the longest-present member). */
export type RoomSummary = ApiRoomSummary;
/** One member: id, userId and info (from its token), presence, away (seat held). */
export type RoomMember = ApiRoomMember;
/** A room and its members in join order (the first is the longest present). */
export type RoomDetail = ApiRoomDetail;
/** A page of rooms; pass `next` as `after` for the following one (absent on the last page). */
export type RoomPage = ApiRoomPage;
export type { ApiErrorCode };

/** An error answer of the API (or `network` when the relay could not be reached). */
export class RoomcastApiError extends Error {
  constructor(
    /** HTTP status; 0 for a network error. */
    readonly status: number,
    readonly code: ApiErrorCode | 'network' | 'unexpected',
    message: string,
  ) {
    super(message);
    this.name = 'RoomcastApiError';
  }
}

export interface ApiClientOptions {
  /** The relay's HTTP base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** One of RELAY_API_KEYS. */
  key: string;
  /** Per-request timeout in milliseconds (default 10 s). */
  timeoutMs?: number;
  /**
   * Times a request answered 429 `rate_limited` is sent again after the wait the relay names
   * (`retryAfterMs`; a 429 never carried anything out). Default 5; 0 throws at the first 429.
   */
  rateLimitRetries?: number;
}

/**
 * The relay's server API.
 *
 * @example
 * const api = new RoomcastApi({ url: 'http://127.0.0.1:8080', key: process.env.RELAY_API_KEY! });
 * const { rooms } = await api.listRooms({ prefix: 'match:' });
 */
export class RoomcastApi {
  readonly #base: string;
  readonly #key: string;
  readonly #timeoutMs: number;
  readonly #rateLimitRetries: number;
  #limits: Promise<ApiLimitsAnswer | undefined> | undefined;

  constructor(options: ApiClientOptions) {
    this.#base = `${options.url.replace(/\/+$/, '')}/api/v1`;
    this.#key = options.key;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#rateLimitRetries = options.rateLimitRetries ?? 5;
  }

  /** Rooms sorted by name; pass `next` of a page as `after` for the following one. */
  listRooms(query: { prefix?: string; limit?: number; after?: string; includePrivate?: boolean } = {}): Promise<RoomPage> {
    const params = new URLSearchParams();
    if (query.includePrivate === true) params.set('private', 'true');
    if (query.prefix !== undefined) params.set('prefix', query.prefix);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.after !== undefined) params.set('after', query.after);
    const qs = params.toString();
    return this.#call('GET', `/rooms${qs === '' ? '' : `?${qs}`}`);
  }

  /** Every room, page after page (bounded by the relay's RELAY_MAX_ROOMS). */
  async *allRooms(query: { prefix?: string; pageSize?: number; includePrivate?: boolean } = {}): AsyncGenerator<RoomSummary> {
    let after: string | undefined;
    do {
      const page = await this.listRooms({ prefix: query.prefix, limit: query.pageSize ?? 1000, after, includePrivate: query.includePrivate });
      yield* page.rooms;
      after = page.next;
    } while (after !== undefined);
  }

  /** Creates an empty room with settings before anyone joins; `room_exists` if it is live. */
  createRoom(name: string, options: { settings?: ApiSettingsPatch; tickHz?: number } = {}): Promise<RoomSummary> {
    return this.#call('POST', '/rooms', { name, ...options });
  }

  /** One room and its members; throws RoomcastApiError `room_not_found` when nobody is in it. */
  getRoom(room: string): Promise<RoomDetail> {
    return this.#call('GET', `/rooms/${encodeURIComponent(room)}`);
  }

  /** Changes some settings of a room; members get `room_settings`. Resolves to the new settings. */
  async updateSettings(room: string, patch: ApiSettingsPatch): Promise<RoomSettings> {
    const answer = await this.#call<{ settings: RoomSettings }>('POST', `/rooms/${encodeURIComponent(room)}/settings`, patch);
    return answer.settings;
  }

  /**
   * Sends `payload` to every member of `room` (or to member `to`) as the server: members see a
   * message with sender 0. Resolves to the number of connections it was sent to.
   */
  async publish(room: string, payload: Uint8Array, options: { class?: 'reliable' | 'droppable'; to?: number } = {}): Promise<number> {
    const params = new URLSearchParams();
    if (options.class !== undefined) params.set('class', options.class);
    if (options.to !== undefined) params.set('to', String(options.to));
    const qs = params.toString();
    const answer = await this.#call<{ recipients: number }>('POST', `/rooms/${encodeURIComponent(room)}/publish${qs === '' ? '' : `?${qs}`}`, payload);
    return answer.recipients;
  }

  /**
   * Sends a file to every member of `room` (or to member `to`) as the server, the way the SDK does
   * (PROTOCOL.md appendix B): a `start`, then chunks that fit the relay's payload limit, each one
   * publish call, paced below the room's file budget and this key's request rate. SDK members
   * receive it with `roomFiles(room).on('file_end', ...)`, sender 0. Resolves when the last chunk
   * was published. See {@link SendFileOptions} and docs/server-api.md#send-a-file.
   */
  async sendFile(room: string, data: Uint8Array, options: SendFileOptions): Promise<SentFile> {
    // Read once per client; a relay without the call (older) leaves the defaults.
    this.#limits ??= this.getLimits().catch((err: unknown) => {
      if (err instanceof RoomcastApiError && err.code === 'not_found') return undefined;
      this.#limits = undefined;
      throw err;
    });
    const limits = await this.#limits;
    return sendFile((payload, to) => this.publish(room, payload, to === undefined ? {} : { to }), data, options, limits);
  }

  /** The relay's limits a backend paces by: largest payload, the rooms' file budget, this API's rate. */
  getLimits(): Promise<ApiLimitsAnswer> {
    return this.#call('GET', '/limits');
  }

  /** Closes member `member`'s connection with 4403 and `reason` (at most 120 ASCII characters). */
  async kickMember(room: string, member: number, reason = ''): Promise<void> {
    await this.#call('POST', `/rooms/${encodeURIComponent(room)}/members/${member}/kick`, { reason });
  }

  /** Removes one member from a room (it gets `removed` with `reason`); its connection and other rooms stay. */
  async removeMember(room: string, member: number, reason = ''): Promise<void> {
    await this.#call('POST', `/rooms/${encodeURIComponent(room)}/members/${member}/remove`, { reason });
  }

  /** Closes a room: every member gets `room_closed` with `reason` and is removed (connections stay). Resolves to how many. */
  async closeRoom(room: string, reason = ''): Promise<number> {
    const answer = await this.#call<{ removed: number }>('POST', `/rooms/${encodeURIComponent(room)}/close`, { reason });
    return answer.removed;
  }

  /** Closes every connection of `userId` with 4403 and `reason`; resolves to how many. */
  async disconnectUser(userId: string, reason = ''): Promise<number> {
    const answer = await this.#call<{ disconnected: number }>('POST', `/users/${encodeURIComponent(userId)}/disconnect`, { reason });
    return answer.disconnected;
  }

  async #call<T>(method: string, path: string, body?: Uint8Array | object): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#key}` };
    let payload: BodyInit | undefined;
    if (body instanceof Uint8Array) {
      headers['content-type'] = 'application/octet-stream';
      payload = body as Uint8Array<ArrayBuffer>;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(this.#base + path, { method, headers, body: payload, signal: AbortSignal.timeout(this.#timeoutMs) });
      } catch (err) {
        throw new RoomcastApiError(0, 'network', `${method} ${path}: ${(err as Error).message}`);
      }
      const text = await res.text();
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new RoomcastApiError(res.status, 'unexpected', `${method} ${path}: answered ${res.status} without JSON`);
      }
      if (res.ok) return value as T;
      const error = (value as Partial<ApiErrorBody>).error;
      if (error?.code === 'rate_limited' && attempt < this.#rateLimitRetries) {
        const waitMs = error.retryAfterMs ?? Number(res.headers.get('retry-after') ?? 1) * 1000;
        await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(waitMs, 1), 60_000)));
        continue;
      }
      throw new RoomcastApiError(res.status, error?.code ?? 'unexpected', error?.message ?? `answered ${res.status}`);
    }
  }
}
