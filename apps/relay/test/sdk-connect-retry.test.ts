// The client SDK's connect({ retry: true }) against the real relay: a client started before the
// relay keeps retrying and gets in once a relay listens on that port (the demo page's case: a
// page opened while the relay restarts).
import { RoomcastClient, type RetryingInfo } from '@roomcast/client';
import { describe, expect, it } from 'vitest';
import { useRelay } from './helpers.js';
import { freePort } from '../../../scripts/ports.mjs';

const relay = useRelay();

describe('connect({ retry: true }) against the relay', () => {
  it('keeps retrying while nothing listens, then connects and joins once the relay starts on that port', async () => {
    const port = await freePort();
    const client = new RoomcastClient(`ws://127.0.0.1:${port}/ws`, { reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
    relay.keep(client);
    const retries: RetryingInfo[] = [];
    // Start the relay after the third refused attempt: events, not timers, decide when.
    const thirdFailure = new Promise<void>((resolve) => {
      client.on('retrying', (r) => {
        retries.push(r);
        if (r.failedAttempts === 3) resolve();
      });
    });
    const connecting = client.connect({ retry: true, maxAttempts: 200 });
    await thirdFailure;
    expect(client.status).toBe('connecting');
    expect(retries[0]!.error).toMatchObject({ code: 'connect_failed', closeCode: 1006 });
    expect(retries[0]!.error.message).toMatch(/ECONNREFUSED/);
    for (const r of retries) expect(r.delayMs).toBeLessThan(100);

    await relay.start({ port });
    await connecting;
    expect(client.status).toBe('open');
    expect(client.session).toEqual(expect.any(String));
    const room = await client.join('late-relay', { name: 'early' });
    expect([...room.members.values()]).toEqual([{ id: room.self, presence: { name: 'early' } }]);
  });

  it('without retry, the same situation rejects at once with connect_failed', async () => {
    const port = await freePort();
    const client = new RoomcastClient(`ws://127.0.0.1:${port}/ws`);
    relay.keep(client);
    await expect(client.connect()).rejects.toMatchObject({ code: 'connect_failed' });
    expect(client.status).toBe('closed');
  });

  it('maxAttempts bounds the retrying against a port where nothing listens', async () => {
    const port = await freePort();
    const client = new RoomcastClient(`ws://127.0.0.1:${port}/ws`, { reconnect: { initialDelayMs: 5, maxDelayMs: 5 } });
    relay.keep(client);
    let failures = 0;
    client.on('retrying', () => failures++);
    await expect(client.connect({ retry: true, maxAttempts: 4 })).rejects.toMatchObject({ code: 'connect_failed' });
    expect(failures).toBe(3); // the fourth failure rejects instead of retrying
  });
});
