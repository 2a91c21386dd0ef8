// Every delivery class across two relay nodes on one real Redis: reliable broadcast and direct
// frames ordered per sender without duplicates (WebSocket and TCP members on both nodes), droppable
// frames, `latest` values merged into one batch per tick on each node, and capacity and member ids
// decided atomically when two nodes fill a room at once.
import { DeliveryClass, encodeData, type ServerFrame } from '@roomcast/protocol';
import { describe, expect, it, vi } from 'vitest';
import { BusKind } from '../../src/bus/envelope.js';
import type { RelayServer } from '../../src/index.js';
import type { ProtocolClient } from '../protocol-client.js';
import { readSeq, seq, settled, useCluster } from './nodes.js';

const cluster = useCluster();

type Deliver = Extract<ServerFrame, { kind: 'deliver' }>;
type Batch = Extract<ServerFrame, { kind: 'batch' }>;

const delivers = (c: ProtocolClient): Deliver[] => c.frames.filter((f): f is Deliver => f.kind === 'deliver');
const batches = (c: ProtocolClient): Batch[] => c.frames.filter((f): f is Batch => f.kind === 'batch');


describe('cluster delivery', () => {
  it('reliable broadcasts: every member gets every other member\'s frames once, in order, across nodes and transports', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const members = [await cluster.ws(a), await cluster.tcp(a), await cluster.ws(b), await cluster.tcp(b)];
    const ids: number[] = [];
    const handles: number[] = [];
    for (const m of members) {
      const j = await m.request({ type: 'join', room: 'order' }, 'joined');
      ids.push(j.self);
      handles.push(j.handle);
    }
    await settled([a, b], 'order', 4);
    for (const m of members) m.frames.length = 0;
    const N = 300;
    for (let i = 0; i < N; i++) {
      for (const [k, m] of members.entries()) m.sendData(handles[k]!, seq(i));
    }
    await vi.waitFor(() => {
      for (const m of members) expect(delivers(m).length).toBe(3 * N);
    }, { timeout: 10_000, interval: 50 });
    members.forEach((m, k) => {
      const bySender = new Map<number, number[]>();
      for (const d of delivers(m)) {
        expect(d.cls).toBe(DeliveryClass.Reliable);
        expect(d.room).toBe(handles[k]);
        bySender.set(d.sender, [...(bySender.get(d.sender) ?? []), readSeq(d.payload)]);
      }
      expect([...bySender.keys()].sort()).toEqual(ids.filter((_, j) => j !== k).sort());
      for (const got of bySender.values()) expect(got).toEqual(Array.from({ length: N }, (_, i) => i));
    });
  });

  it('direct frames reach a member on the other node only, in order; an unknown target is refused', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const sender = await cluster.ws(a);
    const bystanderA = await cluster.tcp(a);
    const target = await cluster.tcp(b);
    const bystanderB = await cluster.ws(b);
    const s = await sender.request({ type: 'join', room: 'direct' }, 'joined');
    await bystanderA.request({ type: 'join', room: 'direct' }, 'joined');
    const t = await target.request({ type: 'join', room: 'direct' }, 'joined');
    await bystanderB.request({ type: 'join', room: 'direct' }, 'joined');
    await settled([a, b], 'direct', 4);
    for (let i = 0; i < 100; i++) sender.sendData(s.handle, seq(i), t.self);
    for (let i = 0; i < 20; i++) sender.sendFrame(encodeData({ room: s.handle, cls: DeliveryClass.Droppable, target: t.self }, seq(1000 + i)));
    await vi.waitFor(() => expect(delivers(target).length).toBe(120), { timeout: 5000, interval: 20 });
    const got = delivers(target);
    expect(got.every((d) => d.direct && d.sender === s.self && d.room === t.handle)).toBe(true);
    expect(got.filter((d) => d.cls === DeliveryClass.Reliable).map((d) => readSeq(d.payload))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(got.filter((d) => d.cls === DeliveryClass.Droppable).map((d) => readSeq(d.payload))).toEqual(Array.from({ length: 20 }, (_, i) => 1000 + i));
    sender.sendData(s.handle, seq(0), 999);
    expect((await sender.nextError('unknown_member')).room).toBe(s.handle);
    expect(delivers(bystanderA)).toEqual([]);
    expect(delivers(bystanderB)).toEqual([]);
  });

  it('droppable broadcasts cross nodes to members that keep up', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const sender = await cluster.ws(a);
    const receiver = await cluster.ws(b);
    const s = await sender.request({ type: 'join', room: 'drop' }, 'joined');
    const r = await receiver.request({ type: 'join', room: 'drop' }, 'joined');
    await settled([a, b], 'drop', 2);
    for (let i = 0; i < 50; i++) sender.sendFrame(encodeData({ room: s.handle, cls: DeliveryClass.Droppable }, seq(i)));
    await vi.waitFor(() => expect(delivers(receiver).length).toBe(50), { timeout: 5000, interval: 20 });
    expect(delivers(receiver).map((d) => [d.cls, d.room, d.sender, readSeq(d.payload)]))
      .toEqual(Array.from({ length: 50 }, (_, i) => [DeliveryClass.Droppable, r.handle, s.self, i]));
  });

  it('latest values: merged per node, at most one batch per tick on the receiving node, snapshots include remote values, gone when the member leaves', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const senderA = await cluster.ws(a);
    const senderB = await cluster.tcp(b);
    const watcher = await cluster.ws(b);
    const sa = await senderA.request({ type: 'join', room: 'cursors', tickHz: 10 }, 'joined');
    const sb = await senderB.request({ type: 'join', room: 'cursors' }, 'joined');
    const w = await watcher.request({ type: 'join', room: 'cursors' }, 'joined');
    expect(w.tickHz).toBe(10);
    await settled([a, b], 'cursors', 3);
    watcher.frames.length = 0;
    const started = performance.now();
    const UPDATES = 100;
    for (let i = 1; i <= UPDATES; i++) {
      senderA.sendFrame(encodeData({ room: sa.handle, cls: DeliveryClass.Latest, key: 1 }, seq(i)));
      senderB.sendFrame(encodeData({ room: sb.handle, cls: DeliveryClass.Latest, key: 2 }, seq(i)));
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    const last = (sender: number, key: number): number | undefined => {
      const entries = batches(watcher).flatMap((f) => f.entries).filter((e) => e.sender === sender && e.key === key);
      return entries.length === 0 ? undefined : readSeq(entries.at(-1)!.payload);
    };
    await vi.waitFor(() => {
      expect(last(sa.self, 1)).toBe(UPDATES);
      expect(last(sb.self, 2)).toBe(UPDATES);
    }, { timeout: 5000, interval: 20 });
    const elapsed = performance.now() - started;
    const got = batches(watcher);
    // 200 updates from two nodes, but one batch per 100 ms tick at most (+1 for the first tick).
    expect(got.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
    expect(got.every((f) => f.room === w.handle && !f.snapshot)).toBe(true);

    // A newcomer on node B gets a snapshot with node A's value.
    const late = await cluster.ws(b);
    await late.request({ type: 'join', room: 'cursors' }, 'joined');
    const snap = (await late.next((f) => f.kind === 'batch')) as Batch;
    expect(snap.snapshot).toBe(true);
    expect(snap.entries.map((e) => [e.sender, e.key, readSeq(e.payload)]).sort())
      .toEqual([[sa.self, 1, UPDATES], [sb.self, 2, UPDATES]].sort());

    // Node A's sender leaves: its value is gone from node B's room.
    await senderA.request({ type: 'leave', room: sa.handle }, 'ok');
    await watcher.nextMessage('member_left', (m) => m.member === sa.self);
    expect(b.relay.rooms.get('cursors')!.latest.all().map((e) => e.sender)).toEqual([sb.self]);
  });

  it('droppable frames from another node respect the receiving room\'s output budget', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b', { roomMaxBytesOutPerSec: 1024 });
    const sender = await cluster.ws(a);
    const receiver = await cluster.ws(b);
    const s = await sender.request({ type: 'join', room: 'budget' }, 'joined');
    await receiver.request({ type: 'join', room: 'budget' }, 'joined');
    await settled([a, b], 'budget', 2);
    for (let i = 0; i < 50; i++) sender.sendFrame(encodeData({ room: s.handle, cls: DeliveryClass.Droppable }, new Uint8Array(100)));
    await vi.waitFor(() => expect(a.bus!.stats.published[BusKind.Frame] + b.bus!.stats.received[BusKind.Frame]).toBe(100), { timeout: 3000, interval: 20 });
    // Node b has decided every frame; the ones it sent may still be on their way to this client.
    await vi.waitFor(() => expect(delivers(receiver).length + b.relay.stats.drops).toBe(50), { timeout: 3000, interval: 20 });
    // 1024 bytes of burst: at most 9 frames of 106 bytes, plus what a second of refill allows.
    const got = delivers(receiver).length;
    expect(got).toBeGreaterThanOrEqual(1);
    expect(got).toBeLessThanOrEqual(19);
    expect(b.relay.stats.limitHits.room_bytes_out).toBe(50 - got);
    expect(b.relay.stats.drops).toBe(50 - got);
  });

  it('latest values set before another node\'s first member joins reach it within a tick', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const early = await cluster.ws(a);
    const e = await early.request({ type: 'join', room: 'handover', tickHz: 20 }, 'joined');
    early.sendFrame(encodeData({ room: e.handle, cls: DeliveryClass.Latest, key: 3 }, seq(42)));
    await vi.waitFor(() => expect(a.relay.rooms.get('handover')!.latest.size).toBe(1), { timeout: 2000, interval: 10 });
    const newcomer = await cluster.tcp(b);
    await newcomer.request({ type: 'join', room: 'handover' }, 'joined');
    const batch = (await newcomer.next((f) => f.kind === 'batch')) as Batch;
    expect(batch.entries.map((x) => [x.sender, x.key, readSeq(x.payload)])).toEqual([[e.self, 3, 42]]);
  });

  it('a node with no member in a room receives nothing of it', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const idle = await cluster.node('idle');
    const x = await cluster.ws(a);
    const y = await cluster.ws(b);
    const jx = await x.request({ type: 'join', room: 'private' }, 'joined');
    await y.request({ type: 'join', room: 'private' }, 'joined');
    await settled([a, b], 'private', 2);
    for (let i = 0; i < 20; i++) x.sendData(jx.handle, seq(i));
    await vi.waitFor(() => expect(delivers(y).length).toBe(20), { timeout: 3000, interval: 20 });
    expect(Object.values(idle.bus!.stats.received).reduce((n, v) => n + v, 0)).toBe(0);
    expect(Object.values(b.bus!.stats.received).reduce((n, v) => n + v, 0)).toBeGreaterThanOrEqual(20);
  });

  it('capacity and member ids hold cluster-wide when two nodes fill a room at once', async () => {
    const MAX = 5;
    const a = await cluster.node('a', { maxMembersPerRoom: MAX });
    const b = await cluster.node('b', { maxMembersPerRoom: MAX });
    const clients = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? cluster.ws(a) : cluster.tcp(b))));
    const replies = await Promise.all(clients.map((c) => c.requestAny({ type: 'join', room: 'full' })));
    const joined = replies.filter((r) => r.type === 'joined');
    const refused = replies.filter((r) => r.type === 'error');
    expect(joined).toHaveLength(MAX);
    expect(refused).toHaveLength(12 - MAX);
    expect(refused.every((r) => r.type === 'error' && r.code === 'room_full')).toBe(true);
    const ids = joined.map((r) => (r.type === 'joined' ? r.self : 0));
    expect(new Set(ids).size).toBe(MAX);
    expect(ids.every((id) => id >= 1 && id <= MAX)).toBe(true);
    // Each node that holds some of them knows all five (its own plus the other node's).
    const holders = [a, b].filter((n) => n.relay.rooms.get('full') !== undefined);
    expect(holders.reduce((n, node) => n + node.relay.rooms.get('full')!.size, 0)).toBe(MAX);
    await settled(holders, 'full', MAX);
  });
});
