// The SDK's state machine: status, reconnect with backoff and rejoin, requests and their
// replies, and routing of relay frames to rooms. The entries (node.ts, browser.ts) only choose
// the default WebSocket; connection.ts owns the socket itself.
import {
  DeliveryClass, ErrorCodes, encodeControl, encodeData, shouldReconnect,
  type ErrorCode, type Limits, type Presence, type ServerFrame, type ServerMessage,
} from '@roomcast/protocol/client';
import { Backoff, DEFAULT_BACKOFF } from './backoff.js';
import { Connection, describe } from './connection.js';
import { Emitter, type Listener } from './emitter.js';
import { RoomcastError } from './errors.js';
import { resolveConnectOptions, resolveOptions, type ClientOptions, type ConnectOptions, type ResolvedOptions } from './options.js';
import { Requests, type Reply, type ReplyType, type RequestMessage } from './requests.js';
import { openRoom, type Room, type RoomControl, type RoomLink, type RoomSettings } from './room.js';
import { fetchToken, refreshDelayMs } from './token.js';
import type { WebSocketConstructor } from './socket.js';

/**
 * - `idle`: created, `connect()` not called yet.
 * - `connecting`: the first connection is being opened (until `welcome`).
 * - `open`: welcomed; requests and sends work.
 * - `reconnecting`: the connection dropped and the client is retrying with backoff.
 * - `closed`: `close()` was called, the connection ended with a code that forbids reconnecting,
 *   or `connect()` failed. `connect()` may be called again.
 */
export type ClientStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Payload of the client's `'close'` event. */
export interface CloseInfo {
  /** WebSocket close code (1000 after `client.close()`, 1006 when no close frame was received). */
  code: number;
  /** Close reason, or a description of why the client gave up. */
  reason: string;
}

/** Payload of the client's `'reconnected'` event. */
export interface ReconnectedInfo {
  /** The new session id (also `client.session`). */
  session: string;
  /** Failed attempts before this one succeeded. */
  failedAttempts: number;
}

/** Payload of the client's `'retrying'` event: a first connection attempt of `connect({ retry: true })` failed. */
export interface RetryingInfo {
  /** Why the attempt failed (e.g. `connect_failed` with code 1006 while the relay is down). */
  error: RoomcastError;
  /** Failed attempts so far (1 after the first). */
  failedAttempts: number;
  /** The next attempt starts after this many ms (full-jitter backoff). */
  delayMs: number;
}

/** Events of a {@link RoomcastClient}, with the payload each listener receives. */
export interface ClientEvents {
  /** The status changed; the payload is the new status. */
  status: ClientStatus;
  /** A relay error not tied to a request or a known room, or an undecodable frame from the relay. */
  error: RoomcastError;
  /** The client reached `closed` and will not reconnect by itself. */
  close: CloseInfo;
  /** A dropped connection was re-established and every room's rejoin has settled. */
  reconnected: ReconnectedInfo;
  /** `connect({ retry: true })`: an attempt failed and another follows after `delayMs`. */
  retrying: RetryingInfo;
}

/**
 * Client for a Roomcast relay. Import it from `@roomcast/client`, which picks `ws` in Node and
 * `globalThis.WebSocket` in browsers.
 */
export class RoomcastClient {
  /** The relay URL given to the constructor. */
  readonly url: string;
  readonly #options: ResolvedOptions;
  readonly #WebSocket: WebSocketConstructor;
  readonly #backoff: Backoff | undefined;
  readonly #events = new Emitter<ClientEvents>();
  readonly #requests = new Requests();
  readonly #link: RoomLink;
  /** Rooms the user joined, by name: rejoined after a reconnect. */
  readonly #rooms = new Map<string, RoomControl>();
  /** The same rooms by handle, for the current connection only. */
  readonly #handles = new Map<number, RoomControl>();
  /** Names with a `join` in flight. */
  readonly #joining = new Set<string>();
  #status: ClientStatus = 'idle';
  #conn: Connection | undefined;
  #connecting: Promise<void> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Rejects a `connect({ retry: true })` that is waiting between attempts (used by close()). */
  #cancelConnect: ((err: RoomcastError) => void) | undefined;
  #limits: Limits | undefined;
  #session: string | undefined;
  #userId: string | undefined;
  /** Sends `refresh` with a fresh token before the current one expires. */
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** Connection attempts started; a token that arrives for an older attempt is dropped. */
  #attempts = 0;

  /**
   * Creates a client; nothing is opened until {@link connect}.
   * @param url relay WebSocket URL, e.g. `ws://127.0.0.1:8080/ws`
   * @param options timeouts, reconnect timing, client name, WebSocket class; see {@link ClientOptions}
   * @throws RangeError for an invalid option; RoomcastError `no_websocket` if no WebSocket class is available
   */
  constructor(url: string, options: ClientOptions = {}) {
    this.url = url;
    this.#options = resolveOptions(options);
    if (options.WebSocket === undefined) {
      throw new RoomcastError('no_websocket', 'no WebSocket implementation: pass the `WebSocket` option');
    }
    this.#WebSocket = options.WebSocket;
    this.#backoff = this.#options.reconnect === false ? undefined : new Backoff(this.#options.reconnect);
    this.#link = {
      connected: () => this.#conn?.open === true,
      sendData: (handle, target, payload, cls, key, group) => this.#sendData(handle, target, payload, cls, key, group),
      throttleLatest: this.#options.throttleLatest,
      request: (message, expect, onReply) => this.#request(message, expect, onReply),
      forget: (room) => this.#forget(room),
      bufferedAmount: () => this.#conn?.bufferedAmount ?? 0,
      limits: () => this.#limits,
    };
  }

  /** Connection status; changes are emitted as `'status'`. */
  get status(): ClientStatus {
    return this.#status;
  }

  /** The relay's limits from the latest `welcome`; `undefined` before the first one. */
  get limits(): Limits | undefined {
    return this.#limits;
  }

  /** The relay's id for the current (or latest) connection, for logs and support. */
  get session(): string | undefined {
    return this.#session;
  }

  /**
   * Your user id as the relay verified it from your token (`sub`), from the latest `welcome`;
   * `undefined` for anonymous connections and before the first welcome.
   */
  get userId(): string | undefined {
    return this.#userId;
  }

  /** Rooms currently joined, by name (a snapshot). */
  get rooms(): ReadonlyMap<string, Room> {
    return new Map([...this.#rooms].map(([name, control]) => [name, control.room]));
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): () => void {
    return this.#events.on(event, listener);
  }

  /** Adds a listener called at most once; returns a function that removes it. */
  once<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): () => void {
    return this.#events.once(event, listener);
  }

  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): void {
    this.#events.off(event, listener);
  }

  /**
   * Opens the connection and performs the handshake. Resolves once the relay's `welcome` arrived.
   * By default the first connection is tried once: on failure the status becomes `closed` and the
   * promise rejects. With `{ retry: true }` a failed attempt is retried with the reconnect backoff
   * (full jitter; the `reconnect` option's timing, or its defaults when reconnect is off), status
   * staying `connecting` and each failure emitted as `'retrying'`, until an attempt succeeds,
   * `close()` is called, `maxAttempts` is reached, or the failure is one retrying cannot fix (a
   * close code that forbids reconnecting, a non-retryable relay error such as
   * `unsupported_version`, or a socket that cannot even be created, e.g. a malformed URL).
   * Resolves at once when already open; while connecting or reconnecting, settles with that attempt.
   * @param options `{ retry?: boolean; maxAttempts?: number }`, see {@link ConnectOptions}
   * @throws RangeError (synchronously) for an invalid `maxAttempts`
   * @throws RoomcastError (rejects) `connect_failed` (socket error or close before `welcome`,
   *   with `closeCode`), `timeout` (after `connectTimeoutMs`), `closed` (`close()` was called),
   *   or the relay's error code (e.g. `unsupported_version`); with `retry`, the last attempt's error
   */
  connect(options: ConnectOptions = {}): Promise<void> {
    const { retry, maxAttempts } = resolveConnectOptions(options);
    if (this.#status === 'open') return Promise.resolve();
    if (this.#status === 'connecting' && this.#connecting !== undefined) return this.#connecting;
    if (this.#status === 'reconnecting') return this.#nextOpen();
    this.#setStatus('connecting');
    const backoff = retry ? new Backoff(this.#options.reconnect === false ? DEFAULT_BACKOFF : this.#options.reconnect) : undefined;
    const attempt = new Promise<void>((resolve, reject) => {
      let failures = 0;
      const giveUp = (err: RoomcastError): void => {
        this.#connecting = undefined;
        this.#cancelConnect = undefined;
        this.#finish(err.closeCode ?? 1006, err.closeReason || err.message);
        reject(err);
      };
      const tryOnce = (): void => {
        let creating = true; // a failure reported while the socket is being created: bad URL
        this.#open(
          () => {
            this.#connecting = undefined;
            this.#cancelConnect = undefined;
            this.#setStatus('open');
            resolve();
          },
          (err) => {
            failures++;
            // With getToken the socket is created after an await: a creation failure is then the
            // connect_failed that no close reported (it has no closeCode).
            const uncreatable = creating || (err.code === 'connect_failed' && err.closeCode === undefined);
            if (backoff === undefined || uncreatable || this.#status !== 'connecting' || failures >= maxAttempts || isFinal(err)) {
              giveUp(err);
              return;
            }
            const delayMs = backoff.next();
            this.#reconnectTimer = setTimeout(() => {
              this.#reconnectTimer = undefined;
              tryOnce();
            }, delayMs);
            this.#events.emit('retrying', { error: err, failedAttempts: failures, delayMs });
          },
        );
        creating = false;
      };
      this.#cancelConnect = giveUp;
      tryOnce();
    });
    if (this.#status === 'connecting') this.#connecting = attempt; // #open can fail synchronously
    return attempt;
  }

  /**
   * Joins (or creates) the room `name`, optionally with your initial presence. Resolves with the
   * {@link Room} once the relay replied `joined`; its `members` then include you.
   * @throws RoomcastError (rejects) `not_connected` unless the status is `open`; `already_joined`
   *   if this client joined or is joining `name`; the relay's code (`bad_room_name`, `room_full`,
   *   `too_many_rooms`, `presence_too_large`, ...); `timeout`; `closed`
   * @param options.settings Settings of the room if this join creates it (a `role: "server"` token only, PROTOCOL.md §8.20 rule 6).
   */
  join(name: string, presence?: Presence, options?: { settings?: Partial<RoomSettings> }): Promise<Room> {
    if (this.#rooms.has(name) || this.#joining.has(name)) {
      return Promise.reject(new RoomcastError('already_joined', `room '${name}' is already joined (or being joined) by this client`));
    }
    const settings = options?.settings;
    const joined = this.#request({ type: 'join', room: name, presence, ...(settings === undefined ? {} : { settings }) }, 'joined', (reply) => {
      this.#joining.delete(name);
      const control = openRoom(this.#link, name, presence);
      this.#rooms.set(name, control);
      this.#handles.set(reply.handle, control);
      control.attach(reply);
      return control.room;
    });
    this.#joining.add(name);
    return joined.catch((err: unknown) => {
      this.#joining.delete(name);
      throw err;
    });
  }

  /**
   * Measures the round trip to the relay with `ping`/`pong`.
   * @returns the round-trip time in milliseconds
   * @throws RoomcastError (rejects) `not_connected`, `timeout`, `closed`
   */
  ping(): Promise<number> {
    const start = performance.now();
    return this.#request({ type: 'ping' }, 'pong', () => performance.now() - start);
  }

  /**
   * Closes the connection with code 1000 and stops reconnecting. Pending requests reject with
   * `closed`, every room ends, the status becomes `closed` and `'close'` is emitted. `connect()`
   * may be called again later (rooms must then be joined again).
   */
  close(): void {
    if (this.#status === 'closed') return;
    const conn = this.#conn;
    this.#conn = undefined;
    const err = new RoomcastError('closed', 'client.close() was called', { closeCode: 1000 });
    this.#requests.failAll(err);
    this.#finish(1000, 'client closed');
    conn?.abort(err, 'client closed'); // rejects a connect() in progress
    this.#cancelConnect?.(err); // and one waiting between retries
    this.#cancelConnect = undefined;
  }

  // ---- connection -------------------------------------------------------------

  /**
   * Opens a connection (after asking `getToken`, if given); exactly one of the callbacks runs,
   * synchronously with the event that decides, unless the client closed meanwhile.
   */
  #open(onWelcome: () => void, onFail: (err: RoomcastError) => void): void {
    const getToken = this.#options.getToken;
    if (getToken === undefined) return this.#dial(undefined, onWelcome, onFail);
    const attempt = ++this.#attempts;
    const current = (): boolean => attempt === this.#attempts && (this.#status === 'connecting' || this.#status === 'reconnecting');
    fetchToken(getToken).then(
      (token) => { if (current()) this.#dial(token, onWelcome, onFail); },
      (err: RoomcastError) => { if (current()) onFail(err); },
    );
  }

  #dial(token: string | undefined, onWelcome: () => void, onFail: (err: RoomcastError) => void): void {
    const { connectTimeoutMs, clientName } = this.#options;
    this.#conn = Connection.open({ url: this.url, WebSocket: this.#WebSocket, clientName, connectTimeoutMs, token }, {
      welcomed: (welcome) => {
        this.#limits = welcome.limits;
        this.#session = welcome.session;
        this.#userId = welcome.userId;
        this.#scheduleRefresh(welcome.expiresInSec);
        onWelcome();
      },
      failed: (err) => {
        this.#conn = undefined;
        onFail(err);
      },
      frame: (frame) => this.#dispatch(frame),
      garbage: (err) => this.#events.emit('error', err),
      closed: (code, reason) => this.#dropped(code, reason),
    });
  }

  /**
   * Token refresh in-band (PROTOCOL.md §8.18 rule 6): after 80% of the lifetime, at least 5 s
   * before expiry. If it fails, the relay closes with 4440 at expiry and the reconnect asks
   * `getToken` again, so a failure is reported (`'error'`) but needs no retry here.
   */
  #scheduleRefresh(expiresInSec: number | undefined): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
    const getToken = this.#options.getToken;
    if (expiresInSec === undefined || getToken === undefined) return;
    const conn = this.#conn;
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      fetchToken(getToken)
        .then((token) => this.#request({ type: 'refresh', token }, 'refreshed', (reply) => {
          if (this.#conn === conn) this.#scheduleRefresh(reply.expiresInSec);
        }))
        .catch((err: RoomcastError) => {
          if (this.#conn !== conn || this.#status !== 'open') return; // the connection is gone anyway
          this.#events.emit('error', new RoomcastError(err.code, `token refresh failed: ${err.message}`));
        });
    }, refreshDelayMs(expiresInSec));
  }

  /** The welcomed connection closed: every room's handle is stale, every pending reply is lost. */
  #dropped(code: number, reason: string): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
    this.#conn = undefined;
    this.#handles.clear();
    for (const room of this.#rooms.values()) room.detach();
    this.#requests.failAll(new RoomcastError('closed', `connection closed (code ${code}) before the reply arrived`, { closeCode: code, closeReason: reason }));
    if (this.#backoff !== undefined && shouldReconnect(code)) {
      this.#setStatus('reconnecting');
      // A 'status' listener may have called close() meanwhile.
      if (this.#status === 'reconnecting') this.#scheduleReconnect();
    } else {
      this.#finish(code, reason);
    }
  }

  /** Enters `closed` for good: no reconnect, rooms ended, `'close'` emitted. Idempotent. */
  #finish(code: number, reason: string): void {
    if (this.#status === 'closed') return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
    this.#backoff?.reset();
    this.#joining.clear();
    for (const room of [...this.#rooms.values()]) room.end();
    this.#rooms.clear();
    this.#handles.clear();
    this.#setStatus('closed');
    this.#events.emit('close', { code, reason });
  }

  #scheduleReconnect(): void {
    const backoff = this.#backoff;
    if (backoff === undefined) return;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#open(() => this.#reopened(), (err) => this.#reconnectFailed(err));
    }, backoff.next());
  }

  #reconnectFailed(err: RoomcastError): void {
    if (this.#status !== 'reconnecting') return;
    if (isFinal(err)) this.#finish(err.closeCode ?? 1006, err.closeReason || err.message);
    else this.#scheduleReconnect();
  }

  /** Welcome after a reconnect: rejoin every room with its last presence, then emit `'reconnected'`. */
  #reopened(): void {
    const failedAttempts = Math.max(0, (this.#backoff?.attempt ?? 1) - 1);
    this.#backoff?.reset();
    this.#setStatus('open');
    if (this.#status !== 'open') return; // a 'status' listener closed the client
    const conn = this.#conn;
    const rejoins = [...this.#rooms.values()].map((room) => this.#rejoin(room));
    void Promise.all(rejoins).then(() => {
      if (this.#conn !== conn || this.#status !== 'open' || this.#session === undefined) return;
      this.#events.emit('reconnected', { session: this.#session, failedAttempts });
    });
  }

  /** Rejoins one room; never rejects. */
  #rejoin(control: RoomControl): Promise<void> {
    const { room } = control;
    // The seat's resume token (PROTOCOL.md §8.21) gets the same member id back within the relay's grace window.
    const seat = control.rejoinSeat();
    const message: RequestMessage = { type: 'join', room: room.name, presence: control.rejoinPresence(), ...(seat === undefined ? {} : { seat }) };
    return this.#request(message, 'joined', (reply) => {
      if (this.#rooms.get(room.name) !== control) {
        this.#leaveStray(reply.handle); // left while the rejoin was in flight
        return;
      }
      this.#handles.set(reply.handle, control);
      control.attach(reply);
      control.resynced();
    }).catch((err: unknown) => {
      const error = toRoomcastError(err);
      if (error.code === 'closed' || this.#rooms.get(room.name) !== control) return; // dropped again: the next reconnect retries
      control.end();
      control.fail(new RoomcastError(error.code, `could not rejoin room '${room.name}' after reconnecting: ${error.message}`, { room: error.room }));
    });
  }

  // ---- frames -----------------------------------------------------------------

  #dispatch(frame: ServerFrame): void {
    // Frames for unknown handles (a room just left) are ignored.
    if (frame.kind === 'deliver') this.#handles.get(frame.room)?.deliver(frame);
    else if (frame.kind === 'batch') this.#handles.get(frame.room)?.batch(frame);
    else this.#control(frame.message);
  }

  #control(message: ServerMessage): void {
    switch (message.type) {
      case 'joined':
      case 'ok':
      case 'pong':
      case 'refreshed':
        // A `joined` nobody waits for (its join timed out) would leave a ghost member: leave it.
        if (!this.#requests.settle(message) && message.type === 'joined') this.#leaveStray(message.handle);
        return;
      case 'error': {
        if (message.id !== undefined && this.#requests.settle(message)) return;
        const err = new RoomcastError(message.code, message.message, { room: message.room });
        const room = message.id === undefined && message.room !== undefined ? this.#handles.get(message.room) : undefined;
        if (room !== undefined) room.fail(err);
        else this.#events.emit('error', err);
        return;
      }
      case 'member_joined':
      case 'member_updated':
      case 'member_left':
      case 'room_settings':
      case 'host_changed':
      case 'room_closed':
      case 'removed':
      case 'member_away':
      case 'member_back':
        this.#handles.get(message.room)?.memberEvent(message);
        return;
      case 'welcome':
        this.#events.emit('error', new RoomcastError('bad_message', 'relay sent a second welcome'));
        return;
    }
  }

  // ---- sending ----------------------------------------------------------------

  #request<T extends ReplyType, R>(message: RequestMessage, expect: T, onReply: (reply: Reply<T>) => R): Promise<R> {
    const conn = this.#conn;
    if (conn === undefined || !conn.open) {
      return Promise.reject(new RoomcastError('not_connected', `cannot send '${message.type}': the client is ${this.#status}`));
    }
    const { id, promise } = this.#requests.open(expect, this.#options.requestTimeoutMs, `'${message.type}'`, onReply);
    try {
      const frame = encodeControl({ ...message, id });
      const max = this.#limits?.maxControlBytes;
      if (max !== undefined && max > 0 && frame.length > max) {
        throw new RoomcastError('control_too_large', `'${message.type}' is ${frame.length} bytes; the relay accepts at most ${max}`);
      }
      conn.send(frame);
    } catch (err) {
      this.#requests.fail(id, toRoomcastError(err));
    }
    return promise;
  }

  #sendData(handle: number, target: number | undefined, payload: Uint8Array, cls: DeliveryClass = DeliveryClass.Reliable, key?: number, group?: number): void {
    const conn = this.#conn;
    if (conn === undefined || !conn.open) throw new RoomcastError('not_connected', `cannot send data: the client is ${this.#status}`);
    // 0: the relay announced no cap (PROTOCOL.md §6.2), as for file chunks (room-files.ts).
    const max = this.#limits?.maxPayloadBytes;
    if (max && payload.length > max) {
      throw new RoomcastError('payload_too_large', `payload is ${payload.length} bytes; the relay accepts at most ${max}`, { room: handle });
    }
    conn.send(encodeData({ room: handle, target, cls, key, group }, payload));
  }

  #leaveStray(handle: number): void {
    this.#request({ type: 'leave', room: handle }, 'ok', () => undefined).catch(() => {});
  }

  #forget(room: Room): void {
    if (this.#rooms.get(room.name)?.room === room) this.#rooms.delete(room.name);
    if (this.#handles.get(room.handle)?.room === room) this.#handles.delete(room.handle);
  }

  #nextOpen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const off = this.#events.on('status', (status) => {
        if (status === 'open') {
          off();
          resolve();
        } else if (status === 'closed') {
          off();
          reject(new RoomcastError('closed', 'the client closed while reconnecting'));
        }
      });
    });
  }

  #setStatus(status: ClientStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.#events.emit('status', status);
  }
}

function isRelayCode(code: string): code is ErrorCode {
  return Object.hasOwn(ErrorCodes, code);
}

/** A failed attempt that retrying cannot fix: a close code that forbids reconnecting, or a non-retryable relay error. */
function isFinal(err: RoomcastError): boolean {
  const refusedByCode = err.closeCode !== undefined && !shouldReconnect(err.closeCode);
  const refusedByRelay = isRelayCode(err.code) && !ErrorCodes[err.code].retry;
  return refusedByCode || refusedByRelay;
}

function toRoomcastError(err: unknown): RoomcastError {
  if (err instanceof RoomcastError) return err;
  return new RoomcastError('not_connected', `the socket refused the frame: ${describe(err)}`, { cause: err });
}
