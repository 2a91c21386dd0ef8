// Malformed-input fuzzing against the real relay: thousands of random and bit-flipped frames from
// one client while two others exchange sequence-numbered frames in the same room. The relay stays
// up, answers with typed errors or documented closes, and the healthy members see no gap.
import {
  CloseCodes, FrameKind, encodeControl, encodeData, type ServerFrame,
} from '@roomcast/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayServer } from '../src/index.js';
import { RawClient, startTestRelay } from './helpers.js';

let server: RelayServer;
beforeAll(async () => {
  server = await startTestRelay({ maxProtocolErrors: 1_000_000, maxMessagesPerSec: 1e6, burstMessages: 1e6, maxBytesPerSec: 1e9, maxPayloadBytes: 2048 });
});
afterAll(async () => {
  await server.close();
});

const DOCUMENTED_CLOSES = new Set<number>(Object.values(CloseCodes).map((c) => c.code));

function frameArbitrary(handle: number): fc.Arbitrary<Uint8Array> {
  const valid = [
    encodeControl({ type: 'join', id: 1, room: 'fuzz-other' }),
    encodeControl({ type: 'presence', id: 2, room: handle, presence: { name: 'f' } }),
    encodeControl({ type: 'ping', id: 3 }),
    encodeData({ room: handle }, new Uint8Array([1, 2, 3])),
    encodeData({ room: handle, target: 1 }, new Uint8Array([4])),
  ];
  const flipped = fc.tuple(fc.constantFrom(...valid), fc.nat(), fc.integer({ min: 0, max: 7 })).map(([v, i, bit]) => {
    const copy = v.slice();
    copy[i % copy.length]! ^= 1 << bit;
    return copy;
  });
  const truncated = fc.tuple(fc.constantFrom(...valid), fc.nat()).map(([v, n]) => v.slice(0, n % v.length));
  const prefixed = fc.tuple(fc.constantFrom(FrameKind.Control, FrameKind.Data, FrameKind.Deliver, 0, 0xff), fc.uint8Array({ maxLength: 64 }))
    .map(([k, rest]) => Uint8Array.of(k, ...rest));
  return fc.oneof(fc.uint8Array({ maxLength: 96 }), flipped, truncated, prefixed);
}

describe('fuzzing the live relay', () => {
  it('survives thousands of malformed frames with no effect on other members', { timeout: 60_000 }, async () => {
    const sender = await RawClient.open(server.wsUrl);
    const js = await sender.join('fuzz');
    const watcher = await RawClient.open(server.wsUrl);
    await watcher.join('fuzz');
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();

    let fuzzer = await RawClient.open(server.wsUrl);
    let handle = (await fuzzer.join('fuzz')).handle;
    let seq = 0;
    let fuzzFrames = 0;
    let pingId = 0x7000_0000;
    let errorFrames = 0;

    await fc.assert(
      fc.asyncProperty(fc.array(frameArbitrary(handle), { minLength: 20, maxLength: 40 }), async (frames) => {
        for (const f of frames) fuzzer.send(f);
        fuzzFrames += frames.length;
        const seqBytes = new Uint8Array(4);
        new DataView(seqBytes.buffer).setUint32(0, seq++);
        sender.sendData(js.handle, seqBytes);
        // Either the fuzzer is still served (its ping gets a pong), or it was closed with a
        // documented code. The ping's id is far above any id a mutated fuzz frame can carry (those
        // come from 1-3), so the reply matched is the reply to this ping; anything but a pong fails.
        const id = pingId++;
        fuzzer.sendControl({ type: 'ping', id });
        const reply = await Promise.race([
          fuzzer.next((f) => f.kind === 'control' && 'id' in f.message && f.message.id === id),
          fuzzer.closed.then(() => undefined),
        ]);
        if (reply !== undefined) expect(reply).toEqual({ kind: 'control', message: { type: 'pong', id } });
        else {
          const { code } = await fuzzer.closed;
          expect(DOCUMENTED_CLOSES.has(code)).toBe(true);
          fuzzer = await RawClient.open(server.wsUrl);
          handle = (await fuzzer.join('fuzz')).handle;
        }
        // Every frame the fuzzer got decoded under the strict schemas (RawClient throws otherwise).
        errorFrames += fuzzer.frames.filter((f) => f.kind === 'control' && f.message.type === 'error').length;
        fuzzer.frames.length = 0;
      }),
      { numRuns: 150, seed: 20261125 },
    );

    // The watcher got every sequence number from the honest sender, in order.
    const got: number[] = [];
    while (got.length < seq) {
      const f: ServerFrame = await watcher.next((x) => x.kind === 'deliver' && x.sender === js.self);
      if (f.kind === 'deliver') got.push(new DataView(f.payload.buffer, f.payload.byteOffset, 4).getUint32(0));
    }
    expect(got).toEqual(Array.from({ length: seq }, (_, i) => i));
    expect(fuzzFrames).toBeGreaterThan(3000);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The relay is still healthy and counted the errors.
    const health = await fetch(`${server.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(server.relay.stats.errors.bad_frame + server.relay.stats.errors.bad_message).toBeGreaterThan(100);
    // Each error the relay counted is one the fuzzer received (the honest clients got none).
    expect(Object.values(server.relay.stats.errors).reduce((a, b) => a + b, 0)).toBe(errorFrames);
    expect([sender, watcher].flatMap((c) => c.frames.filter((f) => f.kind === 'control' && f.message.type === 'error'))).toEqual([]);
    for (const c of [sender, watcher, fuzzer]) c.ws.terminate();
  });
});
