// pnpm soak:cluster [--minutes M] [--json FILE]: a bounded soak of a three-node cluster (issue 15).
// Three relay processes share a new redis-server; the load tester runs waves of rooms (each wave
// new room names, reliable traffic plus churn: connects and disconnects every second) against all
// nodes, clients alternating between them. In the middle wave one node is killed with SIGKILL and
// a new node takes its place. After every wave its rooms are empty: Redis must hold no key of
// them; RSS of every node is sampled between waves. At the end: no key of empty rooms, nothing of
// the dead node, RSS flat, and after a graceful stop no rc:* key at all. Exit code 1 if a check fails.
import { writeFileSync } from 'node:fs';
import { DEFAULTS, runLoadTest, sampleProc, sig, type Options } from '@roomcast/loadtest';
import { startRedis, startRelayNode, type RedisProc } from './cluster.js';
import { loadAverage } from './cluster-measure.js';
import type { ServerProc } from './servers.js';

export interface SoakArgs { minutes: number; json: string | undefined }

export function parseSoakArgs(argv: string[]): SoakArgs {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const out: SoakArgs = { minutes: 3, json: undefined };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[i + 1];
    if (a === '--minutes' && v !== undefined && Number(v) >= 0.5 && Number(v) <= 30) out.minutes = Number(v);
    else if (a === '--json' && v !== undefined) out.json = v;
    else throw new Error(`bad option ${a}${v === undefined ? '' : ` ${v}`} (use --minutes M with 0.5 <= M <= 30, --json FILE)`);
    i++;
  }
  return out;
}

/** Lease TTL of the soak's nodes: a killed node's members go within it plus about a second. */
const LEASE_TTL_MS = 2000;
/** RSS of a node that lived through the whole soak may grow at most this much after the warm-up wave. */
export const RSS_GROWTH_BOUND = 0.1;
/** One wave's load: 20 rooms x 6 members, 16-byte reliable frames at 5 Hz, 20 extra connects + disconnects per second. */
const WAVE = { rooms: 20, perRoom: 6, hz: 5, churn: 20 } as const;

interface Node { id: string; proc: ServerProc; dead: boolean }
interface Wave { wave: number; nodes: string[]; seconds: number; delivered_ratio: number | null; sent: number; churn_connects: number; lost: number; errors: Record<string, number>; room_keys_left: number; rss_mb: Record<string, number>; loadavg_1m: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (bounded) until `check` holds; returns its last result. */
async function settle<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!ok(v) && Date.now() < deadline) {
    await sleep(100);
    v = await read();
  }
  return v;
}

const keys = (redis: RedisProc, pattern: string): Promise<string[]> => redis.client.keys(pattern).then((k) => k.sort());

export async function soak(args: SoakArgs, log: (line: string) => void): Promise<{ ok: boolean; summary: Record<string, unknown> }> {
  const t0 = Date.now();
  const budgetMs = args.minutes * 60_000;
  // Six waves or more; each at most 20 s of traffic (plus about 4 s of ramp, warm-up and drain).
  const waveSeconds = Math.max(5, Math.min(20, Math.floor(budgetMs / 1000 / 6) - 4));
  const plannedWaves = Math.max(3, Math.floor((budgetMs - 15_000) / ((waveSeconds + 4) * 1000)));
  const killWave = Math.floor(plannedWaves / 2);
  const redis = await startRedis();
  const env = { RELAY_LEASE_TTL_MS: String(LEASE_TTL_MS), LOG_LEVEL: 'info' };
  const nodes: Node[] = [];
  const waves: Wave[] = [];
  try {
    for (const id of ['soak-1', 'soak-2', 'soak-3']) nodes.push({ id, proc: await startRelayNode(redis, id, env), dead: false });
    log(`soak: ${args.minutes} min, ${plannedWaves} waves of ${waveSeconds} s (${WAVE.rooms} rooms x ${WAVE.perRoom} members, reliable ${WAVE.hz} Hz, churn ${WAVE.churn}/s) over 3 nodes; SIGKILL of soak-3 in wave ${killWave + 1}`);
    // Bounded: no wave starts that would end more than 30 s after the budget.
    for (let wave = 0; wave < plannedWaves && Date.now() - t0 + (waveSeconds + 5) * 1000 < budgetMs + 30_000; wave++) {
      const live = nodes.filter((n) => !n.dead);
      const seed = 1000 + wave;
      const options: Options = {
        ...DEFAULTS, url: live.map((n) => n.proc.url).join(','), target: 'roomcast', quiet: true, workers: 1, seed,
        rooms: WAVE.rooms, perRoom: WAVE.perRoom, hz: WAVE.hz, churn: WAVE.churn, cls: 'reliable', cursor: false, payload: 16,
        seconds: waveSeconds, warmup: 1, ramp: 500, drainMs: 1000, probeRatio: 0.2,
      };
      let killer: NodeJS.Timeout | undefined;
      if (wave === killWave) {
        killer = setTimeout(() => {
          const victim = nodes.find((n) => n.id === 'soak-3')!;
          process.kill(victim.proc.pid, 'SIGKILL');
          victim.dead = true;
          log(`  wave ${wave + 1}: soak-3 killed (SIGKILL) with members in ${WAVE.rooms} rooms`);
        }, (1 + waveSeconds / 2) * 1000);
      }
      const report = await runLoadTest(options);
      clearTimeout(killer);
      // Every member of the wave has left: none of its rooms may keep a key.
      const left = await settle(() => keys(redis, `rc:{r:lt-${seed}-*`), (k) => k.length === 0, LEASE_TTL_MS + 3000);
      if (wave === killWave) nodes.push({ id: 'soak-4', proc: await startRelayNode(redis, 'soak-4', env), dead: false });
      const rss: Record<string, number> = {};
      for (const n of nodes.filter((x) => !x.dead)) rss[n.id] = sig((sampleProc(n.proc.pid)?.rssBytes ?? 0) / 1048576, 4);
      const w: Wave = {
        wave: wave + 1, nodes: live.map((n) => n.id), seconds: report.seconds, delivered_ratio: report.delivered_ratio, sent: report.sent,
        churn_connects: report.churn?.connects ?? 0, lost: report.connections_lost, errors: report.errors, room_keys_left: left.length, rss_mb: rss, loadavg_1m: loadAverage(),
      };
      waves.push(w);
      log(`  wave ${w.wave}/${plannedWaves} (${Math.round((Date.now() - t0) / 1000)} s): nodes ${w.nodes.join(',')}, delivered ${w.delivered_ratio}, sent ${w.sent}, `
        + `churn ${w.churn_connects}, lost ${w.lost}${Object.keys(w.errors).length ? ` (${Object.entries(w.errors).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}, room keys left ${w.room_keys_left}, RSS MiB ${Object.entries(rss).map(([k, v]) => `${k} ${v}`).join(' ')}, load ${w.loadavg_1m}`);
    }
    // The dead node: reaped by the survivors (lease expired), nothing of it left in Redis.
    const deadKeys = await settle(() => keys(redis, 'rc:node:soak-3*'), (k) => k.length === 0, LEASE_TTL_MS + 3000);
    const known = (await redis.client.smembers('rc:nodes')).sort();
    const roomKeys = await keys(redis, 'rc:{r:*');
    const steady = waves.length >= 3 ? waves[1]! : waves[0];
    const last = waves[waves.length - 1];
    const growth: Record<string, number> = {};
    for (const id of ['soak-1', 'soak-2']) {
      const from = steady?.rss_mb[id];
      const to = last?.rss_mb[id];
      if (from !== undefined && to !== undefined && from > 0) growth[id] = sig((to - from) / from, 3);
    }
    for (const n of nodes.filter((x) => !x.dead)) await n.proc.stop();
    const afterStop = await settle(() => keys(redis, 'rc:*'), (k) => k.length === 0, 3000);
    const quietWaves = waves.filter((w) => w.wave !== killWave + 1);
    const checks = {
      waves_ran: waves.length >= 3,
      no_keys_of_empty_rooms: roomKeys.length === 0 && waves.every((w) => w.room_keys_left === 0),
      nothing_of_the_dead_node: deadKeys.length === 0 && !known.includes('soak-3') && waves.length > killWave,
      live_nodes_registered: JSON.stringify(known) === JSON.stringify(['soak-1', 'soak-2', 'soak-4']),
      rss_flat: Object.keys(growth).length === 2 && Object.values(growth).every((g) => g <= RSS_GROWTH_BOUND),
      delivered_without_crash: quietWaves.every((w) => (w.delivered_ratio ?? 0) >= 0.99),
      nothing_after_graceful_stop: afterStop.length === 0,
    };
    const summary = {
      command: `pnpm soak:cluster --minutes ${args.minutes}`, started: new Date(t0).toISOString(), seconds: Math.round((Date.now() - t0) / 1000),
      load: WAVE, wave_seconds: waveSeconds, lease_ttl_ms: LEASE_TTL_MS, waves, rss_growth_after_warmup: growth, dead_node_keys: deadKeys, nodes_known: known,
      room_keys_at_end: roomKeys, keys_after_graceful_stop: afterStop, checks,
    };
    const ok = Object.values(checks).every(Boolean);
    log(`soak: ${ok ? 'PASS' : 'FAIL'} in ${summary.seconds} s: ${Object.entries(checks).map(([k, v]) => `${k} ${v ? 'yes' : 'NO'}`).join(', ')}; RSS growth after wave 2: ${Object.entries(growth).map(([k, v]) => `${k} ${sig(v * 100, 3)}%`).join(', ')}`);
    return { ok, summary };
  } finally {
    for (const n of nodes) await n.proc.stop();
    await redis.stop();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const args = parseSoakArgs(process.argv.slice(2));
  soak(args, (line) => process.stdout.write(`${line}\n`)).then(({ ok, summary }) => {
    if (args.json) writeFileSync(args.json, `${JSON.stringify(summary, null, 2)}\n`);
    process.exit(ok ? 0 : 1);
  }, (err: unknown) => {
    process.stderr.write(`soak: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  });
}
