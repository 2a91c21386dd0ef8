// Delivery classes end to end: the real relay, the client SDK and raw WebSocket clients.
// Waits are driven by frames and events; the only clock is the relay's own tick.
import type { Socket } from 'node:net';
import { RoomcastClient, decodeCursor, encodeCursor, type Room, type RoomMessage } from '@roomcast/client';
import { CloseCodes, DeliveryClass, encodeData } from '@roomcast/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { useRelay, type RawClient } from './helpers.js';

const relay = useRelay();
const sdkClients: RoomcastClient[] = [];
afterEach(() => {
  for (const c of sdkClients.splice(0)) c.close();
});

async function sdk(room: string, name: string, options: { throttleLatest?: boolean } = {}): Promise<{ client: RoomcastClient; room: Room }> {
  const client = new RoomcastClient(relay.server.wsUrl, { reconnect: false, ...options });
  sdkClients.push(client);
  await client.connect();
  return { client, room: await client.join(room, { name }) };
}

/** Resolves with the first message on `room` that satisfies `pred`. */
function message(room: Room, pred: (m: RoomMessage) => boolean): Promise<RoomMessage> {
  return new Promise((resolve) => {
    const off = room.on('message', (m) => {
      if (pred(m)) {
        off();
        resolve(m);
      }
    });
  });
}

function tcp(c: RawClient): Socket {
  return (c.ws as unknown as { _socket: Socket })._socket;
}

describe('latest class through the SDK', () => {
  it('merges many sends into one value per tick and delivers cursors in batches', async () => {
    await relay.start({ tickHz: 20 });
    const a = await sdk('cursors', 'Ada', { throttleLatest: false });
    const b = await sdk('cursors', 'Bob');
    // 200 cursor moves as fast as possible; the relay merges them.
    for (let i = 1; i <= 200; i++) a.room.sendLatest(0, encodeCursor(i / 200, 0.5));
    const last = await message(b.room, (m) => m.cls === 'latest' && decodeCursor(m.payload)?.x === 1);
    expect(last.sender).toBe(a.room.self);
    const stats = relay.server.relay.stats;
    expect(stats.framesIn.latest).toBe(200);
    expect(stats.merges).toBeGreaterThan(150);
    expect(stats.ticks).toBeLessThan(10);
    expect(decodeCursor(b.room.latest.get(a.room.self)!.get(0)!)).toEqual({ x: 1, y: 2048 / 4095 });
  });

  it('gives a joiner a snapshot at once, and clears a leaving member\'s values (no ghost cursor)', async () => {
    await relay.start();
    const a = await sdk('snap', 'Ada');
    const b = await sdk('snap', 'Bob');
    a.room.sendLatest(0, encodeCursor(0.25, 0.25));
    b.room.sendLatest(0, encodeCursor(0.75, 0.75));
    await message(a.room, (m) => m.cls === 'latest');
    await message(b.room, (m) => m.cls === 'latest');
    const c = await sdk('snap', 'Cy');
    const seen = new Map<number, { x: number; y: number } | undefined>();
    await new Promise<void>((resolve) => {
      c.room.on('message', (m) => {
        seen.set(m.sender, decodeCursor(m.payload));
        if (seen.size === 2) resolve();
      });
    });
    expect(seen.get(a.room.self)).toEqual({ x: 1024 / 4095, y: 1024 / 4095 });
    expect(seen.get(b.room.self)).toEqual({ x: 3071 / 4095, y: 3071 / 4095 });
    const left = new Promise<void>((resolve) => c.room.on('member_left', () => resolve()));
    b.client.close();
    await left;
    expect([...c.room.latest.keys()]).toEqual([a.room.self]);
    // A later joiner's snapshot holds only what is left.
    const d = await sdk('snap', 'Dee');
    const snap = await message(d.room, () => true);
    expect(snap.sender).toBe(a.room.self);
    expect([...d.room.latest.keys()]).toEqual([a.room.self]);
  });

  it('keeps reliable frames in order alongside latest traffic', async () => {
    await relay.start({ maxMessagesPerSec: 1e6, burstMessages: 1e6, maxBytesPerSec: 1e9 });
    const a = await sdk('mixed', 'Ada', { throttleLatest: false });
    const b = await sdk('mixed', 'Bob');
    const reliable: number[] = [];
    const done = new Promise<void>((resolve) => {
      b.room.on('message', (m) => {
        if (m.cls !== 'reliable') return;
        reliable.push(m.payload[0]! * 256 + m.payload[1]!);
        if (reliable.length === 500) resolve();
      });
    });
    for (let i = 0; i < 500; i++) {
      a.room.send(Uint8Array.of(i >> 8, i & 0xff));
      a.room.sendLatest(0, encodeCursor((i % 100) / 100, 0));
    }
    await done;
    expect(reliable).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });
});

describe('slow consumers and droppable frames', () => {
  it('a paused reader skips ticks, gets a snapshot when it drains, and never delays the others', async () => {
    await relay.start({ maxPayloadBytes: 64 * 1024, softBufferedBytes: 8 * 1024, maxBufferedBytes: 4 * 1024 * 1024, backpressureCheckMs: 20, maxBytesPerSec: 1e9, maxMessagesPerSec: 1e6, burstMessages: 1e6, tickHz: 60, maxTickHz: 60 });
    const sender = await relay.open();
    const js = await sender.join('stall');
    const healthy = await relay.open();
    await healthy.join('stall');
    const paused = await relay.open();
    await paused.join('stall');
    tcp(paused).pause();
    // Fill the paused reader's pipe: big latest values until the relay marks it lagging.
    const big = new Uint8Array(60 * 1024);
    let round = 0;
    while (relay.server.relay.stats.lagStarts === 0 && round < 2000) {
      big[0] = round & 0xff;
      sender.send(encodeData({ room: js.handle, cls: DeliveryClass.Latest, key: 0 }, big));
      // The healthy member gets each tick: wait for it, so the test advances at the relay's pace.
      await healthy.next((f) => f.kind === 'batch' && f.entries.some((e) => e.payload[0] === (round & 0xff)));
      round++;
    }
    expect(relay.server.relay.stats.lagStarts).toBe(1);
    const lagging = [...relay.server.relay.connections].find((c) => c.lagging)!;
    const bufferedAtLag = lagging.peer.bufferedAmount();
    const skippedBefore = relay.server.relay.stats.skippedTicks;
    // While it lags, the others keep getting every tick.
    for (let i = 0; i < 20; i++) {
      sender.send(encodeData({ room: js.handle, cls: DeliveryClass.Latest, key: 1 }, Uint8Array.of(i)));
      await healthy.next((f) => f.kind === 'batch' && f.entries.some((e) => e.key === 1 && e.payload[0] === i));
    }
    expect(relay.server.relay.stats.skippedTicks - skippedBefore).toBeGreaterThanOrEqual(20);
    // Nothing more was queued for it: the relay's memory for this reader did not grow.
    expect(lagging.peer.bufferedAmount()).toBeLessThanOrEqual(bufferedAtLag);
    // Droppable frames are not queued for it either.
    const dropsBefore = relay.server.relay.stats.drops;
    sender.send(encodeData({ room: js.handle, cls: DeliveryClass.Droppable }, Uint8Array.of(99)));
    await healthy.next((f) => f.kind === 'deliver' && f.cls === DeliveryClass.Droppable);
    expect(relay.server.relay.stats.drops - dropsBefore).toBe(1);
    // It drains: one snapshot with the newest values, then ordinary ticks.
    tcp(paused).resume();
    const snap = await paused.next((f) => f.kind === 'batch' && f.snapshot);
    expect(snap.kind === 'batch' && snap.entries.find((e) => e.key === 1)?.payload[0]).toBe(19);
    expect(relay.server.relay.stats.snapshots).toBeGreaterThanOrEqual(1);
    expect(relay.server.relay.connections.size).toBe(3);
  });

  it('a flooder gets rate_limited errors, then a 4429 close', async () => {
    // A refill of one frame per 1000 s, so the strike count below is exact.
    await relay.start({ maxMessagesPerSec: 0.001, burstMessages: 20, floodStrikes: 30 });
    const a = await sdk('flood', 'Ada');
    const errors: string[] = [];
    a.room.on('error', (e) => errors.push(e.code));
    const closed = new Promise<{ code: number }>((resolve) => a.client.on('close', resolve));
    for (let i = 0; i < 100; i++) a.room.send(Uint8Array.of(i));
    expect((await closed).code).toBe(CloseCodes.rate_limited.code);
    // Every refused frame is answered with rate_limited; the 31st passes RELAY_FLOOD_STRIKES (30)
    // and the 4429 close follows its error.
    expect(errors).toEqual(Array.from({ length: 31 }, () => 'rate_limited'));
  });
});
