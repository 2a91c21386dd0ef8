// Fakes for unit tests of the room core: an in-memory transport fan-out with uWS semantics, peers
// that record what they receive, and a clock whose time moves only when the test says so.
import { openFileLimit, resolveMaxConnections } from '../src/fd-limit.js';
import {
  decodeServerFrame, encodeControl, type ServerFrame, type ServerMessage,
} from '@roomcast/protocol';
import { authenticator } from '../src/access.js';
import { originPolicy, type Auth } from '../src/auth/index.js';
import { parseConfig } from '../src/config.js';
import type { Authenticator } from '../src/core/access.js';
import type { Clock } from '../src/core/clock.js';
import type { RoomEvents } from '../src/core/events.js';
import type { Connection } from '../src/core/connection.js';
import { Fanout, type TransportFanout } from '../src/core/fanout.js';
import type { RelayLimits } from '../src/core/limits.js';
import type { Log } from '../src/core/log.js';
import type { Peer } from '../src/core/peer.js';
import { Relay } from '../src/core/relay.js';
import { Stats } from '../src/core/stats.js';
import { silentLogger } from './helpers.js';

/**
 * In-memory topics with uWS semantics, as the fan-out of the `fake` transport: a publish skips the
 * sender, and counts as one publish of that sender (what uWS's ws.publish would be).
 */
export class FakeHub implements TransportFanout {
  readonly transport = 'fake';
  readonly topics = new Map<string, Set<FakePeer>>();
  publish(topic: string, frame: Uint8Array, except: Peer | undefined): void {
    if (except instanceof FakePeer) except.publishes++;
    for (const p of this.topics.get(topic) ?? []) if (p !== except) p.deliver(frame);
  }
  subscribe(peer: Peer, topic: string): void {
    const set = this.topics.get(topic) ?? new Set();
    set.add(peer as FakePeer);
    this.topics.set(topic, set);
  }
  unsubscribe(peer: Peer, topic: string): void { this.topics.get(topic)?.delete(peer as FakePeer); }
}

export class FakePeer implements Peer {
  readonly transport = 'fake';
  readonly remoteAddress: string = '127.0.0.1';
  readonly received: ServerFrame[] = [];
  sends = 0;
  publishes = 0;
  buffered = 0;
  closedWith: number | undefined;
  closeReason: string | undefined;
  onClose: (() => void) | undefined;
  constructor(private readonly hub: FakeHub) {}
  deliver(frame: Uint8Array): void {
    const d = decodeServerFrame(frame);
    if (!d.ok) throw new Error(d.error.message);
    this.received.push(d.frame);
  }
  send(frame: Uint8Array): void { this.sends++; this.deliver(frame); }
  bufferedAmount(): number { return this.buffered; }
  close(code: number, reason?: string): void {
    this.closedWith = code;
    this.closeReason = reason;
    // Like uWS: a closed socket leaves every topic.
    for (const set of this.hub.topics.values()) set.delete(this);
    this.onClose?.();
  }
  messages(): ServerMessage[] {
    return this.received.flatMap((f) => (f.kind === 'control' ? [f.message] : []));
  }
  last(): ServerMessage | undefined {
    return this.messages().at(-1);
  }
  batches(): Extract<ServerFrame, { kind: 'batch' }>[] {
    return this.received.flatMap((f) => (f.kind === 'batch' ? [f] : []));
  }
  delivers(): Extract<ServerFrame, { kind: 'deliver' }>[] {
    return this.received.flatMap((f) => (f.kind === 'deliver' ? [f] : []));
  }
}

/** A clock whose time moves only when the test says so; timers fire as it passes them. */
export class FakeClock implements Clock {
  private time = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now(): number { return this.time; }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void { this.timers = this.timers.filter((t) => t.id !== handle); }
  get pending(): number { return this.timers.length; }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next === undefined || next.at > end) break;
      this.timers.shift();
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    this.time = end;
  }
}

/** The auth settings of a relay without a key: every connection anonymous, with every right. */
export const OPEN: Auth = {
  verifier: undefined, allowAnonymous: true, origins: originPolicy(['*']), clockToleranceSec: 5,
  summary: { keySource: 'none', algorithms: [], allowAnonymous: true, allowedOrigins: ['*'] }, warnings: [],
  warmUp: () => Promise.resolve(undefined),
};

/** The relay's limits from these settings, with `RELAY_MAX_CONNECTIONS=auto` resolved as the server does. */
export function relayLimits(overrides: Record<string, string> = {}): RelayLimits {
  const config = parseConfig(overrides);
  return { ...config, maxConnections: resolveMaxConnections(config.maxConnections, openFileLimit()) };
}

/** Opens a fake peer on `relay` (its close reported back) and sends hello: a connection past the handshake. */
export function connector(relay: Relay, hub: FakeHub): () => { peer: FakePeer; conn: Connection } {
  return () => {
    const peer = new FakePeer(hub);
    const conn = relay.open(peer);
    peer.onClose = () => relay.closed(conn);
    relay.message(conn, encodeControl({ type: 'hello', id: 0, v: 1 }));
    return { peer, conn };
  };
}

/**
 * A relay on fake peers. `options.access`: another Authenticator than the open one (tests of the
 * handshake's decisions); `options.events`: a room-lifecycle observer; `options.log`: another log
 * than the silent one.
 */
export function setup(overrides: Record<string, string> = {}, options: { access?: Authenticator; events?: RoomEvents; log?: Log } = {}) {
  const clock = new FakeClock();
  const hub = new FakeHub();
  const access = options.access ?? authenticator(OPEN, clock);
  const relay = new Relay(relayLimits(overrides), new Fanout([hub]), new Stats(), options.log ?? silentLogger, access, clock, undefined, options.events);
  const connect = connector(relay, hub);
  const join = (c: { peer: FakePeer; conn: Connection }, room: string, tickHz?: number) => {
    relay.message(c.conn, encodeControl({ type: 'join', id: 1, room, tickHz }));
    const reply = c.peer.last();
    if (reply?.type !== 'joined') throw new Error(`join failed: ${JSON.stringify(reply)}`);
    return reply;
  };
  return { relay, hub, clock, connect, join, advance: (ms: number) => clock.advance(ms) };
}

