// Rooms and presence over real WebSockets: join, member lists, events, leave, limits.
import { beforeEach, describe, expect, it } from 'vitest';
import { useRelay } from './helpers.js';

const relay = useRelay();
const client = () => relay.open();
beforeEach(async () => {
  await relay.start({ maxMembersPerRoom: 3, maxRoomsPerConnection: 2, maxRooms: 4 });
});

describe('rooms and presence', () => {
  it('welcome carries the limits', async () => {
    const c = await relay.connect();
    const welcome = await c.request({ type: 'hello', v: 1 }, 'welcome');
    expect(welcome.v).toBe(1);
    expect(welcome.limits.maxMembersPerRoom).toBe(3);
    expect(welcome.limits.maxRoomsPerConnection).toBe(2);
  });

  it('join returns the member list and tells the others, with presence', async () => {
    const a = await client();
    const b = await client();
    const ja = await a.join('lobby', { name: 'Ada', color: '#f00' });
    expect(ja.room).toBe('lobby');
    expect(ja.members).toEqual([{ id: ja.self, presence: { name: 'Ada', color: '#f00' } }]);
    const jb = await b.join('lobby', { name: 'Bob' });
    expect(jb.handle).toBe(ja.handle);
    expect(jb.self).not.toBe(ja.self);
    expect(jb.members).toEqual([
      { id: ja.self, presence: { name: 'Ada', color: '#f00' } },
      { id: jb.self, presence: { name: 'Bob' } },
    ]);
    const joined = await a.nextMessage('member_joined');
    expect(joined).toEqual({ type: 'member_joined', room: ja.handle, member: { id: jb.self, presence: { name: 'Bob' } } });
    // The joiner is not told about itself.
    expect(b.frames.some((f) => f.kind === 'control' && f.message.type === 'member_joined')).toBe(false);
  });

  it('presence updates reach the others; absent presence is null', async () => {
    const a = await client();
    const b = await client();
    const ja = await a.join('p');
    expect(ja.members[0]!.presence).toBeNull();
    await b.join('p');
    await a.nextMessage('member_joined');
    await b.request({ type: 'presence', room: ja.handle, presence: { name: 'B2', cursor: [1, 2] } }, 'ok');
    const upd = await a.nextMessage('member_updated');
    expect(upd.member.presence).toEqual({ name: 'B2', cursor: [1, 2] });
    const c = await client();
    const jc = await c.join('p');
    expect(jc.members.map((m) => m.presence)).toEqual([null, { name: 'B2', cursor: [1, 2] }, null]);
  });

  it('leave tells the others and disposes the empty room', async () => {
    const a = await client();
    const b = await client();
    const ja = await a.join('l');
    const jb = await b.join('l');
    await a.nextMessage('member_joined');
    await b.request({ type: 'leave', room: jb.handle }, 'ok');
    expect(await a.nextMessage('member_left')).toEqual({ type: 'member_left', room: ja.handle, member: jb.self });
    expect(relay.server.relay.rooms.size).toBe(1);
    await a.request({ type: 'leave', room: ja.handle }, 'ok');
    expect(relay.server.relay.rooms.size).toBe(0);
    const err = await a.requestAny({ type: 'leave', room: ja.handle });
    expect(err).toMatchObject({ type: 'error', code: 'not_in_room' });
  });

  it('closing the socket produces member_left for every room', async () => {
    const a = await client();
    const b = await client();
    const ja1 = await a.join('x');
    const ja2 = await a.join('y');
    const jb1 = await b.join('x');
    const jb2 = await b.join('y');
    await a.nextMessage('member_joined', (m) => m.room === ja1.handle);
    await a.nextMessage('member_joined', (m) => m.room === ja2.handle);
    b.ws.terminate();
    const left = [await a.nextMessage('member_left'), await a.nextMessage('member_left')];
    expect(left.map((m) => [m.room, m.member]).sort()).toEqual([[ja1.handle, jb1.self], [ja2.handle, jb2.self]].sort());
  });

  it('member ids are not reused while the member is present', async () => {
    const a = await client();
    const b = await client();
    const ja = await a.join('ids');
    const jb = await b.join('ids');
    await b.request({ type: 'leave', room: jb.handle }, 'ok');
    const jb2 = await b.join('ids');
    expect(new Set([ja.self, jb.self, jb2.self]).size).toBe(3);
  });

  it('enforces room capacity, rooms per connection, relay room cap and duplicate joins', async () => {
    const [a, b, c, d] = [await client(), await client(), await client(), await client()];
    await a.join('full');
    await b.join('full');
    await c.join('full');
    expect(await d.requestAny({ type: 'join', room: 'full' })).toMatchObject({ type: 'error', code: 'room_full' });

    expect(await a.requestAny({ type: 'join', room: 'full' })).toMatchObject({ type: 'error', code: 'already_joined' });
    await a.join('second');
    expect(await a.requestAny({ type: 'join', room: 'third' })).toMatchObject({ type: 'error', code: 'too_many_rooms' });

    await d.join('r3');
    await d.join('r4');
    expect(relay.server.relay.rooms.size).toBe(4);
    expect(await b.requestAny({ type: 'join', room: 'r5' })).toMatchObject({ type: 'error', code: 'relay_full' });
  });

  it('presence of exactly RELAY_MAX_PRESENCE_BYTES (512, as UTF-8 JSON) is accepted; one byte more is not', async () => {
    const a = await client();
    const atLimit = 'é'.repeat(255); // JSON: 2 quotes + 255 × 2 bytes = 512
    expect(Buffer.byteLength(JSON.stringify(atLimit))).toBe(512);
    const j = await a.join('edge', atLimit);
    expect(j.members).toEqual([{ id: j.self, presence: atLimit }]);
    expect(await a.requestAny({ type: 'presence', room: j.handle, presence: 'y'.repeat(510) })).toMatchObject({ type: 'ok' });
    // ASCII: the cheap lower bound (UTF-16 length + quotes) already passes the cap, so no exact size.
    expect(await a.requestAny({ type: 'presence', room: j.handle, presence: 'y'.repeat(511) }))
      .toMatchObject({ type: 'error', code: 'presence_too_large', message: 'presence is more than 512 bytes as JSON' });
    // Two-byte characters: the lower bound (258) fits, so the exact UTF-8 size is measured.
    expect(await a.requestAny({ type: 'join', room: 'edge2', presence: atLimit + 'y' }))
      .toMatchObject({ type: 'error', code: 'presence_too_large', message: 'presence is 513 bytes as JSON, above the limit of 512' });
  });

  it('rejects bad room names and oversized presence with typed errors', async () => {
    const a = await client();
    for (const room of ['', 'has space', 'x'.repeat(129), 'tab\t', 'é']) {
      expect(await a.requestAny({ type: 'join', room })).toMatchObject({ type: 'error', code: 'bad_room_name' });
    }
    expect(await a.requestAny({ type: 'join', room: 'ok', presence: { blob: 'x'.repeat(600) } }))
      .toMatchObject({ type: 'error', code: 'presence_too_large' });
    const j = await a.join('ok', { small: true });
    expect(await a.requestAny({ type: 'presence', room: j.handle, presence: 'y'.repeat(600) }))
      .toMatchObject({ type: 'error', code: 'presence_too_large' });
    expect(relay.server.relay.rooms.size).toBe(1);
  });
});
