// The page's connect-and-join round (src/connection.ts): the SDK retries connecting; the page
// retries a join lost with the connection, and stops on errors that retrying cannot fix.
import { RoomcastError } from '@roomcast/client';
import { describe, expect, it } from 'vitest';
import { Entrance, INTERNAL_RETRY_MS, MAX_JOIN_ATTEMPTS, statusText } from '../src/connection.js';

function setup(connects: (Error | 'ok')[], joins: (Error | 'ok')[] = []) {
  const log: string[] = [];
  const slept: number[] = [];
  let c = 0;
  let j = 0;
  const entrance = new Entrance<string>({
    connect: async () => {
      log.push('connect');
      const r = connects[c++] ?? 'ok';
      if (r !== 'ok') throw r;
    },
    join: async () => {
      const r = joins[j++] ?? 'ok';
      if (r !== 'ok') throw r;
      return 'room';
    },
    onConnecting: () => log.push('connecting'),
    onJoined: (room) => log.push(`joined ${room}`),
    onFatal: (err) => log.push(`fatal ${err.code}`),
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  return { entrance, log, slept };
}

describe('Entrance', () => {
  it('connects (the SDK retries) and joins', async () => {
    const { entrance, log } = setup(['ok']);
    await entrance.enter();
    expect(log).toEqual(['connecting', 'connect', 'joined room']);
    expect(entrance.running).toBe(false);
  });

  it('stops when the SDK gives up connecting', async () => {
    const { entrance, log } = setup([new RoomcastError('connect_failed', 'refused', { closeCode: 4401 })]);
    await entrance.enter();
    expect(log).toEqual(['connecting', 'connect', 'fatal connect_failed']);
  });

  it('joins again after the SDK reconnects when the join was lost with the connection', async () => {
    const lost = new RoomcastError('closed', 'dropped', { closeCode: 1006 });
    const { entrance, log } = setup([], [lost, new RoomcastError('timeout', 'slow')]);
    await entrance.enter();
    expect(log).toEqual(['connecting', 'connect', 'connect', 'connect', 'joined room']);
  });

  it(`gives up after ${MAX_JOIN_ATTEMPTS} lost joins`, async () => {
    const lost = new RoomcastError('not_connected', 'down');
    const { entrance, log } = setup([], Array.from({ length: 10 }, () => lost));
    await entrance.enter();
    expect(log.filter((l) => l === 'connect')).toHaveLength(MAX_JOIN_ATTEMPTS);
    expect(log.at(-1)).toBe('fatal not_connected');
  });

  it('stops on a join error that retrying cannot fix', async () => {
    const { entrance, log } = setup([], [new RoomcastError('room_full', 'full')]);
    await entrance.enter();
    expect(log).toEqual(['connecting', 'connect', 'fatal room_full']);
  });

  it('tries a join the relay refused with internal (a passing failure) again, after a growing pause', async () => {
    const internal = () => new RoomcastError('internal', 'cluster bus did not answer');
    const { entrance, log, slept } = setup([], [internal(), internal()]);
    await entrance.enter();
    expect(log).toEqual(['connecting', 'connect', 'connect', 'connect', 'joined room']);
    expect(slept).toEqual([INTERNAL_RETRY_MS, 2 * INTERNAL_RETRY_MS]);
  });

  it(`gives up on internal after ${MAX_JOIN_ATTEMPTS} attempts`, async () => {
    const { entrance, log, slept } = setup([], Array.from({ length: MAX_JOIN_ATTEMPTS }, () => new RoomcastError('internal', 'x')));
    await entrance.enter();
    expect(log.at(-1)).toBe('fatal internal');
    expect(slept).toHaveLength(MAX_JOIN_ATTEMPTS - 1);
  });

  it('runs one round at a time', async () => {
    const { entrance, log } = setup(['ok']);
    const first = entrance.enter();
    expect(entrance.running).toBe(true);
    await entrance.enter(); // ignored while the first round runs
    await first;
    expect(log).toEqual(['connecting', 'connect', 'joined room']);
  });

  it('words the status pill', () => {
    expect(statusText('live')).toBe('Live');
    expect(statusText('offline', 'room_full')).toBe('Offline: room_full');
  });
});
