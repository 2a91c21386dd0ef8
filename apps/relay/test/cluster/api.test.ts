// The server API in a cluster (docs/server-api.md, "In a cluster"): any node answers for the whole
// cluster. Listing and reading rooms come from Redis (members of every node, in join order, and
// the host); publish, remove, kick, close and disconnect are relayed to every node, which acts on
// its own members, and the answers are added up.
import { CloseCodes } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { API_KEY, JWT_SECRET, api, useCluster } from './nodes.js';

const cluster = useCluster({ apiKeys: [API_KEY], jwtSecret: JWT_SECRET, allowAnonymous: 'true' });

async function publish(httpUrl: string, room: string, query: string, payload: number[]): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${httpUrl}/api/v1/rooms/${room}/publish?${query}`, {
    method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array(payload),
  });
  return { status: res.status, json: await res.json() };
}

describe('cluster server API', () => {
  it('a node without members lists and reads rooms with the members of every node', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const c = await cluster.node('c');
    const x = await cluster.signedIn(a, { sub: 'xavier', info: { name: 'X' } });
    const y = await cluster.ws(b);
    const jx = await x.join('arena', { hp: 10 });
    const jy = await y.join('arena', { hp: 7 });
    await cluster.ws(b).then((w) => w.join('zoo'));
    expect((await api(c.httpUrl, 'GET', '/rooms')).json).toEqual({
      rooms: [
        { name: 'arena', members: 2, tickHz: 30, settings: { capacity: 256, locked: false, private: false, metadata: null }, host: jx.self },
        { name: 'zoo', members: 1, tickHz: 30, settings: { capacity: 256, locked: false, private: false, metadata: null }, host: 1 },
      ],
    });
    expect((await api(c.httpUrl, 'GET', '/rooms?limit=1')).json).toMatchObject({ rooms: [{ name: 'arena' }], next: 'arena' });
    expect((await api(c.httpUrl, 'GET', '/rooms?limit=1&after=arena')).json).toMatchObject({ rooms: [{ name: 'zoo' }] });
    expect((await api(c.httpUrl, 'GET', '/rooms?prefix=zo')).json.rooms.map((r: { name: string }) => r.name)).toEqual(['zoo']);
    expect((await api(c.httpUrl, 'GET', '/rooms/arena')).json).toEqual({
      name: 'arena', members: 2, tickHz: 30, settings: { capacity: 256, locked: false, private: false, metadata: null }, host: jx.self,
      memberList: [
        { id: jx.self, userId: 'xavier', info: { name: 'X' }, presence: { hp: 10 } },
        { id: jy.self, presence: { hp: 7 } },
      ],
    });
    expect((await api(c.httpUrl, 'GET', '/rooms/nowhere')).status).toBe(404);
  });

  it('publish from a node without members reaches the members of every node, once; to one member only that one', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const c = await cluster.node('c');
    const x = await cluster.ws(a);
    const y = await cluster.ws(b);
    const z = await cluster.ws(b);
    await x.join('news');
    const jy = await y.join('news');
    await z.join('news');
    expect(await publish(c.httpUrl, 'news', 'class=reliable', [1, 2])).toEqual({ status: 200, json: { recipients: 3 } });
    for (const m of [x, y, z]) expect(await m.nextDeliver()).toMatchObject({ sender: 0, payload: new Uint8Array([1, 2]) });
    expect(await publish(a.httpUrl, 'news', `class=reliable&to=${jy.self}`, [3])).toEqual({ status: 200, json: { recipients: 1 } });
    expect(await y.nextDeliver()).toMatchObject({ sender: 0, payload: new Uint8Array([3]) });
    expect(await publish(a.httpUrl, 'news', 'class=reliable&to=999', [4])).toMatchObject({ status: 404, json: { error: { code: 'member_not_found' } } });
    expect(await publish(a.httpUrl, 'nowhere', 'class=reliable', [4])).toMatchObject({ status: 404, json: { error: { code: 'room_not_found' } } });
    // No duplicates: a round trip later nobody has a second frame.
    await x.request({ type: 'presence', room: 1, presence: null }, 'ok');
    await y.nextMessage('member_updated');
    await z.nextMessage('member_updated');
    expect([x, y, z].map((m) => m.frames.filter((f) => f.kind === 'deliver'))).toEqual([[], [], []]);
  });

  it('remove, kick and close through another node act on the members where they are', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const x = await cluster.ws(a);
    const y = await cluster.ws(b);
    const z = await cluster.ws(b);
    const jx = await x.join('match');
    const jy = await y.join('match');
    const jz = await z.join('match');
    expect(await api(a.httpUrl, 'POST', `/rooms/match/members/${jy.self}/remove`, { reason: 'afk' })).toEqual({ status: 200, json: { removed: true } });
    expect(await y.nextMessage('removed')).toEqual({ type: 'removed', room: jy.handle, reason: 'afk' });
    expect(await x.nextMessage('member_left')).toEqual({ type: 'member_left', room: jx.handle, member: jy.self });
    expect(await api(a.httpUrl, 'POST', `/rooms/match/members/${jy.self}/kick`, { reason: 'gone' })).toMatchObject({ status: 404, json: { error: { code: 'member_not_found' } } });
    expect(await api(a.httpUrl, 'POST', `/rooms/match/members/${jz.self}/kick`, { reason: 'cheating' })).toEqual({ status: 200, json: { kicked: true } });
    expect(await z.closed).toEqual({ code: CloseCodes.kicked.code, reason: 'cheating' });
    // y (node b, no longer a member) joins again; close through node b reaches x on node a.
    const jy2 = await y.join('match');
    expect(await api(b.httpUrl, 'POST', '/rooms/match/close', { reason: 'game over' })).toEqual({ status: 200, json: { removed: 2 } });
    expect(await x.nextMessage('room_closed')).toEqual({ type: 'room_closed', room: jx.handle, reason: 'game over' });
    expect(await y.nextMessage('room_closed')).toEqual({ type: 'room_closed', room: jy2.handle, reason: 'game over' });
    await expect.poll(() => cluster.redis.keys('rc:*'), { timeout: 2000 }).toEqual(expect.not.arrayContaining(['rc:{r:match}:m', 'rc:{r:match}:meta', 'rc:rooms']));
    expect((await api(a.httpUrl, 'GET', '/rooms/match')).status).toBe(404);
    expect((await api(a.httpUrl, 'POST', '/rooms/match/close', { reason: 'again' })).status).toBe(404);
  });

  it('a room created through the API and never joined is closed through another node', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    expect((await api(a.httpUrl, 'POST', '/rooms', { name: 'empty' })).status).toBe(200);
    expect(await api(b.httpUrl, 'POST', '/rooms/empty/close', { reason: 'unused' })).toEqual({ status: 200, json: { removed: 0 } });
    expect(await cluster.redis.keys('rc:*')).toEqual(expect.not.arrayContaining(['rc:{r:empty}:meta']));
    expect((await api(a.httpUrl, 'GET', '/rooms')).json).toEqual({ rooms: [] });
  });

  it('disconnecting a user closes its connections on every node', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const c = await cluster.node('c');
    const onA = await cluster.signedIn(a, { sub: 'mallory' });
    const onB = await cluster.signedIn(b, { sub: 'mallory' });
    const other = await cluster.signedIn(b, { sub: 'alice' });
    expect(await api(c.httpUrl, 'POST', '/users/mallory/disconnect', { reason: 'banned' })).toEqual({ status: 200, json: { disconnected: 2 } });
    expect(await onA.closed).toEqual({ code: CloseCodes.kicked.code, reason: 'banned' });
    expect(await onB.closed).toEqual({ code: CloseCodes.kicked.code, reason: 'banned' });
    expect(other.ws.readyState).toBe(other.ws.OPEN);
  });

  it('answers cluster_unavailable (503) while Redis does not answer, and works again after', async () => {
    const a = await cluster.node('a');
    expect((await api(a.httpUrl, 'POST', '/rooms', { name: 'frozen' })).status).toBe(200);
    await cluster.redis.signal('SIGSTOP');
    const answer = await api(a.httpUrl, 'GET', '/rooms/frozen');
    expect(answer.status).toBe(503);
    expect(answer.json.error.code).toBe('cluster_unavailable');
    await cluster.redis.signal('SIGCONT');
    await expect.poll(async () => (await api(a.httpUrl, 'GET', '/rooms/frozen')).status, { timeout: 5000, interval: 100 }).toBe(200);
  });
});
