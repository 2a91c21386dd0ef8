// Webhooks against the real relay and a real HTTP receiver on 127.0.0.1:0: events batched and
// signed (verified with the standardwebhooks package), retried after a 500 with the same id,
// dropped and counted past the queue bound, and room traffic unaffected by a hanging receiver.
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayServer } from '../src/index.js';
import { SECRET, hmacKey, sign } from './auth/tokens.js';
import { FakeClock } from './fakes.js';
import { RawClient, httpGet, startTestRelay } from './helpers.js';
import { Receiver, WEBHOOK_SECRET } from './webhook-receiver.js';

let relay: RelayServer | undefined;
let receiver: Receiver | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await relay?.close();
  await receiver?.close();
  relay = undefined;
  receiver = undefined;
});

async function open(url: string, token?: string): Promise<RawClient> {
  const c = await RawClient.connect(url);
  clients.push(c);
  await c.request({ type: 'hello', v: 2, client: 'test', ...(token === undefined ? {} : { token }) }, 'welcome');
  return c;
}

async function start(answer: (n: number) => number | 'hang', overrides: Record<string, unknown> = {}): Promise<RelayServer> {
  receiver = new Receiver(answer);
  const url = await receiver.listen();
  relay = await startTestRelay({ webhookUrl: url, webhookSecret: WEBHOOK_SECRET, webhookBatchMs: 20, webhookRetryMs: 20, ...overrides });
  return relay;
}

/** Reads a counter from /metrics. */
async function metric(name: string): Promise<number> {
  const text = (await httpGet(relay!, '/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`metric ${name} not found`);
  return Number(line.slice(name.length + 1));
}

describe('webhooks', () => {
  it('sends room and member events in signed batches the standardwebhooks verifier accepts', async () => {
    const s = await start(() => 204, { jwtSecret: SECRET, allowAnonymous: 'true' });
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const ada = await open(s.wsUrl, await sign(hmacKey(), 'HS256', { sub: 'ada', exp, rooms: ['*'] }));
    const anon = await open(s.wsUrl);
    const joined = await ada.join('match');
    await anon.join('match');
    await ada.request({ type: 'leave', room: joined.handle }, 'ok');
    anon.ws.terminate();
    await receiver!.until(1);
    while (receiver!.allEvents().length < 6) await receiver!.until(receiver!.requests.length + 1);
    const events = receiver!.allEvents().map(({ timestamp, ...rest }) => {
      expect(Date.parse(timestamp as string)).toBeGreaterThan(0);
      return rest;
    });
    expect(events).toEqual([
      { type: 'room.created', room: 'match' },
      { type: 'member.joined', room: 'match', memberId: 1, userId: 'ada' },
      { type: 'member.joined', room: 'match', memberId: 2 },
      { type: 'member.left', room: 'match', memberId: 1, userId: 'ada', reason: 'left' },
      { type: 'member.left', room: 'match', memberId: 2, reason: 'disconnected' },
      { type: 'room.closed', room: 'match' },
    ]);
    const verifier = new Webhook(WEBHOOK_SECRET);
    for (const { headers, body } of receiver!.requests) {
      expect(headers['content-type']).toBe('application/json');
      expect(verifier.verify(body, headers)).toMatchObject({ type: 'roomcast.events' });
      expect(() => verifier.verify(body.replace('match', 'other'), headers)).toThrow();
    }
    expect(await metric('roomcast_webhook_events_sent_total')).toBe(6);
    expect(await metric('roomcast_webhook_requests_failed_total')).toBe(0);
  });

  it('reports settings changed and a member kicked through the server API (reason kicked)', async () => {
    const key = 'key-one-0123456789abcdefghij';
    const s = await start(() => 200, { apiKeys: [key] });
    const a = await open(s.wsUrl);
    const { self } = await a.join('match');
    const changed = await fetch(`${s.httpUrl}/api/v1/rooms/match/settings`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ locked: true }),
    });
    expect(changed.status).toBe(200);
    const res = await fetch(`${s.httpUrl}/api/v1/rooms/match/members/${self}/kick`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(await a.closed).toEqual({ code: 4403, reason: '' });
    while (receiver!.allEvents().length < 5) await receiver!.until(receiver!.requests.length + 1);
    expect(receiver!.allEvents().map((e) => [e.type, e.reason])).toEqual([
      ['room.created', undefined], ['member.joined', undefined], ['settings.changed', undefined], ['member.left', 'kicked'], ['room.closed', undefined],
    ]);
    expect(receiver!.allEvents()[2]).toMatchObject({ room: 'match', settings: { capacity: 256, locked: true, private: false, metadata: null } });
  });

  it('reports a room closed through the server API: member.left (room_closed) for each member, then room.closed', async () => {
    const key = 'key-one-0123456789abcdefghij';
    const s = await start(() => 200, { apiKeys: [key] });
    const a = await open(s.wsUrl);
    const b = await open(s.wsUrl);
    await a.join('match');
    await b.join('match');
    const res = await fetch(`${s.httpUrl}/api/v1/rooms/match/close`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    while (receiver!.allEvents().length < 6) await receiver!.until(receiver!.requests.length + 1);
    expect(receiver!.allEvents().slice(3).map((e) => [e.type, e.memberId, e.reason])).toEqual([
      ['member.left', 1, 'room_closed'], ['member.left', 2, 'room_closed'], ['room.closed', undefined, undefined],
    ]);
  });

  it('with seats, member.left comes when the seat expires, not when the connection drops', async () => {
    const clock = new FakeClock();
    receiver = new Receiver(() => 200);
    const url = await receiver.listen();
    relay = await startTestRelay({ webhookUrl: url, webhookSecret: WEBHOOK_SECRET, webhookBatchMs: 10, seatGraceMs: 1000 }, clock);
    const a = await open(relay.wsUrl);
    const b = await open(relay.wsUrl);
    await a.join('r');
    await b.join('r');
    b.ws.terminate();
    await a.nextMessage('member_away');
    // An event queued after the drop: once it arrived, anything the drop queued has arrived too.
    await a.join('marker');
    while (receiver.allEvents().length < 5) await receiver.until(receiver.requests.length + 1);
    expect(receiver.allEvents().map((e) => `${e.type} ${e.room}`)).toEqual([
      'room.created r', 'member.joined r', 'member.joined r', 'room.created marker', 'member.joined marker',
    ]);
    clock.advance(1000);
    await a.nextMessage('member_left');
    while (receiver.allEvents().length < 6) await receiver.until(receiver.requests.length + 1);
    expect(receiver.allEvents()[5]).toMatchObject({ type: 'member.left', room: 'r', memberId: 2, reason: 'disconnected' });
  });

  it('retries a batch answered 500 with the same webhook-id, then counts it sent', async () => {
    const s = await start((n) => (n === 0 ? 500 : 200));
    const a = await open(s.wsUrl);
    await a.join('r');
    await receiver!.until(2);
    const [first, second] = receiver!.requests;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.events).toEqual(first!.events);
    expect(new Webhook(WEBHOOK_SECRET).verify(second!.body, second!.headers)).toBeTruthy();
    // The receiver saw the retry; the relay counts it once the 200 is read.
    for (let i = 0; i < 200 && s.webhooks!.stats.sent < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(s.webhooks!.stats).toMatchObject({ sent: 2, failed: 1, retried: 1, dropped: 0, queued: 0 });
    expect(await metric('roomcast_webhook_requests_retried_total')).toBe(1);
  });

  it('drops and counts events past the queue bound while the receiver is down, and after the last attempt', async () => {
    // A port that refuses connections: bind one, note it, close it.
    const probe = new Receiver(() => 200);
    const deadUrl = await probe.listen();
    await probe.close();
    relay = await startTestRelay({ webhookUrl: deadUrl, webhookSecret: WEBHOOK_SECRET, webhookBatchMs: 20, webhookRetryMs: 20, webhookQueueMax: 3, webhookMaxAttempts: 2 });
    const a = await open(relay.wsUrl);
    for (const room of ['a', 'b', 'c']) await a.join(room); // 6 events: 3 fit, 3 overflow
    const stats = relay.webhooks!.stats;
    expect(stats.dropped).toBe(3);
    // The 3 queued ones fail twice and are dropped too.
    for (let i = 0; i < 200 && stats.dropped < 6; i++) await new Promise((r) => setTimeout(r, 10));
    expect(stats).toMatchObject({ sent: 0, failed: 2, retried: 1, dropped: 6, queued: 0 });
    expect(await metric('roomcast_webhook_events_dropped_total')).toBe(6);
  });

  it('keeps room traffic flowing while the receiver hangs', async () => {
    const s = await start(() => 'hang', { webhookTimeoutMs: 60_000, webhookDrainMs: 50 });
    const a = await open(s.wsUrl);
    const b = await open(s.wsUrl);
    const { handle } = await a.join('busy');
    await b.join('busy');
    await receiver!.until(1); // the first batch is now stuck in a request that never answers
    for (let i = 0; i < 200; i++) a.sendData(handle, new Uint8Array([i & 0xff]));
    for (let i = 0; i < 200; i++) expect([...(await b.nextDeliver()).payload]).toEqual([i & 0xff]);
    // Joins and leaves meanwhile only queue events.
    const c = await open(s.wsUrl);
    await c.join('busy');
    expect(s.webhooks!.stats).toMatchObject({ sent: 0, failed: 0 });
    expect(s.webhooks!.stats.queued).toBeGreaterThanOrEqual(4);
    expect(receiver!.requests).toHaveLength(1);
  });
});

describe('webhooks at shutdown', () => {
  it('flushes the queue on close: events waiting for their batch window and the members\' last member.left go out', async () => {
    // A batch window far longer than the test: without the drain nothing would be sent.
    const s = await start(() => 204, { webhookBatchMs: 60_000 });
    const a = await open(s.wsUrl);
    await a.join('r1');
    await a.join('r2');
    expect(receiver!.requests).toHaveLength(0);
    await s.close();
    relay = undefined;
    expect(receiver!.allEvents().map((e) => `${e.type} ${e.room}${e.reason === undefined ? '' : ` ${e.reason}`}`)).toEqual([
      'room.created r1', 'member.joined r1', 'room.created r2', 'member.joined r2',
      'member.left r1 disconnected', 'room.closed r1', 'member.left r2 disconnected', 'room.closed r2',
    ]);
    expect(s.webhooks!.stats).toMatchObject({ sent: 8, dropped: 0, queued: 0 });
  });

  it('retries a failed batch within the deadline (same webhook-id)', async () => {
    const s = await start((n) => (n === 0 ? 500 : 200), { webhookBatchMs: 60_000, webhookRetryMs: 50 });
    const a = await open(s.wsUrl);
    await a.join('r');
    await s.close();
    relay = undefined;
    expect(receiver!.requests).toHaveLength(2);
    expect(receiver!.requests[1]!.headers['webhook-id']).toBe(receiver!.requests[0]!.headers['webhook-id']);
    expect(s.webhooks!.stats).toMatchObject({ sent: 4, failed: 1, retried: 1, dropped: 0 });
  });

  it('stops at RELAY_WEBHOOK_DRAIN_MS when the receiver hangs, and counts what it could not send', async () => {
    const s = await start(() => 'hang', { webhookBatchMs: 60_000, webhookTimeoutMs: 60_000, webhookDrainMs: 300 });
    const a = await open(s.wsUrl);
    await a.join('r');
    const started = performance.now();
    await s.close();
    relay = undefined;
    const took = performance.now() - started;
    // Bounded by the deadline (not the 60 s request timeout); generous upper bound for a busy machine.
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(10_000);
    expect(receiver!.requests).toHaveLength(1);
    // room.created, member.joined, member.left, room.closed: all four unsent.
    expect(s.webhooks!.stats).toMatchObject({ sent: 0, dropped: 4, queued: 0 });
  });

  it('aborts a request that was already hanging when the shutdown began, at the deadline', async () => {
    const s = await start(() => 'hang', { webhookBatchMs: 0, webhookTimeoutMs: 60_000, webhookDrainMs: 200 });
    const a = await open(s.wsUrl);
    await a.join('r');
    await receiver!.until(1); // room.created and member.joined, in a request that never answers
    const started = performance.now();
    await s.close();
    relay = undefined;
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(s.webhooks!.stats).toMatchObject({ sent: 0, dropped: 4, queued: 0 });
  });

  it('with RELAY_WEBHOOK_DRAIN_MS=0 sends nothing more at shutdown', async () => {
    const s = await start(() => 204, { webhookBatchMs: 60_000, webhookDrainMs: 0 });
    const a = await open(s.wsUrl);
    await a.join('r');
    await s.close();
    relay = undefined;
    expect(receiver!.requests).toHaveLength(0);
    expect(s.webhooks!.stats).toMatchObject({ sent: 0, dropped: 4, queued: 0 });
  });
});

describe('webhook config', () => {
  it('needs both the URL and a whsec_ secret, and never echoes the secret', async () => {
    const { parseConfig } = await import('../src/config.js');
    expect(() => parseConfig({ RELAY_WEBHOOK_URL: 'http://127.0.0.1:9/h' })).toThrow('RELAY_WEBHOOK_SECRET must be set too: webhooks need both RELAY_WEBHOOK_URL and RELAY_WEBHOOK_SECRET');
    expect(() => parseConfig({ RELAY_WEBHOOK_SECRET: WEBHOOK_SECRET })).toThrow('RELAY_WEBHOOK_URL must be set too');
    let message = '';
    try {
      parseConfig({ RELAY_WEBHOOK_URL: 'http://127.0.0.1:9/h', RELAY_WEBHOOK_SECRET: 'whsec_c2hvcnQ=' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('RELAY_WEBHOOK_SECRET must be whsec_ followed by the base64 of 24 to 64 bytes');
    expect(message).not.toContain('c2hvcnQ');
    expect(() => parseConfig({ RELAY_WEBHOOK_URL: 'ftp://x', RELAY_WEBHOOK_SECRET: WEBHOOK_SECRET })).toThrow('RELAY_WEBHOOK_URL must be an http:// or https:// URL');
    expect(() => parseConfig({ RELAY_API_KEYS: 'short' })).toThrow('RELAY_API_KEYS key 1 must be at least 24 printable ASCII characters without spaces');
  });
});
