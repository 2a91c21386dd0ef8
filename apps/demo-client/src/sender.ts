// Outgoing demo messages: the pointer's state (a position, or hidden) with the `latest` class,
// and clicks with the `droppable` class.
//
// `transmitToRoom` is the ONE place where the demo hands bytes to the SDK:
// - `state` (cursor position, hide) → `room.sendLatest(CURSOR_KEY, …)`. The relay keeps each
//   member's newest value, sends changed values once per room tick in a batch frame, and gives
//   joiners a snapshot; an empty payload clears the key (hides the cursor). The SDK coalesces
//   sendLatest to the room tick itself (client option `throttleLatest`, default on), so this
//   module has no timer of its own: it only skips positions that did not change.
// - `event` (click) → `room.sendDroppable(…)`: ripples are skipped for members that can't keep up.
import { CURSOR_KEY, RoomcastError, encodeCursor, type Room } from '@roomcast/client';
import { encodeClick } from './cursor-codec.js';
import type { Point } from './coords.js';

/** Minimum time between two clicks sent; faster clicks are not sent. */
export const MIN_CLICK_INTERVAL_MS = 50;

/** `state`: replaces the sender's previous state (latest class, key 0). `event`: a transient effect (droppable). */
export type Delivery = 'state' | 'event';

/** Sends one payload; returns false if it could not be sent now (not connected). */
export type Transmit = (payload: Uint8Array, delivery: Delivery) => boolean;

/** The cleared cursor: an empty `latest` payload. */
const HIDDEN = new Uint8Array(0);

/**
 * A Transmit over the current room (looked up per call, because a failed session is replaced
 * by a new Room). Payloads sent while reconnecting are dropped: cursor state is re-sent after
 * the rejoin (`CursorSender.resend`), and a missed ripple doesn't matter.
 */
export function transmitToRoom(currentRoom: () => Room | undefined, currentGroup: () => number | undefined = () => undefined): Transmit {
  return (payload, delivery) => {
    const room = currentRoom();
    if (room === undefined) return false;
    // Big-canvas mode: to the interest group (cell) the pointer is in, else to the whole room.
    const group = currentGroup();
    const options = group === undefined ? undefined : { group };
    try {
      if (delivery === 'state') room.sendLatest(CURSOR_KEY, payload, options);
      else room.sendDroppable(payload, undefined, options);
    } catch (err) {
      if (err instanceof RoomcastError && (err.code === 'not_connected' || err.code === 'not_in_room')) return false;
      throw err;
    }
    return true;
  };
}

export interface CursorSenderOptions {
  transmit: Transmit;
  /** Clock in ms (for the click limit); default performance.now. */
  now?: () => number;
}

/** Identifies a state: the 24 bits of an encoded cursor, or -1 for hidden. */
function stateKey(payload: Uint8Array): number {
  return payload.length === 0 ? -1 : (payload[0]! << 16) | (payload[1]! << 8) | payload[2]!;
}

/** Sends the local pointer's state (position or hidden) when it changes, and clicks. */
export class CursorSender {
  readonly #transmit: Transmit;
  readonly #now: () => number;
  /** The newest local state, sent or not. */
  #current: Uint8Array = HIDDEN;
  /**
   * The state the relay holds for us, as far as we know: the last one handed to transmit
   * successfully. Hidden until something is sent (a new member has no value).
   */
  #sentKey = stateKey(HIDDEN);
  #lastClickAt = -Infinity;

  constructor(options: CursorSenderOptions) {
    this.#transmit = options.transmit;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The pointer is at `normal` (fractions 0..1 of the document, see coords.ts). */
  move(normal: Point): void {
    this.#set(encodeCursor(normal.x, normal.y));
  }

  /** The pointer left the page. */
  hide(): void {
    this.#set(HIDDEN);
  }

  /** A click or tap at `wire` (quantised u16): sent at once (at most one per MIN_CLICK_INTERVAL_MS). Returns whether it was sent. */
  click(wire: Point): boolean {
    const now = this.#now();
    if (now - this.#lastClickAt < MIN_CLICK_INTERVAL_MS) return false;
    if (!this.#transmit(encodeClick(wire), 'event')) return false;
    this.#lastClickAt = now;
    return true;
  }

  /**
   * After a join or rejoin: the relay holds nothing of this (new) member, so the current
   * position is sent again; a hidden pointer needs nothing.
   */
  resend(): void {
    this.#sentKey = stateKey(HIDDEN);
    this.#flush();
  }

  #set(state: Uint8Array): void {
    this.#current = state;
    this.#flush();
  }

  #flush(): void {
    const key = stateKey(this.#current);
    if (key === this.#sentKey) return; // never send an unchanged state
    if (this.#transmit(this.#current, 'state')) this.#sentKey = key;
  }
}
