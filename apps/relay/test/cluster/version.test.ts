// The bus envelope's version byte (docs/decisions/0002-cluster.md, "Rolling upgrades"): every
// message starts with BUS_VERSION; a node skips messages of any other version (a newer release,
// or the first increment's unversioned envelope), counts them in roomcast_bus_unknown_version_total
// and logs each unknown version once, while the room's own traffic goes on.
import { describe, expect, it, vi } from 'vitest';
import { encodeDeliver } from '@roomcast/protocol';
import { BUS_VERSION, BusKind, decodeEnvelope, encodeEnvelope, envelopeVersion } from '../../src/bus/envelope.js';
import { useCluster } from './nodes.js';
import { redisCommand } from './redis.js';

const cluster = useCluster();

/** SPUBLISH of raw bytes, as a node of another release would (Redis's inline \\xHH syntax). */
async function publish(room: string, bytes: Uint8Array): Promise<void> {
  const escaped = [...bytes].map((x) => `\\x${x.toString(16).padStart(2, '0')}`).join('');
  await redisCommand(cluster.redis.port, `SPUBLISH rc:{r:${room}} "${escaped}"`);
}

describe('bus envelope version', () => {
  it('writes the version first and reads back only its own version', () => {
    const body = Uint8Array.of(7, 8);
    const bytes = encodeEnvelope(BusKind.Updated, 'node-1', 1234.5, 42, 9, body);
    expect(bytes[0]).toBe(16);
    expect(BUS_VERSION).toBe(16);
    expect(envelopeVersion(bytes)).toBe(16);
    expect(decodeEnvelope(bytes)).toEqual({ kind: BusKind.Updated, node: 'node-1', sentAt: 1234.5, member: 42, seq: 9, body });
    const other = Buffer.from(bytes);
    other[0] = 17;
    expect(decodeEnvelope(other)).toBeUndefined();
    expect(envelopeVersion(new Uint8Array(0))).toBeUndefined();
  });

  it('messages of another version are skipped, counted and logged once per version; the room goes on', async () => {
    const a = await cluster.node('va');
    const b = await cluster.node('vb');
    const x = await cluster.ws(a);
    const y = await cluster.ws(b);
    const jx = await x.request({ type: 'join', room: 'v' }, 'joined');
    await y.request({ type: 'join', room: 'v' }, 'joined');
    await x.nextMessage('member_joined');
    const logged = vi.spyOn(b.bus!.log, 'error');
    // A newer release (version 17) sends two frames; the first increment (no version byte: its
    // first byte is the kind, here 1 = frame) sends one.
    const frame = encodeEnvelope(BusKind.Frame, 'newer', Date.now(), 0, 1, encodeDeliver({ room: 1, sender: 900 }, Uint8Array.of(1)));
    frame[0] = 17;
    await publish('v', frame);
    frame.writeUInt32BE(2, frame.length - 5);
    await publish('v', frame);
    await publish('v', Buffer.concat([Uint8Array.of(BusKind.Frame, 3), Buffer.from('old'), frame.subarray(9)]));
    await vi.waitFor(() => expect(b.bus!.stats.unknownVersion).toBe(3), { timeout: 3000, interval: 20 });
    const versions = logged.mock.calls.map(([fields]) => (fields as { version: number }).version);
    expect(versions).toEqual([17, 1]);
    // Nothing of them reached the member, nobody was closed, no gap was counted; own traffic flows.
    x.sendData(jx.handle, Uint8Array.of(5));
    const d = await y.nextDeliver();
    expect([...d.payload]).toEqual([5]);
    expect(y.frames.filter((f) => f.kind !== 'control')).toEqual([]);
    expect(b.bus!.stats.gaps).toBe(0);
    expect(b.bus!.stats.received[BusKind.Frame]).toBe(1);
    const metrics = await (await fetch(`${b.httpUrl}/metrics`)).text();
    expect(metrics).toContain('roomcast_bus_unknown_version_total{node="vb"} 3');
  });
});
