// pnpm bench:files [--rounds N] [--mb N]: throughput of one file transfer through the relay, and
// the staleness of cursors in the same room beside it, against a baseline without the file
// (issue 19). Each round: a fresh relay process; cursors only for a few seconds (baseline), then
// the same cursors while a file goes through (worker thread: 1 sender, 2 receivers). Variants:
//   paced      SDK defaults (room file budget 4 MiB/s), relay RELAY_MAX_BYTES_PER_SEC 64 MiB
//   unpaced    room file budget off (roomBytesPerSec Infinity): what the room budget prevents
//   defaults   the relay's default per-connection budget (256 KiB/s): one round, it is slow
// Staleness is as in apps/loadtest/src/staleness.ts: at random instants, for each (watcher,
// cursor sender), how long ago the sender sent a value newer than the one the watcher shows.
import { Worker } from 'node:worker_threads';
import { RoomcastClient, type Room } from '@roomcast/client';
import type { RoomFilesOptions } from '@roomcast/client/files';
import { startServer } from './servers.js';
import type { FilesWorkerData, FilesWorkerResult } from './files-worker.js';

const CURSOR_SENDERS = 4;
const WATCHERS = 2;
const CURSOR_HZ = 60;
const BASELINE_MS = 5000;
const CURSOR_KEY = 0;

interface Args { rounds: number; mb: number; only?: string[] }
function parseArgs(argv: string[]): Args {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const out: Args = { rounds: 3, mb: 20 };
  for (let i = 0; i < args.length; i++) {
    const v = args[i + 1];
    if (args[i] === '--rounds' && v !== undefined) out.rounds = Math.max(1, Math.min(20, Number(args[++i]) || 1));
    else if (args[i] === '--mb' && v !== undefined) out.mb = Math.max(1, Math.min(200, Number(args[++i]) || 1));
    else if (args[i] === '--only' && v !== undefined) out.only = args[++i]!.split(',');
    else throw new Error(`unknown option ${args[i]} (use --rounds N, --mb N, --only paced,unpaced,defaults)`);
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);

/** Cursors of CURSOR_SENDERS members watched by WATCHERS members; staleness samples on demand. */
class CursorRig {
  readonly clients: RoomcastClient[] = [];
  readonly sends = new Map<number, number[]>(); // sender id -> send times (ms, ascending)
  readonly shown = new Map<Room, Map<number, number>>(); // watcher -> sender id -> send time of the value shown
  samples: number[] = [];
  #timers: ReturnType<typeof setTimeout>[] = [];
  #sampling = false;

  async start(url: string, room: string): Promise<void> {
    const join = async () => {
      const c = new RoomcastClient(url, { reconnect: false, throttleLatest: false });
      this.clients.push(c);
      await c.connect();
      return c.join(room);
    };
    const senders = await Promise.all(Array.from({ length: CURSOR_SENDERS }, join));
    const watchers = await Promise.all(Array.from({ length: WATCHERS }, join));
    for (const w of watchers) {
      const shown = new Map<number, number>();
      this.shown.set(w, shown);
      w.on('message', (m) => {
        if (m.cls === 'latest' && m.key === CURSOR_KEY && m.payload.length === 8) {
          shown.set(m.sender, new DataView(m.payload.buffer, m.payload.byteOffset).getFloat64(0));
        }
      });
    }
    for (const s of senders) {
      const times: number[] = [];
      this.sends.set(s.self, times);
      this.#timers.push(setInterval(() => {
        const t = performance.now();
        const payload = new Uint8Array(8);
        new DataView(payload.buffer).setFloat64(0, t);
        try { s.sendLatest(CURSOR_KEY, payload); } catch { return; }
        times.push(t);
        if (times.length > 4096) times.splice(0, 2048);
      }, 1000 / CURSOR_HZ));
    }
  }

  /** Collects staleness samples (ms) at random instants until `stop`. */
  sample(): void {
    this.samples = [];
    this.#sampling = true;
    const tick = () => {
      if (!this.#sampling) return;
      const now = performance.now();
      for (const shown of this.shown.values()) {
        for (const [sender, times] of this.sends) {
          const at = shown.get(sender) ?? Number.NEGATIVE_INFINITY;
          const next = times.find((t) => t > at);
          this.samples.push(next === undefined ? 0 : now - next);
        }
      }
      this.#timers.push(setTimeout(tick, -Math.log(1 - Math.random()) * 20));
    };
    tick();
  }

  stop(): number[] {
    this.#sampling = false;
    return [...this.samples].sort((a, b) => a - b);
  }

  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    for (const c of this.clients) c.close();
  }
}

interface RoundResult { base: number[]; file: number[]; transfer: FilesWorkerResult }

async function round(env: Record<string, string>, options: RoomFilesOptions, bytes: number): Promise<RoundResult> {
  const server = await startServer('roomcast', 15_000, env);
  const rig = new CursorRig();
  try {
    await rig.start(server.url, 'files-bench');
    const data: FilesWorkerData = { url: server.url, room: 'files-bench', bytes, receivers: 2, options };
    const worker = new Worker(new URL('./files-worker.js', import.meta.url), { workerData: data });
    const messages: unknown[] = [];
    let wake: (() => void) | undefined;
    worker.on('message', (m) => { messages.push(m); wake?.(); });
    worker.on('error', (err) => { throw err; });
    const nextMessage = async () => {
      while (messages.length === 0) await new Promise<void>((r) => { wake = r; });
      return messages.shift();
    };
    await nextMessage(); // ready
    await new Promise((r) => setTimeout(r, 500)); // let the joins settle
    rig.sample();
    await new Promise((r) => setTimeout(r, BASELINE_MS));
    const base = rig.stop();
    rig.sample();
    worker.postMessage('go');
    const transfer = (await nextMessage()) as FilesWorkerResult;
    const file = rig.stop();
    await worker.terminate();
    return { base, file, transfer };
  } finally {
    rig.close();
    await server.stop();
  }
}

const VARIANTS: { name: string; env: Record<string, string>; options: RoomFilesOptions; rounds?: number }[] = [
  { name: 'paced', env: { RELAY_MAX_BYTES_PER_SEC: String(64 * 1024 ** 2) }, options: {} },
  { name: 'unpaced', env: { RELAY_MAX_BYTES_PER_SEC: String(64 * 1024 ** 2) }, options: { roomBytesPerSec: Number.POSITIVE_INFINITY } },
  { name: 'defaults', env: {}, options: {}, rounds: 1 },
];

const args = parseArgs(process.argv.slice(2));
const bytes = args.mb * 1024 * 1024;
console.log(`# bench:files: ${args.mb} MiB file, ${CURSOR_SENDERS} cursor senders at ${CURSOR_HZ} Hz, ${WATCHERS} watchers, 2 file receivers, ${args.rounds} rounds\n`);
console.log('| variant | round | transfer s | MiB/s | staleness p50 base → file (ms) | p99 base → file (ms) | p99 ratio |');
console.log('|---|---|---|---|---|---|---|');
const summary: string[] = [];
for (const v of VARIANTS.filter((x) => args.only === undefined || args.only.includes(x.name))) {
  const ratios: number[] = [];
  const rates: number[] = [];
  const p50s: number[] = [];
  for (let r = 0; r < (v.rounds ?? args.rounds); r++) {
    const { base, file, transfer } = await round({ RELAY_MAX_MESSAGES_PER_SEC: '100000', RELAY_BURST_MESSAGES: '100000', ...v.env }, v.options, bytes);
    const ratio = percentile(file, 99) / percentile(base, 99);
    ratios.push(ratio);
    rates.push(transfer.mibPerSec);
    p50s.push(percentile(file, 50) / percentile(base, 50));
    const notes = `${transfer.ok ? '' : ' CORRUPT'}${transfer.failures.length > 0 ? ` (${transfer.failures.join('; ')})` : ''}`;
    console.log(`| ${v.name} | ${r + 1} | ${transfer.seconds.toFixed(1)}${notes} | ${transfer.mibPerSec.toFixed(2)} | ${percentile(base, 50).toFixed(1)} → ${percentile(file, 50).toFixed(1)} | ${percentile(base, 99).toFixed(1)} → ${percentile(file, 99).toFixed(1)} | ${ratio.toFixed(2)} |`);
  }
  summary.push(`| ${v.name} | ${median(rates).toFixed(2)} | ${median(p50s).toFixed(2)} | ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}, n=${ratios.length}) |`);
}
console.log('\n| variant | median MiB/s | median p50 ratio (file/base) | median p99 ratio (min-max) |');
console.log('|---|---|---|---|');
for (const line of summary) console.log(line);
