// Unit tests of core/inbound.ts over its budgets, with fake peers and a controlled clock: frames
// over the frame or byte budget (refused, dropped or merged by class; the reply's id and room),
// strikes and the flood close, the handshake stage while a token is checked, and the extra frame
// tokens a control frame of many values costs.
import { DeliveryClass, FrameKind, encodeControl } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { setup } from './fakes.js';
import { data, fresh, member, ping, rawPing } from './inbound-frames.js';

describe('over the rate budget', () => {
  // Burst 4: hello and join take 2, leaving 2 frames; the refill is too slow to matter here.
  function flooded(overrides: Record<string, string> = {}) {
    const t = setup({ RELAY_MAX_MESSAGES_PER_SEC: '0.001', RELAY_BURST_MESSAGES: '4', RELAY_FLOOD_STRIKES: '100', ...overrides });
    const a = t.connect();
    const b = t.connect();
    const ja = t.join(a, 'r');
    t.join(b, 'r');
    t.relay.message(a.conn, ping(1));
    t.relay.message(a.conn, ping(2));
    expect(a.peer.last()).toEqual({ type: 'pong', id: 2 });
    return { ...t, a, b, handle: ja.handle, stats: t.relay.stats };
  }
  const RATE = 'more than 0.001 frames or 16384 bytes per second; frame dropped';

  it('a reliable frame is refused with rate_limited naming its room; a control frame with its request id', () => {
    const { relay, a, b, handle, stats } = flooded({ RELAY_MAX_BYTES_PER_SEC: '16384' });
    relay.message(a.conn, data(handle));
    expect(a.peer.last()).toEqual({ type: 'error', code: 'rate_limited', message: RATE, room: handle });
    relay.message(a.conn, ping(77));
    expect(a.peer.last()).toEqual({ type: 'error', code: 'rate_limited', message: RATE, id: 77 });
    expect(b.peer.delivers()).toEqual([]);
    expect(stats.limitHits.messages_per_sec).toBe(2);
    expect(stats.limitHits.bytes_per_sec).toBe(0);
    expect(stats.errors.rate_limited).toBe(2);
  });

  it('the request id is echoed only when it is a valid id; a frame too big for a control frame is not decoded', () => {
    const { relay, a } = flooded({ RELAY_MAX_CONTROL_BYTES: '64', RELAY_MAX_BYTES_PER_SEC: '16384' });
    for (const [id, expected] of [[0, 0], [0xffff_ffff, 0xffff_ffff], [-1, undefined], [2.5, undefined], [2 ** 32, undefined], ['3', undefined]] as const) {
      relay.message(a.conn, rawPing(id));
      const last = a.peer.last();
      expect(last, `id ${String(id)}`).toMatchObject({ type: 'error', code: 'rate_limited' });
      expect(last?.type === 'error' && last.id, `id ${String(id)}`).toBe(expected);
    }
    relay.message(a.conn, encodeControl(null as never));
    expect(a.peer.last()).toEqual({ type: 'error', code: 'rate_limited', message: 'more than 0.001 frames or 16384 bytes per second; frame dropped' });
    relay.message(a.conn, Uint8Array.of(FrameKind.Control, 0xc1)); // not MessagePack
    expect(a.peer.last()).toMatchObject({ type: 'error', code: 'rate_limited' });
    expect(a.peer.last()).not.toHaveProperty('id');
    const big = encodeControl({ type: 'ping', id: 8, pad: 'x'.repeat(70) } as never);
    relay.message(a.conn, big);
    expect(a.peer.last()).not.toHaveProperty('id');
    // A data frame too short for a room handle, or for room 0: no room named.
    relay.message(a.conn, Uint8Array.of(FrameKind.Data, 0, 0));
    expect(a.peer.last()).toMatchObject({ type: 'error', code: 'rate_limited' });
    expect(a.peer.last()).not.toHaveProperty('room');
    relay.message(a.conn, data(0));
    expect(a.peer.last()).not.toHaveProperty('room');
    relay.message(a.conn, Uint8Array.of(FrameKind.Data, 0, 0x01, 0x02));
    expect(a.peer.last()).toMatchObject({ room: 0x0102 });
  });

  it('droppable frames are dropped silently (counted as drops); latest values still merge', () => {
    const { relay, a, b, handle, stats, advance } = flooded();
    const errors = stats.errors.rate_limited;
    relay.message(a.conn, data(handle, 1, DeliveryClass.Droppable));
    expect(stats.drops).toBe(1);
    relay.message(a.conn, data(handle, 2, DeliveryClass.Latest));
    expect(stats.errors.rate_limited).toBe(errors);
    expect(b.peer.delivers()).toEqual([]);
    advance(1000);
    expect(b.peer.batches().map((f) => f.entries.map((e) => e.payload.length))).toEqual([[2]]);
  });

  it('over the byte budget: bytes_per_sec is the limit counted', () => {
    // 1024 bytes per second, a burst of 2048 bytes: the hello and the join fit; a 2100-byte frame does not.
    const t = setup({ RELAY_MAX_BYTES_PER_SEC: '1024', RELAY_MAX_MESSAGES_PER_SEC: '50' });
    const a = t.connect();
    const ja = t.join(a, 'r');
    t.relay.message(a.conn, data(ja.handle, 2100));
    expect(a.peer.last()).toEqual({ type: 'error', code: 'rate_limited', message: 'more than 50 frames or 1024 bytes per second; frame dropped', room: ja.handle });
    expect(t.relay.stats.limitHits).toMatchObject({ bytes_per_sec: 1, messages_per_sec: 0 });
  });

  it('strikes close a flooding connection with 4429 at the limit; merged latest and dropped frames count as strikes', () => {
    for (const cls of [DeliveryClass.Reliable, DeliveryClass.Droppable, DeliveryClass.Latest]) {
      const { relay, a, handle, stats } = flooded({ RELAY_FLOOD_STRIKES: '3' });
      for (let i = 0; i < 3; i++) relay.message(a.conn, data(handle, 1, cls));
      expect(a.peer.closedWith, `class ${cls}`).toBeUndefined();
      relay.message(a.conn, data(handle, 1, cls));
      expect(a.peer.closedWith, `class ${cls}`).toBe(4429);
      expect(a.peer.closeReason).toBe('kept sending above the rate limit');
      // Nothing is read (or answered) after the strike that closed it.
      expect(a.peer.last(), `class ${cls}`).toEqual(cls === DeliveryClass.Reliable
        ? { type: 'error', code: 'rate_limited', message: 'more than 0.001 frames or 262144 bytes per second; frame dropped', room: handle }
        : { type: 'pong', id: 2 });
      expect(stats.limitHits.flood).toBe(1);
      expect(relay.connections.size).toBe(1);
    }
  });
});

describe('while the token in hello is being checked', () => {
  it('data and control frames get handshake_required (counted, not fatal); the request id is echoed', () => {
    const t = member({ RELAY_MAX_PROTOCOL_ERRORS: '3' });
    const c = fresh(t);
    c.conn.state = 'authenticating';
    t.relay.message(c.conn, data(1));
    expect(c.peer.last()).toEqual({ type: 'error', code: 'handshake_required', message: 'the token in hello is being checked: wait for welcome' });
    t.relay.message(c.conn, ping(44));
    expect(c.peer.last()).toEqual({ type: 'error', code: 'handshake_required', message: "got 'ping' while the token in hello is being checked: wait for welcome", id: 44 });
    expect(c.peer.closedWith).toBeUndefined();
    expect(c.conn.protocolErrors).toBe(2);
    t.relay.message(c.conn, data(1));
    expect(c.peer.closedWith).toBe(4400);
    expect(c.peer.closeReason).toBe('3 protocol errors');
  });
});

describe('the control cost budget', () => {
  it('a control frame of many values takes one more frame token per 64 values', () => {
    const { relay, a, clock } = member({ RELAY_MAX_MESSAGES_PER_SEC: '0.001', RELAY_BURST_MESSAGES: '100' });
    const level = () => a.conn.bucket.level(clock.now());
    const start = level();
    // A join whose presence holds 130 numbers: 130 + 8 values (the map, its keys, the array) → 2 extra.
    relay.message(a.conn, encodeControl({ type: 'presence', id: 2, room: 1, presence: Array.from({ length: 130 }, (_, i) => i % 10) }));
    expect(Math.round(start - level())).toBe(3);
    relay.message(a.conn, encodeControl({ type: 'presence', id: 3, room: 1, presence: Array.from({ length: 50 }, (_, i) => i % 10) }));
    expect(Math.round(start - level())).toBe(4);
  });
});
