#!/usr/bin/env node
// `pnpm game:load`: the Tag arena under load. Starts one relay and one backend (stack.ts), then,
// step by step, K matches of P bots (K from --matches), each bot sending inputs at --hz. Per step
// it measures the backend's and the relay's CPU, the players' input-to-state latency (input sent
// → first state that applied it, as the bot sees it), and the bytes each player receives per
// second. It stops after the first step whose p99 passes --max-p99. Bounded: at most 8 steps,
// at most 400 bots, at most 60 s of measuring per step. Progress goes to stderr, the table to stdout.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { cpuPct, percentile, sampleProc } from '@roomcast/loadtest';
import { freePort } from '../../../../scripts/ports.mjs';
import { GameBot } from '../bot/bot.js';
import { startStack } from '../stack.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--')),
  options: {
    matches: { type: 'string', default: '1,2,4,8' },
    players: { type: 'string', default: '8' },
    hz: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '8' },
    'max-p99': { type: 'string', default: '100' },
    json: { type: 'string' },
  },
});
const steps = values.matches.split(',').map(Number);
const players = Number(values.players);
const hz = Number(values.hz);
const seconds = Number(values.seconds);
const maxP99 = Number(values['max-p99']);
if (steps.length > 8 || steps.some((k) => !Number.isInteger(k) || k < 1) || Math.max(...steps) * players > 400
  || !(players >= 2 && players <= 8) || !(hz >= 1 && hz <= 60) || !(seconds >= 1 && seconds <= 60)) {
  process.stderr.write('usage: game:load [--matches 1,2,4,8] [--players 2-8] [--hz 1-60] [--seconds 1-60] [--max-p99 ms] [--json file]\n'
    + '  at most 8 steps and 400 bots (matches × players)\n');
  process.exit(2);
}

interface Step {
  matches: number;
  bots: number;
  backendCpuPct: number;
  backendCpuPctPerMatch: number;
  relayCpuPct: number;
  loadgenCpuPct: number;
  /** p99 event-loop delay of this process (all bots live here): latency the load generator adds itself. */
  loadgenLoopP99Ms: number;
  p50Ms: number;
  p99Ms: number;
  samples: number;
  bytesPerPlayerPerSec: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const stack = await startStack({
  relayPort: await freePort(), gamePort: await freePort(),
  // Rounds long enough that a step measures play, not pauses; empty matches close quickly between steps.
  gameEnv: { GAME_MAX_PLAYERS: String(players), GAME_ROUND_SECONDS: '30', GAME_ROUND_PAUSE_MS: '1000', GAME_EMPTY_CLOSE_MS: '200' },
  onExit: (name, how) => {
    log(`game:load: the ${name} stopped (${how})`);
    process.exit(1);
  },
});
const results: Step[] = [];
let failed = false;
try {
  for (const k of steps) {
    log(`step ${k} match(es): joining ${k * players} bots at ${hz} Hz…`);
    const bots: GameBot[] = [];
    for (let i = 0; i < k * players; i++) bots.push(await GameBot.join(stack.gameUrl, { name: `bot${i}`, mode: 'play', inputHz: hz }));
    const rooms = new Set(bots.map((b) => b.ticket.room));
    if (rooms.size !== k) throw new Error(`expected ${k} matches, got ${rooms.size}`);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // warm-up: every bot has state
    for (const b of bots) b.latencies.length = 0;
    const bytes0 = bots.reduce((n, b) => n + b.bytesIn, 0);
    const [be0, re0, me0] = [sampleProc(stack.backend.pid!), sampleProc(stack.relay.pid!), sampleProc(process.pid)];
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    for (let s = 1; s <= seconds; s++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const all = bots.flatMap((b) => b.latencies);
      log(`  ${s}/${seconds} s: ${all.length} samples, p99 so far ${percentile(all, 99).toFixed(1)} ms`);
    }
    const [be1, re1, me1] = [sampleProc(stack.backend.pid!), sampleProc(stack.relay.pid!), sampleProc(process.pid)];
    loop.disable();
    const all = bots.flatMap((b) => b.latencies);
    const bytes = bots.reduce((n, b) => n + b.bytesIn, 0) - bytes0;
    const backendCpuPct = cpuPct(be0!, be1!);
    const step: Step = {
      matches: k, bots: bots.length, backendCpuPct, backendCpuPctPerMatch: backendCpuPct / k,
      relayCpuPct: cpuPct(re0!, re1!), loadgenCpuPct: cpuPct(me0!, me1!), loadgenLoopP99Ms: loop.percentile(99) / 1e6,
      p50Ms: percentile(all, 50), p99Ms: percentile(all, 99), samples: all.length,
      bytesPerPlayerPerSec: bytes / bots.length / ((be1!.atMs - be0!.atMs) / 1000),
    };
    results.push(step);
    log(`  → p50 ${step.p50Ms.toFixed(1)} ms, p99 ${step.p99Ms.toFixed(1)} ms, backend ${step.backendCpuPct.toFixed(1)} % CPU, `
      + `relay ${step.relayCpuPct.toFixed(1)} %, ${Math.round(step.bytesPerPlayerPerSec)} B/s per player`);
    // Leave (not just disconnect: the relay would hold the seats), then wait until the backend has
    // closed the empty matches, so the next step starts from none.
    await Promise.all(bots.map((b) => b.room.leave().catch(() => undefined)));
    for (const b of bots) b.close();
    for (let i = 0; i < 100; i++) {
      const health = (await (await fetch(`${stack.gameUrl}/healthz`)).json()) as { matches: number };
      if (health.matches === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (step.p99Ms > maxP99) {
      log(`p99 ${step.p99Ms.toFixed(1)} ms passed ${maxP99} ms at ${k} matches: stopping`);
      break;
    }
  }
} catch (err) {
  log(`game:load: ${(err as Error).message}`);
  failed = true;
} finally {
  await stack.stop();
}

const fmt = (n: number, d = 1) => n.toFixed(d);
process.stdout.write([
  '| matches | bots | backend CPU % | backend CPU % per match | relay CPU % | load generator CPU % | load generator loop delay p99 ms | p50 ms | p99 ms | samples | bytes/player/s |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.matches} | ${r.bots} | ${fmt(r.backendCpuPct)} | ${fmt(r.backendCpuPctPerMatch)} | ${fmt(r.relayCpuPct)} | ${fmt(r.loadgenCpuPct)} | ${fmt(r.loadgenLoopP99Ms)} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${r.samples} | ${Math.round(r.bytesPerPlayerPerSec)} |`),
  '',
].join('\n'));
if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ players, hz, seconds, maxP99, steps: results }, null, 2)}\n`);
process.exitCode = failed ? 1 : 0;
