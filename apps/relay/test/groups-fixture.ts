// Shared by the interest-group core tests (groups-core.test.ts, core-groups.test.ts): three fake
// members joined to room `canvas` with a large message budget, and helpers for group frames.
import { DeliveryClass, encodeControl, encodeData } from '@roomcast/protocol';
import { setup } from './fakes.js';

/** A `latest` data frame addressed to `group` of `room`. */
export const latestTo = (room: number, group: number, key: number, ...payload: number[]) =>
  encodeData({ room, cls: DeliveryClass.Latest, key, group }, Uint8Array.from(payload));

/** A batch's entries as `[sender, key, payload bytes]`. */
export const entries = (b: { entries: { sender: number; key: number; payload: Uint8Array }[] }) => b.entries.map((e) => [e.sender, e.key, [...e.payload]]);

export function room3(overrides: Record<string, string> = {}) {
  const t = setup({ RELAY_MAX_MESSAGES_PER_SEC: '100000', RELAY_BURST_MESSAGES: '100000', ...overrides });
  const [a, b, c] = [t.connect(), t.connect(), t.connect()];
  const [ja, jb, jc] = [t.join(a, 'canvas'), t.join(b, 'canvas'), t.join(c, 'canvas')];
  /** Sends `interest` for `groups` and returns the member's last frame (the reply). */
  const interest = (who: typeof a, groups: number[], room = ja.handle) => {
    t.relay.message(who.conn, encodeControl({ type: 'interest', id: 9, room, groups }));
    return who.peer.last();
  };
  const groupIds = () => [...(t.relay.rooms.get('canvas')?.groups?.byId.keys() ?? [])].sort((x, y) => x - y);
  return { ...t, a, b, c, ja, jb, jc, handle: ja.handle, interest, groupIds };
}
