// RELAY_EMPTY_ROOM_TTL_SEC in a cluster (docs/server-api.md, "Create a room"): a room the server
// API created lives only in Redis until someone joins, so no node's timer alone can expire it. The
// create script gives its meta hash a TTL (the backstop if the creating node dies) and the first
// join clears it; the creating node closes it at the TTL through a script that checks nobody
// joined, so room.closed is sent once per cluster. Against a real redis-server.
import { afterEach, describe, expect, it } from 'vitest';
import { metaKey } from '../../src/bus/keys.js';
import { EXPIRY_BACKSTOP_MS } from '../../src/bus/store.js';
import type { RelayServer } from '../../src/index.js';
import { Receiver, WEBHOOK_SECRET } from '../webhook-receiver.js';
import { API_KEY, api, useCluster } from './nodes.js';
import { redisCommand } from './redis.js';

const cluster = useCluster({ apiKeys: [API_KEY], emptyRoomTtlSec: 1 });
let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** Two nodes sending webhooks to one receiver. */
async function twoNodes(): Promise<[RelayServer, RelayServer]> {
  receiver = new Receiver(() => 204);
  const hooks = { webhookUrl: await receiver.listen(), webhookSecret: WEBHOOK_SECRET, webhookBatchMs: 20 };
  return [await cluster.node('a', hooks), await cluster.node('b', hooks)];
}

/** The meta hash's TTL in ms as Redis has it (-1: none, -2: no such key). */
async function pttl(room: string): Promise<number> {
  return Number(/^:(-?\d+)/.exec(await redisCommand(cluster.redis.port, `PTTL ${metaKey(room)}`))![1]);
}

async function expiredMetric(node: RelayServer): Promise<number> {
  const body = await (await fetch(`${node.httpUrl}/metrics`)).text();
  // In a cluster every metric carries the node's label.
  return Number(new RegExp(`^roomcast_rooms_expired_total\\{node="${node.config.nodeId}"\\} (\\d+)$`, 'm').exec(body)![1]);
}

const events = (room: string): unknown[] => receiver!.allEvents().filter((e) => e.room === room).map((e) => e.type);

describe('cluster: created rooms nobody joins', () => {
  it('are closed after RELAY_EMPTY_ROOM_TTL_SEC on every node, with one room.closed and nothing left in Redis', async () => {
    const [a, b] = await twoNodes();
    expect((await api(a.httpUrl, 'POST', '/rooms', { name: 'lonely', settings: { capacity: 4 } })).status).toBe(200);
    // The create script set the backstop TTL: the room's second plus EXPIRY_BACKSTOP_MS.
    const ttl = await pttl('lonely');
    expect(ttl).toBeGreaterThan(1000);
    expect(ttl).toBeLessThanOrEqual(1000 + EXPIRY_BACKSTOP_MS);
    expect((await api(b.httpUrl, 'GET', '/rooms/lonely')).status).toBe(200);
    // Closed by node a at about 1 s, long before Redis' own TTL would remove it.
    await expect.poll(async () => (await api(b.httpUrl, 'GET', '/rooms/lonely')).status, { timeout: 5000, interval: 50 }).toBe(404);
    expect(await pttl('lonely')).toBe(-2);
    expect((await api(b.httpUrl, 'GET', '/rooms')).json).toEqual({ rooms: [] });
    await expect.poll(() => events('lonely').length >= 2, { timeout: 5000, interval: 20 }).toBe(true);
    // Let a late duplicate (from node b) show up if there were one.
    await new Promise((r) => setTimeout(r, 300));
    expect(events('lonely')).toEqual(['room.created', 'room.closed']);
    expect(await expiredMetric(a)).toBe(1);
    expect(await expiredMetric(b)).toBe(0);
  });

  it('stay once someone joined (the first join clears the TTL), and close with their last member', async () => {
    const [a, b] = await twoNodes();
    expect((await api(a.httpUrl, 'POST', '/rooms', { name: 'kept' })).status).toBe(200);
    expect(await pttl('kept')).toBeGreaterThan(0);
    const y = await cluster.ws(b);
    const joined = await y.join('kept');
    expect(await pttl('kept')).toBe(-1);
    // Past the TTL: still there, with its member, and node a's expiry did nothing.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await api(a.httpUrl, 'GET', '/rooms/kept')).json).toMatchObject({ name: 'kept', members: 1 });
    expect(events('kept')).toEqual(['room.created', 'member.joined']);
    await y.request({ type: 'leave', room: joined.handle }, 'ok');
    await expect.poll(() => events('kept').length, { timeout: 5000, interval: 20 }).toBe(4);
    expect(events('kept')).toEqual(['room.created', 'member.joined', 'member.left', 'room.closed']);
    expect(await pttl('kept')).toBe(-2);
    expect(await expiredMetric(a) + await expiredMetric(b)).toBe(0);
  });

  it('closed through the API and created again: the first creation\'s expiry leaves the new room alone', async () => {
    const [a, b] = await twoNodes();
    expect((await api(a.httpUrl, 'POST', '/rooms', { name: 'again' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 600));
    expect((await api(b.httpUrl, 'POST', '/rooms/again/close', {})).json).toEqual({ removed: 0 });
    expect((await api(b.httpUrl, 'POST', '/rooms', { name: 'again', settings: { metadata: { round: 2 } } })).status).toBe(200);
    // a's timer (at about 1 s) finds another creation: the room stays until b's own expiry (about 1.6 s).
    await new Promise((r) => setTimeout(r, 600));
    expect((await api(a.httpUrl, 'GET', '/rooms/again')).json).toMatchObject({ settings: { metadata: { round: 2 } } });
    await expect.poll(async () => (await api(a.httpUrl, 'GET', '/rooms/again')).status, { timeout: 5000, interval: 50 }).toBe(404);
    await expect.poll(() => events('again').length, { timeout: 5000, interval: 20 }).toBe(4);
    expect(events('again')).toEqual(['room.created', 'room.closed', 'room.created', 'room.closed']);
    expect(await expiredMetric(a)).toBe(0);
    expect(await expiredMetric(b)).toBe(1);
  });
});
