// Issue 14 item 1: one process, 1,024 descriptors (`ulimit -n 1024`), and clients trying to take
// them all. RELAY_MAX_CONNECTIONS=auto keeps 10% (at least 100) free, so /healthz and /metrics
// answer while the relay is full and refuses the rest with 503; one address alone gets no more
// than its connect burst and rate allow.
import { describe, expect, it } from 'vitest';
import { closeAll, openClient, type StressClient } from './clients.js';
import { sleep, startRelayProcess } from './process.js';

/** Tries `count` connections from each address, `parallel` at a time; returns the open ones and refusal statuses. */
async function grab(url: string, addresses: string[], count: number, parallel = 64): Promise<{ open: StressClient[]; refused: Map<string, number> }> {
  const open: StressClient[] = [];
  const refused = new Map<string, number>();
  const jobs = addresses.flatMap((a) => new Array<string>(count).fill(a));
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < jobs.length) {
      const address = jobs[next++]!;
      try {
        open.push(await openClient(url, address));
      } catch (err) {
        const status = (err as Error).message;
        refused.set(status, (refused.get(status) ?? 0) + 1);
      }
    }
  }));
  return { open, refused };
}

describe('descriptor exhaustion', () => {
  it('with 1,024 descriptors the relay holds 921 connections, refuses the rest with 503 and still answers /healthz and /metrics', async () => {
    const relay = await startRelayProcess({ TCP_PORT: 'off' }, { openFiles: 1024 });
    try {
      const addresses = Array.from({ length: 12 }, (_, i) => `127.0.6.${i + 1}`);
      const t0 = performance.now();
      const { open, refused } = await grab(relay.wsUrl, addresses, 100);
      const seconds = (performance.now() - t0) / 1000;
      const health = await fetch(`http://127.0.0.1:${relay.port}/healthz`);
      const metrics = await fetch(`http://127.0.0.1:${relay.port}/metrics`);
      const text = await metrics.text();
      console.log(`\n1,200 attempts from 12 addresses in ${seconds.toFixed(1)} s: ${open.length} open, refused ${JSON.stringify(Object.fromEntries(refused))}; `
        + `/healthz ${health.status}, /metrics ${metrics.status}`);
      expect(open.length).toBe(921);
      expect(refused.get('HTTP 503')).toBe(1200 - 921);
      expect(health.status).toBe(200);
      expect(metrics.status).toBe(200);
      expect(text).toContain('roomcast_connections 921');
      await closeAll(open);
      await sleep(200);
      // Released: a new client gets in.
      const after = await openClient(relay.wsUrl, '127.0.6.200');
      await closeAll([after]);
    } finally {
      await relay.stop();
    }
  });

  it('one address trying 2,000 connections gets its burst, then its connect rate', async () => {
    const relay = await startRelayProcess({ TCP_PORT: 'off' });
    try {
      const t0 = performance.now();
      const { open, refused } = await grab(relay.wsUrl, ['127.0.7.1'], 2000);
      const seconds = (performance.now() - t0) / 1000;
      console.log(`\n2,000 attempts from one address in ${seconds.toFixed(1)} s: ${open.length} open, refused ${JSON.stringify(Object.fromEntries(refused))}`);
      // Burst 100, then 20 per second while the attempts last.
      expect(open.length).toBeGreaterThanOrEqual(100);
      expect(open.length).toBeLessThanOrEqual(100 + Math.ceil(seconds * 20) + 1);
      expect(refused.get('HTTP 429')).toBe(2000 - open.length);
      const health = await fetch(`http://127.0.0.1:${relay.port}/healthz`);
      expect(health.status).toBe(200);
      await closeAll(open);
    } finally {
      await relay.stop();
    }
  });
});
