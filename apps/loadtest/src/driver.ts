// Drives one slice of the simulated clients (whole rooms, so expected deliveries are counted
// locally): opens connections at the ramp rate, sends on a shared 5 ms scheduler, counts
// deliveries by measurement window and records probe latencies. Runs inside a worker thread
// (worker.ts) or on the main thread (--workers 0 and tests).
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { createClient, type ClientSink, type SimClient } from './adapters.js';
import { targetUrls, type Options } from './args.js';
import { FIRST_WAVE } from './abort.js';
import { LatencyHistogram } from './histogram.js';
import { ageUs, inWindow, nowUs32 } from './payload.js';
import { rng } from './rng.js';
import { SendHistory, isAfter, nextSampleDelayMs } from './staleness.js';
import { TimingWheel } from './wheel.js';

export interface DriverConfig {
  options: Options;
  /** Global indices of the rooms this driver owns. */
  rooms: number[];
  driverIndex: number;
  drivers: number;
}

export interface ConnectResult {
  connected: number;
  failed: number;
  /** Connections attempted (fewer than the slice when the first wave failed). */
  attempted: number;
  /** Failed attempts by code (connect_refused, http_404, join_timeout, closed_4406, relay error codes). */
  failures: Record<string, number>;
  /** The first transport error message, if any (e.g. "getaddrinfo ENOTFOUND …"). */
  detail: string | undefined;
}

export interface Progress {
  connected: number;
  failed: number;
  sentTotal: number;
  deliveredTotal: number;
  /** Probe latency p99 since the previous progress call, ms. */
  recentP99Ms: number | null;
  elu: number;
}

export interface TimelineSlot {
  sent: number;
  delivered: number;
  /** Encoded probe latency histogram of messages sent in this second. */
  hist: string;
}

export interface WindowResult {
  sent: number;
  expected: number;
  delivered: number;
  slowExpected: number;
  slowDelivered: number;
  wireBytesRx: number;
  payloadBytesRx: number;
  /** Frames carrying data (deliver or batch) received by counted, normal clients in the window (by arrival). */
  dataFramesRx: number;
  /** Counted, normal (not slow) clients connected at the end of the window. */
  receivers: number;
  latency: string;
  /** Latency of deliveries whose sender is connected to another `--url` than the receiver (several URLs only). */
  crossLatency: string | null;
  staleness: string | null;
  valueAge: string | null;
  timeline: TimelineSlot[];
  elu: number;
  lagSkipped: number;
  maxClientBufferedBytes: number;
}

export interface FinalResult {
  errors: Record<string, number>;
  churnConnects: number;
  churnFailures: number;
  closedDuringRun: number;
}

const TICK_MS = 5;
/** Slots of the send wheel (x TICK_MS: a 10 s horizon; longer rests are visited once early). */
const WHEEL_SLOTS = 2048;
/** Most messages one client sends in one scheduler tick when catching up. */
const MAX_SENDS_PER_TICK = 4;
/** Mean of the random (exponential) intervals between staleness samples. */
const STALENESS_SAMPLE_MS = 100;
const CHURN_LIFETIME_MS = 1000;
/** --duty: mean length of a burst of sends (exponential); rests last (1 - duty) / duty as long. */
const BURST_MS = 1000;
const CONNECT_TIMEOUT_MS = 15_000;

interface Sender {
  client: SimClient;
  room: number;
  next: number;
  seq: number;
  x: number;
  y: number;
  /** Send times of this sender's recent values (latest class: staleness). */
  history: SendHistory | undefined;
  /** --duty: sending (a burst) or resting, until `switchAt`. */
  active: boolean;
  switchAt: number;
}

interface RoomState {
  name: string;
  normal: number;
  slow: number;
}

export function roomName(seed: number, room: number): string {
  return `lt-${seed}-${room}`;
}

/** Splits rooms 0..rooms-1 over `n` drivers round-robin. */
export function splitRooms(rooms: number, n: number): number[][] {
  const out: number[][] = Array.from({ length: n }, () => []);
  for (let r = 0; r < rooms; r++) out[r % n]!.push(r);
  return out;
}

export class Driver implements ClientSink {
  private readonly o: Options;
  private readonly random: () => number;
  private readonly senders: Sender[] = [];
  /** Senders by the time they next need the scheduler: their next send, or the end of their burst or rest. */
  private wheel = new TimingWheel<Sender>(TICK_MS, WHEEL_SLOTS, performance.now());
  private readonly rooms = new Map<number, RoomState>();
  private readonly churnClients = new Set<SimClient>();
  private readonly errors: Record<string, number> = {};
  private readonly timers: NodeJS.Timeout[] = [];
  private hz = 0;
  /** `--url` may name several relay nodes: clients go to them in turn. */
  private readonly urls: string[];
  private nextUrl = 0;
  /** Connections opened so far: picks each one's source address (--source-addresses). */
  private opened = 0;
  /** With several URLs: each client's room and the index of its URL (node), and per room each member id's node. */
  private readonly placeOf = new Map<SimClient, { room: number; node: number }>();
  private readonly memberNode = new Map<number, Map<number, number>>();
  private stopped = false;
  private connected = 0;
  private failed = 0;
  private closedDuringRun = 0;
  private churnConnects = 0;
  private churnFailures = 0;
  private sentTotal = 0;
  private deliveredTotal = 0;
  private readonly recent = new LatencyHistogram();
  private eluMark: EventLoopUtilization = performance.eventLoopUtilization();
  // Window state.
  private winStart = -1;
  private winEnd = -1;
  private winOpen = false;
  private w = emptyWindow();
  private latency = new LatencyHistogram();
  private crossLatency = new LatencyHistogram();
  private staleness = new LatencyHistogram();
  private valueAge = new LatencyHistogram();
  private readonly sampleRandom: () => number;
  private readonly roomSenders = new Map<number, Sender[]>();
  private timeline: { sent: number; delivered: number; hist: LatencyHistogram }[] = [];
  private winElu: EventLoopUtilization | undefined;
  private readonly lastBySender = new Map<SimClient, Map<number, number>>();

  constructor(private readonly config: DriverConfig) {
    this.o = config.options;
    this.urls = targetUrls(this.o.url);
    // Each driver (worker) starts at another node, so the split stays even with several workers.
    this.nextUrl = config.driverIndex;
    this.random = rng(this.o.seed * 7919 + config.driverIndex + 1);
    this.sampleRandom = rng(this.o.seed * 104_729 + config.driverIndex + 17);
  }

  /**
   * Opens every client of this slice at the ramp rate; resolves when each joined or failed. If the
   * first FIRST_WAVE attempts (or all, if fewer) fail and none joins, it stops opening more: the
   * run then aborts at once instead of loading nothing for the whole window.
   */
  async connect(): Promise<ConnectResult> {
    const o = this.o;
    const opening: Promise<void>[] = [];
    const queue: { room: number; client: SimClient }[] = [];
    for (const room of this.config.rooms) {
      this.rooms.set(room, { name: roomName(o.seed, room), normal: 0, slow: 0 });
      for (let m = 0; m < o.perRoom; m++) {
        const client = createClient(o.target, room * o.perRoom + m, this.clientOptions(room), this);
        if (this.urls.length > 1) this.placeOf.set(client, { room, node: (this.nextUrl - 1) % this.urls.length });
        client.slow = this.random() < o.slowRatio;
        client.probe = !client.slow && this.random() < o.probeRatio;
        queue.push({ room, client });
      }
    }
    const perSec = o.ramp / this.config.drivers;
    const start = performance.now();
    let i = 0;
    const wave = Math.min(queue.length, FIRST_WAVE);
    const failures: Record<string, number> = {};
    let detail: string | undefined;
    let gaveUp = false;
    let wake: (() => void) | undefined;
    while (i < queue.length && !this.stopped && !gaveUp) {
      const due = Math.min(queue.length, Math.floor(((performance.now() - start) / 1000) * perSec) + 1);
      for (; i < due; i++) {
        const { room, client } = queue[i]!;
        opening.push(client.open().then(
          () => this.onJoined(room, client),
          (err: Error & { detail?: string }) => {
            this.failed++;
            this.count(err.message);
            failures[err.message] = (failures[err.message] ?? 0) + 1;
            detail ??= err.detail;
            if (this.connected === 0 && this.failed >= wave) {
              gaveUp = true;
              wake?.();
            }
          },
        ));
      }
      // Sleep until the next ramp slot, or until the first wave has failed.
      if (i < queue.length && !gaveUp) await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 10); });
    }
    await Promise.all(opening);
    return { connected: this.connected, failed: this.failed, attempted: i, failures, detail };
  }

  private clientOptions(room: number) {
    const o = this.o;
    const url = this.urls[this.nextUrl++ % this.urls.length]!;
    // Drivers start at different addresses so several workers spread evenly too.
    const source = o.sourceAddresses > 1 ? `127.0.0.${1 + ((this.config.driverIndex + this.opened++) % o.sourceAddresses)}` : undefined;
    return { url, room: roomName(o.seed, room), cls: o.cls, cursor: o.cursor, cursor3: o.cursor3, payloadBytes: o.payload, timeoutMs: CONNECT_TIMEOUT_MS, localAddress: source };
  }

  private onJoined(room: number, client: SimClient): void {
    if (this.stopped) return client.close();
    this.connected++;
    const state = this.rooms.get(room)!;
    if (client.slow) state.slow++;
    else state.normal++;
    const place = this.placeOf.get(client);
    if (place !== undefined) {
      const members = this.memberNode.get(room) ?? new Map<number, number>();
      this.memberNode.set(room, members);
      members.set(client.self, place.node);
    }
    const sender: Sender = { client, room, next: 0, seq: 0, x: this.random(), y: this.random(),
      history: this.tracksStaleness() ? new SendHistory() : undefined, active: true, switchAt: Number.POSITIVE_INFINITY };
    this.senders.push(sender);
    let list = this.roomSenders.get(room);
    if (!list) this.roomSenders.set(room, (list = []));
    list.push(sender);
  }

  /** Starts the scheduler, churn and slow readers; call once after connect(). */
  start(): void {
    this.timers.push(setInterval(() => this.tick(), TICK_MS));
    if (this.tracksStaleness()) this.scheduleStalenessSample();
    if (this.o.churn > 0) this.timers.push(setInterval(() => this.churnTick(), 50));
    if (this.senders.some((s) => s.client.slow)) {
      const readMs = Math.max(1, Math.round(100 * this.o.slowSpeed));
      for (const s of this.senders) if (s.client.slow) s.client.pause();
      this.timers.push(setInterval(() => {
        const slow = this.senders.filter((s) => s.client.slow);
        for (const s of slow) s.client.resume();
        setTimeout(() => { for (const s of slow) s.client.pause(); }, readMs);
      }, 100));
    }
  }

  /** Sets the per-client send rate; phases are spread at random over one period. */
  setHz(hz: number): void {
    this.hz = hz;
    const now = performance.now();
    const period = hz > 0 ? 1000 / hz : 0;
    this.wheel.clear(now);
    for (const s of this.senders) {
      s.next = now + this.random() * period;
      if (this.o.duty < 1) {
        s.active = this.random() < this.o.duty;
        s.switchAt = now + this.burstMs(s.active);
      }
      this.wheel.add(s, dueAt(s));
    }
  }

  /** A random burst (active) or rest length, ms. */
  private burstMs(active: boolean): number {
    const duty = this.o.duty;
    return -Math.log(1 - this.random()) * (active ? BURST_MS : (BURST_MS * (1 - duty)) / duty);
  }

  /** --duty: a sender's burst or rest ended; a new burst starts at a random phase (no catch-up). */
  private toggle(s: Sender, now: number, period: number): void {
    for (let i = 0; i < 4 && now >= s.switchAt; i++) {
      s.active = !s.active;
      s.switchAt += this.burstMs(s.active);
    }
    if (s.switchAt <= now) s.switchAt = now + this.burstMs(s.active);
    if (s.active) s.next = now + this.random() * period;
  }

  private tick(): void {
    if (this.hz <= 0 || this.stopped) return;
    const now = performance.now();
    this.wheel.drain(now, (s) => this.visit(s, now));
  }

  /** A sender the wheel says is due: switch burst/rest, send what is due, and put it back for its next due time. */
  private visit(s: Sender, now: number): void {
    // A closed client never rejoins: it leaves the wheel.
    if (!s.client.joined) return;
    const period = 1000 / this.hz;
    if (now >= s.switchAt) this.toggle(s, now, period);
    if (!s.active) return this.wheel.add(s, s.switchAt);
    if (now - s.next > 1000) {
      // More than a second behind: the load generator cannot keep up; skip rather than burst.
      const skipped = Math.floor((now - s.next) / period);
      this.w.lagSkipped += skipped;
      s.next += skipped * period;
    }
    const cursor = this.o.cursor || this.o.cursor3;
    for (let k = 0; k < MAX_SENDS_PER_TICK && now >= s.next; k++) {
      s.next += period;
      let pos: { x: number; y: number } | undefined;
      if (cursor) {
        s.x = clamp01(s.x + (this.random() - 0.5) * 0.02);
        s.y = clamp01(s.y + (this.random() - 0.5) * 0.02);
        pos = { x: s.x, y: s.y };
      }
      const ts = nowUs32();
      s.client.send(ts, s.seq++, pos);
      s.history?.push(ts);
      this.onSent(s, ts);
    }
    this.wheel.add(s, dueAt(s));
  }

  private onSent(s: Sender, ts: number): void {
    this.sentTotal++;
    if (!this.winOpen) return;
    const state = this.rooms.get(s.room)!;
    const w = this.w;
    w.sent++;
    w.expected += state.normal - (s.client.slow ? 0 : 1);
    w.slowExpected += state.slow - (s.client.slow ? 1 : 0);
    this.slot(ts).sent++;
  }

  private slot(ts: number) {
    const i = Math.min(3600, Math.floor(ageUs(this.winStart, ts) / 1_000_000));
    while (this.timeline.length <= i) this.timeline.push({ sent: 0, delivered: 0, hist: new LatencyHistogram() });
    return this.timeline[i]!;
  }

  // ---- ClientSink --------------------------------------------------------------------------

  onDeliver(client: SimClient, ts: number, wireBytes: number, payloadBytes: number, sender: number): void {
    if (!client.counted) return;
    this.deliveredTotal++;
    if (ts < 0) {
      // --cursor3: no timestamp, so the delivery counts by arrival time.
      if (!this.winOpen) return;
      if (client.slow) {
        this.w.slowDelivered++;
        return;
      }
      this.w.delivered++;
      this.w.wireBytesRx += wireBytes;
      this.w.payloadBytesRx += payloadBytes;
      return;
    }
    // Only probes read the clock (hrtime as a BigInt: too dear for every received entry).
    const now = client.probe ? nowUs32() : 0;
    if (client.probe) {
      const age = ageUs(ts, now);
      this.recent.recordUs(age);
      if (this.o.cls === 'latest') {
        let last = this.lastBySender.get(client);
        if (!last) this.lastBySender.set(client, (last = new Map()));
        const prev = last.get(sender);
        if (prev === undefined || isAfter(ts, prev)) last.set(sender, ts);
      }
    }
    if (this.winStart < 0 || !inWindow(ts, this.winStart, this.winOpen ? (this.winStart + 0x7fff_ffff) >>> 0 : this.winEnd)) return;
    if (client.slow) {
      this.w.slowDelivered++;
      return;
    }
    const w = this.w;
    w.delivered++;
    w.wireBytesRx += wireBytes;
    w.payloadBytesRx += payloadBytes;
    const slot = this.slot(ts);
    slot.delivered++;
    if (client.probe) {
      const age = ageUs(ts, now);
      this.latency.recordUs(age);
      slot.hist.recordUs(age);
      const place = this.placeOf.get(client);
      const from = place === undefined ? undefined : this.memberNode.get(place.room)?.get(sender);
      if (from !== undefined && from !== place!.node) this.crossLatency.recordUs(age);
    }
  }

  onDataFrame(client: SimClient): void {
    if (this.winOpen && client.counted && !client.slow) this.w.dataFramesRx++;
  }

  onOther(client: SimClient, wireBytes: number): void {
    if (this.winOpen && client.counted && !client.slow) this.w.wireBytesRx += wireBytes;
  }

  onError(_client: SimClient, code: string): void {
    this.count(code);
  }

  onClose(client: SimClient, code: number): void {
    if (!client.counted) return;
    this.closedDuringRun++;
    this.count(`closed_${code}`);
    const s = this.senders.find((x) => x.client === client);
    if (!s) return;
    const state = this.rooms.get(s.room)!;
    if (client.slow) state.slow--;
    else state.normal--;
  }

  private count(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  // ---- latest-class staleness and churn ----------------------------------------------------

  /** Staleness needs `latest` and timestamped payloads (not --cursor3). */
  private tracksStaleness(): boolean {
    return this.o.cls === 'latest' && !this.o.cursor3;
  }

  private stalenessTimer: NodeJS.Timeout | undefined;

  /** Samples at random (exponential) intervals so that samples do not lock onto the tick phase. */
  private scheduleStalenessSample(): void {
    if (this.stopped) return;
    this.stalenessTimer = setTimeout(() => {
      this.sampleStaleness();
      this.scheduleStalenessSample();
    }, nextSampleDelayMs(this.sampleRandom, STALENESS_SAMPLE_MS));
  }

  /**
   * For every probe receiver and every other member of its room that has sent: the staleness of the
   * receiver's view of that sender (staleness.ts) and the age of the newest value it shows.
   */
  private sampleStaleness(): void {
    if (!this.winOpen) return;
    const now = nowUs32();
    for (const list of this.roomSenders.values()) {
      for (const r of list) {
        const rc = r.client;
        if (!rc.probe || !rc.joined || !rc.counted || rc.slow) continue;
        const last = this.lastBySender.get(rc);
        for (const s of list) {
          // A resting sender (--duty) is left out: its view is current once its last value arrived,
          // and counting those zeros would flatter the percentiles.
          if (s === r || !s.active || !s.client.joined || !s.history || s.history.size === 0) continue;
          const shown = last?.get(s.client.self);
          this.staleness.recordUs(s.history.viewLagUs(shown, now));
          if (shown !== undefined) this.valueAge.recordUs(ageUs(shown, now));
        }
      }
    }
  }

  private churnAcc = 0;
  private churnTick(): void {
    if (this.stopped) return;
    this.churnAcc += (this.o.churn / this.config.drivers) * 0.05;
    const cap = Math.max(10, this.o.churn * 5);
    const rooms = this.config.rooms;
    while (this.churnAcc >= 1) {
      this.churnAcc -= 1;
      if (this.churnClients.size >= cap || rooms.length === 0) continue;
      const room = rooms[Math.floor(this.random() * rooms.length)]!;
      const client = createClient(this.o.target, -1, this.clientOptions(room), this);
      client.counted = false;
      this.churnClients.add(client);
      client.open().then(() => {
        this.churnConnects++;
        setTimeout(() => { client.close(); this.churnClients.delete(client); }, CHURN_LIFETIME_MS);
      }, (err: Error) => {
        this.churnFailures++;
        this.count(`churn_${err.message}`);
        this.churnClients.delete(client);
      });
    }
  }

  // ---- windows ------------------------------------------------------------------------------

  beginWindow(): void {
    this.w = emptyWindow();
    this.latency = new LatencyHistogram();
    this.crossLatency = new LatencyHistogram();
    this.staleness = new LatencyHistogram();
    this.valueAge = new LatencyHistogram();
    this.timeline = [];
    this.winStart = nowUs32();
    this.winEnd = -1;
    this.winOpen = true;
    this.winElu = performance.eventLoopUtilization();
  }

  private receiversAtEnd = 0;

  endWindow(): { elu: number } {
    this.winEnd = nowUs32();
    this.winOpen = false;
    this.receiversAtEnd = 0;
    for (const r of this.rooms.values()) this.receiversAtEnd += r.normal;
    const elu = this.winElu ? performance.eventLoopUtilization(this.winElu).utilization : 0;
    this.w.elu = elu;
    return { elu };
  }

  counts(): { expected: number; delivered: number } {
    return { expected: this.w.expected, delivered: this.w.delivered };
  }

  collect(): WindowResult {
    let maxBuffered = 0;
    for (const s of this.senders) maxBuffered = Math.max(maxBuffered, s.client.bufferedAmount());
    return {
      ...this.w,
      receivers: this.receiversAtEnd,
      maxClientBufferedBytes: maxBuffered,
      latency: this.latency.encode(),
      crossLatency: this.urls.length > 1 ? this.crossLatency.encode() : null,
      staleness: this.tracksStaleness() ? this.staleness.encode() : null,
      valueAge: this.tracksStaleness() ? this.valueAge.encode() : null,
      timeline: this.timeline.map((t) => ({ sent: t.sent, delivered: t.delivered, hist: t.hist.encode() })),
    };
  }

  progress(): Progress {
    const p = this.recent.percentilesMs();
    this.recent.reset();
    const elu = performance.eventLoopUtilization(this.eluMark).utilization;
    this.eluMark = performance.eventLoopUtilization();
    return {
      connected: this.connected - this.closedDuringRun, failed: this.failed, sentTotal: this.sentTotal,
      deliveredTotal: this.deliveredTotal, recentP99Ms: p ? p.p99 : null, elu,
    };
  }

  /** Clients joined and still connected (the run stops early when no driver has any left). */
  alive(): number {
    return this.connected - this.closedDuringRun;
  }

  /** Stops every timer and closes every client; returns whole-run counters. */
  async stop(): Promise<FinalResult> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.stalenessTimer) clearTimeout(this.stalenessTimer);
    for (const s of this.senders) s.client.close();
    for (const c of this.churnClients) c.close();
    await sleep(50);
    return { errors: { ...this.errors }, churnConnects: this.churnConnects, churnFailures: this.churnFailures, closedDuringRun: this.closedDuringRun };
  }
}

function emptyWindow(): Omit<WindowResult, 'latency' | 'crossLatency' | 'staleness' | 'valueAge' | 'timeline' | 'maxClientBufferedBytes' | 'receivers'> {
  return { sent: 0, expected: 0, delivered: 0, slowExpected: 0, slowDelivered: 0, wireBytesRx: 0, payloadBytesRx: 0, dataFramesRx: 0, elu: 0, lagSkipped: 0 };
}

/** When a sender next needs the scheduler: its next send if in a burst, and the end of its burst or rest. */
function dueAt(s: Sender): number {
  return s.active ? Math.min(s.next, s.switchAt) : s.switchAt;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
