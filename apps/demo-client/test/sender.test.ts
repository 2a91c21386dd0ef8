// The outgoing side (src/sender.ts): 30 Hz throttle with trailing send, no duplicates, clicks.
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../src/cursor-codec.js';
import { CursorSender, MIN_CLICK_INTERVAL_MS, type Delivery } from '../src/sender.js';

/** A sender on a manual clock; timers fire when the test advances time. */
function setup(connected = () => true) {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const sent: { t: number; message: ReturnType<typeof decodeMessage>; delivery: Delivery }[] = [];
  const sender = new CursorSender({
    transmit: (payload, delivery) => {
      if (!connected()) return false;
      sent.push({ t: now, message: decodeMessage(payload), delivery });
      return true;
    },
    now: () => now,
    setTimer: (fn, ms) => {
      const timer = { at: now + ms, fn };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => {
      const i = timers.indexOf(timer as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
  });
  const advance = (ms: number): void => {
    const end = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (next === undefined || next.at > end) break;
      timers.shift();
      now = next.at;
      next.fn();
    }
    now = end;
  };
  return { sender, sent, advance, timers };
}

describe('CursorSender', () => {
  it('sends at most 30 updates per second and always delivers the last position', () => {
    const { sender, sent, advance } = setup();
    for (let i = 0; i < 1000; i++) { // 1000 pointer events over one second
      sender.move({ x: i, y: i });
      advance(1);
    }
    advance(100);
    expect(sent.length).toBeLessThanOrEqual(31);
    expect(sent.length).toBeGreaterThanOrEqual(29);
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.t - sent[i - 1]!.t).toBeGreaterThanOrEqual(1000 / 30 - 1e-9);
    expect(sent.at(-1)!.message).toEqual({ type: 'cursor', x: 999, y: 999 });
    expect(sent.every((s) => s.delivery === 'state')).toBe(true);
  });

  it('sends the first move at once and nothing for an unchanged position', () => {
    const { sender, sent, advance } = setup();
    sender.move({ x: 10, y: 20 });
    expect(sent).toHaveLength(1);
    advance(1000);
    sender.move({ x: 10, y: 20 });
    advance(1000);
    expect(sent).toHaveLength(1);
  });

  it('does not send when the pointer returns to the last sent spot within one interval', () => {
    const { sender, sent, advance } = setup();
    sender.move({ x: 1, y: 1 });
    sender.move({ x: 2, y: 2 });
    sender.move({ x: 1, y: 1 });
    advance(1000);
    expect(sent).toHaveLength(1);
  });

  it('sends hide as state, and resend() repeats the current state', () => {
    const { sender, sent, advance } = setup();
    sender.move({ x: 5, y: 5 });
    advance(100);
    sender.hide();
    advance(100);
    sender.resend();
    advance(100);
    expect(sent.map((s) => s.message)).toEqual([{ type: 'cursor', x: 5, y: 5 }, { type: 'hide' }, { type: 'hide' }]);
  });

  it('drops state while disconnected and sends it again on resend()', () => {
    let online = false;
    const { sender, sent, advance } = setup(() => online);
    sender.move({ x: 3, y: 4 });
    advance(100);
    expect(sent).toHaveLength(0);
    online = true;
    sender.resend();
    expect(sent.map((s) => s.message)).toEqual([{ type: 'cursor', x: 3, y: 4 }]);
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

  it('dispose() cancels the trailing send', () => {
    const { sender, sent, advance, timers } = setup();
    sender.move({ x: 1, y: 1 });
    sender.move({ x: 2, y: 2 });
    expect(timers).toHaveLength(1);
    sender.dispose();
    advance(1000);
    expect(sent).toHaveLength(1);
  });
});
