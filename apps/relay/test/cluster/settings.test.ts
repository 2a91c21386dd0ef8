// Room settings in a cluster (PROTOCOL.md §8.20): the node that holds a room's settings applies
// them to joins through it, capacity included in the cluster store's atomic claim (so members on
// other nodes count). Settings, host and seats are per relay process (docs/decisions/0002-cluster.md).
import { describe, expect, it } from 'vitest';
import { useCluster } from './nodes.js';
import { redisCommand } from './redis.js';

const KEY = 'cluster-key-0123456789abcdefghij';
const cluster = useCluster();

async function setSettings(httpUrl: string, room: string, settings: object): Promise<number> {
  const res = await fetch(`${httpUrl}/api/v1/rooms/${room}/settings`, {
    method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(settings),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('cluster and room settings', () => {
  it('a capacity set on a node counts members of every node; a lock refuses joins through that node', async () => {
    const a = await cluster.node('a', { apiKeys: [KEY] });
    const b = await cluster.node('b');
    const onB = await cluster.ws(b);
    await onB.request({ type: 'join', room: 'capped' }, 'joined');
    const first = await cluster.ws(a);
    const joined = await first.request({ type: 'join', room: 'capped' }, 'joined');
    expect(joined.members).toHaveLength(2);
    expect(await setSettings(a.httpUrl, 'capped', { capacity: 2 })).toBe(200);
    // Room size on node a is 1 (its local member); the claim sees the member on node b too.
    const second = await cluster.ws(a);
    second.sendControl({ type: 'join', id: 7, room: 'capped' });
    const full = await second.nextError('room_full');
    expect(full.id).toBe(7);
    expect(full.message).toBe('room capped has its maximum of 2 members');
    expect(await redisCommand(cluster.redis.port, 'HLEN rc:{r:capped}:m')).toBe(':2\r\n');

    expect(await setSettings(a.httpUrl, 'capped', { capacity: 8, locked: true })).toBe(200);
    second.sendControl({ type: 'join', id: 8, room: 'capped' });
    const locked = await second.nextError('room_locked');
    expect(locked.id).toBe(8);
    expect(await redisCommand(cluster.redis.port, 'HLEN rc:{r:capped}:m')).toBe(':2\r\n');
  });
});
