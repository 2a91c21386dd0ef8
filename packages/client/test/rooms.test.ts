// join → joined, the member map, data in both directions, presence, leave, and error routing.
import { decodeClientFrame, encodeDeliver } from '@roomcast/protocol';
import { describe, expect, it, vi } from 'vitest';
import { Room, RoomcastError, type RoomMember, type RoomMessage } from '../src/node.js';
import { connected, joinRoom } from './harness.js';

const ada = { id: 1, presence: { name: 'ada' } };
const bob = { id: 2, presence: { name: 'bob' } };

describe('rooms', () => {
  it('sends join with the presence and resolves with the room on joined', async () => {
    const h = await connected();
    const joining = h.client.join('lobby', { name: 'ada' });
    const join = h.socket().nextControl('join');
    expect(join).toMatchObject({ type: 'join', room: 'lobby', presence: { name: 'ada' } });
    h.socket().reply({ type: 'joined', id: join.id, room: 'lobby', handle: 7, self: 1, members: [bob, ada] });
    const room = await joining;
    expect(room).toBeInstanceOf(Room);
    expect(room.name).toBe('lobby');
    expect(room.handle).toBe(7);
    expect(room.self).toBe(1);
    expect(room.joined).toBe(true);
    expect([...room.members.values()]).toEqual([bob, ada]);
    expect(h.client.rooms.get('lobby')).toBe(room);
  });

  it('rejects join with the relay error code', async () => {
    const h = await connected();
    const joining = h.client.join('full-room');
    const join = h.socket().nextControl('join');
    h.socket().reply({ type: 'error', id: join.id, code: 'room_full', message: 'room is full', room: undefined });
    const err: unknown = await joining.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RoomcastError);
    expect(err).toMatchObject({ code: 'room_full', message: 'room is full' });
    expect(h.client.rooms.size).toBe(0);
    // The name is free again.
    const again = h.client.join('full-room');
    expect(h.socket().nextControl('join').room).toBe('full-room');
    h.client.close();
    await expect(again).rejects.toMatchObject({ code: 'closed' });
  });

  it('refuses a second join of the same room locally', async () => {
    const h = await connected();
    await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada] });
    await expect(h.client.join('lobby')).rejects.toMatchObject({ code: 'already_joined' });
    expect(h.socket().sent).toHaveLength(0);
  });

  it('applies member_joined, member_updated and member_left and emits them', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada] });
    const events: [string, RoomMember][] = [];
    for (const type of ['member_joined', 'member_updated', 'member_left'] as const) {
      room.on(type, (m) => events.push([type, m]));
    }
    const s = h.socket();
    s.reply({ type: 'member_joined', room: 7, member: bob });
    expect(room.members.get(2)).toEqual(bob);
    s.reply({ type: 'member_updated', room: 7, member: { id: 2, presence: { name: 'bobby' } } });
    expect(room.members.get(2)).toEqual({ id: 2, presence: { name: 'bobby' } });
    s.reply({ type: 'member_left', room: 7, member: 2 });
    expect(room.members.has(2)).toBe(false);
    expect([...room.members.keys()]).toEqual([1]);
    expect(events).toEqual([
      ['member_joined', bob],
      ['member_updated', { id: 2, presence: { name: 'bobby' } }],
      ['member_left', { id: 2, presence: { name: 'bobby' } }],
    ]);
  });

  it('ignores events and data for handles it does not know', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada] });
    const listener = vi.fn();
    room.on('member_joined', listener);
    room.on('message', listener);
    h.socket().reply({ type: 'member_joined', room: 8, member: bob });
    h.socket().push(encodeDeliver({ room: 8, sender: 2 }, new Uint8Array([1])));
    expect(listener).not.toHaveBeenCalled();
    expect(room.members.size).toBe(1);
  });

  it('emits deliver frames as message events with byte-identical payloads', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada, bob] });
    const messages: RoomMessage[] = [];
    room.on('message', (m) => messages.push(m));
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff);
    h.socket().push(encodeDeliver({ room: 7, sender: 2 }, bytes));
    h.socket().push(encodeDeliver({ room: 7, sender: 2, direct: true }, new Uint8Array(0)));
    expect(messages).toHaveLength(2);
    expect(messages[0]!.sender).toBe(2);
    expect(messages[0]!.direct).toBe(false);
    expect(messages[0]!.payload).toEqual(bytes);
    expect(messages[1]).toEqual({ sender: 2, direct: true, cls: 'reliable', payload: new Uint8Array(0) });
  });

  it('keeps messages that arrive before the first message listener and hands them to it', async () => {
    const h = await connected();
    const joining = h.client.join('early');
    const join = h.socket().nextControl('join');
    // The joined reply and two frames in the same read, before `await join` returns.
    h.socket().reply({ type: 'joined', id: join.id, room: 'early', handle: 3, self: 1, members: [ada, bob] });
    h.socket().push(encodeDeliver({ room: 3, sender: 2 }, Uint8Array.of(1)));
    h.socket().push(encodeDeliver({ room: 3, sender: 2 }, Uint8Array.of(2)));
    const room = await joining;
    const got: number[] = [];
    room.once('message', (m) => got.push(m.payload[0]!));
    room.on('message', (m) => got.push(m.payload[0]! * 10));
    await Promise.resolve();
    expect(got).toEqual([1, 10, 20]);
    // Later frames go straight to the listeners; the early buffer is gone.
    h.socket().push(encodeDeliver({ room: 3, sender: 2 }, Uint8Array.of(3)));
    expect(got).toEqual([1, 10, 20, 30]);
  });

  it('encodes send() as a room broadcast and sendTo() as a direct frame', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada, bob] });
    const payload = new Uint8Array([0, 1, 2, 254, 255]);
    room.send(payload);
    room.sendTo(2, payload);
    expect(h.socket().nextData()).toMatchObject({ kind: 'data', room: 7, target: undefined, payload });
    expect(h.socket().nextData()).toMatchObject({ kind: 'data', room: 7, target: 2, payload });
    expect(() => room.sendTo(0, payload)).toThrow(RangeError);
    expect(() => room.sendTo(70_000, payload)).toThrow(RangeError);
  });

  it('refuses payloads above limits.maxPayloadBytes before sending', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada] });
    expect(() => room.send(new Uint8Array(65_537))).toThrow(expect.objectContaining({ code: 'payload_too_large' }));
    expect(h.socket().sent).toHaveLength(0);
  });

  it('setPresence sends presence and updates its own entry on ok', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada] });
    const updating = room.setPresence({ name: 'ada', color: 'red' });
    const req = h.socket().nextControl('presence');
    expect(req).toMatchObject({ room: 7, presence: { name: 'ada', color: 'red' } });
    expect(room.members.get(1)).toEqual(ada);
    h.socket().reply({ type: 'ok', id: req.id });
    await updating;
    expect(room.members.get(1)).toEqual({ id: 1, presence: { name: 'ada', color: 'red' } });
  });

  it('leave sends leave, forgets the room and then refuses sends with not_in_room', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada] });
    const leaving = room.leave();
    const req = h.socket().nextControl('leave');
    expect(req.room).toBe(7);
    expect(room.joined).toBe(false);
    expect(h.client.rooms.size).toBe(0);
    h.socket().reply({ type: 'ok', id: req.id });
    await leaving;
    await room.leave(); // idempotent, sends nothing
    expect(h.socket().sent).toHaveLength(0);
    expect(() => room.send(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'not_in_room' }));
    const listener = vi.fn();
    room.on('member_joined', listener);
    h.socket().reply({ type: 'member_joined', room: 7, member: bob });
    expect(listener).not.toHaveBeenCalled();
  });

  it('routes relay errors: by id to the request, by room to the room, otherwise to the client', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada] });
    const roomErrors: RoomcastError[] = [];
    const clientErrors: RoomcastError[] = [];
    room.on('error', (e) => roomErrors.push(e));
    h.client.on('error', (e) => clientErrors.push(e));

    h.socket().reply({ type: 'error', code: 'unknown_member', message: 'member 9 is not in the room', room: 7 });
    h.socket().reply({ type: 'error', code: 'rate_limited', message: 'slow down' });
    h.socket().reply({ type: 'error', code: 'not_in_room', message: 'no such room', room: 99 });
    h.socket().reply({ type: 'error', id: 12345, code: 'internal', message: 'late' });

    expect(roomErrors.map((e) => [e.code, e.room])).toEqual([['unknown_member', 7]]);
    expect(clientErrors.map((e) => e.code)).toEqual(['rate_limited', 'not_in_room', 'internal']);
  });

  it('leaves a room whose joined reply arrives after the join timed out', async () => {
    vi.useFakeTimers();
    try {
      const h = await connected({ requestTimeoutMs: 1000 });
      const joining = h.client.join('slow').catch((e: unknown) => e);
      const join = h.socket().nextControl('join');
      await vi.advanceTimersByTimeAsync(1000);
      expect(await joining).toMatchObject({ code: 'timeout' });
      h.socket().reply({ type: 'joined', id: join.id, room: 'slow', handle: 3, self: 1, members: [ada] });
      expect(h.socket().nextControl('leave').room).toBe(3);
      expect(h.client.rooms.size).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends nothing but valid client frames', async () => {
    const h = await connected();
    const room = await joinRoom(h, 'lobby', { handle: 7, self: 1, members: [ada] }, { name: 'ada' });
    room.send(new Uint8Array([1, 2]));
    void room.setPresence(null).catch(() => {});
    void h.client.ping().catch(() => {});
    for (const bytes of h.socket().sent) expect(decodeClientFrame(bytes).ok).toBe(true);
    h.client.close();
  });
});
