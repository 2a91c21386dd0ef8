// Interest groups (PROTOCOL.md §4.5) against the real relay with real sockets: WebSocket and raw
// TCP members in one room, per-group batches and snapshots, values moving between scopes,
// group-addressed droppable and reliable frames, and the limits with their error codes.
import { DeliveryClass, encodeControl, encodeData, type BatchFrame, type ServerFrame } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { httpGet } from './helpers.js';
import type { ProtocolClient } from './protocol-client.js';
import { useTcpRelay } from './tcp-helpers.js';

const relay = useTcpRelay();
const { Latest, Droppable, Reliable } = DeliveryClass;

const latestTo = (room: number, group: number | undefined, key: number, ...payload: number[]) =>
  encodeData({ room, cls: Latest, key, group }, Uint8Array.from(payload));
const isBatch = (group?: number, snapshot = false) => (f: ServerFrame) =>
  f.kind === 'batch' && f.group === group && f.snapshot === snapshot;
const entries = (f: ServerFrame) => (f as BatchFrame).entries.map((e) => [e.sender, e.key, [...e.payload]]);

async function join(c: ProtocolClient, room = 'canvas') {
  return c.request({ type: 'join', room }, 'joined');
}

/** A on WebSocket, B on raw TCP, C on WebSocket, all in one room. */
async function three(overrides = {}) {
  await relay.start({ maxMessagesPerSec: 100_000, burstMessages: 100_000, ...overrides });
  const a = await relay.wsOpen();
  const b = await relay.tcpOpen();
  const c = await relay.wsOpen();
  const ja = await join(a);
  const jb = await join(b);
  const jc = await join(c);
  return { a, b, c, ja, jb, jc, handle: ja.handle };
}

describe('interest groups', () => {
  it('advertises the limit in welcome (64 by default)', async () => {
    await relay.start();
    const fresh = await relay.tcpConnect();
    const w = await fresh.request({ type: 'hello', v: 2, client: 'groups-test' }, 'welcome');
    expect(w.limits.maxGroupsPerMember).toBe(64);
  });

  it('sends each group its own batch, to its subscribers only, over WebSocket and TCP', async () => {
    const { a, b, c, ja, handle } = await three();
    expect(await b.request({ type: 'interest', room: handle, groups: [5, 7] }, 'ok')).toEqual({ type: 'ok', id: expect.any(Number) });
    await c.request({ type: 'interest', room: handle, groups: [6] }, 'ok');
    a.sendFrame(latestTo(handle, 5, 0, 1, 2));
    expect(entries(await b.next(isBatch(5)))).toEqual([[ja.self, 0, [1, 2]]]);
    // A moves to group 6: the value leaves group 5 (a cleared entry there) and appears in group 6.
    a.sendFrame(latestTo(handle, 6, 0, 3, 4));
    expect(entries(await b.next(isBatch(5)))).toEqual([[ja.self, 0, []]]);
    expect(entries(await c.next(isBatch(6)))).toEqual([[ja.self, 0, [3, 4]]]);
    // C never saw group 5, nor a room batch: values addressed to groups are not for the room.
    expect(c.frames.filter((f) => f.kind === 'batch')).toEqual([]);
    expect(b.frames.filter((f) => f.kind === 'batch')).toEqual([]);
    // Back to room scope: cleared in group 6, a room batch (no group) for everyone.
    a.sendFrame(latestTo(handle, undefined, 0, 9));
    expect(entries(await c.next(isBatch(6)))).toEqual([[ja.self, 0, []]]);
    expect(entries(await c.next(isBatch(undefined)))).toEqual([[ja.self, 0, [9]]]);
    expect(entries(await b.next(isBatch(undefined)))).toEqual([[ja.self, 0, [9]]]);
  });

  it('gives a snapshot of each newly subscribed group that holds values, after the ok', async () => {
    const { a, b, ja, jb, handle } = await three();
    a.sendFrame(latestTo(handle, 5, 0, 1));
    a.sendFrame(latestTo(handle, 5, 1, 2));
    b.sendFrame(latestTo(handle, 8, 0, 3));
    // A round trip on each sender, so the values are stored before the subscriber asks.
    await a.request({ type: 'ping' }, 'pong');
    await b.request({ type: 'ping' }, 'pong');
    const d = await relay.tcpOpen();
    await join(d);
    await d.request({ type: 'interest', room: handle, groups: [5, 8, 9] }, 'ok');
    const s5 = await d.next(isBatch(5, true));
    const s8 = await d.next(isBatch(8, true));
    expect(entries(s5).sort()).toEqual([[ja.self, 0, [1]], [ja.self, 1, [2]]]);
    expect(entries(s8)).toEqual([[jb.self, 0, [3]]]);
    // Group 9 holds nothing: no snapshot for it. Re-sending the same set sends no snapshot again.
    await d.request({ type: 'interest', room: handle, groups: [8, 5, 9] }, 'ok');
    await d.request({ type: 'ping' }, 'pong');
    expect(d.frames.filter((f) => f.kind === 'batch')).toEqual([]);
    // Dropping group 8 stops its batches; group 5 still flows.
    await d.request({ type: 'interest', room: handle, groups: [5] }, 'ok');
    b.sendFrame(latestTo(handle, 8, 0, 4));
    a.sendFrame(latestTo(handle, 5, 0, 5));
    expect(entries(await d.next(isBatch(5)))).toEqual([[ja.self, 0, [5]]]);
    await d.request({ type: 'ping' }, 'pong');
    expect(d.frames.filter((f) => f.kind === 'batch')).toEqual([]);
  });

  it('removes a leaving member from its groups: member_left keeps room scope, its values go', async () => {
    const { a, b, c, ja, handle } = await three();
    await b.request({ type: 'interest', room: handle, groups: [5] }, 'ok');
    a.sendFrame(latestTo(handle, 5, 0, 1));
    await b.next(isBatch(5));
    await a.request({ type: 'leave', room: handle }, 'ok');
    // C subscribes to nothing, yet hears of the leave (membership events keep room scope).
    expect(await c.nextMessage('member_left')).toEqual({ type: 'member_left', room: handle, member: ja.self });
    expect(await b.nextMessage('member_left')).toEqual({ type: 'member_left', room: handle, member: ja.self });
    // A newcomer to group 5 gets no snapshot: the group holds nothing any more.
    const d = await relay.wsOpen();
    await join(d);
    await d.request({ type: 'interest', room: handle, groups: [5] }, 'ok');
    await d.request({ type: 'ping' }, 'pong');
    expect(d.frames.filter((f) => f.kind === 'batch')).toEqual([]);
  });

  it('routes group-addressed droppable and reliable frames to the group only, not to the sender', async () => {
    const { a, b, c, ja, handle } = await three();
    await a.request({ type: 'interest', room: handle, groups: [3] }, 'ok');
    await b.request({ type: 'interest', room: handle, groups: [3] }, 'ok');
    await c.request({ type: 'interest', room: handle, groups: [4] }, 'ok');
    a.sendFrame(encodeData({ room: handle, cls: Droppable, group: 3 }, Uint8Array.of(7)));
    a.sendFrame(encodeData({ room: handle, cls: Reliable, group: 3 }, Uint8Array.of(8)));
    const d1 = await b.nextDeliver();
    const d2 = await b.nextDeliver();
    expect([d1, d2].map((d) => [d.cls, d.sender, d.direct, [...d.payload]])).toEqual([[Droppable, ja.self, false, [7]], [Reliable, ja.self, false, [8]]]);
    // Room-scope frames still reach everyone: C gets this one, and only this one.
    a.sendFrame(encodeData({ room: handle, cls: Reliable }, Uint8Array.of(9)));
    expect([...(await c.nextDeliver()).payload]).toEqual([9]);
    await a.request({ type: 'ping' }, 'pong');
    expect(a.frames.filter((f) => f.kind === 'deliver')).toEqual([]);
  });

  it('refuses too many groups and bad group ids with typed errors; the previous set stays', async () => {
    const { a, b, ja, handle } = await three({ maxGroupsPerMember: 3 });
    await b.request({ type: 'interest', room: handle, groups: [1] }, 'ok');
    const tooMany = await b.request({ type: 'interest', room: handle, groups: [1, 2, 3, 4] }, 'error');
    expect(tooMany).toMatchObject({ code: 'too_many_groups', room: handle, message: '4 groups asked for; a member may subscribe to at most 3 groups per room' });
    // Duplicates count once.
    await b.request({ type: 'interest', room: handle, groups: [1, 1, 2, 2, 3] }, 'ok');
    for (const groups of [[0], [65536], [1.5], [-1]]) {
      expect(await b.request({ type: 'interest', room: handle, groups }, 'error')).toMatchObject({ code: 'bad_message' });
    }
    expect(await b.request({ type: 'interest', room: 999, groups: [1] }, 'error')).toMatchObject({ code: 'not_in_room', room: 999 });
    // A data frame to group 0 is not a frame (02 09: latest + group bit; group 0000).
    b.sendFrame(Uint8Array.from([0x02, 0x09, handle >> 8, handle & 0xff, 0, 0, 0, 1]));
    expect(await b.nextError('bad_frame')).toMatchObject({ message: 'group id 0 is not valid' });
    // The set [1, 2, 3] is in force.
    a.sendFrame(latestTo(handle, 3, 0, 1));
    expect(entries(await b.next(isBatch(3)))).toEqual([[ja.self, 0, [1]]]);
    // Counted: one limit hit and one error frame of that code.
    const metrics = (await httpGet(relay.server, '/metrics')).body;
    expect(metrics).toContain('roomcast_limit_hits_total{limit="groups_per_member"} 1\n');
    expect(metrics).toContain('roomcast_errors_total{code="too_many_groups"} 1\n');
  });

  it('counts keys across scopes: too_many_keys holds for group values too', async () => {
    const { a, handle } = await three({ maxKeysPerMember: 2 });
    a.sendFrame(latestTo(handle, 1, 0, 1));
    a.sendFrame(latestTo(handle, undefined, 1, 1));
    a.sendFrame(latestTo(handle, 2, 2, 1));
    expect(await a.nextError('too_many_keys')).toMatchObject({ room: handle });
    // Moving a held key to another group is no new key.
    a.sendFrame(latestTo(handle, 2, 0, 1));
    await a.request({ type: 'ping' }, 'pong');
    expect(a.frames.filter((f) => f.kind === 'control' && f.message.type === 'error')).toEqual([]);
  });

  it('a relay with groups off (RELAY_MAX_GROUPS_PER_MEMBER=0, as clustered relays) refuses them clearly', async () => {
    const { a, handle } = await three({ maxGroupsPerMember: 0 });
    const err = await a.request({ type: 'interest', room: handle, groups: [1] }, 'error');
    expect(err).toMatchObject({ code: 'too_many_groups', message: expect.stringContaining('offers no interest groups') });
    a.sendFrame(latestTo(handle, 1, 0, 1));
    expect(await a.nextError('too_many_groups')).toMatchObject({ room: handle });
    // Ungrouped traffic is unaffected.
    a.sendFrame(encodeControl({ type: 'ping', id: 99 }));
    expect(await a.nextMessage('pong')).toEqual({ type: 'pong', id: 99 });
  });
});
