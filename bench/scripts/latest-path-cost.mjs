// Issue 16 §2, the relay's own work per input frame, without sockets: the built room core of the
// relay at DIST (default: this checkout's apps/relay/dist) with null peers and a null fan-out (so
// neither uWS nor the kernel is in the figure), 100 rooms x 10 members, every member sending one
// 16-byte frame per 30 Hz tick for SECONDS of real time (Node's real timers flush the rooms).
// Prints process CPU-µs per input frame for `latest` (key 0) and for `reliable` pass-through
// through the same core, and for the JavaScript part of the bare uWS baseline (bench/src/servers/
// wire.ts handleMessage: header read + deliver frame), interleaved over ROUNDS rounds. CPU time,
// not wall time, so other processes on the machine matter less (caches and frequency still do).
//   node bench/scripts/latest-path-cost.mjs [DIST] [SECONDS=3] [ROUNDS=5]
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const dist = resolve(process.argv[2] ?? `${repo}apps/relay/dist`);
const seconds = Math.min(30, Number(process.argv[3] ?? 3));
const rounds = Math.min(20, Number(process.argv[4] ?? 5));
const ROOMS = 100;
const PER_ROOM = 10;
const TICK_MS = 1000 / 30;

const { Relay } = await import(`${dist}/core/relay.js`);
const { Fanout } = await import(`${dist}/core/fanout.js`);
const { Stats } = await import(`${dist}/core/stats.js`);
const { authenticator } = await import(`${dist}/access.js`);
const { originPolicy } = await import(`${dist}/auth/index.js`);
const { parseConfig } = await import(`${dist}/config.js`);
const { systemClock } = await import(`${dist}/core/clock.js`);
const { DeliveryClass, encodeControl, encodeData, decodeServerFrame } = await import('@roomcast/protocol');
const { handleMessage, RoomTable } = await import(`${repo}bench/dist/servers/wire.js`);
const pino = createRequire(`${dist}/main.js`)('pino');

const OPEN = {
  verifier: undefined, allowAnonymous: true, origins: originPolicy(['*']), clockToleranceSec: 5,
  summary: { keySource: 'none', algorithms: [], allowAnonymous: true, allowedOrigins: ['*'] }, warnings: [],
  warmUp: () => Promise.resolve(undefined),
};

/** A transport fan-out that only counts: the relay's JavaScript work is what is measured. */
const nullFanout = { transport: 'null', publishes: 0, subscribe() {}, unsubscribe() {}, publish() { this.publishes++; } };

function relayWith() {
  const limits = { ...parseConfig({ RELAY_MAX_MESSAGES_PER_SEC: '1000000', RELAY_BURST_MESSAGES: '10000000', RELAY_TICK_HZ: '30' }), maxConnections: 100_000 };
  const relay = new Relay(limits, new Fanout([nullFanout]), new Stats(), pino({ level: 'silent' }), authenticator(OPEN, systemClock), systemClock);
  const members = [];
  for (let r = 0; r < ROOMS; r++) {
    for (let m = 0; m < PER_ROOM; m++) {
      let handle = 0;
      const peer = {
        transport: 'null', remoteAddress: '127.0.0.1', bufferedAmount: () => 0, close() {},
        send(frame) {
          const d = decodeServerFrame(frame);
          if (d.ok && d.frame.kind === 'control' && d.frame.message.type === 'joined') handle = d.frame.message.handle;
        },
      };
      const conn = relay.open(peer);
      relay.message(conn, encodeControl({ type: 'hello', id: 0, v: 1 }));
      relay.message(conn, encodeControl({ type: 'join', id: 1, room: `r${r}` }));
      members.push({ conn, handle: () => handle });
    }
  }
  return { relay, members };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Every member sends one frame per tick for `seconds`; returns CPU-µs per input frame. */
async function drive(send, n) {
  const ticks = Math.round((seconds * 1000) / TICK_MS);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let frames = 0;
  for (let t = 0; t < ticks; t++) {
    for (let i = 0; i < n; i++) send(i, t);
    frames += n;
    await sleep(Math.max(0, t0 + (t + 1) * TICK_MS - performance.now()));
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / frames;
}

function payload(t, i) {
  const p = new Uint8Array(16);
  p[0] = t & 0xff; p[1] = i & 0xff; p[2] = (t >> 8) & 0xff;
  return p;
}

async function latest() {
  const { relay, members } = relayWith();
  const frames = members.map((m, i) => encodeData({ room: m.handle(), cls: DeliveryClass.Latest, key: 0 }, payload(0, i)));
  return drive((i, t) => { const f = frames[i]; f[f.length - 16] = t & 0xff; relay.message(members[i].conn, f); }, members.length);
}

async function reliable() {
  const { relay, members } = relayWith();
  const frames = members.map((m, i) => encodeData({ room: m.handle(), cls: DeliveryClass.Reliable }, payload(0, i)));
  return drive((i, t) => { const f = frames[i]; f[f.length - 16] = t & 0xff; relay.message(members[i].conn, f); }, members.length);
}

/** The JavaScript of the bare uWS baseline per input frame (its publish is C++, like the relay's). */
async function bareUws() {
  const rooms = new RoomTable();
  const sockets = [];
  for (let r = 0; r < ROOMS; r++) {
    for (let m = 0; m < PER_ROOM; m++) {
      const joined = new Map();
      const a = handleMessage(encodeControl({ type: 'join', id: 1, room: `r${r}` }), joined, rooms);
      sockets.push({ joined, frame: encodeData({ room: a.membership.handle, cls: DeliveryClass.Reliable }, payload(0, m)) });
    }
  }
  return drive((i, t) => {
    const s = sockets[i];
    s.frame[s.frame.length - 16] = t & 0xff;
    const action = handleMessage(s.frame, s.joined, rooms);
    if (action.kind === 'broadcast') nullFanout.publish();
  }, sockets.length);
}

const runs = { latest, reliable, 'bare-uws-js': bareUws };
const results = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
const names = Object.keys(runs);
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + round) % names.length];
    results[name].push(await runs[name]());
  }
  process.stdout.write(`round ${round + 1}/${rounds}: ${names.map((n) => `${n} ${results[n].at(-1).toFixed(3)}`).join(', ')} µs/input\n`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
process.stdout.write(`${JSON.stringify({ dist, seconds, rounds, cpu_us_per_input_median: Object.fromEntries(names.map((n) => [n, Number(median(results[n]).toFixed(3))])) })}\n`);
process.exit(0);
