// The client SDK's interest groups against the real relay: setInterest, sendLatest to a group,
// 'message' events carrying the group, a move between groups reported without a flicker, and
// the limits checked before anything is sent.
import { RoomcastClient, type Room, type RoomMessage } from '@roomcast/client';
import { describe, expect, it } from 'vitest';
import { useRelay } from './helpers.js';

const relay = useRelay();

async function member(room = 'canvas'): Promise<Room> {
  const c = relay.keep(new RoomcastClient(relay.server.wsUrl, { reconnect: false, throttleLatest: false }));
  await c.connect();
  return c.join(room);
}

/** The next 'message' matching `pred`. */
function nextMessage(room: Room, pred: (m: RoomMessage) => boolean): Promise<RoomMessage> {
  return new Promise((resolve) => {
    const off = room.on('message', (m) => {
      if (!pred(m)) return;
      off();
      resolve(m);
    });
  });
}

describe('SDK interest groups', () => {
  it('receives the values of its groups only, with the group on each message', async () => {
    await relay.start();
    const a = await member();
    const b = await member();
    const c = await member();
    await b.setInterest([1, 2]);
    await c.setInterest([3]);
    expect(b.interest).toEqual([1, 2]);
    const seenByC: RoomMessage[] = [];
    c.on('message', (m) => seenByC.push(m));
    const got = nextMessage(b, (m) => m.cls === 'latest');
    a.sendLatest(0, Uint8Array.of(7, 7), { group: 1 });
    expect(await got).toMatchObject({ sender: a.self, key: 0, group: 1, payload: Uint8Array.of(7, 7) });
    // A moves from group 1 to group 2: B sees the new value and no clear in between.
    const events: RoomMessage[] = [];
    b.on('message', (m) => events.push(m));
    const moved = nextMessage(b, (m) => m.group === 2);
    a.sendLatest(0, Uint8Array.of(8), { group: 2 });
    await moved;
    // The group 1 clear arrives in the same tick; once both batches are in, B shows A in group 2.
    await b.setInterest([1, 2]);
    expect(events.filter((m) => m.payload.length === 0)).toEqual([]);
    // C subscribed to group 3 only: nothing of A reached it.
    expect(seenByC).toEqual([]);
    // Leaving group 2 reports A's value there as cleared.
    const cleared = nextMessage(b, (m) => m.payload.length === 0);
    await b.setInterest([1]);
    expect(await cleared).toMatchObject({ sender: a.self, key: 0, group: 2 });
  });

  it('checks ids and the relay limit before sending', async () => {
    await relay.start({ maxGroupsPerMember: 2 });
    const a = await member();
    await expect(a.setInterest([1, 2, 3])).rejects.toThrow('3 groups asked for; this relay allows 2 per member');
    await expect(a.setInterest([0])).rejects.toThrow(RangeError);
    expect(() => a.sendLatest(0, Uint8Array.of(1), { group: 70000 })).toThrow('group must be an integer in 1..65535 (got 70000)');
    await a.setInterest([2, 2, 1]);
    expect(a.interest).toEqual([2, 1]);
  });
});
