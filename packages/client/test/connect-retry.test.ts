// connect({ retry: true }): the first connection retried with the reconnect backoff, and every
// way the retrying stops. The same against the real relay: apps/relay/test/sdk-connect-retry.test.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RoomcastClient, type RetryingInfo } from '../src/node.js';
import { harness } from './harness.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('connect({ retry: true })', () => {
  it('retries after each failure with full-jitter backoff, staying connecting, until welcome', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const h = harness({ reconnect: { initialDelayMs: 100, maxDelayMs: 1000, factor: 2 } });
    const retries: RetryingInfo[] = [];
    const statuses: string[] = [];
    h.client.on('retrying', (r) => retries.push(r));
    h.client.on('status', (s) => statuses.push(s));
    const connecting = h.client.connect({ retry: true });

    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.client.status).toBe('connecting');
    expect(retries).toEqual([{ error: expect.objectContaining({ code: 'connect_failed', closeCode: 1006 }), failedAttempts: 1, delayMs: 50 }]);
    await vi.advanceTimersByTimeAsync(49);
    expect(h.fake.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.fake.sockets).toHaveLength(2);

    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(100); // second delay: 0.5 × 200
    expect(h.fake.sockets).toHaveLength(3);
    expect(retries.map((r) => r.delayMs)).toEqual([50, 100]);

    h.socket().open();
    h.socket().welcome('third');
    await connecting;
    expect(h.client.status).toBe('open');
    expect(h.client.session).toBe('third');
    expect(statuses).toEqual(['connecting', 'open']);
  });

  it('uses the default backoff when reconnect is off', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const h = harness({ reconnect: false });
    const retries: number[] = [];
    h.client.on('retrying', (r) => retries.push(r.delayMs));
    void h.client.connect({ retry: true }).catch(() => {});
    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(retries).toEqual([249]); // floor(0.999 × 250)
    h.client.close();
  });

  it('rejects with the last error after maxAttempts', async () => {
    vi.useFakeTimers();
    const h = harness({ reconnect: { initialDelayMs: 10, maxDelayMs: 10 } });
    const connecting = h.client.connect({ retry: true, maxAttempts: 3 });
    const outcome = connecting.catch((err: unknown) => err);
    for (let i = 0; i < 3; i++) {
      h.socket().drop(1006, `down ${i}`);
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(await outcome).toMatchObject({ code: 'connect_failed', closeCode: 1006, closeReason: 'down 2' });
    expect(h.fake.sockets).toHaveLength(3);
    expect(h.client.status).toBe('closed');
  });

  it('stops at once on a failure that retrying cannot fix (a close code that forbids reconnecting, a refused version)', async () => {
    vi.useFakeTimers();
    const h = harness();
    const first = h.client.connect({ retry: true });
    h.socket().drop(4401, 'unauthorized');
    await expect(first).rejects.toMatchObject({ code: 'connect_failed', closeCode: 4401 });

    const second = h.client.connect({ retry: true });
    h.socket().open();
    const hello = h.socket().nextControl('hello');
    h.socket().reply({ type: 'error', id: hello.id, code: 'unsupported_version', message: 'v9' });
    await expect(second).rejects.toMatchObject({ code: 'unsupported_version' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.fake.sockets).toHaveLength(2);
  });

  it('does not retry a socket that cannot be created (a malformed URL)', async () => {
    let created = 0;
    const client = new RoomcastClient('not a url', {
      WebSocket: class {
        constructor() {
          created++;
          throw new SyntaxError('invalid URL');
        }
      } as never,
    });
    await expect(client.connect({ retry: true })).rejects.toMatchObject({ code: 'connect_failed' });
    expect(created).toBe(1);
  });

  it('close() between attempts rejects with closed and stops retrying', async () => {
    vi.useFakeTimers();
    const h = harness({ reconnect: { initialDelayMs: 1000, maxDelayMs: 1000 } });
    const connecting = h.client.connect({ retry: true });
    h.socket().drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    h.client.close();
    await expect(connecting).rejects.toMatchObject({ code: 'closed' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.fake.sockets).toHaveLength(1);
    expect(h.client.status).toBe('closed');
  });

  it('without retry, a failed first connection is not retried (the default)', async () => {
    vi.useFakeTimers();
    const h = harness();
    const connecting = h.client.connect();
    h.socket().drop(1006);
    await expect(connecting).rejects.toMatchObject({ code: 'connect_failed' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.fake.sockets).toHaveLength(1);
  });

  it('validates maxAttempts, naming the field', () => {
    const h = harness();
    expect(() => h.client.connect({ retry: true, maxAttempts: 0 })).toThrow(/maxAttempts must be an integer >= 1/);
    expect(() => h.client.connect({ retry: true, maxAttempts: 1.5 })).toThrow(RangeError);
  });
});
