// Identity across nodes (protocol v2): a member's verified `userId` and `info` travel with it to
// other nodes, in the member hash (joined lists built from Redis) and in the cross-node
// joined / updated messages, so a remote member looks exactly like a local one.
import { describe, expect, it } from 'vitest';
import type { RelayServer } from '../../src/index.js';
import { SECRET, hmacKey, sign } from '../auth/tokens.js';
import { RawClient } from '../helpers.js';
import { useCluster } from './nodes.js';

const cluster = useCluster({ jwtSecret: SECRET });

/** A WebSocket client of `node` welcomed with a real HS256 token (expiry by the real clock). */
async function signedIn(node: RelayServer, sub: string, info?: Record<string, unknown>): Promise<RawClient> {
  const token = await sign(hmacKey(), 'HS256', { sub, rooms: ['game:*'], exp: Math.floor(Date.now() / 1000) + 3600, ...(info === undefined ? {} : { info }) });
  const client = await cluster.connect(node);
  const welcome = await client.requestAny({ type: 'hello', v: 2, client: 'cluster-identity', token });
  expect(welcome.type).toBe('welcome');
  return client;
}

describe('cluster identity', () => {
  it('the other node sees userId and info in joined lists, member_joined and member_updated', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const alice = await signedIn(a, 'user-alice', { name: 'Alice', team: 'red' });
    const bob = await signedIn(b, 'user-bob');

    const joinedA = await alice.request({ type: 'join', room: 'game:1', presence: { x: 1 } }, 'joined');
    expect(joinedA.members).toEqual([{ id: joinedA.self, presence: { x: 1 }, userId: 'user-alice', info: { name: 'Alice', team: 'red' } }]);

    // Bob's node learns alice from the member hash in Redis (the claim's member list).
    const joinedB = await bob.request({ type: 'join', room: 'game:1', presence: { x: 2 } }, 'joined');
    expect(joinedB.members).toHaveLength(2);
    expect(joinedB.members).toEqual(expect.arrayContaining([
      { id: joinedA.self, presence: { x: 1 }, userId: 'user-alice', info: { name: 'Alice', team: 'red' } },
      { id: joinedB.self, presence: { x: 2 }, userId: 'user-bob' },
    ]));
    // Alice's node learns bob from the cross-node joined message.
    expect(await alice.nextMessage('member_joined')).toEqual({
      type: 'member_joined', room: joinedA.handle, member: { id: joinedB.self, presence: { x: 2 }, userId: 'user-bob' },
    });

    await alice.request({ type: 'presence', room: joinedA.handle, presence: { x: 3 } }, 'ok');
    expect(await bob.nextMessage('member_updated')).toEqual({
      type: 'member_updated', room: joinedB.handle, member: { id: joinedA.self, presence: { x: 3 }, userId: 'user-alice', info: { name: 'Alice', team: 'red' } },
    });

    // A later member on node B reads alice's entry as rewritten by the update: presence and identity.
    const carol = await signedIn(b, 'user-carol', { name: 'Carol' });
    const joinedC = await carol.request({ type: 'join', room: 'game:1' }, 'joined');
    expect(joinedC.members.find((m) => m.id === joinedA.self)).toEqual({
      id: joinedA.self, presence: { x: 3 }, userId: 'user-alice', info: { name: 'Alice', team: 'red' },
    });
    expect(await alice.nextMessage('member_joined', (m) => m.member.id === joinedC.self)).toEqual({
      type: 'member_joined', room: joinedA.handle, member: { id: joinedC.self, presence: null, userId: 'user-carol', info: { name: 'Carol' } },
    });
  });
});
