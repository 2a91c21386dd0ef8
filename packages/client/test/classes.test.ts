// Delivery classes in the SDK: sendLatest (coalesced to the tick), sendDroppable, batch frames
// unpacked into per-sender messages and the room.latest state, snapshots, and the cursor helper.
import { DeliveryClass, decodeClientFrame, encodeBatch } from '@roomcast/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeCursor, encodeCursor, type RoomMessage } from '../src/node.js';
import { connected, joinRoom } from './harness.js';

const ada = { id: 1, presence: { name: 'Ada' } };
const bob = { id: 2, presence: { name: 'Bob' } };
const cy = { id: 3, presence: { name: 'Cy' } };

afterEach(() => {
  vi.useRealTimers();
});

describe('cursor helper', () => {
  it('packs x and y into 3 bytes with 12-bit precision, clamped', () => {
    expect(encodeCursor(0, 0)).toEqual(Uint8Array.of(0, 0, 0));
    expect(encodeCursor(1, 1)).toEqual(Uint8Array.of(0xff, 0xff, 0xff));
    expect(encodeCursor(2, -1)).toEqual(Uint8Array.of(0xff, 0xf0, 0x00));
    for (const [x, y] of [[0.25, 0.75], [0.1234, 0.9876], [0.5, 0]]) {
      const d = decodeCursor(encodeCursor(x!, y!))!;
      expect(Math.abs(d.x - x!)).toBeLessThanOrEqual(0.5 / 4095);
      expect(Math.abs(d.y - y!)).toBeLessThanOrEqual(0.5 / 4095);
    }
    expect(decodeCursor(new Uint8Array(0))).toBeUndefined();
  });
});

describe('delivery classes', () => {
  it('coalesces sendLatest to the room tick and sends the newest value per key', async () => {
    vi.useFakeTimers();
    const h = await connected();
    const room = await joinRoom(h, 'c', { handle: 4, self: 1, members: [ada, bob] });
    const sent = () => h.socket().sent.map((b) => decodeClientFrame(b)).flatMap((d) => (d.ok && d.frame.kind === 'data' ? [d.frame] : []));
    room.sendLatest(0, Uint8Array.of(1));
    vi.advanceTimersByTime(0);
    expect(sent().map((f) => [f.cls, f.key, [...f.payload]])).toEqual([[DeliveryClass.Latest, 0, [1]]]);
    for (let i = 2; i < 20; i++) room.sendLatest(0, Uint8Array.of(i));
    room.sendLatest(5, Uint8Array.of(50));
    vi.advanceTimersByTime(10);
    expect(sent()).toHaveLength(1);
    vi.advanceTimersByTime(30);
    expect(sent().slice(1).map((f) => [f.key, [...f.payload]])).toEqual([[0, [19]], [5, [50]]]);
    expect(() => room.sendLatest(256, Uint8Array.of(1))).toThrow(RangeError);
  });

  it('sends droppable frames with the droppable class, to the room or one member', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'd', { handle: 4, self: 1, members: [ada, bob] });
    room.sendDroppable(Uint8Array.of(7));
    room.sendDroppable(Uint8Array.of(8), 2);
    const frames = h.socket().sent.map((b) => decodeClientFrame(b)).flatMap((d) => (d.ok && d.frame.kind === 'data' ? [d.frame] : []));
    expect(frames.map((f) => [f.cls, f.target])).toEqual([[DeliveryClass.Droppable, undefined], [DeliveryClass.Droppable, 2]]);
  });

  it('unpacks batch frames into per-sender latest messages and room.latest, skipping its own entries', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'b', { handle: 4, self: 1, members: [ada, bob, cy] });
    const got: RoomMessage[] = [];
    room.on('message', (m) => got.push(m));
    await Promise.resolve();
    h.socket().push(encodeBatch(4, [
      { sender: 1, key: 0, payload: encodeCursor(0, 0) },
      { sender: 2, key: 0, payload: encodeCursor(0.5, 0.5) },
      { sender: 3, key: 1, payload: Uint8Array.of(9) },
    ]));
    expect(got.map((m) => [m.sender, m.cls, m.key, m.payload.length])).toEqual([[2, 'latest', 0, 3], [3, 'latest', 1, 1]]);
    expect(decodeCursor(room.latest.get(2)!.get(0)!)).toEqual({ x: 2048 / 4095, y: 2048 / 4095 });
    // A cleared key, then a member leaving: no stale values remain.
    h.socket().push(encodeBatch(4, [{ sender: 3, key: 1, payload: new Uint8Array(0) }]));
    expect(room.latest.has(3)).toBe(false);
    h.socket().reply({ type: 'member_left', room: 4, member: 2 });
    expect(room.latest.has(2)).toBe(false);
  });

  it('treats a snapshot as the whole state: values it does not list are cleared', async () => {
    const h = await connected();
    const room = await joinRoom(h, 's', { handle: 4, self: 1, members: [ada, bob, cy] });
    const got: RoomMessage[] = [];
    room.on('message', (m) => got.push(m));
    await Promise.resolve();
    h.socket().push(encodeBatch(4, [{ sender: 2, key: 0, payload: Uint8Array.of(1) }, { sender: 3, key: 0, payload: Uint8Array.of(2) }]));
    got.length = 0;
    h.socket().push(encodeBatch(4, [{ sender: 3, key: 0, payload: Uint8Array.of(3) }], true));
    expect(got.map((m) => [m.sender, [...m.payload]])).toEqual([[3, [3]], [2, []]]);
    expect([...room.latest.keys()]).toEqual([3]);
  });

  it('ignores batches for handles it does not know', async () => {
    const h = await connected();
    await joinRoom(h, 'x', { handle: 4, self: 1, members: [ada] });
    expect(() => h.socket().push(encodeBatch(9, [{ sender: 2, key: 0, payload: Uint8Array.of(1) }]))).not.toThrow();
  });
});
