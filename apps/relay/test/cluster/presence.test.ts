// Two relay nodes on one real Redis: one set of rooms. Presence crosses nodes (joined list,
// member_joined / member_updated / member_left), ids are unique cluster-wide, the creator's tick
// rate holds on every node, and a single relay (no REDIS_URL) has no bus at all.
import { describe, expect, it } from 'vitest';
import { startTestRelay, httpGet } from '../helpers.js';
import { useCluster } from './nodes.js';

const cluster = useCluster();

describe('cluster presence', () => {
  it('members on two nodes see each other join, update and leave (WebSocket and TCP)', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const alice = await cluster.ws(a);
    const bob = await cluster.tcp(b);
    const joinedA = await alice.request({ type: 'join', room: 'lobby', presence: { name: 'alice' } }, 'joined');
    expect(joinedA.members).toEqual([{ id: joinedA.self, presence: { name: 'alice' } }]);

    const joinedB = await bob.request({ type: 'join', room: 'lobby', presence: { name: 'bob' } }, 'joined');
    expect(joinedB.self).not.toBe(joinedA.self);
    expect(joinedB.members).toHaveLength(2);
    expect(joinedB.members).toEqual(expect.arrayContaining([
      { id: joinedA.self, presence: { name: 'alice' } },
      { id: joinedB.self, presence: { name: 'bob' } },
    ]));
    const seen = await alice.nextMessage('member_joined');
    expect(seen).toEqual({ type: 'member_joined', room: joinedA.handle, member: { id: joinedB.self, presence: { name: 'bob' } } });

    await bob.request({ type: 'presence', room: joinedB.handle, presence: { name: 'bob', away: true } }, 'ok');
    expect(await alice.nextMessage('member_updated')).toEqual({
      type: 'member_updated', room: joinedA.handle, member: { id: joinedB.self, presence: { name: 'bob', away: true } },
    });

    // A third member on node A sees both, with bob's new presence (stored in Redis).
    const carol = await cluster.ws(a);
    const joinedC = await carol.request({ type: 'join', room: 'lobby', presence: null }, 'joined');
    expect(new Set(joinedC.members.map((m) => m.id))).toEqual(new Set([joinedA.self, joinedB.self, joinedC.self]));
    expect(joinedC.members.find((m) => m.id === joinedB.self)?.presence).toEqual({ name: 'bob', away: true });
    await bob.nextMessage('member_joined', (m) => m.member.id === joinedC.self);

    await bob.request({ type: 'leave', room: joinedB.handle }, 'ok');
    expect(await alice.nextMessage('member_left')).toEqual({ type: 'member_left', room: joinedA.handle, member: joinedB.self });
    expect(await carol.nextMessage('member_left')).toEqual({ type: 'member_left', room: joinedC.handle, member: joinedB.self });
  });

  it('the room keeps its creator\'s tick rate on every node', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const first = await (await cluster.ws(a)).request({ type: 'join', room: 'ticks', tickHz: 10 }, 'joined');
    const second = await (await cluster.ws(b)).request({ type: 'join', room: 'ticks', tickHz: 50 }, 'joined');
    expect(first.tickHz).toBe(10);
    expect(second.tickHz).toBe(10);
  });

  it('leaves no Redis keys once every member is gone and the nodes stopped', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const x = await cluster.ws(a);
    const y = await cluster.ws(b);
    await x.request({ type: 'join', room: 'gone' }, 'joined');
    const j = await y.request({ type: 'join', room: 'gone' }, 'joined');
    expect(await cluster.redis.keys('rc:{r:gone}*')).toEqual(expect.arrayContaining(['rc:{r:gone}:m', 'rc:{r:gone}:meta']));
    await y.request({ type: 'leave', room: j.handle }, 'ok');
    await x.close();
    await a.close();
    await b.close();
    expect(await cluster.redis.keys('rc:*')).toEqual([]);
  });

  it('reports the node and its bus in /healthz', async () => {
    const a = await cluster.node('health-a');
    expect(JSON.parse((await httpGet(a, '/healthz')).body)).toMatchObject({ status: 'ok', node: 'health-a', bus: 'up' });
  });

  it('without REDIS_URL there is no bus and /healthz is unchanged', async () => {
    const single = await startTestRelay();
    try {
      expect(single.bus).toBeUndefined();
      const health = JSON.parse((await httpGet(single, '/healthz')).body) as Record<string, unknown>;
      expect(Object.keys(health).sort()).toEqual(['connections', 'rooms', 'status', 'uptimeSec', 'version']);
    } finally {
      await single.close();
    }
  });
});
