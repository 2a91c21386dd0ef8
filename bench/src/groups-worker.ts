// Worker thread of the interest-groups benchmark: a share of the 1,000 bots, each a raw protocol
// client on `ws` (hello, join, interest), moving its cursor inside its cell at `hz` on average and
// counting what it receives. Raw frames rather than the SDK keep the load generator cheap: it
// counts bytes on every bot and decodes batches only on a sample of them.
import { parentPort, workerData } from 'node:worker_threads';
import { DeliveryClass, PROTOCOL_VERSION, decodeServerFrame, encodeControl, encodeData, type ServerMessage } from '@roomcast/protocol';
import WebSocket from 'ws';
import { CANVAS, prng, wsFrameBytes, type Bot } from './groups-grid.js';

export interface GroupsWorkerData {
  url: string;
  room: string;
  bots: Bot[];
  /** Subscribe to the viewport and send to the own cell (true), or use the room as a whole. */
  groups: boolean;
  grid: number;
  /** Cursor moves per second per bot (average). */
  hz: number;
  /** Every `sampleEvery`-th bot decodes its batches to count entries. */
  sampleEvery: number;
  seed: number;
}

/** Counters of one window. */
export interface GroupsWorkerCounts {
  bots: number;
  /** Downstream wire bytes (WebSocket framing included) over all bots. */
  bytes: number;
  frames: number;
  /** Entries of other members' values received by the sampled bots. */
  sampledEntries: number;
  sampledBots: number;
  /** Cursor frames sent. */
  sent: number;
  /** Control errors the relay sent (should stay 0). */
  errors: number;
  /** Per-bot downstream bytes (for the spread). */
  perBot: number[];
}

const data = workerData as GroupsWorkerData;
const port = parentPort!;
const random = prng(data.seed);
const cellSize = CANVAS / data.grid;

interface Live { bot: Bot; ws: WebSocket; handle: number; self: number; x: number; y: number; nextAt: number; bytes: number; sampled: boolean }
const live: Live[] = [];
const counts = { frames: 0, sampledEntries: 0, sent: 0, errors: 0 };

function open(bot: Bot): Promise<Live> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(data.url, { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    const me: Live = { bot, ws, handle: 0, self: 0, x: bot.x, y: bot.y, nextAt: 0, bytes: 0, sampled: bot.index % data.sampleEvery === 0 };
    const control = (msg: ServerMessage) => {
      if (msg.type === 'welcome') ws.send(encodeControl({ type: 'join', id: 2, room: data.room }));
      else if (msg.type === 'joined') {
        me.handle = msg.handle;
        me.self = msg.self;
        if (data.groups) ws.send(encodeControl({ type: 'interest', id: 3, room: msg.handle, groups: bot.view }));
        else resolve(me);
      } else if (msg.type === 'ok' && msg.id === 3) resolve(me);
      else if (msg.type === 'error') {
        counts.errors++;
        if (me.handle === 0) reject(new Error(`bot ${bot.index}: ${msg.code} ${msg.message}`));
      }
    };
    ws.on('message', (buf: Buffer) => {
      me.bytes += wsFrameBytes(buf.length);
      counts.frames++;
      const kind = buf[0];
      // Control frames always decode (joins, errors); batches only on sampled bots.
      if (kind !== 0x01 && !me.sampled) return;
      const decoded = decodeServerFrame(new Uint8Array(buf.buffer, buf.byteOffset, buf.length));
      if (!decoded.ok) return;
      const f = decoded.frame;
      if (f.kind === 'control') control(f.message);
      else if (f.kind === 'batch') for (const e of f.entries) if (e.sender !== me.self) counts.sampledEntries++;
    });
    ws.on('open', () => ws.send(encodeControl({ type: 'hello', id: 1, v: PROTOCOL_VERSION, client: 'bench-groups' })));
    ws.on('error', reject);
  });
}

/** A small step inside the bot's own cell (it stays in its group for the whole run). */
function move(me: Live): Uint8Array {
  const col = Math.floor(me.bot.x / cellSize);
  const row = Math.floor(me.bot.y / cellSize);
  const clamp = (v: number, lo: number) => Math.min(lo + cellSize - 1, Math.max(lo, v));
  me.x = clamp(Math.round(me.x + (random() - 0.5) * 600), col * cellSize);
  me.y = clamp(Math.round(me.y + (random() - 0.5) * 600), row * cellSize);
  return Uint8Array.of(me.x >>> 8, me.x & 0xff, me.y >>> 8, me.y & 0xff);
}

// Open in small concurrent batches (the relay's accept loop and this thread both stay responsive).
for (let i = 0; i < data.bots.length; i += 25) {
  live.push(...(await Promise.all(data.bots.slice(i, i + 25).map(open))));
}
port.postMessage({ ready: true });

let timer: ReturnType<typeof setInterval> | undefined;
const intervalMs = 1000 / data.hz;
port.on('message', (cmd: 'go' | 'start' | 'stop' | 'close') => {
  if (cmd === 'go') {
    const now = performance.now();
    for (const me of live) me.nextAt = now + random() * intervalMs;
    // One timer for all bots of this thread: each sends when its turn has come.
    timer = setInterval(() => {
      const t = performance.now();
      for (const me of live) {
        if (me.nextAt > t) continue;
        me.nextAt += intervalMs;
        me.ws.send(encodeData({ room: me.handle, cls: DeliveryClass.Latest, key: 0, group: data.groups ? me.bot.cell : undefined }, move(me)));
        counts.sent++;
      }
    }, 5);
  } else if (cmd === 'start') {
    for (const me of live) me.bytes = 0;
    counts.frames = 0;
    counts.sampledEntries = 0;
    counts.sent = 0;
  } else if (cmd === 'stop') {
    const result: GroupsWorkerCounts = {
      bots: live.length, bytes: live.reduce((s, me) => s + me.bytes, 0), frames: counts.frames,
      sampledEntries: counts.sampledEntries, sampledBots: live.filter((me) => me.sampled).length, sent: counts.sent,
      errors: counts.errors, perBot: live.map((me) => me.bytes),
    };
    port.postMessage(result);
  } else if (cmd === 'close') {
    if (timer !== undefined) clearInterval(timer);
    for (const me of live) me.ws.terminate();
    port.close();
  }
});
