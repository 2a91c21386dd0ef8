// Edges of the asynchronous cluster join and of the bus input: a connection that closes while its
// claim is in flight leaves no member in Redis, a second join of the same room while the first is
// pending is refused, garbage published on a room's channel is ignored, and messages lost or late
// on the bus close the members they were owed to with 4502 (PROTOCOL.md §8.5 rule 9).
import { describe, expect, it, vi } from 'vitest';
import { DeliveryClass, encodeDeliver } from '@roomcast/protocol';
import { BusKind, encodeEnvelope } from '../../src/bus/envelope.js';
import { useCluster } from './nodes.js';
import { redisCommand } from './redis.js';

const cluster = useCluster();

/** Publishes raw bytes on a room's channel, as another node would (Redis's inline \\xHH syntax). */
async function publish(room: string, bytes: Uint8Array): Promise<void> {
  const escaped = [...bytes].map((x) => `\\x${x.toString(16).padStart(2, '0')}`).join('');
  await redisCommand(cluster.redis.port, `SPUBLISH rc:{r:${room}} "${escaped}"`);
}

describe('cluster join races and bus input', () => {
  it('a connection closed while its claim is in flight leaves no member behind', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const watcher = await cluster.ws(b);
    const w = await watcher.request({ type: 'join', room: 'race' }, 'joined');
    for (let i = 0; i < 10; i++) {
      const quitter = await cluster.ws(a);
      quitter.sendControl({ type: 'join', id: 1, room: 'race' });
      quitter.ws.terminate();
    }
    await vi.waitFor(async () => {
      expect(await redisCommand(cluster.redis.port, 'HLEN rc:{r:race}:m')).toBe(':1\r\n');
      expect(a.relay.rooms.get('race')).toBeUndefined();
      expect(b.relay.rooms.get('race')!.remote.size).toBe(0);
    }, { timeout: 5000, interval: 50 });
    // Whatever the watcher saw, every member_joined has its member_left.
    const events = watcher.frames.flatMap((f) => (f.kind === 'control' ? [f.message] : []));
    const joined = events.filter((m) => m.type === 'member_joined').length;
    expect(events.filter((m) => m.type === 'member_left')).toHaveLength(joined);
    expect(w.members).toHaveLength(1);
  });

  it('a second join of the same room while the first is pending is refused', async () => {
    const a = await cluster.node('a');
    const c = await cluster.ws(a);
    c.sendControl({ type: 'join', id: 101, room: 'twice' });
    c.sendControl({ type: 'join', id: 102, room: 'twice' });
    // The refusal comes at once; the first join's reply after its claim.
    const second = await c.nextError('already_joined');
    const first = await c.nextMessage('joined');
    expect(second.id).toBe(102);
    expect(first.id).toBe(101);
    expect(await redisCommand(cluster.redis.port, 'HLEN rc:{r:twice}:m')).toBe(':1\r\n');
  });

  it('garbage on a room channel is ignored and the room goes on', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const x = await cluster.ws(a);
    const y = await cluster.ws(b);
    const jx = await x.request({ type: 'join', room: 'noise' }, 'joined');
    await y.request({ type: 'join', room: 'noise' }, 'joined');
    await x.nextMessage('member_joined');
    // Redis's inline syntax: \xHH inside double quotes is a byte. After the version byte (\x10):
    // too short, unknown kind, zero-length node id, truncated header, and a well-formed but
    // ancient `latest` envelope from node "n". Then two of another version: skipped and counted.
    const junk = ['"\\x10"', '"\\x10\\x09\\x01nAAAAAAAAAA"', '"\\x10\\x01\\x00"', '"\\x10\\x01\\x05abc"',
      '"\\x10\\x05\\x01n\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x04\\x01"', 'x', '"\\x05\\x01n"'];
    for (const message of junk) {
      expect(await redisCommand(cluster.redis.port, `SPUBLISH rc:{r:noise} ${message}`)).toMatch(/^:[12]\r\n$/);
    }
    x.sendData(jx.handle, Uint8Array.of(9));
    const d = await y.nextDeliver();
    expect([...d.payload]).toEqual([9]);
    expect(y.frames.filter((f) => f.kind !== 'control')).toEqual([]);
    expect(b.bus!.stats.dropped.stale).toBe(1);
    expect(b.bus!.stats.unknownVersion).toBe(2);
  });

  it('messages of another node that never arrived (a sequence gap): counted, and the room\'s members are closed with 4502 to resync', async () => {
    const b = await cluster.node('b');
    const y = await cluster.ws(b);
    const x = await cluster.ws(b);
    await y.request({ type: 'join', room: 'seq' }, 'joined');
    await x.request({ type: 'join', room: 'other' }, 'joined');
    // Node "z" (a stand-in) numbers its messages 7, 8, 11: two are missing (they may have been
    // reliable frames: PROTOCOL.md §8.5 rule 9 allows no silent gap).
    for (const seq of [7, 8]) await publish('seq', encodeEnvelope(BusKind.Left, 'z', Date.now(), 999, seq, new Uint8Array(0)));
    await vi.waitFor(() => expect(b.bus!.stats.received[BusKind.Left]).toBe(2), { timeout: 3000, interval: 20 });
    expect(b.relay.rooms.get('seq')?.size).toBe(1);
    await publish('seq', encodeEnvelope(BusKind.Left, 'z', Date.now(), 999, 11, new Uint8Array(0)));
    expect(await y.closed).toMatchObject({ code: 4502 });
    expect(b.bus!.stats.gaps).toBe(2);
    const metrics = await (await fetch(`${b.httpUrl}/metrics`)).text();
    expect(metrics).toContain('roomcast_bus_gaps_total{node="b"} 2');
    expect(metrics).toContain('roomcast_closes_total{reason="frames_lost",node="b"} 1');
    // Only that room's members: a member of another room stays.
    expect(x.ws.readyState).toBe(x.ws.OPEN);
    expect(await redisCommand(cluster.redis.port, 'EXISTS rc:{r:seq}:m')).toBe(':0\r\n');
  });

  it('a reliable frame of another node that arrives too late: its recipients are closed with 4502; a late droppable frame is only counted', async () => {
    const b = await cluster.node('b');
    const y = await cluster.ws(b);
    const w = await cluster.ws(b);
    const jy = await y.request({ type: 'join', room: 'late' }, 'joined');
    const jw = await w.request({ type: 'join', room: 'late' }, 'joined');
    const old = Date.now() - 5000; // far past the 1 s staleness bound
    // A late droppable broadcast: dropped and counted, nobody closed.
    await publish('late', encodeEnvelope(BusKind.Frame, 'z', old, 0, 1, encodeDeliver({ room: 1, sender: 900, cls: DeliveryClass.Droppable }, Uint8Array.of(1))));
    await vi.waitFor(() => expect(b.bus!.stats.dropped.stale).toBe(1), { timeout: 3000, interval: 20 });
    // A late reliable direct frame to w: only w is closed.
    await publish('late', encodeEnvelope(BusKind.Frame, 'z', old, jw.self, 2, encodeDeliver({ room: 1, sender: 900, direct: true }, Uint8Array.of(2))));
    expect(await w.closed).toMatchObject({ code: 4502 });
    expect(y.ws.readyState).toBe(y.ws.OPEN);
    // A late reliable broadcast: every local member of the room.
    await publish('late', encodeEnvelope(BusKind.Frame, 'z', old, 0, 3, encodeDeliver({ room: 1, sender: 900 }, Uint8Array.of(3))));
    expect(await y.closed).toMatchObject({ code: 4502 });
    expect(y.frames.filter((f) => f.kind === 'deliver')).toEqual([]);
    expect(b.bus!.stats.dropped.stale).toBe(3);
    expect(jy.self).not.toBe(jw.self);
  });
});
