// core/seats.ts with fake peers and a controlled clock (PROTOCOL.md §8.21): a dropped member is
// away at once and member_left only when the window ends (exactly then, not a millisecond
// before); its token takes the seat back only for the same user; kicks and shutdown end seats.
import { encodeControl, type ServerMessage } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { relayLimits, setup } from './fakes.js';

type Joined = Extract<ServerMessage, { type: 'joined' }>;
type Client = ReturnType<ReturnType<typeof setup>['connect']>;

function relay(graceMs = 1000) {
  const t = setup({ RELAY_SEAT_GRACE_MS: String(graceMs) });
  const join = (c: Client, room: string, extra: Record<string, unknown> = {}) => {
    t.relay.message(c.conn, encodeControl({ type: 'join', id: 5, room, ...extra } as never));
    return c.peer.last() as Joined;
  };
  const as = (c: Client, userId: string): Client => {
    c.conn.principal = { memberFields: { userId }, can: () => true };
    return c;
  };
  return { ...t, join, as };
}

describe('seats (core)', () => {
  it('grace 0: no token, no held seat, member_left at once', () => {
    const t = relay(0);
    const [a, b] = [t.connect(), t.connect()];
    const ja = t.join(a, 'r');
    expect(ja.seat).toBeUndefined();
    t.join(b, 'r');
    b.peer.close(1000);
    expect(a.peer.last()).toEqual({ type: 'member_left', room: ja.handle, member: 2 });
    expect(t.relay.seats.size).toBe(0);
    expect(t.clock.pending).toBe(0);
  });

  it('a dropped member is away at once and left exactly when the window ends', () => {
    const t = relay(1000);
    const [a, b] = [t.connect(), t.connect()];
    const ja = t.join(a, 'r');
    expect(ja.seat).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const jb = t.join(b, 'r');
    expect(jb.seat).not.toBe(ja.seat);
    b.peer.close(1000);
    expect(a.peer.last()).toEqual({ type: 'member_away', room: ja.handle, member: 2 });
    expect(t.relay.seats.size).toBe(1);
    expect(t.relay.rooms.get('r')!.members.get(2)!.away).toBe(true);
    t.advance(999);
    expect(a.peer.last()?.type).toBe('member_away');
    t.advance(1);
    expect(a.peer.last()).toEqual({ type: 'member_left', room: ja.handle, member: 2 });
    expect(t.relay.seats.size).toBe(0);
    expect(t.relay.rooms.get('r')!.size).toBe(1);
  });

  it('a joiner sees a held seat as away in its member list, and not once it is taken back', () => {
    const t = relay(1000);
    const [a, b] = [t.connect(), t.connect()];
    const ja = t.join(a, 'r', { presence: 'p' });
    t.join(b, 'r');
    a.peer.close(1000);
    expect(t.join(t.connect(), 'r').members).toEqual([{ id: 1, presence: 'p', away: true }, { id: 2, presence: null }, { id: 3, presence: null }]);
    t.join(t.connect(), 'r2');
    const back = t.join(t.connect(), 'r', { seat: ja.seat });
    expect(back.members).toEqual([{ id: 1, presence: 'p' }, { id: 2, presence: null }, { id: 3, presence: null }]);
    // Half the room's output budget (limits.ts roomFileBytesPerSec).
    expect(back.fileBytesPerSec).toBe(Math.floor(relayLimits().roomMaxBytesOutPerSec / 2));
  });

  it('the last member dropping holds the room; nobody is told; the window ending closes it', () => {
    const t = relay(500);
    const a = t.connect();
    t.join(a, 'r');
    const publishes = a.peer.publishes;
    a.peer.close(1000);
    expect(a.peer.publishes).toBe(publishes);
    expect(t.relay.rooms.get('r')?.size).toBe(1);
    t.advance(500);
    expect(t.relay.rooms.get('r')).toBeUndefined();
  });

  it('the token takes the seat back for the same user only: same id, member_back to the others, timer cleared', () => {
    const t = relay(1000);
    const [a, b] = [t.as(t.connect(), 'ann'), t.as(t.connect(), 'bob')];
    const ja = t.join(a, 'r', { presence: { p: 1 } });
    t.join(b, 'r');
    a.peer.close(1000);
    expect(t.clock.pending).toBe(1);
    // Another user with the token: an ordinary join, a new member.
    const thief = t.as(t.connect(), 'eve');
    expect(t.join(thief, 'r', { seat: ja.seat })).toMatchObject({ self: 3 });
    // A wrong token: a new member too.
    const a2 = t.as(t.connect(), 'ann');
    expect(t.join(a2, 'r', { seat: 'x'.repeat(24) })).toMatchObject({ self: 4 });
    const a3 = t.as(t.connect(), 'ann');
    const back = t.join(a3, 'r', { seat: ja.seat });
    expect(back).toMatchObject({ type: 'joined', self: 1, seat: ja.seat, host: 1 });
    expect(back.members.find((m) => m.id === 1)).toEqual({ id: 1, presence: { p: 1 }, userId: 'ann' });
    expect(b.peer.last()).toEqual({ type: 'member_back', room: ja.handle, member: 1 });
    expect(b.peer.messages().filter((m) => m.type === 'member_joined').map((m) => (m as { member: { id: number } }).member.id)).toEqual([3, 4]);
    expect(t.relay.seats.size).toBe(0);
    expect(t.clock.pending).toBe(0);
    // Nobody lagged: the room's lag count stays 0.
    expect(t.relay.rooms.get('r')!.laggingCount).toBe(0);
    t.advance(5000);
    expect(t.relay.rooms.get('r')!.members.get(1)!.conn).toBe(a3.conn);
    // The seat taken back is not away any more: the token does not work twice.
    const a4 = t.as(t.connect(), 'ann');
    expect(t.join(a4, 'r', { seat: ja.seat })).toMatchObject({ self: 5 });
  });

  it('a seat token for a room that does not exist (any more) is an ordinary join that creates it', () => {
    const t = relay(1000);
    const a = t.connect();
    const ja = t.join(a, 'r');
    t.relay.message(a.conn, encodeControl({ type: 'leave', id: 6, room: ja.handle }));
    expect(t.relay.rooms.size).toBe(0);
    expect(t.join(t.connect(), 'r', { seat: ja.seat })).toMatchObject({ type: 'joined', self: 1, members: [{ id: 1, presence: null }] });
  });

  it('taking a seat back in a room with nobody else tells nobody', () => {
    const t = relay(1000);
    const a = t.connect();
    const ja = t.join(a, 'r');
    a.peer.close(1000);
    const a2 = t.connect();
    expect(t.join(a2, 'r', { seat: ja.seat })).toMatchObject({ self: 1 });
    expect(a2.peer.publishes).toBe(0);
  });

  it('a lagging connection that dropped: its lag count leaves with it when the seat is taken back', () => {
    const t = setup({ RELAY_SEAT_GRACE_MS: '1000', RELAY_SOFT_BUFFERED_BYTES: '2048', RELAY_MAX_BUFFERED_BYTES: '100000' });
    const [a, b] = [t.connect(), t.connect()];
    const ja = t.join(a, 'r');
    t.join(b, 'r');
    a.peer.buffered = 5000;
    t.relay.sweep();
    const room = t.relay.rooms.get('r')!;
    expect(room.laggingCount).toBe(1);
    a.peer.close(1000);
    const a2 = t.connect();
    t.relay.message(a2.conn, encodeControl({ type: 'join', id: 5, room: 'r', seat: ja.seat }));
    expect(room.laggingCount).toBe(0);
  });

  it('shutdown drops every held seat with member_left and leaves no timer', () => {
    const t = relay(1000);
    const [a, b, c] = [t.connect(), t.connect(), t.connect()];
    t.join(a, 'r');
    t.join(b, 'r');
    t.join(c, 'r');
    b.peer.close(1000);
    c.peer.close(1000);
    expect(t.relay.seats.size).toBe(2);
    t.relay.closeAll('going_away', 'relay shutting down');
    expect(t.relay.seats.size).toBe(0);
    expect(t.clock.pending).toBe(0);
    expect(t.relay.rooms.size).toBe(0);
  });

  it('dropUser ends every held seat of that user only and returns how many', () => {
    const t = relay(1000);
    const [a1, a2, b] = [t.as(t.connect(), 'ann'), t.as(t.connect(), 'ann'), t.as(t.connect(), 'bob')];
    const watcher = t.connect();
    const jw = t.join(watcher, 'r1');
    t.join(watcher, 'r2');
    t.join(a1, 'r1');
    t.join(a2, 'r2');
    t.join(b, 'r1');
    for (const c of [a1, a2, b]) c.peer.close(1000);
    expect(t.relay.seats.dropUser('ann')).toBe(2);
    expect(t.relay.seats.dropUser('nobody')).toBe(0);
    expect(t.relay.seats.size).toBe(1);
    expect(watcher.peer.messages().filter((m) => m.type === 'member_left')).toEqual([
      { type: 'member_left', room: jw.handle, member: 2 },
      expect.objectContaining({ type: 'member_left', member: 2 }),
    ]);
    expect(t.clock.pending).toBe(1);
  });
});
