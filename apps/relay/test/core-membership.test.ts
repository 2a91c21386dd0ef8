// core/membership.ts with fake peers: every refusal of a join (exact code, message and limit, at
// the edge of each limit), first-join settings, leave and presence updates, and the host rule
// (PROTOCOL.md §8.20): who hosts, who is told, and in which order.
import { encodeControl, type ServerMessage } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import type { AccessAction, Principal } from '../src/core/access.js';
import { setup } from './fakes.js';

type Client = ReturnType<ReturnType<typeof setup>['connect']>;

function relay(overrides: Record<string, string> = {}) {
  const t = setup(overrides);
  const send = (c: Client, msg: Record<string, unknown>): ServerMessage | undefined => {
    t.relay.message(c.conn, encodeControl(msg as never));
    return c.peer.last();
  };
  const join = (c: Client, room: string, extra: Record<string, unknown> = {}) => send(c, { type: 'join', id: 5, room, ...extra });
  /** A connection whose principal is a `role: "server"` token (or any rights the test wants). */
  const as = (c: Client, p: Partial<Principal> & { deny?: AccessAction[] }): Client => {
    c.conn.principal = { memberFields: p.memberFields ?? {}, server: p.server, can: (_room, action) => !(p.deny ?? []).includes(action) };
    return c;
  };
  return { ...t, send, join, as };
}

const error = (code: string, message: string, extra: Record<string, unknown> = {}) => ({ type: 'error', code, message, id: 5, ...extra });

describe('join refusals (membership.ts)', () => {
  it('a bad room name, a forbidden room, a forbidden presence', () => {
    const t = relay();
    const a = t.connect();
    expect(t.join(a, 'has space')).toEqual(error('bad_room_name', 'room names are 1-128 printable ASCII characters (0x21-0x7e)'));
    t.as(a, { deny: ['join'] });
    expect(t.join(a, 'lobby')).toEqual(error('forbidden', 'your token does not allow joining room lobby'));
    t.as(a, { deny: ['presence'] });
    expect(t.join(a, 'lobby', { presence: { x: 1 } })).toEqual(error('forbidden', 'your token does not allow presence in room lobby: join without presence'));
    // Without presence (or with null) the same token may join.
    expect(t.join(a, 'lobby', { presence: null })?.type).toBe('joined');
    expect(t.relay.rooms.get('lobby')?.size).toBe(1);
  });

  it("presence exactly at the size limit is accepted, one byte more refused (inbound.ts refuses it first, before validation)", () => {
    const t = relay({ RELAY_MAX_PRESENCE_BYTES: '64' });
    const [a, b] = [t.connect(), t.connect()];
    const fits = 'x'.repeat(62); // 64 bytes as JSON with the quotes
    expect(t.join(a, 'r', { presence: fits })?.type).toBe('joined');
    expect(t.join(b, 'r', { presence: `${fits}x` })).toEqual(error('presence_too_large', 'presence is more than 64 bytes as JSON'));
    expect(t.relay.stats.limitHits.presence_bytes).toBe(1);
  });

  it('already joined: the same room twice is refused with its handle', () => {
    const t = relay();
    const a = t.connect();
    const joined = t.join(a, 'r') as Extract<ServerMessage, { type: 'joined' }>;
    expect(t.join(a, 'r')).toEqual(error('already_joined', 'already a member of room r', { room: joined.handle }));
  });

  it('tick rate: the bounds themselves are accepted, one past either refused', () => {
    const t = relay({ RELAY_MIN_TICK_HZ: '5', RELAY_MAX_TICK_HZ: '40' });
    const a = t.connect();
    const refused = error('bad_tick_rate', 'tickHz must be between 5 and 40');
    expect(t.join(a, 'low', { tickHz: 4 })).toEqual(refused);
    expect(t.join(a, 'high', { tickHz: 41 })).toEqual(refused);
    expect(t.join(a, 'min', { tickHz: 5 })).toMatchObject({ type: 'joined', tickHz: 5 });
    expect(t.join(a, 'max', { tickHz: 40 })).toMatchObject({ type: 'joined', tickHz: 40 });
    // Without tickHz: the relay's default; a later joiner's tickHz does not change the room.
    expect(t.join(a, 'dflt')).toMatchObject({ type: 'joined', tickHz: 30 });
    const b = t.connect();
    expect(t.join(b, 'min', { tickHz: 40 })).toMatchObject({ type: 'joined', tickHz: 5 });
  });

  it('rooms per connection: exactly the limit, then too_many_rooms (counted)', () => {
    const t = relay({ RELAY_MAX_ROOMS_PER_CONNECTION: '2' });
    const a = t.connect();
    expect(t.join(a, 'r1')?.type).toBe('joined');
    expect(t.join(a, 'r2')?.type).toBe('joined');
    expect(t.join(a, 'r3')).toEqual(error('too_many_rooms', 'a connection may be in at most 2 rooms'));
    expect(t.relay.stats.limitHits.rooms_per_connection).toBe(1);
    expect(t.relay.rooms.get('r3')).toBeUndefined();
  });

  it('rooms per relay: exactly the limit, then relay_full (counted)', () => {
    const t = relay({ RELAY_MAX_ROOMS: '2' });
    const [a, b] = [t.connect(), t.connect()];
    t.join(a, 'r1');
    t.join(a, 'r2');
    expect(t.join(b, 'r3')).toEqual(error('relay_full', 'the relay hosts its maximum of 2 rooms'));
    expect(t.relay.stats.limitHits.rooms).toBe(1);
    // An existing room is still open.
    expect(t.join(b, 'r1')?.type).toBe('joined');
  });

  it('members per room: exactly the limit, then room_full (counted) with the room handle', () => {
    const t = relay({ RELAY_MAX_MEMBERS_PER_ROOM: '2' });
    const [a, b, c] = [t.connect(), t.connect(), t.connect()];
    const ja = t.join(a, 'r') as Extract<ServerMessage, { type: 'joined' }>;
    expect(t.join(b, 'r')?.type).toBe('joined');
    expect(t.join(c, 'r')).toEqual(error('room_full', 'room r has its maximum of 2 members', { room: ja.handle }));
    expect(t.relay.stats.limitHits.members_per_room).toBe(1);
  });

  it('first-join settings: a server token only, capacity and metadata within the relay limits', () => {
    const t = relay({ RELAY_MAX_MEMBERS_PER_ROOM: '10', RELAY_MAX_ROOM_METADATA_BYTES: '20' });
    const a = t.connect();
    expect(t.join(a, 'r', { settings: { locked: true } })).toEqual(error('forbidden', 'only a role server token may set room settings in join'));
    t.as(a, { server: true });
    expect(t.join(a, 'r', { settings: { capacity: 11 } })).toEqual(error('bad_message', 'settings.capacity must be at most 10'));
    expect(t.join(a, 'r', { settings: { metadata: 'x'.repeat(19) } })).toEqual(error('bad_message', 'settings.metadata is 21 bytes as JSON, above the limit of 20'));
    expect(t.relay.rooms.size).toBe(0);
    const joined = t.join(a, 'r', { settings: { capacity: 10, metadata: 'x'.repeat(18), private: true } });
    expect(joined).toMatchObject({ type: 'joined', settings: { capacity: 10, locked: false, private: true, metadata: 'x'.repeat(18) } });
  });

  it('settings in a join of an existing room are ignored, even from a non-server token', () => {
    const t = relay();
    const [a, b] = [t.connect(), t.connect()];
    t.as(a, { server: true });
    t.join(a, 'r', { settings: { capacity: 2 } });
    expect(t.join(b, 'r', { settings: { capacity: 9, locked: true } })).toMatchObject({ type: 'joined', settings: { capacity: 2, locked: false } });
    // Capacity 2 holds: the third is refused.
    expect(t.join(t.connect(), 'r')).toMatchObject({ code: 'room_full', message: 'room r has its maximum of 2 members' });
  });

  it('a locked room refuses joins with room_locked and its handle', () => {
    const t = relay();
    const [a, b] = [t.connect(), t.connect()];
    t.as(a, { server: true });
    const ja = t.join(a, 'r', { settings: { locked: true } }) as Extract<ServerMessage, { type: 'joined' }>;
    expect(t.join(b, 'r')).toEqual(error('room_locked', 'room r is locked', { room: ja.handle }));
  });
});

describe('joined, leave and presence (membership.ts)', () => {
  it('joined lists the members in join order with presence; the others get member_joined, not the joiner', () => {
    const t = relay();
    const [a, b] = [t.connect(), t.connect()];
    const ja = t.join(a, 'r', { presence: { n: 'a' } }) as Extract<ServerMessage, { type: 'joined' }>;
    expect(ja).toMatchObject({ type: 'joined', id: 5, room: 'r', self: 1, host: 1, members: [{ id: 1, presence: { n: 'a' } }] });
    expect(ja.seat).toBeUndefined();
    const jb = t.join(b, 'r', { presence: { n: 'b' } });
    expect(jb).toMatchObject({ self: 2, host: 1, members: [{ id: 1, presence: { n: 'a' } }, { id: 2, presence: { n: 'b' } }] });
    expect(a.peer.last()).toEqual({ type: 'member_joined', room: ja.handle, member: { id: 2, presence: { n: 'b' } } });
    expect(b.peer.messages().filter((m) => m.type === 'member_joined')).toEqual([]);
  });

  it('leave: ok to the leaver, member_left to the others; the last leave disposes the room', () => {
    const t = relay();
    const [a, b] = [t.connect(), t.connect()];
    const ja = t.join(a, 'r') as Extract<ServerMessage, { type: 'joined' }>;
    t.join(b, 'r');
    expect(t.send(b, { type: 'leave', id: 6, room: ja.handle })).toEqual({ type: 'ok', id: 6 });
    expect(a.peer.last()).toEqual({ type: 'member_left', room: ja.handle, member: 2 });
    // The leaver is off the room's topic: it hears nothing more from the room.
    expect(t.hub.topics.get(`room/${ja.handle}`)?.has(b.peer)).toBe(false);
    expect(t.hub.topics.get(`room/${ja.handle}`)?.has(a.peer)).toBe(true);
    expect(t.send(b, { type: 'leave', id: 7, room: ja.handle })).toEqual({ type: 'error', code: 'not_in_room', message: `room handle ${ja.handle} is not joined`, id: 7, room: ja.handle });
    expect(t.send(a, { type: 'leave', id: 8, room: ja.handle })).toEqual({ type: 'ok', id: 8 });
    expect(t.relay.rooms.size).toBe(0);
  });

  it('presence update: ok, member_updated to the others; refused when not joined, forbidden or too large', () => {
    const t = relay({ RELAY_MAX_PRESENCE_BYTES: '10' });
    const [a, b] = [t.connect(), t.connect()];
    const ja = t.join(a, 'r') as Extract<ServerMessage, { type: 'joined' }>;
    t.join(b, 'r');
    const h = ja.handle;
    expect(t.send(a, { type: 'presence', id: 6, room: h, presence: 'abcdefgh' })).toEqual({ type: 'ok', id: 6 });
    expect(b.peer.last()).toEqual({ type: 'member_updated', room: h, member: { id: 1, presence: 'abcdefgh' } });
    expect(t.relay.rooms.get('r')!.members.get(1)!.presence).toBe('abcdefgh');
    expect(t.send(a, { type: 'presence', id: 7, room: h, presence: 'abcdefghi' })).toEqual({ type: 'error', code: 'presence_too_large', message: 'presence is more than 10 bytes as JSON', id: 7 });
    expect(t.send(a, { type: 'presence', id: 8, room: h + 1, presence: 1 })).toEqual({ type: 'error', code: 'not_in_room', message: `room handle ${h + 1} is not joined`, id: 8, room: h + 1 });
    const c = t.as(t.connect(), { deny: ['presence'] });
    t.join(c, 'r');
    expect(t.send(c, { type: 'presence', id: 9, room: h, presence: 1 })).toEqual({ type: 'error', code: 'forbidden', message: 'your token does not allow presence in room r', id: 9, room: h });
    // Clearing presence (null) needs no right.
    expect(t.send(c, { type: 'presence', id: 10, room: h, presence: null })).toEqual({ type: 'ok', id: 10 });
    // A lone member's update is answered, and nobody else is told.
    const d = t.connect();
    const jd = t.join(d, 'alone') as Extract<ServerMessage, { type: 'joined' }>;
    const published = d.peer.publishes;
    expect(t.send(d, { type: 'presence', id: 11, room: jd.handle, presence: 2 })).toEqual({ type: 'ok', id: 11 });
    expect(d.peer.publishes).toBe(published);
  });
});

describe('host (PROTOCOL.md §8.20, membership.ts and host.ts)', () => {
  it('the first member hosts; when it leaves, the next in join order, told after member_left', () => {
    const t = relay();
    const [a, b, c] = [t.connect(), t.connect(), t.connect()];
    const ja = t.join(a, 'r') as Extract<ServerMessage, { type: 'joined' }>;
    t.join(b, 'r');
    t.join(c, 'r');
    const h = ja.handle;
    t.send(a, { type: 'leave', id: 6, room: h });
    expect(c.peer.messages().slice(-2)).toEqual([{ type: 'member_left', room: h, member: 1 }, { type: 'host_changed', room: h, host: 2 }]);
    expect(b.peer.messages().slice(-2)).toEqual([{ type: 'member_left', room: h, member: 1 }, { type: 'host_changed', room: h, host: 2 }]);
    // A non-host leaving changes nothing.
    t.send(c, { type: 'leave', id: 7, room: h });
    expect(b.peer.last()).toEqual({ type: 'member_left', room: h, member: 3 });
    expect(t.relay.rooms.get('r')!.host).toBe(2);
  });

  it('a server member takes the host over from a non-server host, but not from another server member', () => {
    const t = relay();
    const [a, s1, s2] = [t.connect(), t.as(t.connect(), { server: true }), t.as(t.connect(), { server: true })];
    const ja = t.join(a, 'r') as Extract<ServerMessage, { type: 'joined' }>;
    const h = ja.handle;
    expect(t.join(s1, 'r')).toMatchObject({ self: 2, host: 2 });
    expect(a.peer.messages().slice(-2)).toEqual([
      { type: 'member_joined', room: h, member: { id: 2, presence: null } },
      { type: 'host_changed', room: h, host: 2 },
    ]);
    expect(t.join(s2, 'r')).toMatchObject({ self: 3, host: 2 });
    expect(a.peer.last()).toEqual({ type: 'member_joined', room: h, member: { id: 3, presence: null } });
    // The server host leaves: the other server member hosts, although the non-server one is older.
    t.send(s1, { type: 'leave', id: 6, room: h });
    expect(a.peer.last()).toEqual({ type: 'host_changed', room: h, host: 3 });
  });

  it('a non-server joiner never takes the host', () => {
    const t = relay();
    const [a, b] = [t.connect(), t.connect()];
    t.join(a, 'r');
    expect(t.join(b, 'r')).toMatchObject({ self: 2, host: 1 });
    expect(a.peer.messages().some((m) => m.type === 'host_changed')).toBe(false);
  });
});
