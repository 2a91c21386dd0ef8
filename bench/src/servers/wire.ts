// The slice of the Roomcast wire protocol the uWS and ws baselines speak, so the same load
// tester drives them: hello → welcome, join → joined (+ member_joined to the room), data →
// deliver to the other members, member_left on close. No budgets, presence or validation beyond
// the codec: they stand for "the least a relay must do".
import {
  PROTOCOL_VERSION, decodeClientFrame, deliverFromData, encodeControl, readDataHeader,
  type ServerMessage,
} from '@roomcast/protocol';

/** Limits announced in welcome (informational; the baselines enforce none of them). */
const LIMITS = {
  maxPayloadBytes: 16384, maxControlBytes: 4096, maxRoomsPerConnection: 16, maxMembersPerRoom: 65535,
  maxPresenceBytes: 512, maxMessagesPerSec: 1_000_000, idleTimeoutSec: 0, burstMessages: 1_000_000,
  maxBytesPerSec: 1 << 30, maxKeysPerMember: 256, tickHz: 30, minTickHz: 1, maxTickHz: 120,
};

export interface Membership {
  handle: number;
  member: number;
}

/** Rooms by name with stable handles and per-room member ids; the transport keeps the sockets. */
export class RoomTable {
  private readonly byName = new Map<string, { handle: number; nextMember: number; size: number }>();
  private nextHandle = 1;

  join(name: string): Membership {
    let room = this.byName.get(name);
    if (!room) this.byName.set(name, (room = { handle: this.nextHandle++, nextMember: 1, size: 0 }));
    room.size++;
    return { handle: room.handle, member: room.nextMember++ };
  }

  leave(name: string): void {
    const room = this.byName.get(name);
    if (room && --room.size === 0) this.byName.delete(name);
  }
}

export type Action =
  | { kind: 'reply'; frame: Uint8Array }
  | { kind: 'joined'; name: string; membership: Membership; reply: Uint8Array; announce: Uint8Array }
  | { kind: 'broadcast'; handle: number; frame: Uint8Array }
  | { kind: 'none' };

const control = (m: ServerMessage): Uint8Array => encodeControl(m);

/** Handles one incoming message of a connection that is in `joined` (handle → member id). */
export function handleMessage(bytes: Uint8Array, joined: Map<number, number>, rooms: RoomTable): Action {
  if (bytes[0] === 0x02) {
    const h = readDataHeader(bytes);
    if (!h.ok) return { kind: 'none' };
    const member = joined.get(h.header.room);
    if (member === undefined) return { kind: 'none' };
    return { kind: 'broadcast', handle: h.header.room, frame: deliverFromData(bytes, h.header, member) };
  }
  const decoded = decodeClientFrame(bytes);
  if (!decoded.ok || decoded.frame.kind !== 'control') return { kind: 'none' };
  const m = decoded.frame.message;
  if (m.type === 'hello') {
    return { kind: 'reply', frame: control({ type: 'welcome', id: m.id, v: PROTOCOL_VERSION, session: 'baseline', limits: LIMITS }) };
  }
  if (m.type === 'join') {
    const membership = rooms.join(m.room);
    joined.set(membership.handle, membership.member);
    return {
      kind: 'joined', name: m.room, membership,
      reply: control({ type: 'joined', id: m.id, room: m.room, handle: membership.handle, self: membership.member, members: [{ id: membership.member, presence: null }] }),
      announce: control({ type: 'member_joined', room: membership.handle, member: { id: membership.member, presence: null } }),
    };
  }
  if (m.type === 'ping') return { kind: 'reply', frame: control({ type: 'pong', id: m.id }) };
  return { kind: 'none' };
}

export function memberLeft(handle: number, member: number): Uint8Array {
  return control({ type: 'member_left', room: handle, member });
}

/** Prints the port the parent process waits for, as one JSON line. */
export function announce(port: number): void {
  process.stdout.write(`${JSON.stringify({ listening: port })}\n`);
}

export function listenPort(): number {
  return Number(process.env.PORT ?? 0);
}
