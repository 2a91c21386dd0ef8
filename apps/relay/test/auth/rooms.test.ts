// Rights and trusted identity in rooms, against the real relay over WebSocket and TCP: a token
// gets into only the rooms of its claim and does only its actions there (`forbidden` without a
// close otherwise); the others see its user id and info next to its presence (PROTOCOL.md §8.18).
import { describe, expect, it } from 'vitest';
import { TRANSPORTS, useAuthRelays, type AnyClient } from './harness.js';
import { SECRET, hmacKey, sign } from './tokens.js';

const relays = useAuthRelays();
const hs = { RELAY_JWT_SECRET: SECRET };
const token = (claims: Record<string, unknown>) => sign(hmacKey(), 'HS256', claims);

describe.each(TRANSPORTS)('rights over %s', (transport) => {
  it('joins only the rooms of the claim: exact names and prefixes; others are forbidden and the connection stays', async () => {
    const server = await relays.start(hs);
    const ada = await relays.welcomed(server, transport, await token({ rooms: ['lobby', 'game:*'] }));
    expect(await ada.requestAny({ type: 'join', room: 'vip' })).toStrictEqual({
      type: 'error', id: 2, code: 'forbidden', message: 'your token does not allow joining room vip',
    });
    expect(await ada.requestAny({ type: 'join', room: 'game' })).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(server.relay.rooms.size).toBe(0); // a refused join creates no room
    expect((await ada.join('lobby')).room).toBe('lobby');
    expect((await ada.join('game:42')).room).toBe('game:42');
    await ada.request({ type: 'ping' }, 'pong');
    expect(server.relay.stats.errors.forbidden).toBe(2);
  });

  it('a token without rooms joins nothing; role server joins anything', async () => {
    const server = await relays.start(hs);
    const nobody = await relays.welcomed(server, transport, await token({}));
    expect(await nobody.requestAny({ type: 'join', room: 'lobby' })).toMatchObject({ type: 'error', code: 'forbidden' });
    const backend = await relays.welcomed(server, transport, await token({ sub: 'game-server', role: 'server' }));
    expect((await backend.join('anything:at-all', { host: true })).room).toBe('anything:at-all');
  });

  it('a read-only viewer receives but may not send, send direct or set presence', async () => {
    const server = await relays.start(hs);
    const player = await relays.welcomed(server, transport, await token({ sub: 'p1', rooms: ['match'] }));
    const viewer = await relays.welcomed(server, transport, await token({ sub: 'v1', rooms: { match: ['join'] } }));
    const joined = await player.join('match', { x: 1 });
    expect(await viewer.requestAny({ type: 'join', room: 'match', presence: { x: 2 } })).toStrictEqual({
      type: 'error', id: 2, code: 'forbidden', message: 'your token does not allow presence in room match: join without presence',
    });
    const seen = await viewer.join('match');
    const handle = seen.handle;

    viewer.sendData(handle, new Uint8Array([1]));
    expect(await viewer.nextError('forbidden')).toStrictEqual({
      type: 'error', code: 'forbidden', message: 'your token does not allow sending in room match', room: handle,
    });
    viewer.sendData(handle, new Uint8Array([2]), joined.self);
    expect(await viewer.nextError('forbidden')).toMatchObject({ message: 'your token does not allow direct messages in room match', room: handle });
    expect(await viewer.requestAny({ type: 'presence', room: handle, presence: { x: 3 } })).toStrictEqual({
      type: 'error', id: 4, code: 'forbidden', message: 'your token does not allow presence in room match', room: handle,
    });
    await viewer.request({ type: 'presence', room: handle, presence: null }, 'ok'); // clearing needs no right
    // Nothing reached the player; what the player sends reaches the viewer.
    player.sendData(joined.handle, new Uint8Array([9]));
    const deliver = await viewer.nextDeliver();
    expect([...deliver.payload]).toStrictEqual([9]);
    await player.request({ type: 'ping' }, 'pong');
    expect(player.frames.filter((f) => f.kind === 'deliver')).toHaveLength(0);
  });

  it('actions add up per pattern: send in game:*, direct only in game:duel', async () => {
    const server = await relays.start(hs);
    const claims = { rooms: { 'game:*': ['send'], 'game:duel': ['direct'] } };
    const a = await relays.welcomed(server, transport, await token({ sub: 'a', ...claims }));
    const b = await relays.welcomed(server, transport, await token({ sub: 'b', ...claims }));
    const ja = await a.join('game:duel');
    const jb = await b.join('game:duel');
    a.sendData(ja.handle, new Uint8Array([1]), jb.self);
    expect([...(await b.nextDeliver()).payload]).toStrictEqual([1]);
    const other = await a.join('game:open');
    const otherB = await b.join('game:open');
    a.sendData(other.handle, new Uint8Array([2]), otherB.self);
    expect(await a.nextError('forbidden')).toMatchObject({ room: other.handle });
    a.sendData(other.handle, new Uint8Array([3]));
    expect([...(await b.nextDeliver()).payload]).toStrictEqual([3]);
  });
});

describe.each(TRANSPORTS)('trusted identity over %s', (transport) => {
  async function expectMember(client: AnyClient, id: number, fields: Record<string, unknown>): Promise<void> {
    const m = await client.nextMessage('member_joined', (msg) => msg.member.id === id);
    expect(m.member).toStrictEqual(fields);
  }

  it('member maps carry userId and info from the token next to the presence, which cannot fake them', async () => {
    const server = await relays.start({ ...hs, RELAY_ALLOW_ANONYMOUS: 'true' });
    const ada = await relays.welcomed(server, transport, await token({ sub: 'ada', rooms: ['r'], info: { name: 'Ada L.', team: 'red' } }));
    const bob = await relays.welcomed(server, transport, await token({ sub: 'bob', rooms: ['r'] }));
    const anon = await relays.welcomed(server, transport);
    const ja = await ada.join('r', { name: 'Ada', userId: 'bob' });
    const jb = await bob.join('r', { name: 'Bob' });
    expect(jb.members).toStrictEqual([
      { id: ja.self, presence: { name: 'Ada', userId: 'bob' }, userId: 'ada', info: { name: 'Ada L.', team: 'red' } },
      { id: jb.self, presence: { name: 'Bob' }, userId: 'bob' },
    ]);
    await expectMember(ada, jb.self, { id: jb.self, presence: { name: 'Bob' }, userId: 'bob' });
    const jn = await anon.join('r', { name: 'Anon' });
    // Anonymous members have no v2 fields (their frames keep v1 bytes).
    expect(jn.members.at(-1)).toStrictEqual({ id: jn.self, presence: { name: 'Anon' } });
    await expectMember(bob, jn.self, { id: jn.self, presence: { name: 'Anon' } });

    await ada.request({ type: 'presence', room: ja.handle, presence: { name: 'Ada 2' } }, 'ok');
    const updated = await bob.nextMessage('member_updated');
    expect(updated.member).toStrictEqual({ id: ja.self, presence: { name: 'Ada 2' }, userId: 'ada', info: { name: 'Ada L.', team: 'red' } });
  });

  it('two connections of one user are two members with the same user id', async () => {
    const server = await relays.start(hs);
    const t = await token({ sub: 'ada', rooms: ['r'] });
    const one = await relays.welcomed(server, transport, t);
    const two = await relays.welcomed(server, transport, t);
    const j1 = await one.join('r');
    const j2 = await two.join('r');
    expect(j2.members.map((m) => [m.id, m.userId])).toStrictEqual([[j1.self, 'ada'], [j2.self, 'ada']]);
  });
});
