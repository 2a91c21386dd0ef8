// Outgoing demo messages: the pointer position throttled to at most 30 Hz (the trailing position
// is always sent, unchanged positions never), and clicks as events.
//
// `transmitToRoom` is the ONE place where the demo hands bytes to the SDK. Today the relay only
// has the `reliable` class, so everything goes through room.send(). When the throttling issue
// adds delivery classes, change only that function: `state` (cursor, hide) → `latest` with key 0,
// so the relay keeps the newest position per member and batches per tick; `event` (click) →
// `droppable`, so ripples are skipped for members that can't keep up.
import { RoomcastError, type Room } from '@roomcast/client';
import { encodeClick, encodeCursor, encodeHide } from './cursor-codec.js';
import type { Point } from './coords.js';

/** Highest rate of cursor updates per second (the room tick rate the relay will use). */
export const MAX_SEND_HZ = 30;
/** Minimum time between two clicks sent; faster clicks are not sent. */
export const MIN_CLICK_INTERVAL_MS = 50;

/** `state`: replaces the sender's previous state (latest-wins). `event`: a transient effect. */
export type Delivery = 'state' | 'event';

/** Sends one payload; returns false if it could not be sent now (not connected). */
export type Transmit = (payload: Uint8Array<ArrayBuffer>, delivery: Delivery) => boolean;

/**
 * A Transmit over the current room (looked up per call, because a failed session is replaced
 * by a new Room). Payloads sent while reconnecting are dropped: cursor state is re-sent after
 * the rejoin (`CursorSender.resend`), and a missed ripple doesn't matter.
 */
export function transmitToRoom(currentRoom: () => Room | undefined): Transmit {
  return (payload, _delivery) => {
    const room = currentRoom();
    if (room === undefined) return false;
    try {
      room.send(payload); // reliable today; see the header comment for `latest` / `droppable`
    } catch (err) {
      if (err instanceof RoomcastError && (err.code === 'not_connected' || err.code === 'not_in_room')) return false;
      throw err;
    }
    return true;
  };
}

export interface CursorSenderOptions {
  transmit: Transmit;
  /** Updates per second at most; default MAX_SEND_HZ. */
  maxHz?: number;
  /** Clock in ms; default performance.now. */
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

interface State {
  key: string;
  payload: Uint8Array<ArrayBuffer>;
}

/** Throttles the local pointer's state (position or hidden) and sends clicks. */
export class CursorSender {
  readonly #transmit: Transmit;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #setTimer: (fn: () => void, ms: number) => unknown;
  readonly #clearTimer: (timer: unknown) => void;
  /** The newest local state, sent or not. */
  #current: State | undefined;
  /** Key of the state last handed to transmit successfully. */
  #sentKey: string | undefined;
  #lastSentAt = -Infinity;
  #lastClickAt = -Infinity;
  #timer: unknown;

  constructor(options: CursorSenderOptions) {
    this.#transmit = options.transmit;
    this.#intervalMs = 1000 / (options.maxHz ?? MAX_SEND_HZ);
    this.#now = options.now ?? (() => performance.now());
    this.#setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.#clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  /** The pointer is at `wire` (quantised, see coords.ts). */
  move(wire: Point): void {
    this.#set({ key: `${wire.x},${wire.y}`, payload: encodeCursor(wire) });
  }

  /** The pointer left the page. */
  hide(): void {
    this.#set({ key: 'hidden', payload: encodeHide() });
  }

  /** A click or tap at `wire`: sent at once (at most one per MIN_CLICK_INTERVAL_MS). Returns whether it was sent. */
  click(wire: Point): boolean {
    const now = this.#now();
    if (now - this.#lastClickAt < MIN_CLICK_INTERVAL_MS) return false;
    if (!this.#transmit(encodeClick(wire), 'event')) return false;
    this.#lastClickAt = now;
    return true;
  }

  /** Sends the current state again (after a rejoin, or for a member who just joined), throttled as usual. */
  resend(): void {
    this.#sentKey = undefined;
    this.#flush();
  }

  /** Stops the pending timer. */
  dispose(): void {
    if (this.#timer !== undefined) this.#clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #set(state: State): void {
    this.#current = state;
    this.#flush();
  }

  #flush(): void {
    if (this.#timer !== undefined) return; // the trailing send will pick up the newest state
    const current = this.#current;
    if (current === undefined || current.key === this.#sentKey) return;
    const wait = this.#lastSentAt + this.#intervalMs - this.#now();
    if (wait > 0) {
      this.#timer = this.#setTimer(() => {
        this.#timer = undefined;
        this.#flush();
      }, wait);
      return;
    }
    if (this.#transmit(current.payload, 'state')) {
      this.#sentKey = current.key;
      this.#lastSentAt = this.#now();
    }
  }
}
