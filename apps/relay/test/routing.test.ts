// Data frames through the real relay: broadcast, direct, per-sender order, byte-identical payloads.
import { encodeData, DeliveryClass } from '@roomcast/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { useRelay, type RawClient } from './helpers.js';

const relay = useRelay();
async function joined(room: string): Promise<{ c: RawClient; handle: number; self: number }> {
  const c = await relay.open();
  const j = await c.join(room);
  return { c, handle: j.handle, self: j.self };
}
beforeEach(async () => {
  await relay.start({ maxPayloadBytes: 1024, maxMessagesPerSec: 100_000, burstMessages: 100_000, maxBytesPerSec: 1e9 });
});

describe('routing', () => {
  it('broadcasts to every other member, byte-identical, stamped with the sender, never echoed', async () => {
    const a = await joined('r');
    const b = await joined('r');
    const c = await joined('r');
    const other = await joined('elsewhere');
    const payload = Uint8Array.from({ length: 256 }, (_, i) => i);
    a.c.sendData(a.handle, payload);
    for (const r of [b, c]) {
      const f = await r.c.nextDeliver();
      expect(f).toMatchObject({ room: a.handle, sender: a.self, direct: false, cls: DeliveryClass.Reliable });
      expect(Buffer.from(f.payload).equals(Buffer.from(payload))).toBe(true);
    }
    // A ping round trip proves the sender's and the other room's queues hold no deliver frame.
    await a.c.request({ type: 'ping' }, 'pong');
    await other.c.request({ type: 'ping' }, 'pong');
    expect(a.c.frames.filter((f) => f.kind === 'deliver')).toHaveLength(0);
    expect(other.c.frames.filter((f) => f.kind === 'deliver')).toHaveLength(0);
  });

  it('delivers an empty payload and a payload at the exact limit', async () => {
    const a = await joined('edge');
    const b = await joined('edge');
    a.c.sendData(a.handle, new Uint8Array(0));
    expect((await b.c.nextDeliver()).payload.length).toBe(0);
    a.c.sendData(a.handle, new Uint8Array(1024).fill(7));
    expect((await b.c.nextDeliver()).payload.length).toBe(1024);
    a.c.sendData(a.handle, new Uint8Array(1025));
    expect(await a.c.nextError()).toMatchObject({ code: 'payload_too_large', room: a.handle });
  });

  it('sends direct frames only to the target, flagged as direct', async () => {
    const a = await joined('d');
    const b = await joined('d');
    const c = await joined('d');
    a.c.sendData(a.handle, new Uint8Array([9, 9]), c.self);
    const f = await c.c.nextDeliver();
    expect(f).toMatchObject({ sender: a.self, direct: true });
    expect([...f.payload]).toEqual([9, 9]);
    await b.c.request({ type: 'ping' }, 'pong');
    expect(b.c.frames.filter((x) => x.kind === 'deliver')).toHaveLength(0);
    a.c.sendData(a.handle, new Uint8Array([1]), 999);
    expect(await a.c.nextError()).toMatchObject({ code: 'unknown_member', room: a.handle });
  });

  it('keeps each sender\'s frames in order, with no loss or duplicates', async () => {
    const a = await joined('order');
    const b = await joined('order');
    const c = await joined('order');
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const seq = new Uint8Array(4);
      new DataView(seq.buffer).setUint32(0, i);
      a.c.sendData(a.handle, seq);
      b.c.sendData(b.handle, seq);
    }
    const seen = new Map<number, number[]>();
    for (let i = 0; i < 2 * n; i++) {
      const f = await c.c.nextDeliver();
      const list = seen.get(f.sender) ?? [];
      list.push(new DataView(f.payload.buffer, f.payload.byteOffset, 4).getUint32(0));
      seen.set(f.sender, list);
    }
    const expected = Array.from({ length: n }, (_, i) => i);
    expect(seen.get(a.self)).toEqual(expected);
    expect(seen.get(b.self)).toEqual(expected);
  });

  it('answers frames for rooms not joined and direct latest frames with typed errors', async () => {
    const a = await joined('e');
    const b = await joined('e');
    a.c.sendData(a.handle + 100, new Uint8Array([1]));
    expect(await a.c.nextError()).toMatchObject({ code: 'not_in_room', room: a.handle + 100 });
    a.c.send(encodeData({ room: a.handle, cls: DeliveryClass.Latest, key: 1, target: b.self }, new Uint8Array([1])));
    expect(await a.c.nextError()).toMatchObject({ code: 'unsupported_class', room: a.handle });
    // b still gets a's next good frame.
    a.c.sendData(a.handle, new Uint8Array([42]));
    expect([...(await b.c.nextDeliver()).payload]).toEqual([42]);
  });

  it('delivers a broadcast to every member of a 20-member room and counts one frame per recipient', async () => {
    const members = await Promise.all(Array.from({ length: 20 }, () => joined('big')));
    const sender = members[0]!;
    const before = relay.server.relay.stats.framesOut.reliable;
    sender.c.sendData(sender.handle, new Uint8Array([1, 2, 3]));
    await Promise.all(members.slice(1).map((m) => m.c.nextDeliver()));
    expect(relay.server.relay.stats.framesOut.reliable - before).toBe(19);
  });
});
