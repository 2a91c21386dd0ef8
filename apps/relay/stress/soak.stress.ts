// A bounded churn soak (issue 14, reliability.md catalogue 13): clients from 64 addresses connect,
// join rooms with presence, send, leave and disconnect for 20 s, some of them flooding into a
// 4429. Afterwards every registry is empty: connections, rooms, and (once leftover budgets and
// cool-downs run out) the per-address table. Prints RSS before and after.
import { readFileSync } from 'node:fs';
import { encodeData } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { openClient } from './clients.js';
import { sleep, startRelayProcess } from './process.js';

const CHURN_MS = 20_000;

const rssMiB = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function gauge(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1]);
}

describe('churn soak', () => {
  it('after 20 s of churn from 64 addresses, connections, rooms and tracked addresses return to 0', async () => {
    const relay = await startRelayProcess({ TCP_PORT: 'off' });
    try {
      const rssBefore = rssMiB(relay.pid);
      const end = performance.now() + CHURN_MS;
      let sessions = 0;
      let refusals = 0;
      await Promise.all(Array.from({ length: 64 }, async (_, i) => {
        const address = `127.0.9.${i + 1}`;
        while (performance.now() < end) {
          try {
            const c = await openClient(relay.wsUrl, address);
            sessions++;
            const joined = await c.request({ type: 'join', room: `room-${i % 16}`, presence: { n: i, tag: 'x'.repeat(i) } });
            if (joined.type === 'joined') {
              const frame = encodeData({ room: joined.handle }, new Uint8Array(32));
              // Every 8th session floods (and is closed with 4429); the others send a little.
              const n = sessions % 8 === 0 ? 2000 : 20;
              for (let k = 0; k < n; k++) c.send(frame);
              await c.request({ type: 'presence', room: joined.handle, presence: { n: i, k: sessions } });
              if (sessions % 3 === 0) await c.request({ type: 'leave', room: joined.handle });
            }
            c.ws.terminate();
            await c.closed;
          } catch {
            refusals++;
            await sleep(100);
          }
        }
      }));
      await sleep(500);
      const health = JSON.parse(await (await fetch(`http://127.0.0.1:${relay.port}/healthz`)).text()) as { connections: number; rooms: number };
      expect(health).toMatchObject({ connections: 0, rooms: 0 });
      // Leftover budgets refill within ~5 s (connect burst 100 at 20/s), cool-downs within 10 s.
      let tracked = await gauge(relay.port, 'roomcast_tracked_addresses');
      for (let i = 0; i < 30 && tracked > 0; i++) {
        await sleep(500);
        tracked = await gauge(relay.port, 'roomcast_tracked_addresses');
      }
      expect(tracked).toBe(0);
      console.log(`\n${sessions} sessions, ${refusals} refused connects over ${CHURN_MS / 1000} s; RSS ${rssBefore.toFixed(0)} MiB before, ${rssMiB(relay.pid).toFixed(0)} MiB after; tracked addresses 0`);
    } finally {
      await relay.stop();
    }
  });
});
