// Room lifecycle events for observers outside the core (webhooks, src/webhooks/): a port the
// process fills. Called on joins, leaves and closes (control traffic, never per data frame); an
// observer must only record the event and return (no I/O on this path).
import type { Presence, RoomSettings } from '@roomcast/protocol';
import type { LeftReason } from '@roomcast/protocol/server-api';

/** Why a member left (the webhook's `reason`): defined with the webhook events. */
export type { LeftReason };

export interface MemberRef {
  room: string;
  memberId: number;
  userId?: string | undefined;
  info?: Presence | undefined;
}

export interface RoomEvents {
  roomCreated(room: string): void;
  roomClosed(room: string): void;
  memberJoined(member: MemberRef): void;
  memberLeft(member: MemberRef, reason: LeftReason): void;
  settingsChanged(room: string, settings: RoomSettings): void;
}

/** No observer. */
export const NO_ROOM_EVENTS: RoomEvents = Object.freeze({
  roomCreated() {},
  roomClosed() {},
  memberJoined() {},
  memberLeft() {},
  settingsChanged() {},
});
