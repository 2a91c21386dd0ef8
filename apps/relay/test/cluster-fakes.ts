// Fakes for unit tests of the core's cluster side (remote.ts, cluster-join.ts, cluster-admin.ts)
// without Redis: a `Cluster` whose store answers from memory and that records what the core
// tells the other nodes, and a `RoomEvents` that records the webhooks' events. The real bus is
// exercised by test/cluster/*.test.ts; these pin the core's own decisions exactly and fast.
import { encodeControl, type RoomSettings } from '@roomcast/protocol';
import type { ApiRoomPage } from '@roomcast/protocol/server-api';
import type { Claim, ClaimRequest, Cluster, ClusterCommand, ClusterMember, ClusterRooms, MemberIdentity, StoredRoom } from '../src/core/cluster.js';
import type { Connection } from '../src/core/connection.js';
import type { LeftReason, MemberRef, RoomEvents } from '../src/core/events.js';
import type { Log } from '../src/core/log.js';
import { Fanout, type FanoutSink } from '../src/core/fanout.js';
import { Relay } from '../src/core/relay.js';
import { Stats } from '../src/core/stats.js';
import { authenticator } from '../src/access.js';
import { connector, FakeClock, FakeHub, type FakePeer, OPEN, relayLimits } from './fakes.js';

/** Every event of the webhooks' port, in order, as `[name, ...arguments]`. */
export class RecordedEvents implements RoomEvents {
  readonly log: unknown[][] = [];
  roomCreated(room: string): void { this.log.push(['roomCreated', room]); }
  roomClosed(room: string): void { this.log.push(['roomClosed', room]); }
  memberJoined(member: MemberRef): void { this.log.push(['memberJoined', member]); }
  memberLeft(member: MemberRef, reason: LeftReason): void { this.log.push(['memberLeft', member, reason]); }
  settingsChanged(room: string, settings: RoomSettings): void { this.log.push(['settingsChanged', room, settings]); }
}

/** The cluster store's part for the server API: answers set by the test, calls recorded. */
export class FakeStore implements ClusterRooms {
  readonly calls: unknown[][] = [];
  rooms = new Map<string, StoredRoom>();
  page: ApiRoomPage = { rooms: [] };
  /** What `createRoom` answers (a creation token, or undefined: the room exists). */
  createToken: string | undefined = 'token-1';
  /** What `expireCreated` does for a room: true (expired), false, or throw (Redis unreachable). */
  expireAnswer: (name: string) => boolean | 'throw' = () => true;
  updated: { settings: RoomSettings; version: number } | undefined;
  dropEmptyAnswer = false;
  /** The other nodes' answers to `call`. */
  others: unknown[] = [];
  storedRoom(name: string): Promise<StoredRoom | undefined> {
    this.calls.push(['storedRoom', name]);
    return Promise.resolve(this.rooms.get(name));
  }
  storedRooms(query: { prefix: string; limit: number; after: string | undefined; includePrivate: boolean }): Promise<ApiRoomPage> {
    this.calls.push(['storedRooms', query]);
    return Promise.resolve(this.page);
  }
  createRoom(name: string, tickHz: number, settings: RoomSettings, ttlSec: number): Promise<string | undefined> {
    this.calls.push(['createRoom', name, tickHz, settings, ttlSec]);
    return Promise.resolve(this.createToken);
  }
  expireCreated(name: string, token: string): Promise<boolean> {
    this.calls.push(['expireCreated', name, token]);
    const answer = this.expireAnswer(name);
    return answer === 'throw' ? Promise.reject(new Error('redis down')) : Promise.resolve(answer);
  }
  updateSettings(name: string, patch: Partial<RoomSettings>): Promise<{ settings: RoomSettings; version: number } | undefined> {
    this.calls.push(['updateSettings', name, patch]);
    return Promise.resolve(this.updated);
  }
  dropEmpty(name: string): Promise<boolean> {
    this.calls.push(['dropEmpty', name]);
    return Promise.resolve(this.dropEmptyAnswer);
  }
  call(command: ClusterCommand): Promise<unknown[]> {
    this.calls.push(['call', command]);
    return Promise.resolve(this.others);
  }
}

/**
 * A `Cluster` of node `a`. `claim` and `takeSeat` answer with `claimWith` / `seatWith` (by
 * default a claim of a fresh id in a room only this node holds, created by its first claim);
 * every fire-and-forget call is recorded in `calls` as `[method, ...arguments]`.
 */
export class FakeCluster implements Cluster {
  readonly nodeId = 'a';
  readonly store = new FakeStore();
  readonly calls: unknown[][] = [];
  nextId = 1;
  /** Rooms the default `claimWith` has claimed in (the first claim creates a room). */
  readonly claimed = new Set<string>();
  claimWith: (room: string, request: ClaimRequest) => Claim | Promise<Claim> = (room, request) => {
    const id = this.nextId++;
    const created = !this.claimed.has(room);
    this.claimed.add(room);
    return {
      ok: true, id, tickHz: request.tickHz, members: [], created,
      settings: request.settings, settingsVersion: 1, host: id, hostVersion: 1, previousHost: 0,
    };
  };
  seatWith: (room: string, token: string, userId: string | undefined) => Claim | undefined = () => undefined;
  /** `takeSeat` calls `beforeTake` even when it then answers undefined (the seat changed before the take, as in bus/seats.ts). */
  raceSeats = false;
  endHeldAnswer = false;
  endHeldOfAnswer = 0;
  claim(room: string, request: ClaimRequest): Promise<Claim> {
    this.calls.push(['claim', room, request]);
    return Promise.resolve(this.claimWith(room, request));
  }
  takeSeat(room: string, token: string, userId: string | undefined, beforeTake?: () => void): Promise<Claim | undefined> {
    this.calls.push(['takeSeat', room, token, userId]);
    const taken = this.seatWith(room, token, userId);
    if (taken !== undefined || this.raceSeats) beforeTake?.();
    return Promise.resolve(taken);
  }
  host(...args: unknown[]): void { this.calls.push(['host', ...args]); }
  away(...args: unknown[]): void { this.calls.push(['away', ...args]); }
  back(...args: unknown[]): void { this.calls.push(['back', ...args]); }
  moved(...args: unknown[]): void { this.calls.push(['moved', ...args]); }
  endHeld(...args: unknown[]): boolean { this.calls.push(['endHeld', ...args]); return this.endHeldAnswer; }
  endHeldOf(...args: unknown[]): number { this.calls.push(['endHeldOf', ...args]); return this.endHeldOfAnswer; }
  joined(...args: unknown[]): void { this.calls.push(['joined', ...args]); }
  updated(...args: unknown[]): void { this.calls.push(['updated', ...args]); }
  left(...args: unknown[]): void { this.calls.push(['left', ...args]); }
  direct(...args: unknown[]): void { this.calls.push(['direct', ...args]); }
  latest(...args: unknown[]): void { this.calls.push(['latest', ...args]); }
  /** The recorded calls of one method, without the method's name. */
  of(method: string): unknown[][] {
    return this.calls.filter((c) => c[0] === method).map((c) => c.slice(1));
  }
}

/**
 * Gives a connection (after its hello) the principal of a signed-in user, or of a `role: "server"`
 * token, with every right: what a verified token would give, without signing one.
 */
export function signIn(conn: Connection, memberFields: MemberIdentity, server = false): void {
  conn.principal = { memberFields, server, can: () => true };
}

/** Lets the claims' promises (and what they start) run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A core `Log` that keeps every line as `[level, fields, message]`. */
export class RecordingLog implements Log {
  readonly lines: [string, object, string][] = [];
  debug(fields: object, message: string): void { this.lines.push(['debug', fields, message]); }
  info(fields: object, message: string): void { this.lines.push(['info', fields, message]); }
  error(fields: object, message: string): void { this.lines.push(['error', fields, message]); }
}

/** A fan-out sink standing for the cluster bus: records what the core publishes to other nodes. */
export class RecordingBus implements FanoutSink {
  readonly published: { topic: string; frame: Uint8Array }[] = [];
  publish(topic: string, frame: Uint8Array): void { this.published.push({ topic, frame }); }
}

/**
 * A relay core with fake peers, a fake clock, recorded webhook events and a recording bus sink;
 * in a cluster when `cluster` is given.
 */
function core(overrides: Record<string, string>, cluster?: FakeCluster) {
  const clock = new FakeClock();
  const hub = new FakeHub();
  const bus = new RecordingBus();
  const events = new RecordedEvents();
  const stats = new Stats();
  const log = new RecordingLog();
  const relay = new Relay(relayLimits(overrides), new Fanout([hub], [bus]), stats, log, authenticator(OPEN, clock), clock, cluster, events);
  const connect = connector(relay, hub);
  /** Joins and waits for the claim (in a cluster); returns the reply (joined or an error). */
  const join = async (c: { peer: FakePeer; conn: Connection }, room: string, extra: Record<string, unknown> = {}) => {
    relay.message(c.conn, encodeControl({ type: 'join', id: 1, room, ...extra } as Parameters<typeof encodeControl>[0]));
    await settle();
    return c.peer.last();
  };
  return { relay, hub, bus, clock, events, stats, log, connect, join };
}

/** A single relay's core (no cluster), with recorded events and a recording bus sink. */
export function singleSetup(overrides: Record<string, string> = {}) {
  return core(overrides);
}

/** A relay core of node `a` with a fake cluster, fake peers and a fake clock. */
export function clusterSetup(overrides: Record<string, string> = {}) {
  const cluster = new FakeCluster();
  const c = core(overrides, cluster);
  return { ...c, cluster, store: cluster.store, remote: c.relay.remote! };
}

/** Node a with `n` local members of room `r` (ids 1..n), their join traffic, calls and events cleared. */
export async function clusterRoom(n = 1, overrides: Record<string, string> = {}) {
  const s = clusterSetup({ RELAY_MAX_MESSAGES_PER_SEC: '100000', RELAY_BURST_MESSAGES: '100000', ...overrides });
  const members: ReturnType<typeof s.connect>[] = [];
  for (let i = 0; i < n; i++) {
    const m = s.connect();
    const reply = await s.join(m, 'r');
    if (reply?.type !== 'joined') throw new Error(`join failed: ${JSON.stringify(reply)}`);
    members.push(m);
  }
  const room = s.relay.rooms.get('r')!;
  for (const m of members) m.peer.received.length = 0;
  s.cluster.calls.length = 0;
  s.events.log.length = 0;
  return { ...s, members, room, handle: room.handle };
}

/** Member `id` of node b (presence `{ x: id }`, user `u<id>`) as the cluster announces it. */
export const otherMember = (id: number, extra: Partial<ClusterMember> = {}): ClusterMember => ({
  id, presence: { x: id }, identity: { userId: `u${id}` }, node: 'b', ...extra,
});
