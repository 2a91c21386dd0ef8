// Issue 14 item 2: four flooders that reconnect after every 4429 close. Before, each reconnect
// brought a full bucket and they pushed ~50,000 frames/s into a room (budgets allow ~950). Prints
// the frames per second an observer in the room received, with the flood cool-down on (default)
// and off (carried budgets only); asserts only that the observer stayed connected.
import { encodeData } from '@roomcast/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, openClient, type StressClient } from './clients.js';
import { sleep, startRelayProcess, type RelayProcess } from './process.js';

const WINDOW_MS = 10_000;
let relay: RelayProcess | undefined;
afterEach(async () => { await relay?.stop(); relay = undefined; });

/** Floods reliable frames into `room` as fast as the socket takes them; reconnects on close. */
function flooder(url: string, address: string): { stop(): void; connections(): number; done: Promise<void> } {
  let stopped = false;
  let connections = 0;
  const done = (async () => {
    while (!stopped) {
      let c: StressClient;
      try {
        c = await openClient(url, address);
      } catch {
        await sleep(20); // refused: try again at once, as a hostile client would
        continue;
      }
      connections++;
      const joined = await Promise.race([c.request({ type: 'join', room: 'flood' }), c.closed.then(() => undefined)]);
      if (joined === undefined || joined.type !== 'joined') { c.ws.terminate(); continue; }
      const frame = encodeData({ room: joined.handle }, new Uint8Array(16));
      let open = true;
      void c.closed.then(() => { open = false; });
      while (!stopped && open) {
        for (let i = 0; i < 200 && c.ws.bufferedAmount < 256 * 1024; i++) c.send(frame);
        await sleep(1);
      }
      c.ws.terminate();
    }
  })();
  return { stop: () => { stopped = true; }, connections: () => connections, done };
}

async function run(env: Record<string, string>, addresses: string[]): Promise<{ perSec: number; connections: number }> {
  relay = await startRelayProcess(env);
  const observer = await openClient(relay.wsUrl, '127.0.0.250');
  await observer.request({ type: 'join', room: 'flood' });
  const flooders = addresses.map((a) => flooder(relay!.wsUrl, a));
  await sleep(500);
  const before = observer.delivers;
  await sleep(WINDOW_MS);
  const perSec = (observer.delivers - before) / (WINDOW_MS / 1000);
  for (const f of flooders) f.stop();
  await Promise.all(flooders.map((f) => f.done));
  expect(observer.ws.readyState).toBe(observer.ws.OPEN);
  const connections = flooders.reduce((n, f) => n + f.connections(), 0);
  await closeAll([observer]);
  return { perSec, connections };
}

describe('reconnect flood', () => {
  it('four flooders reconnecting after 4429: frames per second reaching the room', async () => {
    const four = ['127.0.3.1', '127.0.3.2', '127.0.3.3', '127.0.3.4'];
    const rows: string[] = [];
    const cases: [string, Record<string, string>, string[]][] = [
      ['defaults (cool-down 10 s), 4 addresses', {}, four],
      ['RELAY_FLOOD_COOLDOWN_SEC=0 (carried budgets only), 4 addresses', { RELAY_FLOOD_COOLDOWN_SEC: '0' }, four],
      ['RELAY_FLOOD_COOLDOWN_SEC=0, all 4 from one address', { RELAY_FLOOD_COOLDOWN_SEC: '0' }, four.map(() => '127.0.4.1')],
    ];
    for (const [name, env, addresses] of cases) {
      const r = await run(env, addresses);
      rows.push(`${name} | ${r.perSec.toFixed(0)} | ${r.connections}`);
    }
    console.log(['', `frames/s delivered to an observer over ${WINDOW_MS / 1000} s (budget: 200/s sustained, burst 400, per connection)`,
      'case | frames/s | connections opened', '---|---|---', ...rows].join('\n'));
  });
});
