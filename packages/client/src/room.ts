// A joined room as the application sees it: its member map, events, and send/presence/leave.
// The client owns the connection; a room reaches it only through the small RoomLink below.
import {
  DeliveryClass, MAX_MEMBER_ID, type BatchFrame, type DeliverFrame, type Limits, type Presence, type ServerMessage,
} from '@roomcast/protocol/client';
import { Emitter, type Listener } from './emitter.js';
import { LatestThrottle, LatestValues } from './latest.js';
import { RoomcastError } from './errors.js';
import type { Reply, ReplyType, RequestMessage } from './requests.js';
import { CLASS_NAMES, toMember, type RoomEvents, type RoomMember, type RoomSettings } from './room-events.js';

export type { ClassName, RoomEvents, RoomMember, RoomMessage, RoomResync, RoomSettings } from './room-events.js';

/** @internal What a room needs from its client. */
export interface RoomLink {
  /** Whether the client has an open, welcomed connection. */
  connected(): boolean;
  /** Sends a data frame; throws `not_connected` or `payload_too_large`. */
  sendData(handle: number, target: number | undefined, payload: Uint8Array, cls?: DeliveryClass, key?: number, group?: number): void;
  /** Sends a request; `onReply` runs synchronously when the reply arrives. */
  request<T extends ReplyType, R>(message: RequestMessage, expect: T, onReply: (reply: Reply<T>) => R): Promise<R>;
  /** Drops the room from the client's maps (it will not be rejoined). */
  forget(room: Room): void;
  /** Whether `sendLatest` coalesces to the room tick (client option `throttleLatest`). */
  readonly throttleLatest: boolean;
  /** Bytes the client's socket has queued (for pacing file transfers). */
  bufferedAmount(): number;
  /** The relay's limits from the latest `welcome`. */
  limits(): Limits | undefined;
}

/**
 * @internal A tap sees each message of a room before its 'message' listeners and may consume it
 * (return true), and hears when the room's connection drops or the room ends (`down`).
 * `@roomcast/client/files` uses it to keep file chunks out of 'message'. Kept outside the class
 * so the core bundle pays a few bytes, not the file code.
 */
export interface RoomTap {
  message(message: RoomEvents['message']): boolean;
  down(): void;
}
const taps = new WeakMap<Room, RoomTap>();
let linkOf: (room: Room) => RoomLink;
let tapEarly: (room: Room, tap: RoomTap) => void;

/**
 * @internal Installs the (single) tap of a room and returns its client link. Messages kept for
 * the first 'message' listener go through the tap first (they may have come with the join).
 */
export function tapRoom(room: Room, tap: RoomTap): RoomLink {
  taps.set(room, tap);
  tapEarly(room, tap);
  return linkOf(room);
}

type RoomState = 'joined' | 'rejoining' | 'left';
type MemberEvent = Extract<ServerMessage, { type: 'member_joined' | 'member_updated' | 'member_left' | 'room_settings' | 'host_changed' | 'room_closed' | 'removed' | 'member_away' | 'member_back' }>;

/**
 * @internal The client's side of a room: everything that changes a room's state, kept off the
 * public class so that applications only see the API they may call.
 */
export interface RoomControl {
  readonly room: Room;
  /** The presence a rejoin sends: the latest value asked for that the relay did not refuse. */
  rejoinPresence(): Presence | undefined;
  /** The resume token of this room's seat, if the relay gave one (PROTOCOL.md §8.21). */
  rejoinSeat(): string | undefined;
  /** Binds the room to the handle, self id and members of a `joined` reply. */
  attach(reply: Reply<'joined'>): void;
  /** Emits `'resync'` after a rejoin. */
  resynced(): void;
  /** The connection dropped: the handle is stale until the room is rejoined. */
  detach(): void;
  /** The room is over (client closed for good, or the rejoin failed). */
  end(): void;
  /** A data frame for this room's handle. */
  deliver(frame: DeliverFrame): void;
  /** A batch of `latest` values for this room's handle. */
  batch(frame: BatchFrame): void;
  /** A member event for this room's handle. */
  memberEvent(message: MemberEvent): void;
  /** Emits an error on the room. */
  fail(err: RoomcastError): void;
}

let createRoom: (link: RoomLink, name: string, presence: Presence | undefined) => RoomControl;

/** Options of the send methods: `group` addresses an interest group (1..65535) instead of the whole room. */
export interface GroupOption {
  group?: number;
}

const EMPTY = new Uint8Array(0);

function groupOf(options: GroupOption | undefined): number | undefined {
  const g = options?.group;
  if (g !== undefined && (!Number.isInteger(g) || g < 1 || g > 65535)) throw new RangeError(`group must be an integer in 1..65535 (got ${g})`);
  return g;
}

/** Tick rate assumed until the relay reports one (relays before batch frames did not). */
const DEFAULT_TICK_HZ = 30;

/** Messages kept for a room's first 'message' listener. */
const EARLY_MESSAGES_MAX = 256;

/** @internal Creates a room (for `client.join()`) and returns its control side. */
export function openRoom(link: RoomLink, name: string, presence: Presence | undefined): RoomControl {
  return createRoom(link, name, presence);
}

/**
 * A room this client joined, returned by `client.join()`. It stays the same object across
 * reconnects: after the client rejoins, `handle`, `self` and `members` are updated in place and
 * `'resync'` is emitted.
 */
export class Room {
  // The static block may reach private members, so the control functions live here and the
  // public class carries no internal methods (a private constructor keeps `new Room` internal too).
  static {
    linkOf = (room) => room.#link;
    // On the next microtask (before any later network read), so that the caller can add its
    // listeners first; if a 'message' listener took the buffer meanwhile, its replay taps it.
    tapEarly = (room, tap) => queueMicrotask(() => {
      if (room.#early !== undefined) room.#early = room.#early.filter((m) => !tap.message(m));
    });
    createRoom = (link, name, presence) => {
      const room = new Room(link, name, presence);
      return {
        room,
        rejoinPresence: () => room.#presence,
        rejoinSeat: () => room.#seat,
        attach: (reply) => room.#attach(reply),
        resynced: () => {
          room.#events.emit('resync', { self: room.#self, members: room.#members });
          // A new connection knows no interest: ask again (its snapshots follow).
          if (room.#interest.length > 0) room.setInterest(room.#interest).catch((err: unknown) => room.#events.emit('error', err as RoomcastError));
        },
        detach: () => {
          if (room.#state === 'joined') room.#state = 'rejoining';
          taps.get(room)?.down();
        },
        end: () => room.#end(),
        deliver: (frame) => room.#deliver({
          sender: frame.sender, payload: frame.payload, direct: frame.direct, cls: CLASS_NAMES[frame.cls] ?? 'reliable', key: frame.key,
        }),
        batch: (frame) => room.#batch(frame),
        memberEvent: (message) => room.#memberEvent(message),
        fail: (err) => room.#events.emit('error', err),
      };
    };
  }

  /** The room name passed to `join`. */
  readonly name: string;
  readonly #link: RoomLink;
  readonly #events = new Emitter<RoomEvents>();
  readonly #members = new Map<number, RoomMember>();
  /** 'rejoining' until the first attach, which follows creation at once. */
  #state: RoomState = 'rejoining';
  #handle = 0;
  #self = 0;
  /** The presence a rejoin sends: the latest value asked for that the relay did not refuse. */
  #presence: Presence | undefined;
  /**
   * Messages that arrive before the first 'message' listener (they can come in the same network
   * read as the `joined` reply, before `await client.join()` returns). Handed to that listener,
   * then never used again. Bounded: beyond EARLY_MESSAGES_MAX the oldest are dropped.
   */
  #early: RoomEvents['message'][] | undefined = [];
  /** Current `latest` values of the other members. */
  readonly #latest = new LatestValues();
  /** Values of each subscribed interest group (PROTOCOL.md §4.5), kept apart: a group snapshot replaces only its own. */
  readonly #groups = new Map<number, LatestValues>();
  #interest: number[] = [];
  /** The group of each key sent with `sendLatest(…, { group })` (read when the throttle flushes). */
  readonly #keyGroup = new Map<number, number | undefined>();
  #tickHz = DEFAULT_TICK_HZ;
  #settings: RoomSettings | undefined;
  #fileBytesPerSec: number | undefined;
  #seat: string | undefined;
  #host = 0;
  /** `sendLatest` values waiting for the next local tick (client-side throttle). */
  readonly #throttle = new LatestThrottle(() => 1000 / this.#tickHz, (values) => this.#flushLatest(values));

  /** Rooms are created by `client.join()`. */
  private constructor(link: RoomLink, name: string, presence: Presence | undefined) {
    this.#link = link;
    this.name = name;
    this.#presence = presence;
  }

  /** The relay's handle for this room on the current connection (changes after a reconnect). */
  get handle(): number {
    return this.#handle;
  }

  /** Your member id in this room (changes after a reconnect). */
  get self(): number {
    return this.#self;
  }

  /**
   * The room's file budget the relay announced in `joined` (bytes per second file transfers may
   * make it send, counted per recipient; PROTOCOL.md appendix B.3); `@roomcast/client/files`
   * paces by it. Undefined from relays that do not announce one.
   */
  get fileBytesPerSec(): number | undefined {
    return this.#fileBytesPerSec;
  }

  /** The room's settings (capacity, locked, private, metadata), kept current by `'settings'` events; undefined from relays older than PROTOCOL.md §8.20. */
  get settings(): RoomSettings | undefined {
    return this.#settings;
  }

  /** Member id of the room's host (the longest-present member; `'host'` event on hand-over); 0 when the relay does not say. Compare with `self`. */
  get host(): number {
    return this.#host;
  }

  /** Every member, you included, by member id. A live view: it changes as events arrive. */
  get members(): ReadonlyMap<number, RoomMember> {
    return this.#members;
  }

  /**
   * True until you leave the room, the client closes for good, or a rejoin after a reconnect
   * fails. While the client is reconnecting the room stays joined but cannot send.
   */
  get joined(): boolean {
    return this.#state !== 'left';
  }

  /**
   * Adds a listener; returns a function that removes it. The first 'message' listener also gets,
   * on the next microtask, the messages that arrived before any listener was added.
   */
  on<K extends keyof RoomEvents>(event: K, listener: Listener<RoomEvents[K]>): () => void {
    const off = this.#events.on(event, listener);
    if (event === 'message' && this.#early !== undefined) {
      const early = this.#early;
      this.#early = undefined;
      if (early.length > 0) {
        queueMicrotask(() => {
          for (const m of early) if (taps.get(this)?.message(m) !== true) this.#events.emit('message', m);
        });
      }
    }
    return off;
  }

  #deliver(message: RoomEvents['message']): void {
    if (taps.get(this)?.message(message) === true) return;
    if (this.#early === undefined) return this.#events.emit('message', message);
    if (this.#early.length >= EARLY_MESSAGES_MAX) this.#early.shift();
    this.#early.push(message);
  }

  /** Adds a listener called at most once; returns a function that removes it. */
  once<K extends keyof RoomEvents>(event: K, listener: Listener<RoomEvents[K]>): () => void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof RoomEvents>(event: K, listener: Listener<RoomEvents[K]>): void {
    this.#events.off(event, listener);
  }

  /**
   * Sends `payload` reliably to every other member (ordered per sender, never dropped silently).
   * The bytes are copied into the frame, so the buffer may be reused after the call.
   * @throws RoomcastError `not_connected` while the client is not open or the room is being
   *   rejoined; `not_in_room` after `leave()`; `payload_too_large` above `client.limits.maxPayloadBytes`.
   */
  send(payload: Uint8Array, options?: GroupOption): void {
    this.#link.sendData(this.#liveHandle(), undefined, payload, DeliveryClass.Reliable, undefined, groupOf(options));
  }

  /**
   * Sends `payload` to one member only; it arrives with `direct: true`. If the member has left
   * meanwhile, the relay answers with an `unknown_member` error on this room's `'error'` event.
   * @throws RangeError if `memberId` is not an integer in 1..65535; otherwise as {@link send}.
   */
  sendTo(memberId: number, payload: Uint8Array): void {
    if (!Number.isInteger(memberId) || memberId < 1 || memberId > MAX_MEMBER_ID) {
      throw new RangeError(`memberId must be an integer in 1..${MAX_MEMBER_ID} (got ${memberId})`);
    }
    this.#link.sendData(this.#liveHandle(), memberId, payload);
  }

  /**
   * Sends a `latest` value under `key` (0..255): state such as a cursor position, where only the
   * newest value matters. The relay keeps one value per (sender, key), sends the changed ones once
   * per room tick in one batch frame, and gives joiners a snapshot. An empty payload clears the
   * key. With the client option `throttleLatest` (default on), calls are coalesced locally to the
   * room's tick rate, so calling this on every pointer event is fine.
   * @throws RangeError if `key` is not an integer in 0..255; otherwise as {@link send}.
   */
  sendLatest(key: number, payload: Uint8Array, options?: GroupOption): void {
    if (!Number.isInteger(key) || key < 0 || key > 255) throw new RangeError(`key must be an integer in 0..255 (got ${key})`);
    const group = groupOf(options);
    const handle = this.#liveHandle();
    if (!this.#link.throttleLatest) return this.#link.sendData(handle, undefined, payload, DeliveryClass.Latest, key, group);
    this.#keyGroup.set(key, group);
    this.#throttle.push(key, payload);
  }

  /**
   * Sends a transient event (a click ripple, a sound): delivered at once to members that keep
   * up, dropped for members that are behind (and counted by the relay). With `memberId`, to that
   * member only.
   * @throws as {@link send} and {@link sendTo}.
   */
  sendDroppable(payload: Uint8Array, memberId?: number, options?: GroupOption): void {
    if (memberId !== undefined && (!Number.isInteger(memberId) || memberId < 1 || memberId > MAX_MEMBER_ID)) {
      throw new RangeError(`memberId must be an integer in 1..${MAX_MEMBER_ID} (got ${memberId})`);
    }
    this.#link.sendData(this.#liveHandle(), memberId, payload, DeliveryClass.Droppable, undefined, groupOf(options));
  }

  /**
   * Subscribes to interest groups of this room (PROTOCOL.md §4.5), replacing the previous set:
   * from now on you receive the `latest` values (and group-addressed frames) sent to these groups,
   * with `group` set on each `'message'`. Values of groups you leave are reported cleared. Sent
   * again after a reconnect. Groups are numbers 1..65535 your application chooses (e.g. grid cells).
   * @throws RangeError for ids outside 1..65535 or more than `client.limits.maxGroupsPerMember`
   *   (0 or absent: the relay offers no groups); RoomcastError (rejects) as {@link setPresence}.
   */
  async setInterest(groups: readonly number[]): Promise<void> {
    const wanted = [...new Set(groups)];
    for (const g of wanted) groupOf({ group: g });
    const max = this.#link.limits()?.maxGroupsPerMember ?? 0;
    if (wanted.length > max) throw new RangeError(`${wanted.length} groups asked for; this relay allows ${max} per member`);
    this.#interest = wanted;
    const handle = this.#liveHandle();
    await this.#link.request({ type: 'interest', room: handle, groups: wanted }, 'ok', () => {
      if (this.#handle !== handle) return;
      for (const [g, values] of this.#groups) {
        if (wanted.includes(g)) continue;
        this.#groups.delete(g);
        for (const [sender, keys] of values.map) for (const key of keys.keys()) this.#groupChange(g, sender, key, EMPTY);
      }
      for (const g of wanted) if (!this.#groups.has(g)) this.#groups.set(g, new LatestValues());
    });
  }

  /** The interest groups asked for with `setInterest`. */
  get interest(): readonly number[] {
    return this.#interest;
  }

  /**
   * The other members' current `latest` values, by sender id then key, kept up to date from
   * batch frames and snapshots (a member's values go when it leaves). A live view.
   */
  get latest(): ReadonlyMap<number, ReadonlyMap<number, Uint8Array>> {
    return this.#latest.map;
  }

  /** The room's tick rate in Hz, as the relay reported it. */
  get tickHz(): number {
    return this.#tickHz;
  }

  #flushLatest(values: ReadonlyMap<number, Uint8Array>): void {
    if (this.#state !== 'joined' || !this.#link.connected()) return;
    for (const [key, payload] of values) {
      try {
        this.#link.sendData(this.#handle, undefined, payload, DeliveryClass.Latest, key, this.#keyGroup.get(key));
      } catch (err) {
        this.#events.emit('error', err instanceof RoomcastError ? err : new RoomcastError('not_connected', String(err)));
      }
    }
  }

  #batch(frame: BatchFrame): void {
    const g = frame.group;
    if (g !== undefined) {
      for (const { sender, key, payload } of this.#groups.get(g)?.apply(frame, this.#self) ?? []) this.#groupChange(g, sender, key, payload);
      return;
    }
    for (const { sender, key, payload } of this.#latest.apply(frame, this.#self)) {
      this.#deliver({ sender, payload, direct: false, cls: 'latest', key });
    }
  }

  /** A group value changed; a clear is reported only if no other group still shows that (sender, key) (a move between groups). */
  #groupChange(group: number, sender: number, key: number, payload: Uint8Array): void {
    if (payload.length === 0) for (const values of this.#groups.values()) if (values.map.get(sender)?.has(key)) return;
    this.#deliver({ sender, payload, direct: false, cls: 'latest', key, group });
  }

  /**
   * Replaces your presence in this room. Resolves when the relay confirmed it; your own entry in
   * `members` is then updated (other members get `member_updated`; you get no event). The value
   * is also what a rejoin after a reconnect sends, unless the relay refused it. While the client
   * is reconnecting, the call rejects with `not_connected` but the value is kept: the rejoin sends it.
   * @throws RoomcastError (rejects) `not_connected`, `not_in_room`, `presence_too_large`, `timeout`, `closed`
   */
  async setPresence(presence: Presence): Promise<void> {
    if (this.#state === 'rejoining') this.#presence = presence;
    const handle = this.#liveHandle();
    const previous = this.#presence;
    this.#presence = presence;
    try {
      await this.#link.request({ type: 'presence', room: handle, presence }, 'ok', () => {
        if (this.#state === 'joined' && this.#handle === handle) {
          // Your verified userId/info stay: only the presence changed.
          this.#members.set(this.#self, { ...this.#members.get(this.#self), id: this.#self, presence });
        }
      });
    } catch (err) {
      // A refusal by the relay (not a lost connection) means the old value still stands.
      const refused = err instanceof RoomcastError && err.code !== 'closed' && err.code !== 'timeout' && err.code !== 'not_connected';
      if (refused && this.#presence === presence) this.#presence = previous;
      throw err;
    }
  }

  /**
   * Leaves the room. The room is forgotten at once (no more events, never rejoined); the promise
   * resolves when the relay confirmed, or at once if the connection is down (the relay drops
   * memberships of a closed connection anyway). Calling it again does nothing.
   * @throws RoomcastError (rejects) `timeout` if the relay did not confirm in time
   */
  async leave(): Promise<void> {
    if (this.#state === 'left') return;
    const handle = this.#state === 'joined' ? this.#handle : undefined;
    this.#end();
    if (handle === undefined) return;
    try {
      await this.#link.request({ type: 'leave', room: handle }, 'ok', () => undefined);
    } catch (err) {
      if (err instanceof RoomcastError && (err.code === 'closed' || err.code === 'not_connected' || err.code === 'not_in_room')) return;
      throw err;
    }
  }

  #liveHandle(): number {
    if (!this.#link.connected()) throw new RoomcastError('not_connected', `cannot use room '${this.name}': the client is not connected`);
    if (this.#state === 'left') throw new RoomcastError('not_in_room', `room '${this.name}' was left`);
    if (this.#state === 'rejoining') throw new RoomcastError('not_connected', `room '${this.name}' is being rejoined after a reconnect`);
    return this.#handle;
  }

  #attach(reply: Reply<'joined'>): void {
    this.#state = 'joined';
    this.#handle = reply.handle;
    this.#self = reply.self;
    this.#members.clear();
    for (const m of reply.members) this.#members.set(m.id, toMember(m));
    // A new connection: the relay sends a snapshot if the room has values.
    this.#latest.clear();
    for (const values of this.#groups.values()) values.clear();
    this.#tickHz = reply.tickHz ?? DEFAULT_TICK_HZ;
    this.#settings = reply.settings;
    this.#host = reply.host ?? 0;
    this.#seat = reply.seat;
    this.#fileBytesPerSec = reply.fileBytesPerSec;
  }

  #end(): void {
    if (this.#state === 'left') return;
    this.#state = 'left';
    this.#members.clear();
    this.#latest.clear();
    this.#groups.clear();
    this.#throttle.cancel();
    this.#link.forget(this);
    taps.get(this)?.down();
  }

  #memberEvent(message: MemberEvent): void {
    if (message.type === 'room_settings') {
      this.#settings = message.settings;
      this.#events.emit('settings', message.settings);
      return;
    }
    if (message.type === 'member_away' || message.type === 'member_back') {
      const member = this.#members.get(message.member);
      if (member === undefined) return;
      const next = toMember({ ...member, away: message.type === 'member_away' });
      this.#members.set(next.id, next);
      this.#events.emit(message.type, next);
      return;
    }
    if (message.type === 'room_closed' || message.type === 'removed') {
      this.#end();
      this.#events.emit(message.type === 'removed' ? 'removed' : 'closed', { reason: message.reason });
      return;
    }
    if (message.type === 'host_changed') {
      this.#host = message.host;
      this.#events.emit('host', message.host);
      return;
    }
    if (message.type === 'member_left') {
      const member = this.#members.get(message.member);
      if (member === undefined) return;
      this.#members.delete(message.member);
      this.#latest.dropMember(message.member);
      for (const values of this.#groups.values()) values.dropMember(message.member);
      this.#events.emit('member_left', member);
      return;
    }
    const member = toMember(message.member);
    this.#members.set(member.id, member);
    this.#events.emit(message.type, member);
  }
}
