// The outgoing side (src/sender.ts): changed states only (the SDK coalesces to the room tick),
// hide as an empty latest value, resend after a (re)join, clicks, and the class mapping.
import { CURSOR_KEY, RoomcastError, decodeCursor, type Room } from '@roomcast/client';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../src/cursor-codec.js';
import { CursorSender, MIN_CLICK_INTERVAL_MS, transmitToRoom, type Delivery } from '../src/sender.js';

type Sent = { t: number; message: unknown; delivery: Delivery; bytes: number };

/** What a payload means, per delivery: a cursor (fractions), hide (empty), or a demo message. */
function describePayload(payload: Uint8Array, delivery: Delivery): unknown {
  if (delivery === 'event') return decodeMessage(payload);
  if (payload.length === 0) return { type: 'hide' };
  return { type: 'cursor', ...decodeCursor(payload) };
}

/** A sender on a manual clock. */
function setup(connected = () => true) {
  let now = 0;
  const sent: Sent[] = [];
  const sender = new CursorSender({
    transmit: (payload, delivery) => {
      if (!connected()) return false;
      sent.push({ t: now, message: describePayload(payload, delivery), delivery, bytes: payload.length });
      return true;
    },
    now: () => now,
  });
  return { sender, sent, advance: (ms: number) => { now += ms; } };
}

describe('CursorSender', () => {
  it('hands every changed position to the SDK at once, as a 3-byte latest value', () => {
    const { sender, sent, advance } = setup();
    for (let i = 0; i < 100; i++) {
      sender.move({ x: i / 100, y: 1 - i / 100 });
      advance(1);
    }
    expect(sent).toHaveLength(100); // no timer here: sendLatest coalesces to the room tick
    expect(sent.every((s) => s.delivery === 'state' && s.bytes === 3)).toBe(true);
    expect(sent.at(-1)!.message).toEqual({ type: 'cursor', x: expect.closeTo(0.99, 3), y: expect.closeTo(0.01, 3) });
  });

  it('sends nothing for an unchanged position (same 12-bit cell)', () => {
    const { sender, sent, advance } = setup();
    sender.move({ x: 0.5, y: 0.25 });
    advance(1000);
    sender.move({ x: 0.5, y: 0.25 });
    sender.move({ x: 0.5 + 1e-5, y: 0.25 - 1e-5 }); // well under 1/4095: the same encoded cursor
    expect(sent).toHaveLength(1);
    sender.move({ x: 0.6, y: 0.25 });
    expect(sent).toHaveLength(2);
  });

  it('sends hide as an empty latest value, once, and never before a position', () => {
    const { sender, sent } = setup();
    sender.hide(); // nothing to clear yet
    expect(sent).toHaveLength(0);
    sender.move({ x: 0.1, y: 0.1 });
    sender.hide();
    sender.hide();
    expect(sent.map((s) => [s.message, s.delivery, s.bytes])).toEqual([
      [{ type: 'cursor', x: expect.closeTo(0.1, 3), y: expect.closeTo(0.1, 3) }, 'state', 3],
      [{ type: 'hide' }, 'state', 0],
    ]);
    sender.move({ x: 0.1, y: 0.1 }); // back on the page at the same spot: shown again
    expect(sent).toHaveLength(3);
  });

  it('resend() after a (re)join sends the current position again, but not a hidden pointer', () => {
    const { sender, sent } = setup();
    sender.move({ x: 0.2, y: 0.3 });
    sender.resend();
    expect(sent.map((s) => s.message)).toEqual([
      { type: 'cursor', x: expect.closeTo(0.2, 3), y: expect.closeTo(0.3, 3) },
      { type: 'cursor', x: expect.closeTo(0.2, 3), y: expect.closeTo(0.3, 3) },
    ]);
    sender.hide();
    sender.resend(); // the new session holds no value: nothing to clear
    expect(sent).toHaveLength(3);
  });

  it('drops state while disconnected and sends it on resend()', () => {
    let online = false;
    const { sender, sent } = setup(() => online);
    sender.move({ x: 0.3, y: 0.4 });
    expect(sent).toHaveLength(0);
    online = true;
    sender.resend();
    expect(sent.map((s) => s.message)).toEqual([{ type: 'cursor', x: expect.closeTo(0.3, 3), y: expect.closeTo(0.4, 3) }]);
  });

  it('sends clicks at once as events, at most one per MIN_CLICK_INTERVAL_MS', () => {
    const { sender, sent, advance } = setup();
    expect(sender.click({ x: 1, y: 2 })).toBe(true);
    expect(sender.click({ x: 1, y: 2 })).toBe(false);
    advance(MIN_CLICK_INTERVAL_MS);
    expect(sender.click({ x: 3, y: 4 })).toBe(true);
    expect(sent.map((s) => [s.message, s.delivery])).toEqual([
      [{ type: 'click', x: 1, y: 2 }, 'event'],
      [{ type: 'click', x: 3, y: 4 }, 'event'],
    ]);
  });
});

describe('transmitToRoom', () => {
  /** A stand-in for the SDK's Room that records the calls (or throws `error`). */
  function fakeRoom(error?: Error) {
    const calls: unknown[][] = [];
    const room = {
      sendLatest: (key: number, payload: Uint8Array, options?: { group?: number }) => {
        if (error) throw error;
        calls.push(['latest', key, [...payload], ...(options ? [options] : [])]);
      },
      sendDroppable: (payload: Uint8Array, memberId?: number, options?: { group?: number }) => {
        if (error) throw error;
        calls.push(['droppable', [...payload], memberId, ...(options ? [options] : [])]);
      },
      send: () => calls.push(['reliable']),
    };
    return { room: room as unknown as Room, calls };
  }

  it('sends state with sendLatest under CURSOR_KEY and events with sendDroppable', () => {
    const { room, calls } = fakeRoom();
    const transmit = transmitToRoom(() => room);
    expect(transmit(Uint8Array.of(1, 2, 3), 'state')).toBe(true);
    expect(transmit(new Uint8Array(0), 'state')).toBe(true);
    expect(transmit(Uint8Array.of(2, 0, 1, 0, 2), 'event')).toBe(true);
    expect(calls).toEqual([
      ['latest', CURSOR_KEY, [1, 2, 3]],
      ['latest', CURSOR_KEY, []],
      ['droppable', [2, 0, 1, 0, 2], undefined],
    ]);
  });

  it('addresses the current interest group (big-canvas mode), or the room when there is none', () => {
    const { room, calls } = fakeRoom();
    let group: number | undefined = 12;
    const transmit = transmitToRoom(() => room, () => group);
    transmit(Uint8Array.of(1, 2, 3), 'state');
    transmit(Uint8Array.of(2, 0, 1, 0, 2), 'event');
    group = undefined;
    transmit(Uint8Array.of(4, 5, 6), 'state');
    expect(calls).toEqual([
      ['latest', CURSOR_KEY, [1, 2, 3], { group: 12 }],
      ['droppable', [2, 0, 1, 0, 2], undefined, { group: 12 }],
      ['latest', CURSOR_KEY, [4, 5, 6]],
    ]);
  });

  it('returns false without a room or while not connected, and rethrows anything else', () => {
    expect(transmitToRoom(() => undefined)(Uint8Array.of(1, 2, 3), 'state')).toBe(false);
    const offline = fakeRoom(new RoomcastError('not_connected', 'reconnecting'));
    expect(transmitToRoom(() => offline.room)(Uint8Array.of(1, 2, 3), 'state')).toBe(false);
    const left = fakeRoom(new RoomcastError('not_in_room', 'left'));
    expect(transmitToRoom(() => left.room)(Uint8Array.of(2), 'event')).toBe(false);
    const tooBig = fakeRoom(new RoomcastError('payload_too_large', 'too big'));
    expect(() => transmitToRoom(() => tooBig.room)(Uint8Array.of(2), 'event')).toThrow('too big');
  });
});
