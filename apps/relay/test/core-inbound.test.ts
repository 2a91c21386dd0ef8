// Unit tests of core/inbound.ts with fake peers and a controlled clock: every frame a connection
// sends, before and after its handshake. What each kind of frame counts, the size budgets at their
// edges, the protocol-error budget, and the exact error frames (code, message, id, room) and closes
// (code and reason) that follow. No sockets: the relay's own front door, relay.message. The rate
// budgets are in core-inbound-rate.test.ts.
import { DeliveryClass, FrameKind, decodeControlValue, encodeControl, encodeData } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { data, fresh, member, ping } from './inbound-frames.js';
describe('frames in: counters', () => {
  it('counts each frame by kind (data frames by class, everything else as control) and every byte', () => {
    const { relay, a, handle, stats } = member();
    const before = { ...stats.framesIn };
    const bytesBefore = stats.bytesIn;
    const frames = [
      data(handle, 2), data(handle, 3, DeliveryClass.Droppable), data(handle, 4, DeliveryClass.Latest),
      ping(5), Uint8Array.of(FrameKind.Data), Uint8Array.of(0x09, 1, 2), new Uint8Array(0),
      Uint8Array.of(FrameKind.Data, 0b11, 0, handle), // class 3: not a class, counted as control (and refused)
    ];
    for (const f of frames) relay.message(a.conn, f);
    expect({
      control: stats.framesIn.control - before.control, reliable: stats.framesIn.reliable - before.reliable,
      latest: stats.framesIn.latest - before.latest, droppable: stats.framesIn.droppable - before.droppable,
    }).toEqual({ control: 5, reliable: 1, latest: 1, droppable: 1 });
    expect(stats.bytesIn - bytesBefore).toBe(frames.reduce((n, f) => n + f.length, 0));
  });

  it('a closed connection\'s frames are not read or counted', () => {
    const { relay, a, handle, stats } = member();
    a.peer.close(1000);
    const before = { bytes: stats.bytesIn, control: stats.framesIn.control, errors: a.peer.received.length };
    relay.message(a.conn, data(handle));
    relay.message(a.conn, Uint8Array.of(0x09));
    relay.textMessage(a.conn);
    expect(stats.bytesIn).toBe(before.bytes);
    expect(stats.framesIn.control).toBe(before.control);
    expect(a.peer.received.length).toBe(before.errors);
  });

  it('a text message is a bad_frame, counted as a control frame in', () => {
    const { relay, a, stats } = member();
    const control = stats.framesIn.control;
    relay.textMessage(a.conn);
    expect(a.peer.last()).toEqual({ type: 'error', code: 'bad_frame', message: 'text messages are not accepted; send binary frames' });
    expect(stats.framesIn.control).toBe(control + 1);
    expect(a.conn.protocolErrors).toBe(1);
  });
});

describe('frame sizes', () => {
  // Largest frame: max(payload 100 + 7 header bytes, control 64) = 107.
  const small = { RELAY_MAX_PAYLOAD_BYTES: '100', RELAY_MAX_CONTROL_BYTES: '64' };

  it('a frame of exactly the largest size is read; one byte more closes with 1009 and counts frame_bytes', () => {
    const { relay, a, b, handle, stats } = member(small);
    expect(relay.maxFrameBytes).toBe(107);
    const at = data(handle, 103);
    expect(at.length).toBe(107);
    relay.message(a.conn, at); // read: its payload (103) is over the payload limit, a typed error
    expect(a.peer.last()).toMatchObject({ type: 'error', code: 'payload_too_large' });
    expect(a.peer.closedWith).toBeUndefined();
    const over = data(handle, 104);
    relay.message(a.conn, over);
    expect(a.peer.closedWith).toBe(1009);
    expect(a.peer.closeReason).toBe('frame of 108 bytes is above 107');
    expect(stats.limitHits.frame_bytes).toBe(1);
    expect(stats.closes).toEqual({ message_too_big: 1 });
    expect(b.peer.delivers()).toEqual([]);
  });

  it('a payload of exactly the limit is delivered; one byte more is payload_too_large with the room', () => {
    const { relay, a, b, handle, stats } = member(small);
    relay.message(a.conn, data(handle, 100));
    expect(b.peer.delivers().map((f) => f.payload.length)).toEqual([100]);
    expect(stats.limitHits.payload_bytes).toBe(0);
    relay.message(a.conn, data(handle, 101));
    expect(a.peer.last()).toEqual({ type: 'error', code: 'payload_too_large', message: 'payload of 101 bytes is above the limit of 100', room: handle });
    expect(stats.limitHits.payload_bytes).toBe(1);
    expect(stats.errors.payload_too_large).toBe(1);
    expect(b.peer.delivers()).toHaveLength(1);
    // Not a protocol error: it does not count toward the budget.
    expect(a.conn.protocolErrors).toBe(0);
  });

  it('a control frame of exactly the control limit is read; one byte more is control_too_large', () => {
    const { relay, a, stats } = member(small);
    // A join whose room name pads it to exactly n bytes.
    const padded = (n: number) => {
      for (let pad = 1; pad < n; pad++) {
        const frame = encodeControl({ type: 'join', id: 7, room: 'x'.repeat(pad) });
        if (frame.length === n) return frame;
      }
      throw new Error(`no ping of ${n} bytes`);
    };
    expect(padded(64).length).toBe(64);
    relay.message(a.conn, padded(64));
    expect(a.peer.last()).toMatchObject({ type: 'joined', id: 7 });
    relay.message(a.conn, padded(65));
    expect(a.peer.last()).toEqual({ type: 'error', code: 'control_too_large', message: 'control frame of 65 bytes is above the limit of 64' });
    expect(stats.limitHits.control_bytes).toBe(1);
    expect(a.conn.protocolErrors).toBe(1);
  });
});

describe('data frames', () => {
  it('a frame for a room not joined is not_in_room with its handle; it is no protocol error', () => {
    const { relay, a, handle } = member();
    relay.message(a.conn, data(handle + 5));
    expect(a.peer.last()).toEqual({
      type: 'error', code: 'not_in_room', message: `data frame for room handle ${handle + 5}, which this connection has not joined`, room: handle + 5,
    });
    expect(a.conn.protocolErrors).toBe(0);
  });

  it('without the right to send or to send direct frames: forbidden, naming what and where', () => {
    const { relay, a, b, handle, bId: target } = member();
    const m = a.conn.rooms.get(handle)!;
    m.may = { send: false, direct: true, presence: true };
    relay.message(a.conn, data(handle));
    expect(a.peer.last()).toEqual({ type: 'error', code: 'forbidden', message: 'your token does not allow sending in room r', room: handle });
    relay.message(a.conn, data(handle, 1, DeliveryClass.Reliable, target)); // direct: allowed
    expect(b.peer.delivers().map((f) => f.direct)).toEqual([true]);
    m.may = { send: true, direct: false, presence: true };
    relay.message(a.conn, data(handle, 1, DeliveryClass.Reliable, target));
    expect(a.peer.last()).toEqual({ type: 'error', code: 'forbidden', message: 'your token does not allow direct messages in room r', room: handle });
    relay.message(a.conn, data(handle)); // to the room: allowed
    expect(b.peer.delivers().map((f) => f.direct)).toEqual([true, false]);
  });

  it('a frame for an interest group goes to the group, not the room', () => {
    const { relay, a, b, handle } = member();
    relay.message(a.conn, encodeData({ room: handle, group: 5 }, Uint8Array.of(1)));
    expect(b.peer.delivers()).toEqual([]);
    relay.message(b.conn, encodeControl({ type: 'interest', id: 6, room: handle, groups: [5] }));
    expect(b.peer.last()).toMatchObject({ id: 6 });
    expect(b.peer.last()).not.toMatchObject({ type: 'error' });
    relay.message(a.conn, encodeData({ room: handle, group: 5 }, Uint8Array.of(2)));
    expect(b.peer.delivers().map((f) => [...f.payload])).toEqual([[2]]);
  });

  it('each class goes its own way: reliable and droppable at once, latest at the tick', () => {
    const { relay, a, b, handle, advance } = member();
    relay.message(a.conn, data(handle, 1, DeliveryClass.Reliable));
    relay.message(a.conn, data(handle, 2, DeliveryClass.Droppable));
    relay.message(a.conn, data(handle, 3, DeliveryClass.Latest));
    expect(b.peer.delivers().map((f) => [f.cls, f.payload.length])).toEqual([[DeliveryClass.Reliable, 1], [DeliveryClass.Droppable, 2]]);
    expect(b.peer.batches()).toEqual([]);
    advance(1000);
    expect(b.peer.batches().map((f) => f.entries.map((e) => [e.key, e.payload.length]))).toEqual([[[3, 3]]]);
  });
});

describe('protocol errors', () => {
  it('names the unknown frame kind in hex, or the empty frame', () => {
    const { relay, a } = member();
    relay.message(a.conn, Uint8Array.of(0x09, 0));
    expect(a.peer.last()).toEqual({ type: 'error', code: 'bad_frame', message: 'unknown frame kind 0x09' });
    relay.message(a.conn, Uint8Array.of(0xab));
    expect(a.peer.last()).toEqual({ type: 'error', code: 'bad_frame', message: 'unknown frame kind 0xab' });
    relay.message(a.conn, new Uint8Array(0));
    expect(a.peer.last()).toEqual({ type: 'error', code: 'bad_frame', message: 'empty frame' });
  });

  it('closes with 4400 at exactly RELAY_MAX_PROTOCOL_ERRORS; other errors do not count', () => {
    const { relay, a, handle, stats } = member({ RELAY_MAX_PROTOCOL_ERRORS: '3' });
    for (let i = 0; i < 5; i++) relay.message(a.conn, data(handle + 1)); // not_in_room: not a protocol error
    relay.message(a.conn, Uint8Array.of(0x09));
    relay.message(a.conn, encodeControl({ type: 'hello', id: 4, v: 1 }));
    expect(a.peer.last()).toEqual({ type: 'error', code: 'already_welcomed', message: 'this connection already completed its handshake', id: 4 });
    expect(a.conn.protocolErrors).toBe(2);
    expect(a.peer.closedWith).toBeUndefined();
    relay.message(a.conn, Uint8Array.of(0x09));
    expect(a.peer.closedWith).toBe(4400);
    expect(a.peer.closeReason).toBe('3 protocol errors');
    expect(stats.limitHits.protocol_errors).toBe(1);
    expect(stats.closes).toEqual({ protocol_error: 1 });
  });

  it('before hello: a data frame or another message closes at once (4400, the reason is the message)', () => {
    const t = member();
    const c = fresh(t);
    t.relay.message(c.conn, data(1));
    expect(c.peer.last()).toEqual({ type: 'error', code: 'handshake_required', message: 'send hello before any other frame' });
    expect(c.peer.closedWith).toBe(4400);
    expect(c.peer.closeReason).toBe('send hello before any other frame');
    const d = fresh(t);
    t.relay.message(d.conn, encodeControl({ type: 'join', id: 12, room: 'r' }));
    expect(d.peer.last()).toEqual({ type: 'error', code: 'handshake_required', message: "got 'join' before hello", id: 12 });
    expect(d.peer.closedWith).toBe(4400);
    expect(d.peer.closeReason).toBe("got 'join' before hello");
    // Fatal closes are not the protocol-error limit.
    expect(t.stats.limitHits.protocol_errors).toBe(0);
    expect(t.stats.closes).toEqual({ protocol_error: 2 });
  });

  it('before hello, an unknown frame kind is a bad_frame that counts (not fatal)', () => {
    const t = member();
    const c = fresh(t);
    t.relay.message(c.conn, Uint8Array.of(0x07));
    expect(c.peer.last()).toEqual({ type: 'error', code: 'bad_frame', message: 'unknown frame kind 0x07' });
    expect(c.peer.closedWith).toBeUndefined();
    t.relay.message(c.conn, encodeControl({ type: 'hello', id: 3, v: 1 }));
    expect(c.peer.last()).toMatchObject({ type: 'welcome', id: 3 });
  });

  it('a control frame that is not MessagePack gets the decoder\'s own error', () => {
    const { relay, a } = member();
    const frame = Uint8Array.of(FrameKind.Control, 0xc1);
    const expected = decodeControlValue(frame);
    expect(expected.ok).toBe(false);
    relay.message(a.conn, frame);
    expect(a.peer.last()).toEqual({ type: 'error', code: !expected.ok && expected.error.code, message: !expected.ok && expected.error.message });
    expect(a.conn.protocolErrors).toBe(1);
  });

  it('a presence update reaches the other members', () => {
    const { relay, a, b, handle } = member();
    relay.message(a.conn, encodeControl({ type: 'presence', id: 3, room: handle, presence: { x: 1 } }));
    expect(b.peer.last()).toMatchObject({ type: 'member_updated', room: handle });
  });

  it('a control frame that holds no map is a bad_message (counted), whatever it holds', () => {
    const { relay, a } = member();
    const values = [5, 'presence', [1], true, null];
    for (const v of values) {
      relay.message(a.conn, encodeControl(v as never));
      expect(a.peer.last(), JSON.stringify(v)).toMatchObject({ type: 'error', code: 'bad_message' });
    }
    expect(a.conn.protocolErrors).toBe(values.length);
  });

  it('a join whose presence is too large: presence_too_large with the request id when it is a valid id', () => {
    const { relay, a, stats } = member({ RELAY_MAX_PRESENCE_BYTES: '16' });
    const big = { text: 'x'.repeat(40) };
    for (const [id, expected] of [[5, 5], [0, 0], [0xffff_ffff, 0xffff_ffff], [-1, undefined], [1.5, undefined], [2 ** 32, undefined], ['7', undefined]] as const) {
      relay.message(a.conn, encodeControl({ type: 'join', id, room: 'x', presence: big } as never));
      const last = a.peer.last();
      expect(last, `id ${id}`).toMatchObject({ type: 'error', code: 'presence_too_large' });
      expect(last?.type === 'error' && last.id, `id ${id}`).toBe(expected);
    }
    relay.message(a.conn, encodeControl({ type: 'presence', id: 9, room: 1, presence: big }));
    expect(a.peer.last()).toMatchObject({ type: 'error', code: 'presence_too_large', id: 9 });
    expect(stats.limitHits.presence_bytes).toBe(8);
    // Another message with a `presence` field is left to the schema (not a presence check).
    relay.message(a.conn, encodeControl({ type: 'leave', id: 10, room: 1, presence: big } as never));
    expect(a.peer.last()).not.toMatchObject({ code: 'presence_too_large' });
    expect(stats.limitHits.presence_bytes).toBe(8);
  });
});
