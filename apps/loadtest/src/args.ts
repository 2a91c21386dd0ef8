// Command-line options of the load tester: parsing, defaults, validation and the loopback guard.
import { CLASS_NAMES, type ClassName } from '@roomcast/protocol';
import { Command, InvalidArgumentError, Option } from 'commander';
import { isIP } from 'node:net';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { MIN_PAYLOAD_BYTES } from './payload.js';
import { METRICS, parseThreshold, ThresholdSyntaxError, type Threshold } from './threshold.js';

export const DEFAULT_URL = 'ws://127.0.0.1:8080/ws';
export const CLASSES = CLASS_NAMES;
export type { ClassName };
/** Wire dialects the load tester speaks: the Roomcast protocol, or Socket.IO (engine.io v4 over WebSocket). */
export const TARGETS = ['roomcast', 'socketio'] as const;
export type TargetKind = (typeof TARGETS)[number];

export interface Options {
  url: string;
  target: TargetKind;
  rooms: number;
  perRoom: number;
  /** Messages per second per client (0 = connect and stay idle); with `duty` < 1, while active. */
  hz: number;
  /**
   * Share of the time a client is active (sends at `hz`); the rest it rests, as a cursor does
   * between moves. Bursts last 1 s on average (exponential), rests (1 - duty) / duty s. 1 = always.
   */
  duty: number;
  /**
   * Source addresses of the connections: 127.0.0.1 .. 127.0.0.N in turn (loopback targets only).
   * Each (source, destination) pair has its own ~28,000 ephemeral ports; 1 = the system's choice.
   */
  sourceAddresses: number;
  cls: ClassName;
  /** Payload bytes per message (ignored with cursor). */
  payload: number;
  cursor: boolean;
  /**
   * Bandwidth-only cursors: the SDK's 3-byte cursor (encodeCursor: 12-bit x, 12-bit y) without a
   * timestamp (Socket.IO: JSON `{x, y}` without `t`). Deliveries count by arrival time; no latency
   * or staleness. Implies cursor.
   */
  cursor3: boolean;
  seconds: number;
  warmup: number;
  /** Connections opened per second. */
  ramp: number;
  /** Worker threads; 0 runs the clients on the main thread. */
  workers: number;
  probeRatio: number;
  seed: number;
  json?: string | undefined;
  html?: string | undefined;
  serverPid?: number | undefined;
  saturate: boolean;
  /** p99 budget for --saturate, in ms. */
  budgetMs: number;
  /** Rate multiplier between --saturate steps. */
  stepFactor: number;
  maxSteps: number;
  /** Connects + disconnects per second of extra short-lived clients. */
  churn: number;
  /** Share of receivers that read slowly. */
  slowRatio: number;
  /** Reading speed of slow receivers, as a share of normal (0..1]. */
  slowSpeed: number;
  /** Longest wait after a window for in-flight messages, in ms. */
  drainMs: number;
  allowRemote: boolean;
  /** Print no live progress (also off when stdout is not a TTY). */
  quiet: boolean;
  /** Pass/fail rules on the figures (--threshold, repeatable); one failing sets exit code 99. */
  thresholds: Threshold[];
}

export const DEFAULTS: Options = {
  url: DEFAULT_URL, target: 'roomcast', rooms: 10, perRoom: 10, hz: 30, duty: 1, sourceAddresses: 1, cls: 'reliable', payload: 16,
  cursor: false, cursor3: false, seconds: 10, warmup: 2, ramp: 1000, workers: 1, probeRatio: 0.1, seed: 1,
  saturate: false, budgetMs: 100, stepFactor: 1.5, maxSteps: 12, churn: 0, slowRatio: 0, slowSpeed: 0.1,
  drainMs: 2000, allowRemote: false, quiet: false, thresholds: [],
};

/** Upper bounds that keep every loop finite even with a typo on the command line. */
export const LIMITS = { clients: 100_000, hz: 10_000, seconds: 3600, payload: 1 << 20, workers: 16, steps: 50 } as const;

export class UsageError extends Error {}
/** --help was given: `text` is the whole help, for stdout. */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super('help requested');
  }
}

const int = (min: number, max: number) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
  return n;
};
const num = (min: number, max: number) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`must be a number from ${min} to ${max}`);
  return n;
};

export function buildCommand(): Command {
  const d = DEFAULTS;
  return new Command('roomcast-loadtest')
    .description('Simulates many Roomcast clients against a relay and reports latency, delivery, bandwidth and CPU.')
    .option('--url <url>', 'relay WebSocket URL, or tcp://host:port for the raw TCP transport; comma-separated URLs (relay nodes of one cluster) spread the clients round-robin over them', d.url)
    .addOption(new Option('--target <kind>', 'wire dialect: roomcast (relay, uWS and ws baselines) or socketio').choices(TARGETS).default(d.target))
    .option('--rooms <n>', 'rooms', int(1, LIMITS.clients), d.rooms)
    .option('--per-room <n>', 'clients per room', int(1, 65535), d.perRoom)
    .option('--hz <n>', 'messages per second per client (0 = idle)', num(0, LIMITS.hz), d.hz)
    .option('--duty <r>', 'share of the time each client sends (bursts of 1 s on average, then rests): average rate = hz x duty', num(0.01, 1), d.duty)
    .option('--source-addresses <n>', 'spread connections over source addresses 127.0.0.1..127.0.0.N (loopback targets; more ephemeral ports)', int(1, 254), d.sourceAddresses)
    .addOption(new Option('--class <cls>', 'delivery class').choices(CLASSES).default(d.cls))
    .option('--payload <bytes>', `payload bytes per message (at least ${MIN_PAYLOAD_BYTES})`, int(MIN_PAYLOAD_BYTES, LIMITS.payload), d.payload)
    .option('--cursor', 'send 8-byte cursor payloads (4-byte timestamp + two u16 coordinates) instead of --payload', false)
    .option('--cursor3', 'bandwidth only: 3-byte SDK cursors without a timestamp (no latency or staleness; deliveries counted by arrival)', false)
    .option('--seconds <s>', 'measured duration', num(0.1, LIMITS.seconds), d.seconds)
    .option('--warmup <s>', 'seconds of traffic before measuring', num(0, LIMITS.seconds), d.warmup)
    .option('--ramp <n>', 'connections opened per second', num(1, 1_000_000), d.ramp)
    .option('--workers <n>', 'worker threads (0 = main thread)', int(0, LIMITS.workers), d.workers)
    .option('--probe-ratio <r>', 'share of receivers that record latency', num(0, 1), d.probeRatio)
    .option('--seed <n>', 'random seed', int(0, 0x7fff_ffff), d.seed)
    .option('--json <file>', 'write every figure as JSON')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--server-pid <pid>', 'report CPU% and RSS of this process (from /proc)', int(1, 0x3fff_ffff))
    .option('--saturate', 'step the offered rate until delivery < 99% or p99 > --budget-ms', false)
    .option('--budget-ms <ms>', 'p99 budget for --saturate', num(0.1, 60_000), d.budgetMs)
    .option('--step-factor <f>', 'rate multiplier between --saturate steps', num(1.05, 10), d.stepFactor)
    .option('--max-steps <n>', 'most --saturate steps', int(1, LIMITS.steps), d.maxSteps)
    .option('--churn <n>', 'extra connects + disconnects per second', num(0, 10_000), d.churn)
    .option('--slow-ratio <r>', 'share of receivers that read slowly', num(0, 1), d.slowRatio)
    .option('--slow-speed <r>', 'reading speed of slow receivers (share of normal)', num(0.01, 1), d.slowSpeed)
    .option('--drain-ms <ms>', 'longest wait for in-flight messages after a window', int(0, 60_000), d.drainMs)
    .option('--allow-remote', 'allow a target that is not a loopback address', false)
    .option('--quiet', 'no live progress line', false)
    .option('--threshold <expr>', 'pass/fail rule, repeatable: METRIC OP NUMBER, e.g. p99<100 or ratio>=0.99 (exit code 99 if one fails)', collectThreshold)
    .addHelpText('after', `\n${THRESHOLD_HELP}\n\n${EXIT_CODES_HELP}\n`);
}

const THRESHOLD_HELP = `Thresholds (--threshold METRIC OP NUMBER; OP is <, <=, > or >=; quote it in the shell):
${Object.entries(METRICS).map(([name, m]) => `  ${name.padEnd(18)}${m.doc}${m.unit ? `, ${m.unit}` : ''}`).join('\n')}
  k6's p(99) spelling works too. A metric the run did not produce (e.g. no latency samples) fails.
  Example: --threshold 'p99<100' --threshold 'ratio>0.99'`;

function collectThreshold(value: string, previous: Threshold[] | undefined): Threshold[] {
  try {
    return [...(previous ?? []), parseThreshold(value)];
  } catch (err) {
    if (err instanceof ThresholdSyntaxError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

/** Drops a leading `--` (pnpm passes it through literally: `pnpm loadtest -- --rooms 5`). */
export function stripLeadingDashDash(args: readonly string[]): string[] {
  return args[0] === '--' ? args.slice(1) : [...args];
}

/** True for localhost, 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** The URLs of `--url`: one, or several comma-separated (the nodes of a cluster). */
export function targetUrls(url: string): string[] {
  return url.split(',').map((u) => u.trim()).filter((u) => u !== '');
}

/** Throws UsageError unless every URL of `url` is ws(s) or tcp://host:port on a loopback host (or remote targets are allowed). */
export function checkTarget(url: string, allowRemote: boolean): void {
  const urls = targetUrls(url);
  if (urls.length > 1 || url.includes(',')) {
    if (urls.length === 0) throw new UsageError('--url has no URL');
    for (const u of urls) checkTarget(u, allowRemote);
    return;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url ${url} is not a valid URL`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:' && parsed.protocol !== 'tcp:') {
    throw new UsageError(`--url must be ws://, wss:// or tcp://host:port (raw TCP), got ${parsed.protocol}`);
  }
  if (parsed.protocol === 'tcp:' && parsed.port === '') throw new UsageError(`--url ${url}: a tcp:// URL needs a port (the relay's TCP_PORT, default 8081)`);
  if (!allowRemote && !isLoopbackHost(parsed.hostname)) {
    throw new UsageError(
      `refusing to load-test ${parsed.hostname}: it is not a loopback address (localhost, 127.x.x.x, ::1). `
      + 'Pass --allow-remote if you own that host and mean to load it.',
    );
  }
}

/** Parses argv (without node and script) into Options; throws UsageError with a readable message. */
export function parseArgs(argv: readonly string[]): Options {
  let out = '';
  const cmd = buildCommand().exitOverride().configureOutput({ writeErr: () => {}, writeOut: (s) => { out += s; } });
  try {
    cmd.parse(stripLeadingDashDash(argv), { from: 'user' });
  } catch (err) {
    const e = err as { code?: string; message: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') throw new HelpRequested(out);
    throw new UsageError(e.message.replace(/^error: /, ''));
  }
  const o = cmd.opts<Record<string, unknown>>();
  const options: Options = {
    url: o.url as string, target: o.target as TargetKind, rooms: o.rooms as number, perRoom: o.perRoom as number,
    hz: o.hz as number, duty: o.duty as number, sourceAddresses: o.sourceAddresses as number, cls: o.class as ClassName, payload: o.payload as number, cursor: o.cursor === true || o.cursor3 === true, cursor3: o.cursor3 === true,
    seconds: o.seconds as number, warmup: o.warmup as number, ramp: o.ramp as number, workers: o.workers as number,
    probeRatio: o.probeRatio as number, seed: o.seed as number, json: o.json as string | undefined,
    html: o.html as string | undefined, serverPid: o.serverPid as number | undefined, saturate: o.saturate === true,
    budgetMs: o.budgetMs as number, stepFactor: o.stepFactor as number, maxSteps: o.maxSteps as number,
    churn: o.churn as number, slowRatio: o.slowRatio as number, slowSpeed: o.slowSpeed as number,
    drainMs: o.drainMs as number, allowRemote: o.allowRemote === true, quiet: o.quiet === true,
    thresholds: (o.threshold as Threshold[] | undefined) ?? [],
  };
  validate(options);
  return options;
}

/** Cross-field checks; also used for options built in code (the bench). */
export function validate(o: Options): void {
  checkTarget(o.url, o.allowRemote);
  const clients = o.rooms * o.perRoom;
  if (clients > LIMITS.clients) throw new UsageError(`--rooms x --per-room = ${clients} clients; at most ${LIMITS.clients}`);
  if (o.target === 'socketio' && o.cls !== 'reliable') throw new UsageError('--target socketio supports only --class reliable');
  if (o.target === 'socketio' && targetUrls(o.url).some((u) => u.startsWith('tcp:'))) throw new UsageError('--target socketio needs a ws:// URL (Socket.IO has no raw TCP transport)');
  if (o.saturate && o.hz === 0) throw new UsageError('--saturate needs --hz above 0 (the first step)');
  if (o.sourceAddresses > 1 && !targetUrls(o.url).every((u) => /^127\./.test(new URL(u).hostname))) {
    throw new UsageError('--source-addresses needs 127.x.x.x targets (the sources are 127.0.0.1..N)');
  }
  for (const t of o.thresholds) {
    // Thresholds on figures this run cannot produce would fail every time: refuse them up front.
    if (t.metric.startsWith('staleness_') && (o.cls !== 'latest' || o.cursor3)) {
      throw new UsageError(`--threshold ${t.expr}: staleness is measured only with --class latest (without --cursor3)`);
    }
    if (/^(p\d+|max)$/.test(t.metric) && o.cursor3) throw new UsageError(`--threshold ${t.expr}: --cursor3 measures no latency`);
  }
}
