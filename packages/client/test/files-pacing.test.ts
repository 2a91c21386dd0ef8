// Unit tests of the file module's parts that need no relay: the reservation bucket's arithmetic,
// re-cutting sources into chunks, and the pacer's wait on the socket's buffered amount.
import { describe, expect, test } from 'vitest';
import { Pacer, ReservationBucket } from '../src/files/pacer.js';
import { chunks, knownSize } from '../src/files/source.js';

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
});
