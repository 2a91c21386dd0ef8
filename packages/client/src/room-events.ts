// The public event types of a room: members, messages, resync, and the event map.
import { CLASS_NAMES, type ClassName, type Presence, type RoomSettings } from '@roomcast/protocol/client';

/** A room's settings, set by the application's server (PROTOCOL.md §8.20). */
export type { RoomSettings };
import type { RoomcastError } from './errors.js';

/** A member of a room: its compact id in that room and its presence state. Entries are replaced, never mutated. */
export interface RoomMember {
  /** Member id, 1..65535, unique within the room for the current connection. */
  readonly id: number;
  /** The member's presence (any JSON value; `null` when none was set). Set by the member itself: not proof of who it is. */
  readonly presence: Presence;
  /** The member's user id, verified by the relay from its token (`sub`); absent for anonymous members. */
  readonly userId?: string;
  /** Trusted info from the member's token (`info` claim, e.g. a display name set by your backend); absent when none. */
  readonly info?: Presence;
  /** True while its connection is gone and the relay holds its seat (PROTOCOL.md §8.21): hide its cursor, keep its place. */
  readonly away?: true;
}

/** A member entry from a relay member map, with the v2 fields only when present. */
export function toMember(m: { id: number; presence: Presence; userId?: string | undefined; info?: Presence | undefined; away?: boolean | undefined }): RoomMember {
  const member: { id: number; presence: Presence; userId?: string; info?: Presence; away?: true } = { id: m.id, presence: m.presence };
  if (m.userId !== undefined) member.userId = m.userId;
  if (m.info !== undefined) member.info = m.info;
  if (m.away === true) member.away = true;
  return member;
}

/** Payload of a room's `'message'` event. */
export interface RoomMessage {
  /** Member id of the sender; 0 (`SERVER_SENDER_ID`) when your application's server published it through the relay's server API. */
  sender: number;
  /**
   * The bytes the sender passed to `send`/`sendTo`. A view into a buffer owned by this message
   * alone, so it may be kept; its `byteOffset` is not 0, so copy (`payload.slice()`) before
   * viewing it as a wider typed array.
   */
  payload: Uint8Array;
  /** True when the sender addressed it to you alone (`sendTo`, `sendDroppable` with a member id). */
  direct: boolean;
  /** How it was sent: `send`/`sendTo` → reliable, `sendLatest` → latest, `sendDroppable` → droppable. */
  cls: ClassName;
  /**
   * For `latest`: the key. An empty payload means the sender cleared the key (or, after a
   * snapshot, that the value is gone). `room.latest` already holds the new state.
   */
  key?: number;
  /** For `latest` values of an interest group you subscribe to (`room.setInterest`): the group. */
  group?: number;
}

/** Delivery class names (as in `RoomMessage.cls`) by class number: the protocol's table. */
export { CLASS_NAMES, type ClassName };

/** Payload of a room's `'resync'` event, emitted after the room was rejoined on a new connection. */
export interface RoomResync {
  /** Your new member id (also `room.self`). */
  self: number;
  /** The fresh member list (the same live map as `room.members`). */
  members: ReadonlyMap<number, RoomMember>;
}

/** Events of a {@link Room}, with the payload each listener receives. */
export interface RoomEvents {
  /** Data from another member. */
  message: RoomMessage;
  /** Another member joined (it is already in `room.members`). */
  member_joined: RoomMember;
  /** Another member changed its presence (the new entry is already in `room.members`). */
  member_updated: RoomMember;
  /** A member left or its connection died; the payload is its last entry, already removed from `room.members`. */
  member_left: RoomMember;
  /** The room was rejoined after a reconnect: handle, self and members are new. Re-read `room.members`. */
  resync: RoomResync;
  /** The application's server changed the room's settings (the new value is already `room.settings`). */
  settings: RoomSettings;
  /** The room has a new host: its member id (already `room.host`). The previous host left. */
  host: number;
  /** A member's connection dropped; the relay holds its seat (the entry, with `away: true`, is already in `members`). */
  member_away: RoomMember;
  /** An away member reconnected and took its seat back (same id; already in `members` without `away`). */
  member_back: RoomMember;
  /** Your application's server closed the room: you are out of it (`room.joined` is false) and it is not rejoined. */
  closed: { reason: string };
  /** Your application's server removed you from this room (the connection and other rooms stay); it is not rejoined. */
  removed: { reason: string };
  /** A relay error about this room (e.g. `rate_limited`, `unknown_member`, `payload_too_large`), or a failed rejoin. */
  error: RoomcastError;
}

