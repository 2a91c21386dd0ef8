// A room's interest groups (PROTOCOL.md §4.5) and the messages kept for its first listener,
// against the fake socket: ids and the relay's limit, group values kept apart and cleared when a
// group is left, re-asking after a reconnect, and the early-message buffer's bound.
import { encodeBatch, encodeDeliver } from '@roomcast/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ada, setup } from './room-setup.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('interest groups', () => {
  const limits = { maxGroupsPerMember: 2 };

  it('validates ids and the relay limit, counting duplicates once', async () => {
    const { h, room } = await setup(limits);
    await expect(room.setInterest([1, 2, 3])).rejects.toThrow(new RangeError('3 groups asked for; this relay allows 2 per member'));
    await expect(room.setInterest([0])).rejects.toThrow(new RangeError('group must be an integer in 1..65535 (got 0)'));
    expect(room.interest).toEqual([]);
    const setting = room.setInterest([7, 7, 8]);
    const req = h.socket().nextControl('interest');
    expect([req.room, req.groups]).toEqual([5, [7, 8]]);
    expect(room.interest).toEqual([7, 8]);
    h.socket().reply({ type: 'ok', id: req.id });
    await setting;
    const { room: other } = await setup();
    await expect(other.setInterest([1])).rejects.toThrow(new RangeError('1 groups asked for; this relay allows 0 per member'));
  });

  it("keeps each group's values apart, tags messages with the group, and reports values of a group left as cleared", async () => {
    const { h, room } = await setup(limits);
    const got: unknown[] = [];
    room.on('message', (m) => got.push([m.group, m.sender, m.key, [...m.payload]]));
    const subscribe = async (groups: number[]) => {
      const setting = room.setInterest(groups);
      h.socket().reply({ type: 'ok', id: h.socket().nextControl('interest').id });
      await setting;
    };
    await subscribe([1, 2]);
    h.socket().push(encodeBatch(5, [{ sender: 2, key: 0, payload: Uint8Array.of(10) }, { sender: 1, key: 0, payload: Uint8Array.of(99) }], false, 1));
    h.socket().push(encodeBatch(5, [{ sender: 2, key: 0, payload: Uint8Array.of(20) }, { sender: 3, key: 1, payload: Uint8Array.of(30) }], false, 2));
    h.socket().push(encodeBatch(5, [{ sender: 2, key: 0, payload: Uint8Array.of(50) }], false, 9)); // not subscribed
    expect(room.latest.size).toBe(0); // group values are not the room's
    // Group 1 goes: bob's key 0 is still shown by group 2, so no clear for it.
    await subscribe([2]);
    // Group 2 goes: both its values are cleared.
    await subscribe([]);
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual([
      [1, 2, 0, [10]],
      [2, 2, 0, [20]],
      [2, 3, 1, [30]],
      [2, 2, 0, []],
      [2, 3, 1, []],
    ]);
  });

  it('a member leaving drops its group values; a group snapshot replaces only its own values', async () => {
    const { h, room } = await setup(limits);
    const got: unknown[] = [];
    room.on('message', (m) => got.push([m.group, m.sender, m.key, m.payload.length]));
    const setting = room.setInterest([1, 2]);
    h.socket().reply({ type: 'ok', id: h.socket().nextControl('interest').id });
    await setting;
    h.socket().push(encodeBatch(5, [{ sender: 2, key: 0, payload: Uint8Array.of(1) }], false, 1));
    h.socket().push(encodeBatch(5, [{ sender: 3, key: 0, payload: Uint8Array.of(1) }], false, 2));
    h.socket().reply({ type: 'member_left', room: 5, member: 2 });
    h.socket().push(encodeBatch(5, [], true, 2)); // snapshot of group 2: cy's value is gone
    const leaving = room.setInterest([]);
    h.socket().reply({ type: 'ok', id: h.socket().nextControl('interest').id });
    await leaving;
    await new Promise((r) => setTimeout(r, 0));
    // No clear for bob (dropped with him), one for cy (the snapshot), none after that.
    expect(got).toEqual([[1, 2, 0, 1], [2, 3, 0, 1], [2, 3, 0, 0]]);
  });

  /** Subscribes to group 4, drops the connection and completes the rejoin (handle 6): returns the re-sent interest. */
  async function reconnectWithInterest() {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { h, room } = await setup(limits);
    const errors: string[] = [];
    room.on('error', (e) => errors.push(e.code));
    const setting = room.setInterest([4]);
    h.socket().reply({ type: 'ok', id: h.socket().nextControl('interest').id });
    await setting;
    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(1);
    h.socket().open();
    h.socket().welcome('s2', limits);
    const rejoin = h.socket().nextControl('join');
    h.socket().reply({ type: 'joined', id: rejoin.id, room: 'r', handle: 6, self: 1, members: [ada] });
    await vi.advanceTimersByTimeAsync(0);
    return { h, errors, again: h.socket().nextControl('interest') };
  }

  it('asks again after a reconnect', async () => {
    const { again } = await reconnectWithInterest();
    expect([again.room, again.groups]).toEqual([6, [4]]);
    vi.restoreAllMocks();
  });

  it('a refused re-ask after a reconnect is reported on the room', async () => {
    const { h, errors, again } = await reconnectWithInterest();
    h.socket().reply({ type: 'error', id: again.id, code: 'too_many_groups', message: 'no' });
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual(['too_many_groups']);
    vi.restoreAllMocks();
  });
});

describe('messages before the first listener', () => {
  it('keeps the newest 256, in order', async () => {
    const { h, room } = await setup();
    for (let i = 0; i < 258; i++) h.socket().push(encodeDeliver({ room: 5, sender: 2 }, Uint8Array.of(i & 0xff, i >> 8)));
    const got: number[] = [];
    room.on('message', (m) => got.push(m.payload[0]! + m.payload[1]! * 256));
    room.on('message', () => {}); // a second listener gets nothing replayed
    await Promise.resolve();
    expect(got).toEqual(Array.from({ length: 256 }, (_, i) => i + 2));
  });

  it('once: called for the first message only', async () => {
    const { h, room } = await setup();
    const got: number[] = [];
    room.on('message', () => {});
    room.once('message', (m) => got.push(m.payload[0]!));
    h.socket().push(encodeDeliver({ room: 5, sender: 2 }, Uint8Array.of(1)));
    h.socket().push(encodeDeliver({ room: 5, sender: 2 }, Uint8Array.of(2)));
    expect(got).toEqual([1]);
  });
});
