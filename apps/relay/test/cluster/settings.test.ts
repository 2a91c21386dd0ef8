// Room settings in a cluster (PROTOCOL.md §8.20): stored in Redis and decided there, so they hold
// for the room on every node: the capacity and the lock are checked by the atomic claim, a change
// through the API of any node reaches the members of every node once (`room_settings`), and a
// room's first-join settings or an API-created room's settings are what joins on other nodes see.
import { describe, expect, it } from 'vitest';
import { API_KEY, JWT_SECRET, api, useCluster } from './nodes.js';
import { redisCommand } from './redis.js';

const cluster = useCluster({ apiKeys: [API_KEY], jwtSecret: JWT_SECRET, allowAnonymous: 'true' });
const settingsOf = (overrides: object) => ({ capacity: 256, locked: false, private: false, metadata: null, ...overrides });

describe('cluster and room settings', () => {
  it('a capacity set through one node counts members of every node; a lock refuses joins on every node', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const onB = await cluster.ws(b);
    const jb = await onB.request({ type: 'join', room: 'capped' }, 'joined');
    const first = await cluster.ws(a);
    const joined = await first.request({ type: 'join', room: 'capped' }, 'joined');
    expect(joined.members).toHaveLength(2);
    expect((await api(a.httpUrl, 'POST', '/rooms/capped/settings', { capacity: 2 })).status).toBe(200);
    // Node b's member hears of it (its node holds the room too): room_settings, from node a's change.
    expect(await onB.nextMessage('room_settings')).toEqual({ type: 'room_settings', room: jb.handle, settings: settingsOf({ capacity: 2 }) });
    // Room size on node a is 1 (its local member); the claim sees the member on node b too.
    const second = await cluster.ws(a);
    second.sendControl({ type: 'join', id: 7, room: 'capped' });
    const full = await second.nextError('room_full');
    expect(full.id).toBe(7);
    expect(full.message).toBe('room capped has its maximum of 2 members');
    expect(await redisCommand(cluster.redis.port, 'HLEN rc:{r:capped}:m')).toBe(':2\r\n');

    expect((await api(a.httpUrl, 'POST', '/rooms/capped/settings', { capacity: 8, locked: true })).status).toBe(200);
    second.sendControl({ type: 'join', id: 8, room: 'capped' });
    expect((await second.nextError('room_locked')).id).toBe(8);
    // The lock was set through node a; a join through node b is refused as well.
    const third = await cluster.ws(b);
    third.sendControl({ type: 'join', id: 9, room: 'capped' });
    expect(await third.nextError('room_locked')).toMatchObject({ id: 9, message: 'room capped is locked' });
    expect(await redisCommand(cluster.redis.port, 'HLEN rc:{r:capped}:m')).toBe(':2\r\n');
    expect(await onB.nextMessage('room_settings')).toMatchObject({ settings: settingsOf({ capacity: 8, locked: true }) });
  });

  it('settings changed through a node without members reach the members of every node once; the API of any node reads them', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const c = await cluster.node('c');
    // The first join of a role server token sets the room's settings (§8.20 rule 6), on node a.
    const backend = await cluster.signedIn(a, { sub: 'game-server', role: 'server' });
    const created = await backend.request({ type: 'join', room: 'match', settings: { capacity: 5, metadata: { map: 'dust' } } }, 'joined');
    expect(created.settings).toEqual(settingsOf({ capacity: 5, metadata: { map: 'dust' } }));
    const player = await cluster.ws(b);
    const joined = await player.request({ type: 'join', room: 'match' }, 'joined');
    expect(joined.settings).toEqual(settingsOf({ capacity: 5, metadata: { map: 'dust' } }));

    const changed = await api(c.httpUrl, 'POST', '/rooms/match/settings', { metadata: { map: 'nuke' }, private: true });
    expect(changed).toEqual({ status: 200, json: { settings: settingsOf({ capacity: 5, private: true, metadata: { map: 'nuke' } }) } });
    const expected = settingsOf({ capacity: 5, private: true, metadata: { map: 'nuke' } });
    expect(await backend.nextMessage('room_settings')).toEqual({ type: 'room_settings', room: created.handle, settings: expected });
    expect(await player.nextMessage('room_settings')).toEqual({ type: 'room_settings', room: joined.handle, settings: expected });
    // Once each: a round trip later no second room_settings is queued.
    await backend.request({ type: 'presence', room: created.handle, presence: { ready: true } }, 'ok');
    await player.nextMessage('member_updated');
    expect(backend.frames.filter((f) => f.kind === 'control' && f.message.type === 'room_settings')).toEqual([]);
    expect(player.frames.filter((f) => f.kind === 'control' && f.message.type === 'room_settings')).toEqual([]);
    for (const node of [a, b, c]) {
      expect((await api(node.httpUrl, 'GET', '/rooms/match')).json.settings).toEqual(expected);
    }
    // The webhook-free part of "private": not listed without the flag, on any node.
    expect((await api(b.httpUrl, 'GET', '/rooms')).json).toEqual({ rooms: [] });
    expect((await api(b.httpUrl, 'GET', '/rooms?private=true')).json.rooms.map((r: { name: string }) => r.name)).toEqual(['match']);
  });

  it('a room created through the API of one node is joined through another with its settings and tick rate', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const made = await api(a.httpUrl, 'POST', '/rooms', { name: 'prepared', tickHz: 10, settings: { capacity: 3, metadata: { mode: 'duel' } } });
    expect(made).toEqual({ status: 200, json: { name: 'prepared', members: 0, tickHz: 10, settings: settingsOf({ capacity: 3, metadata: { mode: 'duel' } }), host: 0 } });
    expect((await api(b.httpUrl, 'POST', '/rooms', { name: 'prepared' })).status).toBe(409);
    const player = await cluster.ws(b);
    const joined = await player.request({ type: 'join', room: 'prepared', tickHz: 60 }, 'joined');
    expect(joined).toMatchObject({ tickHz: 10, settings: settingsOf({ capacity: 3, metadata: { mode: 'duel' } }), host: joined.self });
    expect((await api(a.httpUrl, 'GET', '/rooms/prepared')).json).toMatchObject({ members: 1, host: joined.self, memberList: [{ id: joined.self, presence: null }] });
    // Locked through node b while nobody is on node a: a join through node a is refused.
    expect((await api(b.httpUrl, 'POST', '/rooms/prepared/settings', { locked: true })).status).toBe(200);
    const late = await cluster.ws(a);
    late.sendControl({ type: 'join', id: 3, room: 'prepared' });
    expect(await late.nextError('room_locked')).toMatchObject({ id: 3 });
    // The room's keys go with its last member, and so does its index entry.
    await player.request({ type: 'leave', room: joined.handle }, 'ok');
    await expect.poll(() => cluster.redis.keys('rc:*rooms*'), { timeout: 2000 }).toEqual([]);
    expect((await api(a.httpUrl, 'GET', '/rooms/prepared')).status).toBe(404);
  });

  it('under concurrent joins through two nodes a capacity set through the API admits exactly that many', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    expect((await api(a.httpUrl, 'POST', '/rooms', { name: 'race', settings: { capacity: 3 } })).status).toBe(200);
    const clients = await Promise.all(Array.from({ length: 10 }, (_, i) => cluster.ws(i % 2 === 0 ? a : b)));
    const replies = await Promise.all(clients.map((c) => c.requestAny({ type: 'join', room: 'race' })));
    const types = replies.map((r) => (r.type === 'error' ? r.code : r.type)).sort();
    expect(types).toEqual([...Array(3).fill('joined'), ...Array(7).fill('room_full')]);
    expect(await redisCommand(cluster.redis.port, 'HLEN rc:{r:race}:m')).toBe(':3\r\n');
  });

  it('settings changed at the same time through two nodes end the same on every node (the newest version wins)', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const onA = await cluster.ws(a);
    const onB = await cluster.ws(b);
    const ja = await onA.join('both');
    const jb = await onB.join('both');
    await Promise.all(Array.from({ length: 10 }, (_, i) => api(i % 2 === 0 ? a.httpUrl : b.httpUrl, 'POST', '/rooms/both/settings', { metadata: { n: i } })));
    const stored = (await api(a.httpUrl, 'GET', '/rooms/both')).json.settings;
    // Each member's last room_settings is the stored value; versions keep a late older one from overriding it.
    const last = async (c: typeof onA, handle: number): Promise<unknown> => {
      await c.request({ type: 'presence', room: handle, presence: null }, 'ok');
      const seen = c.frames.filter((f) => f.kind === 'control' && f.message.type === 'room_settings');
      return seen.length === 0 ? undefined : (seen[seen.length - 1] as { message: { settings: unknown } }).message.settings;
    };
    await expect.poll(() => last(onA, ja.handle), { timeout: 3000, interval: 50 }).toEqual(stored);
    await expect.poll(() => last(onB, jb.handle), { timeout: 3000, interval: 50 }).toEqual(stored);
    expect(b.relay.rooms.get('both')!.settings).toEqual(stored);
    expect(a.relay.rooms.get('both')!.settings).toEqual(stored);
  });
});
