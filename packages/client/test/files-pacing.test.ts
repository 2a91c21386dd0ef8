// Unit tests of the file module's parts that need no relay: the reservation bucket's arithmetic,
// re-cutting sources into chunks, and the pacer's wait on the socket's buffered amount.
import { describe, expect, test, vi } from 'vitest';
import { Pacer, ReservationBucket } from '../src/files/pacer.js';
import { chunks, isBlobLike, knownSize } from '../src/files/source.js';

async function collect(it: AsyncIterable<Uint8Array>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const c of it) out.push([...c]);
  return out;
}

describe('ReservationBucket', () => {
  test('grants the capacity at once, then spaces reservations by rate', () => {
    const b = new ReservationBucket(1000, 100, 0);
    expect(b.reserve(100, 0)).toBe(0);
    expect(b.reserve(100, 0)).toBe(100); // 100 tokens short at 1000/s
    expect(b.reserve(100, 0)).toBe(200); // queued behind the previous one
    expect(b.reserve(50, 1000)).toBe(0); // a second later: refilled to capacity, minus the debt
  });

  test('refills by the time since the last reservation, at rate per second', () => {
    const b = new ReservationBucket(1000, 100, 0);
    expect(b.reserve(100, 0)).toBe(0);
    expect(b.reserve(100, 50)).toBe(50); // 50 ms refilled 50 tokens: 50 short
    expect(b.reserve(100, 100)).toBe(100); // 50 more refilled, 100 short
  });

  test('an infinite rate never waits', () => {
    const b = new ReservationBucket(Number.POSITIVE_INFINITY, 1, 0);
    expect(b.reserve(1e9, 0)).toBe(0);
  });
});

describe('chunks', () => {
  const bytes = Uint8Array.from({ length: 10 }, (_, i) => i);

  test('bytes, ArrayBuffer and Blob are cut at max', async () => {
    const want = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]];
    expect(await collect(chunks(bytes, 4))).toEqual(want);
    expect(await collect(chunks(bytes.slice().buffer, 4))).toEqual(want);
    expect(await collect(chunks(new Blob([bytes]), 4))).toEqual(want);
    expect(await collect(chunks(new Uint8Array(0), 4))).toEqual([]);
    expect([knownSize(bytes), knownSize(new Blob([bytes])), knownSize(bytes.buffer)]).toEqual([10, 10, 10]);
  });

  test('a Blob whose size is a multiple of max yields no empty last chunk', async () => {
    expect(await collect(chunks(new Blob([bytes.subarray(0, 8)]), 4))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });

  test('a stream piece of whole chunks is cut into views of it (no copy), and no empty chunk ends it', async () => {
    const piece = bytes.subarray(0, 8);
    async function* one() {
      yield piece;
    }
    const out: Uint8Array[] = [];
    for await (const c of chunks(one(), 4)) out.push(c);
    expect(out.map((c) => [...c])).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(out.every((c) => c.buffer === piece.buffer)).toBe(true);
  });

  test('isBlobLike needs an object with a numeric size, slice and arrayBuffer', () => {
    const fn = () => new ArrayBuffer(0);
    const blob = { size: 1, type: '', slice: () => ({ arrayBuffer: fn }), arrayBuffer: fn };
    expect(isBlobLike(blob)).toBe(true);
    expect(isBlobLike(new Blob([]))).toBe(true);
    for (const not of [null, undefined, 5, { ...blob, size: '1' }, { ...blob, slice: 1 }, { ...blob, arrayBuffer: undefined }, Object.assign(() => {}, blob)]) {
      expect(isBlobLike(not)).toBe(false);
    }
    // A stream that happens to have a size is still a stream.
    expect(knownSize(Object.assign((async function* () {})(), { size: 5 }))).toBeUndefined();
  });

  test('a stream of uneven pieces is re-cut into full chunks', async () => {
    async function* pieces() {
      yield bytes.subarray(0, 1);
      yield bytes.subarray(1, 2);
      yield bytes.subarray(2, 9);
      yield new Uint8Array(0);
      yield bytes.subarray(9);
    }
    expect(await collect(chunks(pieces(), 4))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(knownSize(pieces())).toBeUndefined();
  });
});

describe('Pacer', () => {
  test('waits while the socket holds more than the high-water mark, and stops waiting when cancelled', async () => {
    let buffered = 10_000;
    const pacer = new Pacer({ bufferedAmount: () => buffered }, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 1000);
    let passed = false;
    const wait = pacer.take(100, () => true).then(() => { passed = true; });
    await new Promise((r) => setTimeout(r, 30));
    expect(passed).toBe(false);
    buffered = 500;
    await wait;
    expect(passed).toBe(true);
    buffered = 10_000;
    await pacer.take(100, () => false); // a cancelled transfer does not wait for the socket
  });

  test('with the default clock: waits for bytes over the burst, for frames over the burst, and for the room bucket', async () => {
    vi.useFakeTimers();
    try {
      const link = { bufferedAmount: () => 0 };
      const settled = (p: Promise<void>) => {
        const state = { done: false };
        void p.then(() => { state.done = true; });
        return state;
      };
      // 1000 B/s: a burst of 100 bytes goes at once, 200 bytes wait about 100 ms.
      const bytesPacer = new Pacer(link, 1000, Number.POSITIVE_INFINITY, 1000);
      const free = settled(bytesPacer.take(100, () => true));
      await vi.advanceTimersByTimeAsync(0);
      expect(free.done).toBe(true);
      const slow = settled(bytesPacer.take(100, () => true));
      await vi.advanceTimersByTimeAsync(80);
      expect(slow.done).toBe(false);
      await vi.advanceTimersByTimeAsync(40);
      expect(slow.done).toBe(true);
      // 10 frames/s: a burst of one frame, the next after about 100 ms.
      const framesPacer = new Pacer(link, Number.POSITIVE_INFINITY, 10, 1000);
      await framesPacer.take(1, () => true);
      const second = settled(framesPacer.take(1, () => true));
      await vi.advanceTimersByTimeAsync(80);
      expect(second.done).toBe(false);
      await vi.advanceTimersByTimeAsync(40);
      expect(second.done).toBe(true);
      // The room bucket counts too.
      const open = new Pacer(link, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 1000);
      const room = new ReservationBucket(1000, 100, performance.now());
      await open.take(10, () => true, room, 100);
      const roomWait = settled(open.take(10, () => true, room, 100));
      await vi.advanceTimersByTimeAsync(80);
      expect(roomWait.done).toBe(false);
      await vi.advanceTimersByTimeAsync(40);
      expect(roomWait.done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  test('a socket holding exactly the high-water mark does not wait', async () => {
    const pacer = new Pacer({ bufferedAmount: () => 1000 }, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 1000);
    await pacer.take(1, () => true);
  });
});
