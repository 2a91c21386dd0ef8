// The page's connect-and-join loop (src/connection.ts): retries with backoff, stops on errors
// that retrying cannot fix, one round at a time.
import { RoomcastError } from '@roomcast/client';
import { describe, expect, it } from 'vitest';
import { Entrance, RETRY_INITIAL_MS, RETRY_MAX_MS, retryDelay, statusText } from '../src/connection.js';

function setup(results: (Error | 'ok')[]) {
  const log: string[] = [];
  const sleeps: number[] = [];
  let attempt = 0;
  const entrance = new Entrance<string>({
    connect: async () => {
      const r = results[attempt++] ?? 'ok';
      if (r !== 'ok') throw r;
    },
    join: async () => 'room',
    onConnecting: () => log.push('connecting'),
    onJoined: (room) => log.push(`joined ${room}`),
    onRetry: (err) => log.push(`retry ${(err as Error).message}`),
    onFatal: (err) => log.push(`fatal ${err.code}`),
    sleep: async (ms) => { sleeps.push(ms); },
    random: () => 1,
  });
  return { entrance, log, sleeps };
}

describe('Entrance', () => {
  it('retries until the relay answers, backing off', async () => {
    const down = new Error('refused');
    const { entrance, log, sleeps } = setup([down, down, down, 'ok']);
    await entrance.enter();
    expect(log).toEqual(['connecting', 'retry refused', 'retry refused', 'retry refused', 'joined room']);
    expect(sleeps).toEqual([RETRY_INITIAL_MS, RETRY_INITIAL_MS * 2, RETRY_INITIAL_MS * 4]);
    expect(entrance.running).toBe(false);
  });

  it('stops on a join error that retrying cannot fix', async () => {
    const { entrance, log, sleeps } = setup([new RoomcastError('room_full', 'full')]);
    await entrance.enter();
    expect(log).toEqual(['connecting', 'fatal room_full']);
    expect(sleeps).toEqual([]);
  });

  it('runs one round at a time', async () => {
    const { entrance, log } = setup(['ok']);
    const first = entrance.enter();
    expect(entrance.running).toBe(true);
    await entrance.enter(); // ignored while the first round runs
    await first;
    expect(log).toEqual(['connecting', 'joined room']);
  });

  it('caps the full-jitter delay', () => {
    expect(retryDelay(0, () => 0.5)).toBe(RETRY_INITIAL_MS / 2);
    expect(retryDelay(40, () => 1)).toBe(RETRY_MAX_MS);
    expect(statusText('offline', 'closed (1000)')).toBe('Offline: closed (1000)');
    expect(statusText('live')).toBe('Live');
  });
});
