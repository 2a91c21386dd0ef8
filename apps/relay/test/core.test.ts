// Unit tests of the room core with fake peers and a fake pub/sub hub: no sockets, a controlled clock.
import { DeliveryClass, encodeControl, encodeData } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { FakePeer, setup } from './fakes.js';

describe('room core', () => {
  it('broadcasts with one publish and no per-member sends, whatever the room size', () => {
    for (const size of [2, 10, 100]) {
      const { connect, join, relay } = setup({ RELAY_MAX_MEMBERS_PER_ROOM: '1000' });
      const members = Array.from({ length: size }, () => connect());
      const handles = members.map((m) => join(m, 'big'));
      const sender = members[0]!;
      const sendsBefore = sender.peer.sends;
      const publishesBefore = sender.peer.publishes;
      relay.message(sender.conn, encodeData({ room: handles[0]!.handle }, new Uint8Array([7])));
      expect(sender.peer.publishes - publishesBefore).toBe(1);
      expect(sender.peer.sends).toBe(sendsBefore);
      for (const m of members.slice(1)) expect(m.peer.received.filter((f) => f.kind === 'deliver')).toHaveLength(1);
    }
  });

  it('stamps the sender id and keeps the payload byte-identical', () => {
    const { connect, join, relay } = setup();
    const a = connect();
    const b = connect();
    const ja = join(a, 'r');
    join(b, 'r');
    const payload = new Uint8Array([0, 255, 1, 254]);
    relay.message(a.conn, encodeData({ room: ja.handle }, payload));
    const f = b.peer.received.find((x) => x.kind === 'deliver');
    expect(f).toMatchObject({ kind: 'deliver', sender: ja.self, room: ja.handle, cls: DeliveryClass.Reliable, direct: false });
    expect(f?.kind === 'deliver' && [...f.payload]).toEqual([...payload]);
  });

  it('refills the token bucket with the clock and closes a flooder after its strikes', () => {
    const { connect, join, relay, advance } = setup({ RELAY_MAX_MESSAGES_PER_SEC: '10', RELAY_BURST_MESSAGES: '5', RELAY_FLOOD_STRIKES: '3' });
    const a = connect(); // hello: 1 token
    const ja = join(a, 'r'); // join: 1 token
    const send = () => relay.message(a.conn, encodeData({ room: ja.handle }, new Uint8Array([1])));
    for (let i = 0; i < 3; i++) send(); // tokens 3 → 0
    send();
    expect(a.peer.last()).toMatchObject({ type: 'error', code: 'rate_limited' });
    advance(100); // +1 token
    const errorsBefore = a.peer.messages().length;
    send();
    expect(a.peer.messages().length).toBe(errorsBefore);
    send();
    send();
    expect(a.peer.closedWith).toBeUndefined();
    send(); // 4th strike in the window
    expect(a.peer.closedWith).toBe(4429);
    expect(relay.connections.size).toBe(0);
  });

  it('strike window: strikes count per 10 s window and a new window starts from zero', () => {
    // Refill 0.001/s: after the burst, every frame is over budget (one strike) for the whole test.
    const { connect, join, relay, advance } = setup({ RELAY_MAX_MESSAGES_PER_SEC: '0.001', RELAY_BURST_MESSAGES: '5', RELAY_FLOOD_STRIKES: '3' });
    const a = connect(); // hello: 1 token
    const ja = join(a, 'r'); // join: 1 token
    const send = () => relay.message(a.conn, encodeData({ room: ja.handle }, new Uint8Array([1])));
    for (let i = 0; i < 3; i++) send(); // the last 3 tokens
    for (let i = 0; i < 3; i++) send(); // strikes 1-3 of the first window (t = 0): the limit, not above it
    expect(relay.stats.errors.rate_limited).toBe(3);
    advance(10_000); // exactly one window later (+0.01 token: still empty)
    for (let i = 0; i < 3; i++) send(); // strikes 1-3 of the second window
    expect(a.peer.closedWith).toBeUndefined();
    expect(relay.stats.errors.rate_limited).toBe(6);
    send(); // the 4th strike of the second window
    expect(a.peer.closedWith).toBe(4429);
    expect(relay.stats.limitHits.flood).toBe(1);
  });

  it('closes a handshake that misses its deadline, and a peer above the buffer cap, on sweep', () => {
    const { relay, connect, join, advance, hub } = setup({ RELAY_HELLO_TIMEOUT_MS: '1000', RELAY_MAX_BUFFERED_BYTES: '2048', RELAY_SOFT_BUFFERED_BYTES: '1024' });
    const silent = new FakePeer(hub);
    relay.open(silent);
    const slow = connect();
    const other = connect();
    join(slow, 'r');
    const jo = join(other, 'r');
    slow.peer.buffered = 4096;
    advance(1001);
    relay.sweep();
    expect(silent.closedWith).toBe(4408);
    expect(slow.peer.closedWith).toBe(4503);
    // The host (slow, member 1) left: member_left, then host_changed to other (PROTOCOL.md §8.20).
    expect(other.peer.messages().slice(-2)).toMatchObject([{ type: 'member_left', room: jo.handle }, { type: 'host_changed', host: jo.self }]);
    expect(relay.stats.closes).toMatchObject({ timeout: 1, slow_consumer: 1 });
  });

  it('turns an unexpected exception into a 4500 close of that connection only', () => {
    const { connect, join, relay } = setup();
    const a = connect();
    const b = connect();
    join(a, 'r');
    const jb = join(b, 'r');
    relay.internalError(a.conn, new Error('boom'));
    expect(a.peer.closedWith).toBe(4500);
    expect(b.peer.messages().slice(-2)).toMatchObject([{ type: 'member_left', room: jb.handle }, { type: 'host_changed', host: jb.self }]);
    expect(relay.stats.errors.internal).toBe(1);
  });

  it('empties every registry when all members go', () => {
    const { connect, join, relay } = setup();
    const peers = Array.from({ length: 12 }, () => connect());
    for (const [i, p] of peers.entries()) join(p, `room-${i % 4}`);
    expect(relay.rooms.size).toBe(4);
    expect(relay.rooms.memberCount()).toBe(12);
    for (const p of peers) p.peer.close(1000);
    expect(relay.rooms.size).toBe(0);
    expect(relay.connections.size).toBe(0);
  });

  it('allocates room handles and member ids that wrap but never collide', () => {
    const { connect, join, relay } = setup({ RELAY_MAX_MESSAGES_PER_SEC: '1000000', RELAY_BURST_MESSAGES: '1000000', RELAY_MAX_BYTES_PER_SEC: '1000000000' });
    const keeper = connect();
    const first = join(keeper, 'keep');
    const churn = connect();
    // Join and leave 70,000 times: ids wrap past 65535 and must skip the keeper's id.
    const seen = new Set<number>();
    for (let i = 0; i < 70_000; i++) {
      relay.message(churn.conn, encodeControl({ type: 'join', id: 1, room: 'keep' }));
      const j = churn.peer.last();
      if (j?.type !== 'joined') throw new Error('join failed');
      expect(j.self).not.toBe(first.self);
      seen.add(j.self);
      relay.message(churn.conn, encodeControl({ type: 'leave', id: 2, room: j.handle }));
      churn.peer.received.length = 0;
      keeper.peer.received.length = 0;
    }
    expect(seen.size).toBe(65534);
  });
});
