// Unit tests of tcp/flush-queue.ts: one scheduled flush per event-loop turn however many peers
// queued frames, each peer flushed once, and a new turn scheduled after a flush.
import { describe, expect, it } from 'vitest';
import { FlushQueue } from '../src/tcp/flush-queue.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('FlushQueue', () => {
  it('flushes every queued peer once, at the end of the turn, and schedules again after that', async () => {
    const q = new FlushQueue();
    const flushed: string[] = [];
    const peer = (name: string) => ({ flush: () => flushed.push(name) });
    q.add(peer('a'));
    q.add(peer('b'));
    expect(flushed).toEqual([]);
    await turn();
    expect(flushed).toEqual(['a', 'b']);
    await turn();
    expect(flushed).toEqual(['a', 'b']); // nothing queued: nothing flushed twice
    q.add(peer('c'));
    await turn();
    expect(flushed).toEqual(['a', 'b', 'c']);
  });

  it('a flush by hand empties the queue: the scheduled turn then finds nothing', async () => {
    const q = new FlushQueue();
    let calls = 0;
    q.add({ flush: () => calls++ });
    q.flush();
    expect(calls).toBe(1);
    await turn();
    expect(calls).toBe(1);
    q.add({ flush: () => calls++ }); // scheduling works again after a flush by hand
    await turn();
    expect(calls).toBe(2);
  });
});
