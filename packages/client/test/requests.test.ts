// Request ids, ping/pong, and request timeouts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RoomcastError } from '../src/node.js';
import { connected } from './harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('requests', () => {
  it('ping resolves with the round-trip time when the pong echoes the id', async () => {
    const h = await connected();
    const pinging = h.client.ping();
    const ping = h.socket().nextControl('ping');
    await vi.advanceTimersByTimeAsync(42);
    h.socket().reply({ type: 'pong', id: ping.id });
    const rtt = await pinging;
    expect(rtt).toBe(42); // the fake clock moved exactly 42 ms between ping and pong
  });

  it('gives concurrent requests distinct ids and matches replies out of order', async () => {
    const h = await connected();
    const first = h.client.ping();
    const second = h.client.ping();
    const a = h.socket().nextControl('ping');
    const b = h.socket().nextControl('ping');
    expect(a.id).not.toBe(b.id);
    h.socket().reply({ type: 'pong', id: b.id });
    h.socket().reply({ type: 'pong', id: a.id });
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
  });

  it('rejects with timeout after requestTimeoutMs, and ignores the late reply', async () => {
    const h = await connected({ requestTimeoutMs: 500 });
    const errors = vi.fn();
    h.client.on('error', errors);
    const pinging = h.client.ping().catch((e: unknown) => e);
    const ping = h.socket().nextControl('ping');
    await vi.advanceTimersByTimeAsync(499);
    h.socket().reply({ type: 'pong', id: 999 }); // not ours
    await vi.advanceTimersByTimeAsync(1);
    const err = await pinging;
    expect(err).toBeInstanceOf(RoomcastError);
    expect(err).toMatchObject({ code: 'timeout' });
    h.socket().reply({ type: 'pong', id: ping.id });
    expect(errors).not.toHaveBeenCalled();
    expect(h.client.status).toBe('open');
  });

  it('rejects a reply of the wrong type with bad_message', async () => {
    const h = await connected();
    const pinging = h.client.ping();
    const ping = h.socket().nextControl('ping');
    h.socket().reply({ type: 'ok', id: ping.id });
    await expect(pinging).rejects.toMatchObject({ code: 'bad_message' });
  });
});
