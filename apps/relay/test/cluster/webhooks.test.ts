// Webhooks in a cluster (docs/server-api.md#webhooks): every event is sent once per cluster, by the
// node whose Redis script decided it: room.created by the node whose claim (or API create) made
// the room, room.closed by the node whose release removed its last member, member events by the
// node that holds the member (a dead node's members by the survivor whose reap removed them),
// settings.changed by the node whose API changed them.
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayServer } from '../../src/index.js';
import { RawClient } from '../helpers.js';
import { Receiver, WEBHOOK_SECRET } from '../webhook-receiver.js';
import { API_KEY, api, useCluster } from './nodes.js';

const cluster = useCluster({ apiKeys: [API_KEY] });
let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** Events as the receiver got them, without timestamps, sorted for a multiset comparison. */
const received = (): string[] => receiver!.allEvents().map(({ timestamp: _t, settings: _s, ...rest }) => JSON.stringify(rest)).sort();

/** Waits until every node's queue is empty and the receiver holds `count` events. */
async function settled(nodes: RelayServer[], count: number): Promise<void> {
  await expect.poll(() => nodes.every((n) => n.webhooks!.stats.queued === 0) && receiver!.allEvents().length >= count, { timeout: 5000, interval: 20 }).toBe(true);
}

describe('cluster webhooks', () => {
  it('room, member and settings events are sent once per cluster, not once per node; a dead node\'s members by one survivor', async () => {
    receiver = new Receiver(() => 204);
    const url = await receiver.listen();
    const hooks = { webhookUrl: url, webhookSecret: WEBHOOK_SECRET, webhookBatchMs: 20 };
    const a = await cluster.node('a', hooks);
    const b = await cluster.node('b', hooks);
    const x = await cluster.ws(a);
    const y = await cluster.ws(b);
    const jx = await x.join('w');
    const jy = await y.join('w');
    // A member on a relay process that dies: its member_left comes from whichever survivor reaped it, once.
    const doomed = await cluster.process('doomed', 1000, { RELAY_WEBHOOK_URL: url, RELAY_WEBHOOK_SECRET: WEBHOOK_SECRET, RELAY_WEBHOOK_BATCH_MS: '20' });
    const d = await RawClient.open(`ws://127.0.0.1:${doomed.port}/ws`);
    const jd = await d.join('w');
    await x.nextMessage('member_joined', (m) => m.member.id === jd.self);
    expect((await api(b.httpUrl, 'POST', '/rooms/w/settings', { metadata: { round: 2 } })).status).toBe(200);
    // The process's own member.joined must be out before it is killed (its batch window is 20 ms).
    await expect.poll(() => receiver!.allEvents().some((e) => e.memberId === jd.self && e.type === 'member.joined'), { timeout: 5000, interval: 20 }).toBe(true);
    doomed.child.kill('SIGKILL');
    await x.nextMessage('member_left', (m) => m.member === jd.self);
    await y.request({ type: 'leave', room: jy.handle }, 'ok');
    await x.request({ type: 'leave', room: jx.handle }, 'ok');
    d.ws.terminate();
    await settled([a, b], 9);
    expect(received()).toEqual([
      { type: 'member.joined', room: 'w', memberId: jx.self },
      { type: 'member.joined', room: 'w', memberId: jy.self },
      { type: 'member.joined', room: 'w', memberId: jd.self },
      { type: 'member.left', room: 'w', memberId: jd.self, reason: 'disconnected' },
      { type: 'member.left', room: 'w', memberId: jy.self, reason: 'left' },
      { type: 'member.left', room: 'w', memberId: jx.self, reason: 'left' },
      { type: 'room.created', room: 'w' },
      { type: 'room.closed', room: 'w' },
      { type: 'settings.changed', room: 'w' },
    ].map((e) => JSON.stringify(e)).sort());
    // Sent by a and b together, each event by one of them.
    expect(a.webhooks!.stats.sent + b.webhooks!.stats.sent).toBe(8);
  });

  it('a room created through one node\'s API and closed through another\'s: one room.created, one room.closed', async () => {
    receiver = new Receiver(() => 204);
    const url = await receiver.listen();
    const hooks = { webhookUrl: url, webhookSecret: WEBHOOK_SECRET, webhookBatchMs: 20 };
    const a = await cluster.node('a', hooks);
    const b = await cluster.node('b', hooks);
    expect((await api(a.httpUrl, 'POST', '/rooms', { name: 'prepared' })).status).toBe(200);
    const y = await cluster.ws(b);
    await y.join('prepared');
    expect((await api(a.httpUrl, 'POST', '/rooms/prepared/close', { reason: 'done' })).json).toEqual({ removed: 1 });
    await settled([a, b], 4);
    expect(received()).toEqual([
      { type: 'member.joined', room: 'prepared', memberId: 1 },
      { type: 'member.left', room: 'prepared', memberId: 1, reason: 'room_closed' },
      { type: 'room.created', room: 'prepared' },
      { type: 'room.closed', room: 'prepared' },
    ].map((e) => JSON.stringify(e)).sort());
  });

  it('a node that shuts down sends the events of its last members, room.closed too (decided by its release scripts)', async () => {
    receiver = new Receiver(() => 204);
    const url = await receiver.listen();
    const a = await cluster.node('a', { webhookUrl: url, webhookSecret: WEBHOOK_SECRET, webhookBatchMs: 20 });
    const x = await cluster.ws(a);
    const jx = await x.join('last');
    await expect.poll(() => receiver!.allEvents().length, { timeout: 5000, interval: 20 }).toBe(2);
    await a.close();
    expect(received()).toEqual([
      { type: 'member.joined', room: 'last', memberId: jx.self },
      { type: 'member.left', room: 'last', memberId: jx.self, reason: 'disconnected' },
      { type: 'room.closed', room: 'last' },
      { type: 'room.created', room: 'last' },
    ].map((e) => JSON.stringify(e)).sort());
  });
});
