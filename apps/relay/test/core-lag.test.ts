// Unit tests of lag handling in the room core (delivery.ts checkLag and direct droppable frames),
// with fake peers whose send buffer the test sets and a sweep the test runs: no sockets, no timers.
// A member over the soft send-buffer limit leaves the fast topics; it rejoins only once drained to
// half of that limit (hysteresis, so a member near the limit does not flap in and out).
import { DeliveryClass, encodeData } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { setup } from './fakes.js';

const SOFT = 1024;

function lagRoom() {
  const t = setup({ RELAY_SOFT_BUFFERED_BYTES: String(SOFT), RELAY_MAX_BUFFERED_BYTES: '4096' });
  const a = t.connect();
  const slow = t.connect();
  const ja = t.join(a, 'r');
  const js = t.join(slow, 'r');
  /** Sets the slow member's send buffer and runs the relay's periodic check. */
  const buffered = (bytes: number): void => {
    slow.peer.buffered = bytes;
    t.relay.sweep();
  };
  const droppable = (target?: number): void => {
    t.relay.message(a.conn, encodeData({ room: ja.handle, cls: DeliveryClass.Droppable, target }, Uint8Array.of(7)));
  };
  return { ...t, a, slow, js, buffered, droppable };
}

describe('lagging members', () => {
  it('a lagging member resumes at half the soft limit, not at the soft limit', () => {
    const { slow, buffered, droppable, relay } = lagRoom();
    buffered(SOFT + 1);
    expect(slow.conn.lagging).toBe(true);
    // Drained to the soft limit and just above half of it: still lagging, still off the fast topic.
    for (const bytes of [SOFT, SOFT / 2 + 1]) {
      buffered(bytes);
      expect(slow.conn.lagging, `at ${bytes} bytes`).toBe(true);
      droppable();
      expect(slow.peer.delivers(), `at ${bytes} bytes`).toEqual([]);
    }
    expect(relay.stats.drops).toBe(2);
    // Exactly half: back on the fast topic; the next droppable frame arrives.
    buffered(SOFT / 2);
    expect(slow.conn.lagging).toBe(false);
    droppable();
    expect(slow.peer.delivers().map((f) => [...f.payload])).toEqual([[7]]);
    expect(relay.stats.lagStarts).toBe(1);
    expect(relay.stats.drops).toBe(2);
  });

  it('a direct droppable frame to a lagging target is dropped, even once its buffer is below the soft limit', () => {
    const { slow, js, buffered, droppable, relay } = lagRoom();
    buffered(SOFT + 1);
    buffered(SOFT / 2 + 1); // below the soft limit, but not drained to half: still lagging
    expect(slow.conn.lagging).toBe(true);
    droppable(js.self);
    expect(slow.peer.delivers()).toEqual([]);
    expect(relay.stats.drops).toBe(1);
    // Drained: the same direct frame now arrives.
    buffered(SOFT / 2);
    droppable(js.self);
    expect(slow.peer.delivers().map((f) => [f.direct, [...f.payload]])).toEqual([[true, [7]]]);
    expect(relay.stats.drops).toBe(1);
  });

  it('a direct droppable frame to a target over the soft limit is dropped before the sweep marks it', () => {
    const { slow, js, droppable, relay } = lagRoom();
    slow.peer.buffered = SOFT + 1; // no sweep yet: not marked lagging
    expect(slow.conn.lagging).toBe(false);
    droppable(js.self);
    expect(slow.peer.delivers()).toEqual([]);
    expect(relay.stats.drops).toBe(1);
  });

  it('a member that starts lagging once the fast topic is in use leaves it: no droppable frames until it drains', () => {
    const { slow, buffered, droppable, relay } = lagRoom();
    droppable(); // the fast topic is in use
    expect(slow.peer.delivers()).toHaveLength(1);
    buffered(SOFT + 1);
    droppable();
    expect(slow.peer.delivers()).toHaveLength(1);
    expect(relay.stats.drops).toBe(1);
    buffered(SOFT / 2);
    droppable();
    expect(slow.peer.delivers()).toHaveLength(2);
  });
});
