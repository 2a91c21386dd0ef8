// A typed client of the relay's HTTP server API (docs/server-api.md, docs/openapi.json), on the
// global fetch of Node 20. Errors come back as RoomcastApiError with the API's code.

/** A room's settings (PROTOCOL.md §8.20). */
export interface RoomSettings {
  /** Members the room may hold (at most the relay's RELAY_MAX_MEMBERS_PER_ROOM). */
  capacity: number;
  /** No new joins: joiners get `room_locked`. */
  locked: boolean;
  /** Listed only with `includePrivate`. */
  private: boolean;
  /** Small JSON the members see (at most RELAY_MAX_ROOM_METADATA_BYTES); null when none. */
  metadata: unknown;
}

export interface RoomSummary {
  name: string;
  members: number;
  tickHz: number;
  settings: RoomSettings;
  /** Member id of the host: the longest-present member. */
  host: number;
}

export interface RoomMember {
  id: number;
  userId?: string;
  info?: unknown;
  presence: unknown;
}

export interface RoomDetail extends RoomSummary {
  /** In join order: the first is the longest present. */
  memberList: RoomMember[];
}

export interface RoomPage {
  rooms: RoomSummary[];
  /** Pass as `after` for the next page; absent on the last one. */
  next?: string;
}

export type ApiErrorCode =
  | 'unauthorized' | 'bad_request' | 'not_found' | 'method_not_allowed' | 'room_not_found'
  | 'member_not_found' | 'room_exists' | 'relay_full' | 'cluster_unavailable' | 'payload_too_large' | 'unsupported_media_type';

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

  constructor(options: ApiClientOptions) {
    this.#base = `${options.url.replace(/\/+$/, '')}/api/v1`;
    this.#key = options.key;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
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
  createRoom(name: string, options: { settings?: Partial<RoomSettings>; tickHz?: number } = {}): Promise<RoomSummary> {
    return this.#call('POST', '/rooms', { name, ...options });
  }

  /** One room and its members; throws RoomcastApiError `room_not_found` when nobody is in it. */
  getRoom(room: string): Promise<RoomDetail> {
    return this.#call('GET', `/rooms/${encodeURIComponent(room)}`);
  }

  /** Changes some settings of a room; members get `room_settings`. Resolves to the new settings. */
  async updateSettings(room: string, patch: Partial<RoomSettings>): Promise<RoomSettings> {
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
    const error = (value as { error?: { code?: ApiErrorCode; message?: string } }).error;
    throw new RoomcastApiError(res.status, error?.code ?? 'unexpected', error?.message ?? `answered ${res.status}`);
  }
}
