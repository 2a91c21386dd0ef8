// The latest-class accounting: batch frames split into delivered updates and overhead, staleness
// of a receiver's view, random sampling, the --cursor3 encoding and the saturation criterion.
import { describe, expect, it } from 'vitest';
import { encodeBatch, decodeServerFrame } from '@roomcast/protocol';
import { encodeCursor3, splitBatch } from '../src/adapters.js';
import { scanBatch } from '../src/batch-scan.js';
import { parseArgs } from '../src/args.js';
import { writeU32, wsFrameBytes } from '../src/payload.js';
import { rng } from '../src/rng.js';
import { stepOk } from '../src/run.js';
import { SendHistory, isAfter, nextSampleDelayMs } from '../src/staleness.js';

const stamped = (ts: number, n = 8): Uint8Array => {
  const p = new Uint8Array(n);
  writeU32(p, 0, ts);
  return p;
};

describe('batch frames', () => {
  it('counts entries of other members as deliveries and the own entry as overhead', () => {
    // A 10-member room's tick: 10 entries of 8 bytes, one of them the receiver's own (member 4).
    const entries = Array.from({ length: 10 }, (_, i) => ({ sender: i + 1, key: 0, payload: stamped(1000 + i) }));
    const frame = encodeBatch(7, entries);
    const decoded = decodeServerFrame(frame);
    if (!decoded.ok || decoded.frame.kind !== 'batch') throw new Error('not a batch');
    const wire = wsFrameBytes(frame.length);
    const split = splitBatch(wire, decoded.frame.entries, 4);
    expect(split.updates).toHaveLength(9);
    expect(split.updates.map((u) => u.sender)).not.toContain(4);
    expect(split.updates[0]).toEqual({ sender: 1, ts: 1000, payloadBytes: 8 });
    // 2 (WebSocket) + 4 (batch header) + 10 x (1 sender + 1 key + 1 length + 8 payload) = 116 bytes, over 9 updates.
    expect(wire).toBe(116);
    expect(split.wireBytesPerUpdate * split.updates.length).toBe(wire);
    expect(split.wireBytesPerUpdate).toBeCloseTo(116 / 9);
  });

  it('makes a batch with only the own entry, or cleared keys, pure overhead', () => {
    expect(splitBatch(20, [{ sender: 3, payload: stamped(1) }], 3)).toEqual({ wireBytes: 20, updates: [], wireBytesPerUpdate: 0 });
    expect(splitBatch(20, [{ sender: 5, payload: new Uint8Array(0) }], 3).updates).toEqual([]);
  });

  it('counts untimestamped 3-byte cursors (--cursor3) without reading a timestamp', () => {
    const split = splitBatch(66, [
      { sender: 1, payload: encodeCursor3(0.5, 0.5) }, { sender: 2, payload: encodeCursor3(0, 1) }, { sender: 3, payload: new Uint8Array(0) },
    ], 2, false);
    expect(split.updates).toEqual([{ sender: 1, ts: -1, payloadBytes: 3 }]);
    expect(split.wireBytesPerUpdate).toBe(66);
  });

  it('a 10-member room with 3-byte cursors costs (6 + 10 x 6) / 9 bytes per delivered update', () => {
    const entries = Array.from({ length: 10 }, (_, i) => ({ sender: i + 1, key: 0, payload: encodeCursor3(i / 10, 1 - i / 10) }));
    const frame = encodeBatch(1, entries);
    const split = splitBatch(wsFrameBytes(frame.length), entries, 10, false);
    expect(split.wireBytesPerUpdate).toBeCloseTo(66 / 9);
  });
});

describe('scanBatch (the receive path)', () => {
  const scan = (frame: Uint8Array, self: number, timestamped = true) => {
    const updates: { sender: number; ts: number; payloadBytes: number }[] = [];
    const n = scanBatch(frame, self, timestamped, { update: (sender, ts, payloadBytes) => updates.push({ sender, ts, payloadBytes }) });
    return { n, updates };
  };

  it('finds exactly the updates splitBatch finds, on random batches', () => {
    const random = rng(5);
    for (let round = 0; round < 200; round++) {
      const timestamped = round % 3 !== 0;
      const entries = Array.from({ length: Math.floor(random() * 40) }, () => ({
        // Senders across the varint sizes (1, 2 and 3 bytes), payloads from empty to 200 bytes.
        sender: 1 + Math.floor(random() ** 3 * 65534), key: Math.floor(random() * 256),
        payload: stamped(Math.floor(random() * 0xffff_ffff), Math.floor(random() * 201) * (random() < 0.9 ? 1 : 0)),
      }));
      const self = entries.length > 0 && random() < 0.5 ? entries[0]!.sender : 70_000;
      const frame = encodeBatch(1 + round, entries);
      const reference = splitBatch(0, entries, self, timestamped).updates;
      expect(scan(frame, self, timestamped)).toEqual({ n: reference.length, updates: reference });
    }
  });

  it('refuses what decodeBatch refuses: truncated entries, sender 0, other classes', () => {
    const frame = encodeBatch(3, [{ sender: 300, key: 1, payload: stamped(42) }]);
    expect(scan(frame, 1).n).toBe(1);
    for (let cut = 5; cut < frame.length; cut++) expect(scanBatch(frame.subarray(0, cut), 1, true)).toBe(-1);
    expect(scanBatch(Uint8Array.of(4, 1, 0, 3, 0, 0, 0), 1, true)).toBe(-1);
    expect(scanBatch(Uint8Array.of(4, 0, 0, 3), 1, true)).toBe(-1);
    expect(scanBatch(Uint8Array.of(4, 1, 0, 0), 1, true)).toBe(-1);
    expect(scanBatch(Uint8Array.of(4, 1, 0, 3, 0xff, 0xff, 0xff, 0xff, 0x01), 1, true)).toBe(-1);
    expect(scanBatch(Uint8Array.of(4, 1, 0, 3), 1, true)).toBe(0);
  });
});

describe('--cursor3 payload', () => {
  it('is the SDK cursor encoding: 12-bit x then 12-bit y, big-endian', () => {
    expect([...encodeCursor3(0, 0)]).toEqual([0, 0, 0]);
    expect([...encodeCursor3(1, 1)]).toEqual([0xff, 0xff, 0xff]);
    // x = 0.5 -> 2048 (0x800), y = 0.25 -> 1024 (0x400): 80 04 00
    expect([...encodeCursor3(0.5, 0.25)]).toEqual([0x80, 0x04, 0x00]);
    expect([...encodeCursor3(-3, Number.NaN)]).toEqual([0, 0, 0]);
  });

  it('is an option that implies cursor payloads', () => {
    const o = parseArgs(['--cursor3', '--class', 'latest']);
    expect(o).toMatchObject({ cursor: true, cursor3: true, cls: 'latest' });
    expect(parseArgs([]).cursor3).toBe(false);
  });
});

describe('staleness of a receiver view', () => {
  it('is zero while the shown value is the sender\'s newest', () => {
    const h = new SendHistory(8);
    h.push(100); h.push(200);
    expect(h.viewLagUs(200, 250)).toBe(0);
  });

  it('runs from the send time of the first newer value, not from the shown value', () => {
    const h = new SendHistory(8);
    for (const t of [100, 200, 300, 400]) h.push(t);
    // Shows 200; 300 was sent after it: stale since 300.
    expect(h.viewLagUs(200, 450)).toBe(150);
    // Nothing shown yet: stale since the first send.
    expect(h.viewLagUs(undefined, 450)).toBe(350);
  });

  it('falls back to the age of the shown value when its successor left the ring (an upper bound)', () => {
    const h = new SendHistory(4);
    for (const t of [100, 200, 300, 400, 500, 600]) h.push(t);
    expect(h.newest()).toBe(600);
    expect(h.viewLagUs(150, 700)).toBe(550);
    expect(h.viewLagUs(400, 700)).toBe(200);
  });

  it('compares timestamps on the wrapping 32-bit clock', () => {
    expect(isAfter(5, 0xffff_fff0)).toBe(true);
    expect(isAfter(0xffff_fff0, 5)).toBe(false);
    expect(isAfter(7, 7)).toBe(false);
    const h = new SendHistory(8);
    h.push(0xffff_ff00); h.push(0x10);
    expect(h.viewLagUs(0xffff_ff00, 0x20)).toBe(0x10);
  });

  it('samples at random exponential intervals (mean about 100 ms, clamped), not a fixed period', () => {
    const random = rng(3);
    const ds = Array.from({ length: 4000 }, () => nextSampleDelayMs(random, 100));
    const mean = ds.reduce((a, b) => a + b, 0) / ds.length;
    expect(mean).toBeGreaterThan(85);
    expect(mean).toBeLessThan(115);
    expect(Math.min(...ds)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...ds)).toBeLessThanOrEqual(400);
    expect(new Set(ds.map((d) => Math.round(d))).size).toBeGreaterThan(100);
  });
});

describe('saturation steps', () => {
  it('judge latest by staleness, since merging keeps delivered below expected', () => {
    expect(stepOk({ cls: 'latest', budgetMs: 100 }, 0.5, 20, 40, 0)).toBe(true);
    expect(stepOk({ cls: 'latest', budgetMs: 100 }, 1, 20, 140, 0)).toBe(false);
    expect(stepOk({ cls: 'latest', budgetMs: 100 }, 0.5, 20, 40, 3)).toBe(false);
    expect(stepOk({ cls: 'reliable', budgetMs: 100 }, 0.5, 20, null, 0)).toBe(false);
    expect(stepOk({ cls: 'reliable', budgetMs: 100 }, 0.995, 20, null, 0)).toBe(true);
  });
});
