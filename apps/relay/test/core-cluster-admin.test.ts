// Unit tests of core/cluster-admin.ts (the server API in a cluster) with a fake cluster store: what
// is read from the store, what runs on every node and how the nodes' answers add up, the
// creation's expiry timer and its failure, and the answers for rooms and members found nowhere.
import { describe, expect, it } from 'vitest';
import type { StoredRoom } from '../src/core/cluster.js';
import { clusterSetup } from './cluster-fakes.js';

const SETTINGS = { capacity: 256, locked: false, private: false, metadata: null };

async function node(overrides: Record<string, string> = {}) {
  const s = clusterSetup(overrides);
  const a = s.connect();
  await s.join(a, 'r');
  s.cluster.calls.length = 0;
  s.events.log.length = 0;
  return { ...s, a, api: s.relay.api };
}

describe('reads from the store', () => {
  it('listRooms is the store\'s page for the same query', async () => {
    const { api, store } = await node();
    store.page = { rooms: [], next: 'x' };
    const query = { prefix: 'p', limit: 3, after: 'a', includePrivate: true };
    expect(await api.listRooms(query)).toEqual({ rooms: [], next: 'x' });
    expect(store.calls).toEqual([['storedRooms', query]]);
  });

  it('room: counts, settings, host and each member\'s view (away only when away)', async () => {
    const { api, store } = await node();
    const stored: StoredRoom = {
      name: 'r', tickHz: 20, settings: SETTINGS, host: 4, members: [
        { id: 4, presence: { p: 1 }, identity: { userId: 'u4', info: { n: 'x' } }, node: 'a' },
        { id: 5, presence: null, identity: {}, node: 'b', away: true, seat: 'hash' },
        { id: 6, presence: null, identity: {}, node: 'b', away: false },
      ],
    };
    store.rooms.set('r', stored);
    expect(await api.room('r')).toEqual({
      name: 'r', members: 3, tickHz: 20, settings: SETTINGS, host: 4, memberList: [
        { id: 4, userId: 'u4', info: { n: 'x' }, presence: { p: 1 } },
        { id: 5, presence: null, away: true },
        { id: 6, presence: null },
      ],
    });
    expect(await api.room('none')).toBeUndefined();
  });
});

describe('create, expire, settings', () => {
  it('create: settings over the defaults, the relay\'s tick rate by default, the TTL to the store; room.created once', async () => {
    const { api, store, events } = await node({ RELAY_EMPTY_ROOM_TTL_SEC: '30' });
    expect(await api.createRoom('new', { locked: true, capacity: undefined }, undefined)).toEqual({
      name: 'new', members: 0, tickHz: 30, settings: { ...SETTINGS, locked: true }, host: 0,
    });
    expect(store.calls).toEqual([['createRoom', 'new', 30, { ...SETTINGS, locked: true }, 30]]);
    expect(await api.createRoom('fast', {}, 12)).toMatchObject({ tickHz: 12 });
    expect(events.log).toEqual([['roomCreated', 'new'], ['roomCreated', 'fast']]);
    store.createToken = undefined;
    expect(await api.createRoom('new', {}, undefined)).toBe('exists');
    expect(events.log.length).toBe(2);
  });

  it('expiry: after the TTL the store is asked to expire that creation; room.closed when it did', async () => {
    const { api, store, events, clock, stats } = await node({ RELAY_EMPTY_ROOM_TTL_SEC: '30' });
    await api.createRoom('new', {}, undefined);
    const expired = stats.emptyRoomsExpired;
    clock.advance(29_999);
    expect(store.calls.filter((c) => c[0] === 'expireCreated')).toEqual([]);
    clock.advance(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.calls.filter((c) => c[0] === 'expireCreated')).toEqual([['expireCreated', 'new', 'token-1']]);
    expect(events.log).toEqual([['roomCreated', 'new'], ['roomClosed', 'new']]);
    expect(stats.emptyRoomsExpired - expired).toBe(1);
  });

  it('expiry: someone joined (or Redis did not answer): no room.closed', async () => {
    const { api, store, events, clock, stats, log } = await node({ RELAY_EMPTY_ROOM_TTL_SEC: '5' });
    store.expireAnswer = (name) => (name === 'joined' ? false : 'throw');
    await api.createRoom('joined', {}, undefined);
    await api.createRoom('unreachable', {}, undefined);
    const expired = stats.emptyRoomsExpired;
    clock.advance(5000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.calls.filter((c) => c[0] === 'expireCreated').length).toBe(2);
    expect(events.log).toEqual([['roomCreated', 'joined'], ['roomCreated', 'unreachable']]);
    expect(stats.emptyRoomsExpired).toBe(expired);
    expect(log.lines.filter((l) => l[0] === 'error')).toEqual([
      ['error', { room: 'unreachable', err: 'redis down' }, 'could not expire an empty created room; Redis removes it by its TTL'],
    ]);
  });

  it('no TTL: no expiry timer', async () => {
    const { api, clock } = await node({ RELAY_EMPTY_ROOM_TTL_SEC: '0' });
    const pending = clock.pending;
    await api.createRoom('kept', {}, undefined);
    expect(clock.pending).toBe(pending);
  });

  it('settings: the store\'s answer is applied here, announced and sent to the webhooks', async () => {
    const { api, store, events, a, relay } = await node();
    const room = relay.rooms.get('r')!;
    const settings = { ...SETTINGS, capacity: 3 };
    store.updated = { settings, version: 7 };
    expect(await api.updateSettings('r', { capacity: 3 })).toEqual(settings);
    expect(store.calls).toEqual([['updateSettings', 'r', { capacity: 3 }]]);
    expect([room.settings, room.settingsVersion]).toEqual([settings, 7]);
    expect(a.peer.last()).toEqual({ type: 'room_settings', room: room.handle, settings });
    expect(events.log).toEqual([['settingsChanged', 'r', settings]]);
    store.updated = undefined;
    expect(await api.updateSettings('none', { capacity: 3 })).toBeUndefined();
    expect(events.log.length).toBe(1);
  });
});

describe('actions run on every node', () => {
  it('publish: recipients of every node that holds the room added up; the command sent to the others', async () => {
    const { api, store, a } = await node();
    store.others = [{ ok: true, recipients: 4 }, { ok: false, error: 'room_not_found' }];
    expect(await api.publish('r', new Uint8Array([1, 2]), 'reliable', undefined)).toEqual({ ok: true, recipients: 5 });
    expect(store.calls).toEqual([['call', { op: 'publish', room: 'r', payload: 'AQI=', cls: 'reliable', to: undefined }]]);
    expect(a.peer.delivers().map((d) => [d.sender, [...d.payload]])).toEqual([[0, [1, 2]]]);
  });

  it('publish found nowhere: room_not_found, or for a live room nobody joined 0 recipients / member_not_found', async () => {
    const { api, store } = await node();
    store.others = [{ ok: false, error: 'room_not_found' }];
    expect(await api.publish('none', new Uint8Array([1]), 'droppable', undefined)).toEqual({ ok: false, error: 'room_not_found' });
    store.rooms.set('empty', { name: 'empty', tickHz: 30, settings: SETTINGS, host: 0, members: [] });
    expect(await api.publish('empty', new Uint8Array([1]), 'droppable', undefined)).toEqual({ ok: true, recipients: 0 });
    expect(await api.publish('empty', new Uint8Array([1]), 'reliable', 3)).toEqual({ ok: false, error: 'member_not_found' });
  });

  it('kick and remove: done when any node did it; else member_not_found in a live room, room_not_found', async () => {
    const { api, store } = await node();
    store.others = ['member_not_found', 'kicked'];
    expect(await api.kickMember('x', 9, 'r')).toBe('kicked');
    store.others = ['member_not_found', 'removed'];
    expect(await api.removeMember('x', 9, 'r')).toBe('removed');
    store.others = ['member_not_found'];
    expect(await api.kickMember('x', 9, 'r')).toBe('room_not_found');
    expect(await api.removeMember('x', 9, 'r')).toBe('room_not_found');
    store.rooms.set('x', { name: 'x', tickHz: 30, settings: SETTINGS, host: 0, members: [] });
    expect(await api.kickMember('x', 9, 'r')).toBe('member_not_found');
    expect(await api.removeMember('x', 9, 'r')).toBe('member_not_found');
    expect(store.calls.filter((c) => c[0] === 'call').map((c) => c[1])).toEqual([
      { op: 'kick', room: 'x', member: 9, reason: 'r' }, { op: 'remove', room: 'x', member: 9, reason: 'r' },
      { op: 'kick', room: 'x', member: 9, reason: 'r' }, { op: 'remove', room: 'x', member: 9, reason: 'r' },
      { op: 'kick', room: 'x', member: 9, reason: 'r' }, { op: 'remove', room: 'x', member: 9, reason: 'r' },
    ]);
  });

  it('kick and remove of a member of this node', async () => {
    const { api, store, connect, join } = await node();
    const b = connect();
    await join(b, 'r');
    expect(await api.removeMember('r', 2, 'out')).toBe('removed');
    expect(await api.kickMember('r', 1, 'bye')).toBe('kicked');
    expect(store.calls.filter((c) => c[0] === 'storedRoom')).toEqual([]);
  });

  it('close: members removed on every node added up; a room nobody joined is dropped from the store', async () => {
    const { api, store, events, a } = await node();
    store.others = [2, undefined];
    expect(await api.closeRoom('r', 'done')).toBe(3);
    expect(a.peer.last()).toMatchObject({ type: 'room_closed', reason: 'done' });
    events.log.length = 0;
    store.others = [undefined];
    expect(await api.closeRoom('none', 'done')).toBeUndefined();
    store.dropEmptyAnswer = true;
    expect(await api.closeRoom('empty', 'done')).toBe(0);
    expect(store.calls.filter((c) => c[0] === 'dropEmpty')).toEqual([['dropEmpty', 'none'], ['dropEmpty', 'empty']]);
    expect(events.log).toEqual([['roomClosed', 'empty']]);
  });

  it('close of a room with no member on any node but counted 0 here is not dropped', async () => {
    const { api, store } = await node();
    store.others = [0];
    expect(await api.closeRoom('none', 'x')).toBe(0);
    expect(store.calls.filter((c) => c[0] === 'dropEmpty')).toEqual([]);
  });

  it('disconnect: connections closed on every node added up (non-numbers count 0)', async () => {
    const { api, store } = await node();
    store.others = [3, undefined, 'x', 2];
    expect(await api.disconnectUser('ada', 'bye')).toBe(5);
    expect(store.calls).toEqual([['call', { op: 'disconnect', userId: 'ada', reason: 'bye' }]]);
  });
});
