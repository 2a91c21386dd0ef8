// Protocol versions against the real relay (PROTOCOL.md §8.1 rule 3, §15): a v2 relay welcomes
// v1 and v2 clients, each with its own version, and v1 and v2 members share a room.
import { describe, expect, it } from 'vitest';
import { useRelay } from './helpers.js';

const relay = useRelay();

describe('version negotiation', () => {
  it.each([1, 2])('hello v%i is welcomed with v%i and no v2 fields (anonymous)', async (v) => {
    await relay.start();
    const c = await relay.connect();
    const welcome = await c.request({ type: 'hello', v }, 'welcome');
    expect(welcome.v).toBe(v);
    expect(welcome).not.toHaveProperty('userId');
    expect(welcome).not.toHaveProperty('expiresInSec');
  });

  it.each([0, 3])('hello v%i is refused with 4406, naming the versions spoken', async (v) => {
    await relay.start();
    const c = await relay.connect();
    c.sendControl({ type: 'hello', id: 9, v });
    expect(await c.nextError()).toMatchObject({ code: 'unsupported_version', id: 9, message: `protocol version ${v} is not supported; this relay speaks 1..2` });
    expect((await c.closed).code).toBe(4406);
  });

  it('a v1 and a v2 client meet in one room; member maps carry no v2 fields for anonymous members', async () => {
    await relay.start();
    const old = await relay.connect();
    await old.request({ type: 'hello', v: 1 }, 'welcome');
    const joinedOld = await old.request({ type: 'join', room: 'mixed', presence: { name: 'v1' } }, 'joined');
    const young = await relay.connect();
    await young.request({ type: 'hello', v: 2 }, 'welcome');
    const joinedNew = await young.request({ type: 'join', room: 'mixed', presence: { name: 'v2' } }, 'joined');
    expect(joinedNew.members).toStrictEqual([
      { id: joinedOld.self, presence: { name: 'v1' } },
      { id: joinedNew.self, presence: { name: 'v2' } },
    ]);
    expect((await old.nextMessage('member_joined')).member).toStrictEqual({ id: joinedNew.self, presence: { name: 'v2' } });
  });
});
