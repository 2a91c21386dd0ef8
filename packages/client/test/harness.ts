// Shared set-up for the client protocol tests: a client wired to a fake socket, connected and
// (optionally) in a room, with the relay's replies played by the test.
import type { Member, Presence } from '@roomcast/protocol';
import { RoomcastClient, type ClientOptions, type Room } from '../src/node.js';
import { fakeWebSocket, type FakeSocket } from './fake-socket.js';

export const RELAY_URL = 'ws://relay.test/ws';

export interface Harness {
  client: RoomcastClient;
  fake: ReturnType<typeof fakeWebSocket>;
  /** The current socket (the newest one created). */
  socket(): FakeSocket;
}

/** A client with a fake WebSocket, not yet connected. */
export function harness(options: ClientOptions = {}): Harness {
  const fake = fakeWebSocket();
  const client = new RoomcastClient(RELAY_URL, { ...options, WebSocket: fake.WebSocket });
  return { client, fake, socket: () => fake.last() };
}

/** A client that completed hello → welcome. */
export async function connected(options: ClientOptions = {}, limits?: Parameters<FakeSocket['welcome']>[1]): Promise<Harness> {
  const h = harness(options);
  const connecting = h.client.connect();
  h.socket().open();
  h.socket().welcome(undefined, limits);
  await connecting;
  return h;
}

/** Joins `name` and answers with `joined`. */
export async function joinRoom(
  h: Harness,
  name: string,
  reply: { handle: number; self: number; members: Member[] },
  presence?: Presence,
): Promise<Room> {
  const joining = h.client.join(name, presence);
  const join = h.socket().nextControl('join');
  h.socket().reply({ type: 'joined', id: join.id, room: name, ...reply });
  return joining;
}
