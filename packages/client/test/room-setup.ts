// Shared set-up of the room tests (room-state, room-interest): a client on the fake socket in
// room 'r' (handle 5, self 1) with Bob and Cy, and a reader of the data frames it sent.
import type { Member, ServerMessage } from '@roomcast/protocol';
import type { ClientOptions, Room } from '../src/node.js';
import { harness, type Harness } from './harness.js';

export const ada = { id: 1, presence: { name: 'ada' } };
export const bob = { id: 2, presence: { name: 'bob' } };
export const cy = { id: 3, presence: null };
export const SETTINGS = { capacity: 8, locked: false, private: true, metadata: { theme: 'dark' } };

export type Joined = Extract<ServerMessage, { type: 'joined' }>;

/** Joins 'r' and answers `joined` with handle 5, self 1 and `extra` fields. */
export async function join(h: Harness, extra: Partial<Joined> = {}, members: Member[] = [ada, bob, cy]): Promise<Room> {
  const joining = h.client.join('r');
  const req = h.socket().nextControl('join');
  h.socket().reply({ type: 'joined', id: req.id, room: 'r', handle: 5, self: 1, members, ...extra });
  return joining;
}

export async function setup(limits: Record<string, number> = {}, options: ClientOptions = {}, extra: Partial<Joined> = {}) {
  const h = harness(options);
  const connecting = h.client.connect();
  h.socket().open();
  h.socket().welcome('s', limits);
  await connecting;
  return { h, room: await join(h, extra) };
}

/** The data frames sent since the last call. */
export function data(h: Harness) {
  const out = [];
  while (h.socket().sent.length > 0) out.push(h.socket().nextData());
  return out.map((f) => ({ cls: f.cls, target: f.target, key: f.key, group: f.group, payload: [...f.payload] }));
}
