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

    await fc.assert(
      fc.asyncProperty(fc.array(frameArbitrary(handle), { minLength: 20, maxLength: 40 }), async (frames) => {
        for (const f of frames) fuzzer.send(f);
        fuzzFrames += frames.length;
        const seqBytes = new Uint8Array(4);
        new DataView(seqBytes.buffer).setUint32(0, seq++);
        sender.sendData(js.handle, seqBytes);
        // Either the fuzzer is still served (pong), or it was closed with a documented code.
        const alive = await Promise.race([
          fuzzer.request({ type: 'ping' }, 'pong').then(() => true, () => true),
          fuzzer.closed.then(() => false),
        ]);
        if (!alive) {
          const { code } = await fuzzer.closed;
          expect(DOCUMENTED_CLOSES.has(code)).toBe(true);
          fuzzer = await RawClient.open(server.wsUrl);
          handle = (await fuzzer.join('fuzz')).handle;
        }
        // Every frame the fuzzer got decoded under the strict schemas (RawClient throws otherwise).
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
    for (const c of [sender, watcher, fuzzer]) c.ws.terminate();
  });
});
