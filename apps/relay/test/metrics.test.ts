// Every metric the README lists, read from a real /metrics scrape after the behaviour it counts,
// with exact values wherever the behaviour fixes them (bytes are summed from what the clients
// really sent and received). The README list itself is checked against the scrape in docs-metrics.test.ts.
import type { Socket } from 'node:net';
import { CloseCodes, DeliveryClass, ERROR_CODE_NAMES, PROTOCOL_VERSION, encodeData } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { LIMIT_NAMES } from '../src/core/stats.js';
import { httpGet, RawClient, useRelay } from './helpers.js';
import { RawTcpClient } from './tcp-helpers.js';
import { FakeClock } from './fakes.js';

const relay = useRelay();

/** Prometheus text → `name{labels}` → value. */
export function parseScrape(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

async function scrape(): Promise<Map<string, number>> {
  const res = await httpGet(relay.server, '/metrics');
  expect(res.status).toBe(200);
  return parseScrape(res.body);
}

function value(samples: Map<string, number>, key: string): number {
  const v = samples.get(key);
  if (v === undefined) throw new Error(`no sample ${key} in the scrape`);
  return v;
}

/** Every sample of a labelled counter, e.g. { payload_too_large: 1, bad_frame: 0, … }. */
function byLabel(samples: Map<string, number>, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  const re = new RegExp(`^${name}\\{${label}="([a-z_]+)"\\}$`);
  for (const [key, v] of samples) {
    const m = re.exec(key);
    if (m) out[m[1]!] = v;
  }
  return out;
}

/** All zero except `nonZero`. */
function zerosExcept(names: readonly string[], nonZero: Record<string, number>): Record<string, number> {
  return Object.fromEntries(names.map((n) => [n, nonZero[n] ?? 0]));
}

/** A WebSocket client that counts the bytes it sends, handshake included. */
async function counted(): Promise<RawClient & { sentBytes: () => number }> {
  const c = await RawClient.connect(relay.server.wsUrl);
  let sent = 0;
  const send = c.ws.send.bind(c.ws);
  c.ws.send = ((data: Uint8Array, ...rest: never[]) => {
    sent += data.length;
    return send(data, ...rest);
  }) as typeof c.ws.send;
  await c.request({ type: 'hello', v: PROTOCOL_VERSION, client: 'test' }, 'welcome');
  return Object.assign(c, { sentBytes: () => sent });
}

const received = (c: RawClient): number => c.raw.reduce((n, f) => n + f.length, 0);
const controlFramesReceived = (c: RawClient): number => c.raw.filter((f) => f[0] === 0x01).length;

describe('metrics after real traffic', () => {
  it('connections, rooms, members, frames, bytes, errors and limit hits: exact', async () => {
    await relay.start({ maxPayloadBytes: 8 });
    const a = await counted();
    const b = await counted();
    const ja = await a.join('m');
    const jb = await b.join('m');
    await a.nextMessage('member_joined');
    a.sendData(ja.handle, Uint8Array.of(1, 2, 3)); // reliable, to b
    await b.nextDeliver();
    a.sendData(ja.handle, new Uint8Array(9)); // one byte above RELAY_MAX_PAYLOAD_BYTES
    await a.nextError('payload_too_large');
    b.sendFrame(encodeDroppable(jb.handle, Uint8Array.of(4)));
    await a.nextDeliver();
    // A round trip each: everything above was counted before the pongs were sent.
    await a.request({ type: 'ping' }, 'pong');
    await b.request({ type: 'ping' }, 'pong');

    const s = await scrape();
    expect(value(s, 'roomcast_connections')).toBe(2);
    expect(value(s, 'roomcast_connections_opened_total')).toBe(2);
    expect(byLabel(s, 'roomcast_transport_connections', 'transport')).toEqual({ ws: 2, tcp: 0 });
    expect(value(s, 'roomcast_rooms')).toBe(1);
    expect(value(s, 'roomcast_members')).toBe(2);
    // In: hello, join, ping from each (6 control), 2 reliable (one refused), 1 droppable.
    expect(byLabel(s, 'roomcast_frames_in_total', 'kind')).toEqual({ control: 6, reliable: 2, latest: 0, droppable: 1 });
    expect(byLabel(s, 'roomcast_frames_out_total', 'kind')).toEqual({
      control: controlFramesReceived(a) + controlFramesReceived(b), reliable: 1, latest: 0, droppable: 1,
    });
    expect(value(s, 'roomcast_bytes_in_total')).toBe(a.sentBytes() + b.sentBytes());
    expect(value(s, 'roomcast_bytes_out_total')).toBe(received(a) + received(b));
    expect(byLabel(s, 'roomcast_errors_total', 'code')).toEqual(zerosExcept(ERROR_CODE_NAMES, { payload_too_large: 1 }));
    expect(byLabel(s, 'roomcast_limit_hits_total', 'limit')).toEqual(zerosExcept(LIMIT_NAMES, { payload_bytes: 1 }));
    expect(byLabel(s, 'roomcast_closes_total', 'reason')).toEqual({});
    expect(value(s, 'roomcast_backpressure_closes_total')).toBe(0);
  });

  it('a raw TCP client is counted under transport="tcp"', async () => {
    const server = await relay.start();
    const t = await RawTcpClient.open(server.tcpPort!);
    await relay.open();
    const s = await scrape();
    expect(byLabel(s, 'roomcast_transport_connections', 'transport')).toEqual({ ws: 1, tcp: 1 });
    expect(value(s, 'roomcast_connections')).toBe(2);
    expect(value(s, 'roomcast_connections_opened_total')).toBe(2);
    t.socket.destroy();
  });

  it('a raw TCP frame not completed within TCP_FRAME_TIMEOUT_SEC: limit frame_timeout, close timeout', async () => {
    const clock = new FakeClock();
    const server = await relay.start({ tcpFrameTimeoutSec: 10, idleTimeoutSec: 32 }, clock);
    const slow = await RawTcpClient.open(server.tcpPort!);
    const probe = await RawTcpClient.open(server.tcpPort!);
    slow.write(Uint8Array.of(0, 0, 0x03, 0xe8, 1)); // a 1,000-byte frame announced, one byte of it sent
    await probe.request({ type: 'ping' }, 'pong'); // the relay has read those bytes
    clock.advance(10_000);
    expect(await slow.closed).toEqual({ code: 4408, reason: 'frame not completed within 10 s' });
    const s = await scrape();
    expect(byLabel(s, 'roomcast_limit_hits_total', 'limit')).toEqual(zerosExcept(LIMIT_NAMES, { frame_timeout: 1 }));
    expect(byLabel(s, 'roomcast_closes_total', 'reason')).toEqual({ timeout: 1 });
    probe.socket.destroy();
  });

  it('closes by reason: protocol errors (4400), hello timeout (4408), slow consumer (4503)', async () => {
    await relay.start({ maxProtocolErrors: 2, helloTimeoutMs: 100, maxBufferedBytes: 64 * 1024, softBufferedBytes: 16 * 1024, maxPayloadBytes: 16 * 1024, maxMessagesPerSec: 1e6, burstMessages: 1e6, maxBytesPerSec: 1e9 });
    const bad = await relay.open();
    bad.send(Uint8Array.of(0xff));
    bad.send(Uint8Array.of(0xff));
    expect((await bad.closed).code).toBe(CloseCodes.protocol_error.code);
    const silent = await relay.connect(); // never says hello
    expect((await silent.closed).code).toBe(CloseCodes.timeout.code);

    // A reader that stops reading while direct frames are sent to it: cut off at the cap.
    const sender = await relay.open();
    const sj = await sender.join('slow');
    const slow = await relay.open();
    const slj = await slow.join('slow');
    await sender.nextMessage('member_joined');
    (slow.ws as unknown as { _socket: Socket })._socket.pause();
    let gone = false;
    void sender.nextMessage('member_left', (m) => m.member === slj.self).then(() => { gone = true; });
    for (let sent = 1; !gone && sent <= 4000; sent++) {
      sender.sendData(sj.handle, new Uint8Array(16 * 1024), slj.self);
      if (sent % 10 === 0) await sender.request({ type: 'ping' }, 'pong');
    }
    expect(gone).toBe(true);
    // Frames the sender sent after the slow member was closed, before it saw member_left, are
    // each answered with unknown_member (and counted): as many as the sender received.
    await sender.request({ type: 'ping' }, 'pong');
    const lateFrames = sender.frames.filter((f) => f.kind === 'control' && f.message.type === 'error' && f.message.code === 'unknown_member').length;

    const s = await scrape();
    expect(byLabel(s, 'roomcast_closes_total', 'reason')).toEqual({ protocol_error: 1, timeout: 1, slow_consumer: 1 });
    expect(value(s, 'roomcast_backpressure_closes_total')).toBe(1);
    expect(byLabel(s, 'roomcast_limit_hits_total', 'limit')).toEqual(zerosExcept(LIMIT_NAMES, { protocol_errors: 1, hello_timeout: 1, buffered_bytes: 1 }));
    expect(byLabel(s, 'roomcast_errors_total', 'code')).toEqual(zerosExcept(ERROR_CODE_NAMES, { bad_frame: 2, unknown_member: lateFrames }));
    expect(value(s, 'roomcast_connections')).toBe(1);
    expect(value(s, 'roomcast_connections_opened_total')).toBe(4);
  });

  it('latest: ticks, merges, updates out and the joiner\'s snapshot', async () => {
    await relay.start({ tickHz: 1, minTickHz: 1 }); // one tick a second: the merge below cannot straddle a tick
    const a = await relay.open();
    const ja = await a.join('cur');
    const b = await relay.open();
    await b.join('cur');
    await a.nextMessage('member_joined');
    a.sendFrame(encodeLatest(ja.handle, 0, Uint8Array.of(1, 0, 0)));
    await b.next((f) => f.kind === 'batch'); // tick 1: one entry, to b (a batch of a's values only is nothing to a)
    a.sendFrame(encodeLatest(ja.handle, 0, Uint8Array.of(2, 0, 0)));
    a.sendFrame(encodeLatest(ja.handle, 0, Uint8Array.of(3, 0, 0))); // replaces the previous value before the next tick
    const second = await b.next((f) => f.kind === 'batch');
    expect(second.kind === 'batch' && second.entries.length).toBe(1);
    const c = await relay.open();
    await c.join('cur');
    const snapshot = await c.next((f) => f.kind === 'batch');
    expect(snapshot.kind === 'batch' && snapshot.snapshot).toBe(true);
    await a.request({ type: 'ping' }, 'pong');

    const s = await scrape();
    expect(value(s, 'roomcast_ticks_total')).toBe(2);
    expect(value(s, 'roomcast_merges_total')).toBe(1);
    expect(value(s, 'roomcast_latest_updates_out_total')).toBe(2 * 1); // 2 ticks × 1 entry × 1 member (b)
    expect(value(s, 'roomcast_snapshots_total')).toBe(1);
    expect(byLabel(s, 'roomcast_frames_in_total', 'kind').latest).toBe(3);
    expect(byLabel(s, 'roomcast_frames_out_total', 'kind').latest).toBe(2 * 1 + 1);
    expect(a.frames.filter((f) => f.kind === 'batch')).toEqual([]);
    expect(value(s, 'roomcast_skipped_ticks_total')).toBe(0);
    expect(value(s, 'roomcast_drops_total')).toBe(0);
    expect(value(s, 'roomcast_lag_starts_total')).toBe(0);
  });

  it('room output budget: droppable frames dropped and ticks skipped, each counted', async () => {
    // 1 KiB/s for the whole room: a 1000-byte payload to two members can never fit.
    await relay.start({ roomMaxBytesOutPerSec: 1024 });
    const a = await relay.open();
    const ja = await a.join('budget');
    const b = await relay.open();
    await b.join('budget');
    const c = await relay.open();
    await c.join('budget');
    a.sendFrame(encodeDroppable(ja.handle, new Uint8Array(1000)));
    a.sendFrame(encodeLatest(ja.handle, 0, new Uint8Array(1000)));
    await a.request({ type: 'ping' }, 'pong');
    // The tick comes round and is skipped (not sent): wait for it to be counted, bounded.
    let s = await scrape();
    for (let i = 0; i < 50 && value(s, 'roomcast_skipped_ticks_total') === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      s = await scrape();
    }
    const skipped = value(s, 'roomcast_skipped_ticks_total');
    expect(skipped).toBeGreaterThanOrEqual(1);
    expect(value(s, 'roomcast_drops_total')).toBe(2); // one droppable frame, two other members
    expect(value(s, 'roomcast_ticks_total')).toBe(0);
    // Each skipped tick and the dropped frame hit the room budget once each.
    expect(byLabel(s, 'roomcast_limit_hits_total', 'limit').room_bytes_out).toBe(skipped + 1);
    expect(b.frames.filter((f) => f.kind === 'deliver' || f.kind === 'batch')).toEqual([]);
  });

  it('a reader over the soft buffer limit starts lagging once (lag_starts) and its ticks are skipped', async () => {
    await relay.start({ softBufferedBytes: 16 * 1024, maxBufferedBytes: 64 * 1024 * 1024, backpressureCheckMs: 10, maxPayloadBytes: 16 * 1024, maxMessagesPerSec: 1e6, burstMessages: 1e6, maxBytesPerSec: 1e9, tickHz: 60 });
    const a = await relay.open();
    const ja = await a.join('lag');
    const slow = await relay.open();
    const { self: slowId } = await slow.join('lag');
    await a.nextMessage('member_joined');
    (slow.ws as unknown as { _socket: Socket })._socket.pause();
    // Reliable frames fill the paused reader's buffer until the sweep marks it lagging (bounded).
    const lagging = () => [...relay.server.relay.connections].some((c) => c.lagging);
    for (let i = 0; i < 2000 && !lagging(); i++) {
      a.sendData(ja.handle, new Uint8Array(16 * 1024));
      if (i % 10 === 9) await a.request({ type: 'ping' }, 'pong');
    }
    expect(lagging()).toBe(true);
    // A third member that keeps up.
    const c = await relay.open();
    await c.join('lag');
    // A latest value now: its tick reaches c (not a: its own value only), and skips the lagging reader.
    a.sendFrame(encodeLatest(ja.handle, 0, Uint8Array.of(5, 0, 0)));
    await c.next((f) => f.kind === 'batch');
    // A droppable frame sent to the lagging reader alone is dropped, not queued behind its backlog.
    a.sendFrame(encodeData({ room: ja.handle, cls: DeliveryClass.Droppable, target: slowId }, Uint8Array.of(9)));
    await a.request({ type: 'ping' }, 'pong');
    const s = await scrape();
    expect(value(s, 'roomcast_drops_total')).toBe(1);
    expect(value(s, 'roomcast_lag_starts_total')).toBe(1);
    expect(value(s, 'roomcast_ticks_total')).toBe(1);
    expect(value(s, 'roomcast_skipped_ticks_total')).toBe(1); // that one tick, for the one lagging member
    expect(value(s, 'roomcast_latest_updates_out_total')).toBe(1); // delivered to c only
  });

  it('room bytes-out histogram: a sample per active room each second', async () => {
    await relay.start();
    const a = await relay.open();
    const ja = await a.join('h');
    const b = await relay.open();
    await b.join('h');
    await a.nextMessage('member_joined');
    a.sendData(ja.handle, new Uint8Array(100));
    await b.nextDeliver();
    // The sampler runs once a second: wait (bounded) for its first observation.
    let s = await scrape();
    for (let i = 0; i < 60 && (s.get('roomcast_room_bytes_out_per_sec_count') ?? 0) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      s = await scrape();
    }
    expect(value(s, 'roomcast_room_bytes_out_per_sec_count')).toBe(1); // one room, one second with traffic
    expect(value(s, 'roomcast_room_bytes_out_per_sec_sum')).toBeGreaterThan(0);
    // One observation in (bytes/s) of a few hundred bytes: every bucket from 1e3 up holds it.
    expect(value(s, 'roomcast_room_bytes_out_per_sec_bucket{le="+Inf"}')).toBe(1);
    expect(value(s, 'roomcast_room_bytes_out_per_sec_bucket{le="100000000"}')).toBe(1);
  });
});

const encodeDroppable = (room: number, payload: Uint8Array): Uint8Array => encodeData({ room, cls: DeliveryClass.Droppable }, payload);
const encodeLatest = (room: number, key: number, payload: Uint8Array): Uint8Array => encodeData({ room, cls: DeliveryClass.Latest, key }, payload);
