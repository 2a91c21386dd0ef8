// Frames and connections for the core-inbound*.test.ts files (core/inbound.ts on fake peers).
import { DeliveryClass, encodeControl, encodeData } from '@roomcast/protocol';
import { FakePeer, setup } from './fakes.js';

export type T = ReturnType<typeof setup>;
export const ping = (id: number) => encodeControl({ type: 'ping', id });
export const data = (room: number, payload = 1, cls: DeliveryClass = DeliveryClass.Reliable, target?: number) =>
  encodeData({ room, cls, target, key: cls === DeliveryClass.Latest ? 3 : undefined }, new Uint8Array(payload).fill(9));
/** A `ping` whose id is any value (the schema would refuse some: the relay reads it before the schema). */
export const rawPing = (id: unknown) => encodeControl({ type: 'ping', id } as never);

/** A member in room `r` (and a second one that receives), with room for many frames per second. */
export function member(overrides: Record<string, string> = {}) {
  const t = setup({ RELAY_MAX_MESSAGES_PER_SEC: '100000', RELAY_BURST_MESSAGES: '100000', RELAY_MAX_BYTES_PER_SEC: '100000000', ...overrides });
  const a = t.connect();
  const b = t.connect();
  const ja = t.join(a, 'r');
  const jb = t.join(b, 'r');
  return { ...t, a, b, handle: ja.handle, bId: jb.self, stats: t.relay.stats };
}

/** A connection that has not sent its hello yet. */
export function fresh(t: T) {
  const peer = new FakePeer(t.hub);
  const conn = t.relay.open(peer);
  peer.onClose = () => t.relay.closed(conn);
  return { peer, conn };
}
