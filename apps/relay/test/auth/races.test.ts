// Catalogue 14 (reliability.md): fast-check's scheduler interleaves pending token decisions (hello
// and refresh) with peer closes, the hello deadline, token expiry, joins and data frames, on the
// room core with fake peers. Whatever the order: no exception, nothing sent to a closed peer, at
// most one answer per hello and nothing room-related before the welcome, and once every
// connection is gone no connection, room or member is left.
import fc from 'fast-check';
import { encodeControl, encodeData } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { ExpiryTimer } from '../../src/auth/index.js';
import type { AccessDecision, Authenticator } from '../../src/core/access.js';
import type { Connection } from '../../src/core/connection.js';
import { Fanout } from '../../src/core/fanout.js';
import { Relay } from '../../src/core/relay.js';
import { Stats } from '../../src/core/stats.js';
import { FakeClock, FakeHub, FakePeer, relayLimits } from '../fakes.js';
import { silentLogger } from '../helpers.js';

type TokenKind = 'good' | 'bad' | 'expired';

/**
 * A fake peer that counts sends after its close (uWS would throw; a throw here could be swallowed
 * by the very error path under test, so it is counted instead).
 */
class StrictPeer extends FakePeer {
  sendsAfterClose = 0;
  override send(frame: Uint8Array): void {
    if (this.closedWith !== undefined) this.sendsAfterClose++;
    else super.send(frame);
  }
}

const everything = { memberFields: { userId: 'u' }, can: () => true };

/** The decision for a token; `of` says whether it answers a hello (then a refusal closes) or a refresh. */
function decision(kind: TokenKind, of: 'hello' | 'refresh'): AccessDecision {
  const close = of === 'hello';
  if (kind === 'good') return { ok: true, principal: everything, fields: { userId: 'u', expiresInSec: 1 }, closeInMs: 1000 };
  if (kind === 'bad') return { ok: false, code: 'unauthorized', message: `${of}: bad token`, close: close ? 'unauthorized' : undefined };
  return { ok: false, code: 'token_expired', message: `${of}: expired`, close: close ? 'token_expired' : undefined };
}

const CONNECTIONS = 2;
const conn = fc.nat(CONNECTIONS - 1);
const kind = fc.constantFrom<TokenKind>('good', 'good', 'bad', 'expired');
const op = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('hello' as const), c: conn, kind }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('refresh' as const), c: conn, kind }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('join' as const), c: conn }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('data' as const), c: conn }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('drop' as const), c: conn }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.constantFrom(100, 600, 1100, 10_100) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('settle' as const) }), weight: 4 },
);

/** A relay with default limits and one strict peer connected to it (closes reach the relay). */
function oneConnection(hub: FakeHub, access: Authenticator, clock: FakeClock) {
  const relay = new Relay(relayLimits({}), new Fanout([hub]), new Stats(), silentLogger, access, clock);
  const peer = new StrictPeer(hub);
  const conn = relay.open(peer);
  peer.onClose = () => relay.closed(conn);
  return { relay, peer, conn };
}

describe('pending token decisions vs closes, deadlines and expiry', () => {
  it('leave no exception, no send on a closed peer and no leaked state', async () => {
    await fc.assert(fc.asyncProperty(fc.scheduler(), fc.array(op, { minLength: 1, maxLength: 30 }), async (s, ops) => {
      const clock = new FakeClock();
      const hub = new FakeHub();
      const access: Authenticator = {
        hello: (h) => s.schedule(Promise.resolve(decision(h.token as TokenKind, 'hello')), `hello ${h.token}`),
        refresh: (_p, token) => s.schedule(Promise.resolve(decision(token as TokenKind, 'refresh')), `refresh ${token}`),
        expiryTimer: (onExpire) => new ExpiryTimer(clock, onExpire),
      };
      const relay = new Relay(relayLimits({ RELAY_HELLO_TIMEOUT_MS: '10000' }), new Fanout([hub]), new Stats(), silentLogger, access, clock);
      const peers: StrictPeer[] = [];
      const conns: Connection[] = [];
      for (let i = 0; i < CONNECTIONS; i++) {
        const peer = new StrictPeer(hub);
        const conn = relay.open(peer);
        peer.onClose = () => relay.closed(conn);
        peers.push(peer);
        conns.push(conn);
      }
      let id = 1;
      for (const o of ops) {
        if (o.t === 'advance') clock.advance(o.ms);
        else if (o.t === 'settle') { if (s.count() > 0) await s.waitOne(); }
        else {
          const conn = conns[o.c]!;
          if (o.t === 'drop') { peers[o.c]!.close(1006); continue; }
          if (conn.state === 'closed') continue;
          if (o.t === 'hello') relay.message(conn, encodeControl({ type: 'hello', id: id++, v: 2, token: o.kind }));
          else if (o.t === 'refresh') relay.message(conn, encodeControl({ type: 'refresh', id: id++, token: o.kind }));
          else if (o.t === 'join') relay.message(conn, encodeControl({ type: 'join', id: id++, room: 'r' }));
          else relay.message(conn, encodeData({ room: 1 }, new Uint8Array([1])));
        }
      }
      await s.waitAll();
      for (const peer of peers) {
        expect(peer.sendsAfterClose).toBe(0);
        const messages = peer.messages();
        const answers = messages.filter((m) => m.type === 'welcome' || (m.type === 'error' && m.message.startsWith('hello: ')));
        expect(messages.filter((m) => m.type === 'welcome').length).toBeLessThanOrEqual(1);
        const welcomeAt = messages.findIndex((m) => m.type === 'welcome');
        const firstRoomFrame = messages.findIndex((m) => m.type === 'joined' || m.type === 'member_joined' || m.type === 'refreshed');
        if (firstRoomFrame >= 0) expect(welcomeAt).toBeGreaterThanOrEqual(0);
        if (firstRoomFrame >= 0) expect(firstRoomFrame).toBeGreaterThan(welcomeAt);
        expect(answers.length).toBeLessThanOrEqual(1); // one answer per connection's hello
      }
      for (const peer of peers) if (peer.closedWith === undefined) peer.close(1000);
      expect(relay.connections.size).toBe(0);
      expect(relay.rooms.size).toBe(0);
      expect(relay.stats.errors.internal).toBe(0);
      // Every expiry timer died with its connection (and no room tick is left).
      expect(clock.pending).toBe(0);
    }), { numRuns: 1000 });
  });

  it('a refresh decided after the connection closed sends nothing and arms no timer', async () => {
    const clock = new FakeClock();
    const hub = new FakeHub();
    let decide!: (d: AccessDecision) => void;
    const access: Authenticator = {
      hello: () => decision('good', 'hello'),
      refresh: () => new Promise((resolve) => { decide = resolve; }),
      expiryTimer: (onExpire) => new ExpiryTimer(clock, onExpire),
    };
    const { relay, peer, conn } = oneConnection(hub, access, clock);
    relay.message(conn, encodeControl({ type: 'hello', id: 1, v: 2, token: 'good' }));
    expect(peer.last()).toMatchObject({ type: 'welcome', userId: 'u', expiresInSec: 1 });
    relay.message(conn, encodeControl({ type: 'refresh', id: 2, token: 'good' }));
    peer.close(1006);
    expect(clock.pending).toBe(0); // the first token's expiry timer stopped with the close
    decide(decision('good', 'refresh'));
    await Promise.resolve();
    await Promise.resolve();
    expect(peer.sendsAfterClose).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('an exception while applying a decision costs that connection (4500), never the process', async () => {
    const clock = new FakeClock();
    const hub = new FakeHub();
    const broken = { ok: true, principal: everything, closeInMs: undefined, get fields(): never { throw new Error('bug'); } } as AccessDecision;
    const access: Authenticator = {
      hello: () => Promise.resolve(broken),
      refresh: () => Promise.resolve(broken),
      expiryTimer: (onExpire) => new ExpiryTimer(clock, onExpire),
    };
    const { relay, peer, conn } = oneConnection(hub, access, clock);
    relay.message(conn, encodeControl({ type: 'hello', id: 1, v: 2, token: 'good' }));
    for (let i = 0; i < 5 && peer.closedWith === undefined; i++) await Promise.resolve();
    expect(peer.closedWith).toBe(4500);
    expect(relay.stats.errors.internal).toBe(1);
    expect(relay.connections.size).toBe(0);
  });
});
