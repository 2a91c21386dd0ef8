// TcpFanout (src/tcp/fanout.ts): topic → TCP subscribers. A publish prefixes the frame once and
// queues the same bytes for every subscriber but the sender; a peer's subscriptions go with it.
// Unit test on recording peers (what the fan-out calls on a TcpPeer: writeWire, topics, closed).
import { describe, expect, it } from 'vitest';
import { TcpFanout } from '../src/tcp/fanout.js';
import type { TcpPeer } from '../src/tcp/peer.js';

function peer(closed = false) {
  const got: Uint8Array[] = [];
  const p = { closed, topics: undefined as Set<string> | undefined, writeWire(wire: Uint8Array) { got.push(wire); } };
  return { p: p as unknown as TcpPeer, got, raw: p };
}

const FRAME = Uint8Array.of(9, 8, 7);
const WIRE = [0, 0, 0, 3, 9, 8, 7];

describe('tcp fan-out', () => {
  it('queues the frame, prefixed once, for every subscriber of the topic but the sender', () => {
    const fanout = new TcpFanout();
    const [a, b, c] = [peer(), peer(), peer()];
    for (const x of [a, b, c]) fanout.subscribe(x.p, 'room');
    fanout.subscribe(c.p, 'other');
    fanout.publish('room', FRAME, a.p);
    expect(a.got).toHaveLength(0);
    expect(b.got.map((w) => [...w])).toEqual([WIRE]);
    expect(c.got[0]).toBe(b.got[0]); // the same bytes, not a copy per subscriber
    fanout.publish('room', FRAME, undefined); // from the relay itself (or another transport): everyone
    expect([a.got.length, b.got.length, c.got.length]).toEqual([1, 2, 2]);
    fanout.publish('other', FRAME, c.p); // its only subscriber is the sender
    fanout.publish('other', FRAME, a.p); // a non-subscriber sends: c gets it
    fanout.publish('nobody', FRAME, undefined);
    expect([a.got.length, b.got.length, c.got.length]).toEqual([1, 2, 3]);
  });

  it('counts topics with subscribers; the last unsubscribe drops a topic, and drop removes every subscription of a peer', () => {
    const fanout = new TcpFanout();
    const [a, b] = [peer(), peer()];
    fanout.subscribe(a.p, 'x');
    fanout.subscribe(a.p, 'y');
    fanout.subscribe(b.p, 'x');
    expect(fanout.size).toBe(2);
    expect([...a.raw.topics!]).toEqual(['x', 'y']);
    fanout.unsubscribe(a.p, 'y');
    expect(fanout.size).toBe(1);
    expect([...a.raw.topics!]).toEqual(['x']);
    fanout.unsubscribe(a.p, 'never'); // nothing to do
    fanout.drop(b.p);
    expect(b.raw.topics!.size).toBe(0);
    fanout.publish('x', FRAME, undefined);
    expect([a.got.length, b.got.length]).toEqual([1, 0]);
    expect(fanout.size).toBe(1);
    fanout.drop(a.p);
    expect(fanout.size).toBe(0);
    fanout.drop(peer().p); // a peer that never joined: no topics
    expect(fanout.size).toBe(0);
  });

  it('a closed peer is not subscribed', () => {
    const fanout = new TcpFanout();
    const gone = peer(true);
    fanout.subscribe(gone.p, 'x');
    expect(fanout.size).toBe(0);
    expect(gone.raw.topics).toBeUndefined();
    fanout.publish('x', FRAME, undefined);
    expect(gone.got).toHaveLength(0);
  });
});
