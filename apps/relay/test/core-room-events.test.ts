// The room lifecycle as the webhooks observer sees it (membership.ts and seats.ts call RoomEvents),
// and the control frames counted per recipient: which events, in which order, with which reason.
import { encodeControl, type ServerMessage } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { authenticator } from '../src/access.js';
import type { LeftReason, MemberRef, RoomEvents } from '../src/core/events.js';
import { Fanout } from '../src/core/fanout.js';
import { Relay } from '../src/core/relay.js';
import { Stats } from '../src/core/stats.js';
import { FakeClock, FakeHub, FakePeer, OPEN, relayLimits } from './fakes.js';
import { silentLogger } from './helpers.js';

type Joined = Extract<ServerMessage, { type: 'joined' }>;

function observed(overrides: Record<string, string> = {}) {
  const log: string[] = [];
  const events: RoomEvents = {
    roomCreated: (room) => log.push(`created ${room}`),
    roomClosed: (room) => log.push(`closed ${room}`),
    memberJoined: (m: MemberRef) => log.push(`joined ${JSON.stringify(m)}`),
    memberLeft: (m: MemberRef, reason: LeftReason) => log.push(`left ${JSON.stringify(m)} ${reason}`),
    settingsChanged: () => {},
  };
  const clock = new FakeClock();
  const hub = new FakeHub();
  const relay = new Relay(relayLimits(overrides), new Fanout([hub]), new Stats(), silentLogger, authenticator(OPEN, clock), clock, undefined, events);
  const connect = (userId?: string) => {
    const peer = new FakePeer(hub);
    const conn = relay.open(peer);
    peer.onClose = () => relay.closed(conn);
    relay.message(conn, encodeControl({ type: 'hello', id: 0, v: 1 }));
    if (userId !== undefined) conn.principal = { memberFields: { userId, info: 'i' }, can: () => true };
    return { peer, conn };
  };
  const join = (c: ReturnType<typeof connect>, room: string, extra: Record<string, unknown> = {}) => {
    relay.message(c.conn, encodeControl({ type: 'join', id: 1, room, ...extra } as never));
    return c.peer.last() as Joined;
  };
  const leave = (c: ReturnType<typeof connect>, handle: number) => relay.message(c.conn, encodeControl({ type: 'leave', id: 2, room: handle }));
  return { relay, clock, log, connect, join, leave };
}

describe('room events (membership.ts, seats.ts)', () => {
  it('created once, joined per member with its identity, left with reason "left", closed with the last', () => {
    const t = observed();
    const [a, b] = [t.connect('ann'), t.connect()];
    const ja = t.join(a, 'r');
    t.join(b, 'r');
    t.leave(b, ja.handle);
    t.leave(a, ja.handle);
    expect(t.log).toEqual([
      'created r',
      'joined {"room":"r","memberId":1,"userId":"ann","info":"i"}',
      'joined {"room":"r","memberId":2}',
      'left {"room":"r","memberId":2} left',
      'left {"room":"r","memberId":1,"userId":"ann","info":"i"} left',
      'closed r',
    ]);
  });

  it('a dropped connection without seats: left "disconnected"; a held seat ends "disconnected" after the window', () => {
    const t = observed({ RELAY_SEAT_GRACE_MS: '500' });
    const [a, b] = [t.connect(), t.connect()];
    t.join(a, 'r');
    t.join(b, 'r');
    b.peer.close(1006);
    expect(t.log.at(-1)).toBe('joined {"room":"r","memberId":2}');
    t.clock.advance(500);
    expect(t.log.at(-1)).toBe('left {"room":"r","memberId":2} disconnected');
    const c = t.connect();
    t.join(c, 'r');
    c.peer.close(1006); // held at shutdown: dropped as "disconnected" too
    t.relay.closeAll('going_away', 'relay shutting down');
    expect(t.log.slice(-3)).toEqual(['left {"room":"r","memberId":1} disconnected', 'left {"room":"r","memberId":3} disconnected', 'closed r']);
  });

  it('dropUser ends the held seats as "kicked"; a taken-back seat is no new join', () => {
    const t = observed({ RELAY_SEAT_GRACE_MS: '500' });
    const [a, b] = [t.connect('ann'), t.connect('bob')];
    const ja = t.join(a, 'r');
    const jb = t.join(b, 'r');
    a.peer.close(1006);
    b.peer.close(1006);
    const a2 = t.connect('ann');
    expect(t.join(a2, 'r', { seat: ja.seat })).toMatchObject({ self: 1 });
    expect(t.log.filter((l) => l.startsWith('joined'))).toHaveLength(2);
    expect(t.relay.seats.dropUser('bob')).toBe(1);
    expect(t.log.at(-1)).toBe(`left {"room":"r","memberId":${jb.self},"userId":"bob","info":"i"} kicked`);
    // The seat timer of a seat taken back or dropped does not fire later.
    t.clock.advance(5000);
    expect(t.log.at(-1)).toBe(`left {"room":"r","memberId":${jb.self},"userId":"bob","info":"i"} kicked`);
  });
});

describe('control frames counted per recipient (membership.ts, seats.ts)', () => {
  it('member_joined, host_changed, member_away, member_back, member_left: one per other member', () => {
    const t = observed({ RELAY_SEAT_GRACE_MS: '500' });
    const control = () => t.relay.stats.framesOut.control;
    const [a, b] = [t.connect(), t.connect()];
    const ja = t.join(a, 'r');
    let before = control();
    t.join(b, 'r'); // joined reply to b, member_joined to a
    expect(control() - before).toBe(2);
    const s = t.connect();
    s.conn.principal = { memberFields: {}, server: true, can: () => true };
    before = control();
    t.join(s, 'r'); // joined to s, member_joined and host_changed to a and b
    expect(control() - before).toBe(5);
    before = control();
    b.peer.close(1006); // member_away to a and s
    expect(control() - before).toBe(2);
    const b2 = t.connect();
    before = control();
    t.relay.message(b2.conn, encodeControl({ type: 'join', id: 1, room: 'r', seat: t.relay.rooms.get('r')!.members.get(2)!.seat! }));
    expect(control() - before).toBe(3); // joined to b2, member_back to a and s
    before = control();
    t.leave(s, ja.handle); // ok to s, member_left and host_changed to a and b2
    expect(control() - before).toBe(5);
  });

  it('a lone member: its drop and its return tell nobody', () => {
    const t = observed({ RELAY_SEAT_GRACE_MS: '500' });
    const a = t.connect();
    const ja = t.join(a, 'r');
    const before = t.relay.stats.framesOut.control;
    a.peer.close(1006);
    expect(t.relay.stats.framesOut.control).toBe(before);
    const a2 = t.connect();
    const welcomed = t.relay.stats.framesOut.control;
    expect(welcomed).toBe(before + 1); // the welcome
    t.join(a2, 'r', { seat: ja.seat });
    expect(t.relay.stats.framesOut.control).toBe(welcomed + 1); // the joined reply only
  });
});
