// PROTOCOL.md §8.8 rule 3 and §8.4 at the default limits: a full room (256 members, each with a
// 512-byte presence of ~250 values nested 13 deep) still gives the last joiner a `joined` that the
// protocol's client decoder accepts, although it is far above maxControlBytes and CONTROL_MAX_ITEMS.
import { CONTROL_MAX_ITEMS, decodeServerFrame, scanPlain } from '@roomcast/protocol';
import { describe, expect, it } from 'vitest';
import { RawClient, useRelay } from './helpers.js';

const relay = useRelay();

/** 13 nested arrays; the innermost holds 243 zeros: 511 bytes as JSON, 256 values. */
function presence(): unknown {
  let value: unknown = new Array<number>(243).fill(0);
  for (let i = 0; i < 12; i++) value = [value];
  return value;
}

describe('a full room at the default limits', () => {
  it('the 256th member gets a joined of every member, decodable by the client decoder', async () => {
    const server = await relay.start({ connectRatePerIp: 0, maxConnectionsPerIp: 0 });
    expect(server.config.maxMembersPerRoom).toBe(256);
    expect(server.config.maxPresenceBytes).toBe(512);
    expect(JSON.stringify(presence()).length).toBe(511);
    const clients: RawClient[] = [];
    try {
      for (let i = 0; i < 255; i++) {
        const c = await RawClient.open(server.wsUrl);
        clients.push(c);
        await c.request({ type: 'join', room: 'full', presence: presence() as never }, 'joined');
        // Members skip the member_joined flood: only the last joiner's frame matters here.
        c.ws.pause();
      }
      const last = await RawClient.open(server.wsUrl);
      clients.push(last);
      const joined = await last.request({ type: 'join', room: 'full', presence: presence() as never }, 'joined');
      expect(joined.members).toHaveLength(256);
      expect(joined.members.every((m) => JSON.stringify(m.presence) === JSON.stringify(presence()))).toBe(true);
      // The joined frame is the largest this client received.
      const bytes = last.raw.reduce((a, b) => (b.length > a.length ? b : a));
      expect(decodeServerFrame(bytes)).toMatchObject({ ok: true, frame: { message: { type: 'joined' } } });
      // Far above the client → relay caps, yet within the relay → client rules: depth ≤ 16.
      expect(bytes.length).toBeGreaterThan(16_391); // the largest message a client may send (§8.8)
      expect(scanPlain(bytes, 1).ok).toBe(false); // more than CONTROL_MAX_ITEMS values
      const scan = scanPlain(bytes, 1, { maxItems: bytes.length });
      expect(scan.ok && scan.items).toBeGreaterThan(CONTROL_MAX_ITEMS);
      // A 257th member is refused with room_full.
      const extra = await RawClient.open(server.wsUrl);
      clients.push(extra);
      expect(await extra.requestAny({ type: 'join', room: 'full' })).toMatchObject({ code: 'room_full' });
    } finally {
      for (const c of clients) c.ws.terminate();
    }
  }, 60_000);
});
