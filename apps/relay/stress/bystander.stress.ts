// Issue 14 item 3: sixteen connections each spending their whole budget on the costliest control
// frames the relay still accepts (or refuses after decoding), against one bystander pinging at
// 50 Hz. Prints the bystander's ping p50/p99 without and with the attack and the relay's CPU;
// asserts only behaviour (every ping answered, the relay up). Figures: SECURITY.md.
import { encodeControl, scanPlain } from '@roomcast/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closeAll, openClient, type StressClient } from './clients.js';
import { percentile, sleep, startRelayProcess, type RelayProcess } from './process.js';

const PHASE_MS = 5_000;
const ROUNDS = 3;
const ATTACKER = fileURLToPath(new URL('./attacker.mjs', import.meta.url));
const ATTACKERS = 16;
/** The relay's defaults (README): frames and bytes per second per connection. */
const FRAMES_PER_SEC = 200;
const BYTES_PER_SEC = 256 * 1024;
const VALUES_PER_TOKEN = 64;

let relay: RelayProcess | undefined;
afterAll(() => relay?.stop());

/** Presence nested 13 deep (the cap), the innermost array filled with `item` up to 511 bytes of JSON. */
function deepPresence(item: unknown): unknown {
  const wrap = 12 * 2;
  const each = JSON.stringify(item).length + 1;
  let value: unknown = new Array(Math.floor((511 - wrap - 1) / each)).fill(item);
  for (let i = 0; i < 12; i++) value = [value];
  return value;
}

interface Attack {
  name: string;
  /** Frame to send and whether the attacker joins a room first (presence updates need one). */
  frame: (room: number) => Uint8Array;
  join: boolean;
}

const ATTACKS: Attack[] = [
  { name: 'presence: 13 deep, 511 B of {} maps (legal)', join: true,
    frame: (room) => encodeControl({ type: 'presence', id: 1, room, presence: deepPresence({}) as never }) },
  { name: 'presence: 13 deep, 511 B of 0s (legal)', join: true,
    frame: (room) => encodeControl({ type: 'presence', id: 1, room, presence: deepPresence(0) as never }) },
  { name: 'join: 4 KB, 1,000 small maps 15 deep (refused: presence_too_large)', join: false,
    frame: () => {
      let inner: unknown = Array.from({ length: 1000 }, () => ({}));
      for (let i = 0; i < 13; i++) inner = [inner];
      return encodeControl({ type: 'join', id: 1, room: 'x', presence: inner as never });
    } },
];

/** Pings every 20 ms for `ms`; returns the round-trip times in ms. */
async function pingFor(bystander: StressClient, ms: number): Promise<number[]> {
  const rtts: number[] = [];
  const end = performance.now() + ms;
  const pending: Promise<void>[] = [];
  while (performance.now() < end) {
    const t0 = performance.now();
    pending.push(bystander.request({ type: 'ping' }).then(() => { rtts.push(performance.now() - t0); }));
    await sleep(20);
  }
  await Promise.all(pending);
  return rtts;
}

/** Runs 16 attackers at their budget in a child process (attacker.mjs) until `stop()`. */
function attackers(url: string, addresses: string[], attack: Attack): { stop(): Promise<number>; cpuSeconds(): number } {
  const frame = attack.frame(1);
  const scan = scanPlain(frame, 1, { maxItems: frame.length });
  const cost = 1 + Math.floor((scan.ok ? scan.items : 0) / VALUES_PER_TOKEN);
  // 95% of whichever budget binds first, so an attacker is never rate-limited itself.
  const perSec = 0.95 * Math.min(FRAMES_PER_SEC / cost, BYTES_PER_SEC / frame.length);
  const child = spawn(process.execPath, [ATTACKER, url, addresses.join(','), Buffer.from(frame).toString('hex'), attack.join ? 'join' : 'nojoin', String(perSec)],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    cpuSeconds: () => {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return (JSON.parse(out.trim() || '{"sent":0}') as { sent: number }).sent;
    },
  };
}

describe('bystander latency under control-frame attack', () => {
  it('16 attackers at their full budgets; the bystander keeps getting every pong', async () => {
    relay = await startRelayProcess({});
    const bystander = await openClient(relay.wsUrl, '127.0.0.2');
    await pingFor(bystander, 1000); // warm-up
    const rows: string[] = [];
    for (const [n, attack] of ATTACKS.entries()) {
      // Baseline and attack phases alternate (ROUNDS pairs), so both see the same machine noise;
      // the samples of each side are pooled.
      const base: number[] = [];
      const under: number[] = [];
      let cpu = 0;
      let attackerCpu = 0;
      let sent = 0;
      for (let r = 0; r < ROUNDS; r++) {
        base.push(...await pingFor(bystander, PHASE_MS));
        // Fresh addresses per phase: no cool-down or leftover budget carries over.
        const addresses = Array.from({ length: ATTACKERS }, (_, i) => `127.0.${10 + n * ROUNDS + r}.${i + 1}`);
        const attack16 = attackers(relay.wsUrl, addresses, attack);
        await sleep(1000);
        const cpu0 = relay.cpuSeconds();
        const attackerCpu0 = attack16.cpuSeconds();
        const rtts = await pingFor(bystander, PHASE_MS);
        cpu += relay.cpuSeconds() - cpu0;
        attackerCpu += attack16.cpuSeconds() - attackerCpu0;
        sent += await attack16.stop();
        expect(rtts.length).toBeGreaterThan(PHASE_MS / 40);
        under.push(...rtts);
      }
      const seconds = (ROUNDS * PHASE_MS) / 1000;
      const f = (v: number): string => v.toFixed(2);
      rows.push(`${attack.name} | ${f(percentile(base, 50))} / ${f(percentile(under, 50))} | ${f(percentile(base, 99))} / ${f(percentile(under, 99))} | `
        + `${(percentile(under, 99) / percentile(base, 99)).toFixed(2)}x | ${((cpu / seconds) * 100).toFixed(0)}% | ${((attackerCpu / seconds) * 100).toFixed(0)}% | ${(sent / (seconds + ROUNDS)).toFixed(0)}`);
    }
    console.log(['', `bystander ping (ms), baseline / under attack, ${ROUNDS} alternating rounds of ${PHASE_MS / 1000} s each; relay and attacker-process CPU under attack (one core = 100%)`,
      'attack | p50 | p99 | p99 ratio | relay CPU | attackers CPU | attack frames/s (all 16)', '---|---|---|---|---|---|---', ...rows].join('\n'));
    expect(await bystander.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    await closeAll([bystander]);
  });
});
