// Unit tests of the relay core's front door and close path (core/relay.ts, connections.ts,
// connection.ts) on fake peers and a controlled clock: the periodic sweep at its edges (handshake
// deadline, hard and soft send-buffer caps), every close counted once with its code and reason,
// seats kept on a drop but not on a kick or shutdown, per-address admission through the registry,
// and an exception while closing.
import { encodeControl } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { authenticator } from '../src/access.js';
import type { Cluster } from '../src/core/cluster.js';
import { ClusterAdmin } from '../src/core/cluster-admin.js';
import type { LeftReason, MemberRef, RoomEvents } from '../src/core/events.js';
import { Fanout } from '../src/core/fanout.js';
import { Relay } from '../src/core/relay.js';
import { LIMIT_NAMES, Stats } from '../src/core/stats.js';
import { FakeClock, FakeHub, FakePeer, OPEN, relayLimits, setup } from './fakes.js';
import { silentLogger } from './helpers.js';

type T = ReturnType<typeof setup>;

/** A peer from another address than the exempt loopback ones. */
class RemotePeer extends FakePeer {
  override readonly remoteAddress: string;
  constructor(hub: T['hub'], address: string) {
    super(hub);
    this.remoteAddress = address;
  }
}

/** Opens a connection on `t` (no hello yet); the peer reports its close back like a transport. */
function open(t: T, address?: string) {
  const peer = address === undefined ? new FakePeer(t.hub) : new RemotePeer(t.hub, address);
  const conn = t.relay.open(peer);
  peer.onClose = () => t.relay.closed(conn);
  return { peer, conn };
}
/** Two connections, a then b, joined to room 'r'. */
function twoInRoom(t: T) {
  const a = t.connect();
  const b = t.connect();
  const ja = t.join(a, 'r');
  return { a, b, ja, jb: t.join(b, 'r') };
}

const hello = (t: T, c: ReturnType<typeof open>) => t.relay.message(c.conn, encodeControl({ type: 'hello', id: 0, v: 1 }));

/** Records member_left events with their reason. */
class LeftLog implements RoomEvents {
  readonly left: [number, LeftReason][] = [];
  roomCreated(): void {}
  roomClosed(): void {}
  memberJoined(): void {}
  memberLeft(member: MemberRef, reason: LeftReason): void { this.left.push([member.memberId, reason]); }
  settingsChanged(): void {}
}

describe('sweep', () => {
  it('the handshake deadline: open at exactly the deadline, closed 4408 one ms after; a token being checked too', () => {
    const t = setup({ RELAY_HELLO_TIMEOUT_MS: '1000' });
    const silent = open(t);
    const welcomed = open(t);
    hello(t, welcomed);
    const checking = open(t);
    checking.conn.state = 'authenticating';
    t.advance(1000);
    t.relay.sweep();
    expect(silent.peer.closedWith).toBeUndefined();
    expect(checking.peer.closedWith).toBeUndefined();
    t.advance(1);
    t.relay.sweep();
    expect(silent.peer.closedWith).toBe(4408);
    expect(silent.peer.closeReason).toBe('no hello within the handshake deadline');
    expect(checking.peer.closedWith).toBe(4408);
    expect(welcomed.peer.closedWith).toBeUndefined();
    expect(t.relay.stats.limitHits.hello_timeout).toBe(2);
    expect(t.relay.stats.closes).toEqual({ timeout: 2 });
  });

  it('a connection in its handshake is not checked for its send buffer', () => {
    const t = setup({ RELAY_MAX_BUFFERED_BYTES: '2048', RELAY_SOFT_BUFFERED_BYTES: '1024' });
    const c = open(t);
    c.peer.buffered = 5000;
    t.relay.sweep();
    expect(c.peer.closedWith).toBeUndefined();
    expect(c.conn.lagging).toBe(false);
  });

  it('the hard cap: at exactly the cap a member is lagging, one byte over it is closed with 4503', () => {
    const t = setup({ RELAY_MAX_BUFFERED_BYTES: '2048', RELAY_SOFT_BUFFERED_BYTES: '1024' });
    const a = t.connect();
    t.join(a, 'r');
    a.peer.buffered = 2048;
    t.relay.sweep();
    expect(a.peer.closedWith).toBeUndefined();
    expect(a.conn.lagging).toBe(true);
    expect(t.relay.stats.lagStarts).toBe(1);
    a.peer.buffered = 2049;
    t.relay.sweep();
    expect(a.peer.closedWith).toBe(4503);
    expect(a.peer.closeReason).toBe('send buffer above the hard cap');
    expect(t.relay.stats.limitHits.buffered_bytes).toBe(1);
    expect(t.relay.stats.closes).toEqual({ slow_consumer: 1 });
  });

  it('forgets addresses that remember nothing, at most once a second', () => {
    const t = setup({ RELAY_IP_LIMIT_EXEMPT: '127.0.0.1' });
    const c = open(t, '10.0.0.7');
    hello(t, c);
    expect(t.relay.connections.addresses.openCount('10.0.0.7')).toBe(1);
    c.peer.close(1000);
    expect(t.relay.connections.addresses.size).toBe(1);
    t.advance(60_000); // every budget refilled
    t.relay.sweep();
    expect(t.relay.connections.addresses.size).toBe(0);
  });
});

describe('the close path', () => {
  it('counts a relay close once, with its limit; closing again or reporting the close again does nothing', () => {
    const t = setup();
    const a = t.connect();
    const b = t.connect();
    const jb = t.join(b, 'r');
    t.join(a, 'r');
    t.relay.close(a.conn, 'protocol_error', 'why', 'flood');
    expect(a.peer.closedWith).toBe(4400);
    expect(a.peer.closeReason).toBe('why');
    expect(a.conn.closedAs).toBe('protocol_error');
    expect(a.conn.closedWith).toBe('protocol_error');
    expect(a.conn.state).toBe('closed');
    expect(a.conn.rooms.size).toBe(0);
    t.relay.close(a.conn, 'kicked', 'again', 'rooms');
    t.relay.closed(a.conn);
    expect(t.relay.stats.closes).toEqual({ protocol_error: 1 });
    expect(t.relay.stats.limitHits.flood).toBe(1);
    t.relay.close(b.conn, 'going_away', 'no limit named');
    expect(Object.keys(t.relay.stats.limitHits)).toEqual([...LIMIT_NAMES]);
    expect(t.relay.stats.limitHits.rooms).toBe(0);
    expect(b.peer.messages().filter((m) => m.type === 'member_left')).toEqual([{ type: 'member_left', room: jb.handle, member: jb.self + 1 }]);
    expect(t.relay.connections.size).toBe(0);
  });

  it('a close by the peer is not counted as a relay close; its rooms are left once', () => {
    const t = setup();
    const { a, b } = twoInRoom(t);
    a.peer.close(1000);
    a.peer.close(1000);
    expect(t.relay.stats.closes).toEqual({});
    expect(a.conn.closedAs).toBeUndefined();
    expect(b.peer.messages().filter((m) => m.type === 'member_left')).toHaveLength(1);
    expect(t.relay.rooms.get('r')!.size).toBe(1);
  });

  it('closeAll closes everyone with the given code and reason', () => {
    const t = setup();
    const a = t.connect();
    const b = open(t);
    t.join(a, 'r');
    t.relay.closeAll('going_away', 'shutting down');
    expect([a.peer.closedWith, b.peer.closedWith]).toEqual([1001, 1001]);
    expect([a.peer.closeReason, b.peer.closeReason]).toEqual(['shutting down', 'shutting down']);
    expect(t.relay.connections.size).toBe(0);
    expect(t.relay.rooms.size).toBe(0);
  });

  it('an exception while closing still takes the connection out (closed), counted as internal', () => {
    const t = setup();
    const { a } = twoInRoom(t);
    a.peer.close = () => { throw new Error('socket broke'); };
    t.relay.internalError(a.conn, new Error('boom'));
    expect(t.relay.stats.errors.internal).toBe(1);
    expect(a.conn.state).toBe('closed');
    expect(t.relay.connections.size).toBe(1);
    expect(t.relay.rooms.get('r')!.size).toBe(1);
  });

  it('a connection\'s ids count up from 1; sessions are 16 random hex digits', () => {
    const t = setup();
    const cs = [open(t), open(t), open(t)];
    expect(cs.map((c) => c.conn.id)).toEqual([1, 2, 3]);
    for (const c of cs) expect(c.conn.session).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(cs.map((c) => c.conn.session)).size).toBe(3);
    expect(t.relay.stats.connectionsOpened).toBe(3);
    expect(cs[0]!.conn.state).toBe('handshake');
    expect(cs[0]!.conn.protocolErrors).toBe(0);
  });

  it('send and sendError count what the transport sends', () => {
    const t = setup();
    const a = t.connect();
    const before = { control: t.relay.stats.framesOut.control, bytes: t.relay.stats.bytesOut };
    const frame = encodeControl({ type: 'pong', id: 3 });
    t.relay.send(a.conn, frame, 'control');
    t.relay.sendError(a.conn, 'bad_frame', 'nope', { id: 4 });
    expect(a.peer.messages().slice(-2)).toEqual([{ type: 'pong', id: 3 }, { type: 'error', id: 4, code: 'bad_frame', message: 'nope' }]);
    expect(t.relay.stats.framesOut.control - before.control).toBe(2);
    expect(t.relay.stats.errors.bad_frame).toBe(1);
    expect(t.relay.stats.bytesOut - before.bytes).toBe(frame.length + encodeControl({ type: 'error', id: 4, code: 'bad_frame', message: 'nope' }).length);
  });
});

describe('seats (RELAY_SEAT_GRACE_MS) on each kind of close', () => {
  // A drop (the peer went, a timeout, a slow consumer) keeps the seat; a kick, a protocol close or
  // a shutdown gives it up at once (PROTOCOL.md §8.21).
  const cases: [string, (t: T, c: { peer: FakePeer; conn: import('../src/core/connection.js').Connection }) => void, boolean, LeftReason | undefined][] = [
    ['the peer closes', (_t, c) => c.peer.close(1000), true, undefined],
    ['timeout', (t, c) => t.relay.close(c.conn, 'timeout', 'x'), true, undefined],
    ['slow consumer', (t, c) => t.relay.close(c.conn, 'slow_consumer', 'x'), true, undefined],
    ['kicked', (t, c) => t.relay.close(c.conn, 'kicked', 'x'), false, 'kicked'],
    ['protocol error', (t, c) => t.relay.close(c.conn, 'protocol_error', 'x'), false, 'disconnected'],
    ['going away', (t, c) => t.relay.close(c.conn, 'going_away', 'x'), false, 'disconnected'],
  ];
  for (const [name, close, kept, reason] of cases) {
    it(`${name}: seat ${kept ? 'held' : 'given up'}`, () => {
      const events = new LeftLog();
      const t = setup({ RELAY_SEAT_GRACE_MS: '5000' }, { events });
      const { a, b, ja } = twoInRoom(t);
      close(t, a);
      const seen = b.peer.messages().at(-1);
      if (kept) {
        expect(seen).toEqual({ type: 'member_away', room: ja.handle, member: ja.self });
        expect(events.left).toEqual([]);
        expect(t.relay.rooms.get('r')!.size).toBe(2);
      } else {
        expect(events.left).toEqual([[ja.self, reason]]);
        expect(t.relay.rooms.get('r')!.size).toBe(1);
      }
    });
  }

  it('without seats, a drop leaves at once as disconnected', () => {
    const events = new LeftLog();
    const t = setup({}, { events });
    const a = t.connect();
    const ja = t.join(a, 'r');
    a.peer.close(1000);
    expect(events.left).toEqual([[ja.self, 'disconnected']]);
  });

  it('closeAll gives up every held seat', () => {
    const events = new LeftLog();
    const t = setup({ RELAY_SEAT_GRACE_MS: '5000' }, { events });
    const { a, ja } = twoInRoom(t);
    a.peer.close(1000); // held
    t.relay.closeAll('going_away', 'bye');
    expect(events.left.map(([id]) => id).sort()).toEqual([ja.self, ja.self + 1].sort());
    expect(t.relay.rooms.size).toBe(0);
  });
});

describe('admission through the registry', () => {
  it('refusals are counted by reason; exempt addresses meet only the relay-wide cap and are not tracked', () => {
    const t = setup({ RELAY_MAX_CONNECTIONS: '3', RELAY_MAX_CONNECTIONS_PER_IP: '1', RELAY_IP_LIMIT_EXEMPT: '10.0.0.9' });
    expect(t.relay.admit('10.0.0.1')).toBeUndefined();
    const first = open(t, '10.0.0.1');
    expect(first.conn.address).toBe('10.0.0.1');
    expect(t.relay.admit('10.0.0.1')).toMatchObject({ reason: 'connections_per_ip', scope: 'address' });
    expect(t.relay.stats.refused.connections_per_ip).toBe(1);
    for (let i = 0; i < 2; i++) {
      expect(t.relay.admit('10.0.0.9')).toBeUndefined();
      expect(open(t, '10.0.0.9').conn.address).toBeUndefined();
    }
    expect(t.relay.admit('10.0.0.9')).toMatchObject({ reason: 'connections', scope: 'relay' });
    expect(t.relay.admit('10.0.0.2')).toMatchObject({ reason: 'connections', scope: 'relay' });
    expect(t.relay.stats.refused).toMatchObject({ connections_per_ip: 1, connections: 2 });
    expect(t.relay.connections.addresses.size).toBe(1);
  });

  it('a 4429 close starts the address\'s cool-down; another close does not', () => {
    const t = setup({ RELAY_IP_LIMIT_EXEMPT: '127.0.0.1', RELAY_FLOOD_COOLDOWN_SEC: '10' });
    const a = open(t, '10.0.0.1');
    const b = open(t, '10.0.0.2');
    t.relay.close(a.conn, 'rate_limited', 'flood');
    t.relay.close(b.conn, 'protocol_error', 'bad');
    expect(t.relay.admit('10.0.0.1')).toMatchObject({ reason: 'flood_cooldown', retryAfterSec: 10 });
    expect(t.relay.admit('10.0.0.2')).toBeUndefined();
  });

  it('a reconnect starts with the frame budget the last connection left', () => {
    const t = setup({ RELAY_IP_LIMIT_EXEMPT: '127.0.0.1', RELAY_MAX_MESSAGES_PER_SEC: '0.001', RELAY_BURST_MESSAGES: '10' });
    const a = open(t, '10.0.0.1');
    for (let i = 0; i < 4; i++) t.relay.message(a.conn, encodeControl({ type: 'hello', id: i, v: 1 }));
    a.peer.close(1000);
    const b = open(t, '10.0.0.1');
    expect(Math.round(b.conn.bucket.level(t.clock.now()))).toBe(6);
    expect(Math.round(b.conn.byteBucket.level(t.clock.now()))).toBe(2 * 256 * 1024 - 4 * encodeControl({ type: 'hello', id: 0, v: 1 }).length);
    const fromElsewhere = open(t, '10.0.0.2');
    expect(fromElsewhere.conn.bucket.level(t.clock.now())).toBe(10);
  });
});

describe('composition', () => {
  it('a single relay: no remote rooms, the server API is the local admin, groups as configured', () => {
    const t = setup({ RELAY_MAX_GROUPS_PER_MEMBER: '5' });
    expect(t.relay.remote).toBeUndefined();
    expect(t.relay.api).toBe(t.relay.admin);
    expect(t.relay.maxFrameBytes).toBe(16 * 1024 + 7);
    const a = t.connect();
    expect(a.peer.messages()[0]).toMatchObject({ type: 'welcome', limits: { maxGroupsPerMember: 5 } });
  });

  it('a clustered relay: remote rooms wired to membership and admin, the cluster-wide API, no interest groups', () => {
    const clock = new FakeClock();
    const hub = new FakeHub();
    // Composition only: nothing here calls the cluster, so a stand-in with its identity will do.
    const cluster = { nodeId: 'n1', store: {} } as unknown as Cluster;
    const relay = new Relay(relayLimits({ RELAY_MAX_GROUPS_PER_MEMBER: '5' }), new Fanout([hub]), new Stats(), silentLogger, authenticator(OPEN, clock), clock, cluster);
    expect(relay.remote).toBeDefined();
    const deps = relay.remote!.deps as unknown as { membership: unknown; admin: unknown };
    expect(deps.membership).toBeDefined();
    expect(deps.admin).toBe(relay.admin);
    expect(relay.api).toBeInstanceOf(ClusterAdmin);
    const peer = new FakePeer(hub);
    const conn = relay.open(peer);
    relay.message(conn, encodeControl({ type: 'hello', id: 0, v: 1 }));
    expect(peer.messages()[0]).toMatchObject({ type: 'welcome', limits: { maxGroupsPerMember: 0 } });
  });
});
