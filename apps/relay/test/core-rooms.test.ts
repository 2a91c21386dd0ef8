// core/rooms.ts, room.ts and host.ts as pure state: handles and member ids (incremental, wrapping,
// never one in use), the room limit, disposal, and the host and settings rules of PROTOCOL.md §8.20.
import { MAX_MEMBER_ID, MAX_ROOM_HANDLE } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { capacityOf, defaultSettings, definedOnly, firstJoinSettings, hostOf } from '../src/core/host.js';
import { Room } from '../src/core/room.js';
import { Rooms } from '../src/core/rooms.js';

const MAY = { presence: true, send: true, latest: true } as never;

/** A room with `n` members whose connection is their index (0-based). */
function roomWith(n: number): Room<number> {
  const room = new Room<number>('r', 7, 30, 1000, 0);
  for (let i = 0; i < n; i++) room.add(i, null, {}, MAY);
  return room;
}

describe('Rooms (registry)', () => {
  it('hands out handles 1, 2, 3 in order and finds rooms by name and by handle', () => {
    const rooms = new Rooms<number>(10);
    expect(rooms.size).toBe(0);
    const a = rooms.create('a', 20, 500, 1)!;
    const b = rooms.create('b', 30, 500, 1)!;
    const c = rooms.create('c', 30, 500, 1)!;
    expect([a.handle, b.handle, c.handle]).toEqual([1, 2, 3]);
    expect(a.name).toBe('a');
    expect(a.tickHz).toBe(20);
    expect(rooms.size).toBe(3);
    expect(rooms.get('b')).toBe(b);
    expect(rooms.get('zz')).toBeUndefined();
    expect(rooms.byHandle(3)).toBe(c);
    expect(rooms.byHandle(4)).toBeUndefined();
    expect([...rooms.all()].map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('refuses the room after maxRooms (undefined), and takes one again once a room is disposed', () => {
    const rooms = new Rooms<number>(2);
    const a = rooms.create('a', 30, 500, 0)!;
    rooms.create('b', 30, 500, 0);
    expect(rooms.create('c', 30, 500, 0)).toBeUndefined();
    expect(rooms.size).toBe(2);
    expect(rooms.disposeIfEmpty(a)).toBe(true);
    expect(rooms.get('a')).toBeUndefined();
    expect(rooms.byHandle(1)).toBeUndefined();
    // Handles keep counting up after a disposal: 3, not the freed 1.
    expect(rooms.create('c', 30, 500, 0)!.handle).toBe(3);
  });

  it('never disposes a room with a member; counts members over all rooms', () => {
    const rooms = new Rooms<number>(5);
    const a = rooms.create('a', 30, 500, 0)!;
    const b = rooms.create('b', 30, 500, 0)!;
    a.add(1, null, {}, MAY);
    a.add(2, null, {}, MAY);
    b.add(3, null, {}, MAY);
    expect(rooms.memberCount()).toBe(3);
    expect(rooms.disposeIfEmpty(a)).toBe(false);
    expect(rooms.get('a')).toBe(a);
    expect(rooms.byHandle(a.handle)).toBe(a);
  });

  it('wraps handles after MAX_ROOM_HANDLE to 1 and skips handles in use', () => {
    const rooms = new Rooms<number>(MAX_ROOM_HANDLE + 5);
    const first = rooms.create('first', 30, 500, 0)!; // handle 1, kept
    first.add(1, null, {}, MAY);
    const second = rooms.create('second', 30, 500, 0)!; // handle 2, disposed below
    for (let i = 3; i <= MAX_ROOM_HANDLE; i++) rooms.create(`r${i}`, 30, 500, 0);
    expect(rooms.byHandle(MAX_ROOM_HANDLE)?.name).toBe(`r${MAX_ROOM_HANDLE}`);
    // Every handle is taken: the registry is full whatever maxRooms says.
    expect(rooms.create('over', 30, 500, 0)).toBeUndefined();
    rooms.disposeIfEmpty(second);
    // After 65535 comes 1 (in use), then 2 (free again).
    expect(rooms.create('wrapped', 30, 500, 0)!.handle).toBe(2);
  });
});

describe('Room (state)', () => {
  it('topics, tick period and output budget from its constructor', () => {
    const room = new Room<number>('x', 42, 20, 1000, 5);
    expect(room.topic).toBe('room/42');
    expect(room.fastTopic).toBe('room/42/fast');
    expect(room.tickMs).toBe(50);
    expect(room.size).toBe(0);
    expect(room.host).toBe(0);
    expect(room.settings).toEqual({ capacity: MAX_MEMBER_ID, locked: false, private: false, metadata: null });
    // One second of budget as burst: 1000 bytes now, not one more.
    expect(room.outBudget.take(5, 1000)).toBe(true);
    expect(room.outBudget.take(5, 1)).toBe(false);
  });

  it('member ids go 1, 2, 3 with the member fields set; removal frees nothing until the ids wrap', () => {
    const room = roomWith(3);
    expect([...room.members.keys()]).toEqual([1, 2, 3]);
    const m = room.members.get(2)!;
    expect(m).toEqual({ id: 2, room, conn: 1, away: false, seat: undefined, seatTimer: undefined, presence: null, identity: {}, may: MAY, keys: undefined, groups: undefined });
    room.remove(m);
    expect(room.size).toBe(2);
    expect(room.add(9, { p: 1 }, { userId: 'u' }, MAY).id).toBe(4);
  });

  it('wraps member ids after MAX_MEMBER_ID to 1, skipping ids in use', () => {
    const room = roomWith(MAX_MEMBER_ID);
    expect(room.size).toBe(MAX_MEMBER_ID);
    room.remove(room.members.get(3)!);
    expect(room.add(0, null, {}, MAY).id).toBe(3);
    room.remove(room.members.get(1)!);
    room.remove(room.members.get(MAX_MEMBER_ID)!);
    // Next after 3: 4 to MAX_MEMBER_ID - 1 are taken, MAX_MEMBER_ID is free, then 1.
    expect(room.add(0, null, {}, MAY).id).toBe(MAX_MEMBER_ID);
    expect(room.add(0, null, {}, MAY).id).toBe(1);
  });

  it('takes a cluster id as given and drops the remote member with that id', () => {
    const room = roomWith(1);
    room.remote.set(500, { id: 500, node: 'n2', away: false, presence: null, identity: {}, keys: new Set() });
    expect(room.add(0, null, {}, MAY, 500).id).toBe(500);
    expect(room.remote.size).toBe(0);
    // A cluster id does not move the local counter.
    expect(room.add(0, null, {}, MAY).id).toBe(2);
  });
});

describe('host.ts (PROTOCOL.md §8.20)', () => {
  it('default settings: the relay limit as capacity, bounded by the member id space', () => {
    expect(defaultSettings(10)).toEqual({ capacity: 10, locked: false, private: false, metadata: null });
    expect(defaultSettings(MAX_MEMBER_ID + 1).capacity).toBe(MAX_MEMBER_ID);
  });

  it('first-join settings override the defaults with defined fields only', () => {
    expect(firstJoinSettings(10, undefined)).toEqual(defaultSettings(10));
    expect(firstJoinSettings(10, { capacity: 4, locked: undefined, metadata: { a: 1 } }))
      .toEqual({ capacity: 4, locked: false, private: false, metadata: { a: 1 } });
    expect(definedOnly({ a: 1, b: undefined, c: null })).toEqual({ a: 1, c: null });
  });

  it('capacity is the smaller of the room setting and the relay limit', () => {
    const room = roomWith(0);
    room.settings = { ...room.settings, capacity: 5 };
    expect(capacityOf(room, 8)).toBe(5);
    expect(capacityOf(room, 3)).toBe(3);
  });

  it('host: the first server member in join order, else the first member, 0 when empty', () => {
    const room = roomWith(4); // conns 0..3 as ids 1..4
    expect(hostOf(room, () => false)).toBe(1);
    expect(hostOf(room, (c) => c === 2 || c === 3)).toBe(3);
    expect(hostOf(roomWith(0), () => true)).toBe(0);
  });
});
