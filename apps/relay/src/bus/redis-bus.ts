// The cluster bus on Redis 7 (docs/decisions/0002-cluster.md): one more fan-out sink (it forwards
// this node's deliver frames to the room's sharded channel) and the core's `Cluster` port (atomic
// member ids, presence, direct frames, latest batches). Messages from other nodes go to the core
// through its `ClusterInbox`, checked on the way (sequence gaps, staleness) by receiver.ts.
// Leases, the reaper and the resync after an outage are in lifecycle.ts. Only src/bus/ imports ioredis.
import { FrameKind, MAX_MEMBER_ID, encodeBatch, type BatchEntry, type Presence } from '@roomcast/protocol';
import type { Claim, Cluster, ClusterInbox, ClusterMember, MemberIdentity } from '../core/cluster.js';
import type { FanoutSink } from '../core/fanout.js';
import type { Log } from '../core/log.js';
import { connectRedis, type RedisClient, type RedisTarget } from './connection.js';
import { decodeEntry, encodeEntry } from './entry.js';
import { BusKind, encodeEnvelope } from './envelope.js';
import { membersKey, metaKey, nodeRoomsKey, roomChannel } from './keys.js';
import { type BusState, BusReceiver } from './receiver.js';
import { CLAIM, REAP, RECLAIM, RELEASE, UPDATE } from './scripts.js';
import { BusStats } from './stats.js';

export interface BusOptions {
  /** A single Redis (REDIS_URL) or a Redis Cluster's seed nodes (REDIS_CLUSTER_NODES). */
  redis: RedisTarget;
  nodeId: string;
  leaseTtlMs: number;
  log: Log;
  /** Messages older than this (send time to receipt) are dropped, never delivered late. */
  staleMs?: number;
  /** A Redis command that takes longer fails (a frozen Redis). */
  commandTimeoutMs?: number;
}

export type { BusState } from './receiver.js';

type Script = (...args: (string | number)[]) => Promise<unknown>;
interface Scripts {
  rcClaim: Script;
  rcRelease: Script;
  rcUpdate: Script;
  rcReap: Script;
  rcReclaim: Script;
}

/** Parses a members hash (`HGETALL` as a flat list) into members. */
export function parseMembers(flat: unknown[]): ClusterMember[] {
  const members: ClusterMember[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const entry = String(flat[i + 1]);
    const cut = entry.indexOf('\n');
    const state = cut < 0 ? undefined : decodeEntry(entry.slice(cut + 1));
    // Undefined: not written by a relay (of this release): ignored.
    if (state !== undefined) members.push({ id: Number(flat[i]), node: entry.slice(0, cut), ...state });
  }
  return members;
}

export class RedisBus implements FanoutSink, Cluster {
  readonly nodeId: string;
  readonly stats = new BusStats();
  readonly leaseTtlMs: number;
  state: BusState = 'down';
  /** Called with the age (ms) of each message received from another node. */
  onLatency: (ms: number) => void = () => {};
  readonly cmd: RedisClient;
  readonly sub: RedisClient;
  readonly log: Log;
  inbox: ClusterInbox | undefined;
  /** Rooms this node listens to: claims in flight plus local members, and the subscription. */
  readonly #listening = new Map<string, { count: number; ready: Promise<unknown> }>();
  /** Next sequence number of this node per room channel. */
  readonly #seqOut = new Map<string, number>();
  /** Messages from other nodes: sequence and staleness checks, then the inbox. */
  readonly #receiver: BusReceiver;
  /** Commands in flight (awaited on close). */
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: BusOptions) {
    this.nodeId = options.nodeId;
    this.leaseTtlMs = options.leaseTtlMs;
    this.log = options.log;
    this.#receiver = new BusReceiver(this, options.staleMs ?? 1000);
    ({ cmd: this.cmd, sub: this.sub } = connectRedis(options.redis, options.nodeId, options.commandTimeoutMs ?? 500));
    for (const [name, lua, keys] of [['rcClaim', CLAIM, 2], ['rcRelease', RELEASE, 2], ['rcUpdate', UPDATE, 1], ['rcReap', REAP, 2], ['rcReclaim', RECLAIM, 2]] as const) {
      this.cmd.defineCommand(name, { numberOfKeys: keys, lua });
    }
    // ioredis reports every failed reconnect as an 'error' event; the health check (lifecycle.ts)
    // turns them into one state change, so they are not logged one by one here.
    this.cmd.on('error', () => {});
    this.sub.on('error', () => {});
    this.sub.on('smessageBuffer', (channel: Buffer, message: Buffer) => {
      // An exception must not reach ioredis's reply parser (it would break the subscription).
      try {
        this.#receiver.receive(channel.toString('latin1'), message);
      } catch (err) {
        this.stats.dropped.error++;
        this.log.error({ err }, 'bus message from another node failed');
      }
    });
  }

  get scripts(): Scripts {
    return this.cmd as unknown as Scripts;
  }

  attach(inbox: ClusterInbox): void {
    this.inbox = inbox;
  }

  // ---- FanoutSink: this node's broadcasts --------------------------------------------

  publish(topic: string, frame: Uint8Array): void {
    // Control frames (member events) and batch frames carry node-local state: they cross as
    // presence and latest messages instead.
    if (frame[0] !== FrameKind.Deliver) return;
    const room = this.inbox?.forwardRoom(topic);
    if (room !== undefined) this.send(room, BusKind.Frame, 0, frame);
  }

  // ---- Cluster port ------------------------------------------------------------------

  async claim(room: string, tickHz: number, presence: Presence, identity: MemberIdentity, maxMembers: number): Promise<Claim> {
    if (this.state !== 'up') {
      this.stats.dropped.down++;
      return { ok: false, reason: 'unavailable' };
    }
    try {
      await this.listen(room);
      const reply = await this.track(this.scripts.rcClaim(membersKey(room), metaKey(room), this.nodeId, encodeEntry(presence, identity), maxMembers, tickHz, MAX_MEMBER_ID)) as unknown[];
      if (reply[0] === 0) {
        this.unlisten(room);
        return { ok: false, reason: 'full' };
      }
      return { ok: true, id: Number(reply[0]), tickHz: Number(reply[1]), members: parseMembers(reply[2] as unknown[]) };
    } catch (err) {
      this.log.debug({ err, room }, 'cluster claim failed');
      this.unlisten(room);
      return { ok: false, reason: 'unavailable' };
    }
  }

  joined(room: string, id: number, presence: Presence, identity: MemberIdentity): void {
    this.send(room, BusKind.Joined, id, Buffer.from(encodeEntry(presence, identity)));
  }

  updated(room: string, id: number, presence: Presence, identity: MemberIdentity): void {
    const json = encodeEntry(presence, identity);
    if (this.state === 'up') this.quiet(this.scripts.rcUpdate(membersKey(room), id, this.nodeId, json));
    this.send(room, BusKind.Updated, id, Buffer.from(json));
  }

  left(room: string, id: number): void {
    // While Redis is down the entry stays; the resync after the outage removes it (lifecycle.ts).
    if (this.state === 'up') this.quiet(this.scripts.rcRelease(membersKey(room), metaKey(room), id, this.nodeId));
    this.send(room, BusKind.Left, id, new Uint8Array(0));
    this.unlisten(room);
  }

  direct(room: string, target: number, frame: Uint8Array): void {
    this.send(room, BusKind.Frame, target, frame);
  }

  latest(room: string, entries: BatchEntry[]): void {
    // A batch frame body (handle 1 as a placeholder): the protocol's own encoder and decoder.
    this.send(room, BusKind.Latest, 0, encodeBatch(1, entries));
  }

  // ---- sending -----------------------------------------------------------------

  /** Publishes one message on the room's channel now, or drops it (counted) while Redis is down. */
  send(room: string, kind: BusKind, member: number, body: Uint8Array): void {
    // Numbered only on rooms this node listens to (the reaper also speaks on others': seq 0).
    // Numbered before the state check: a message dropped while Redis is down leaves a gap that
    // the other nodes see once messages flow again, so their members are not left silently short.
    const seq = this.#seqOut.get(room) ?? 0;
    if (this.#listening.has(room)) this.#seqOut.set(room, (seq + 1) >>> 0);
    if (this.state !== 'up') {
      this.stats.dropped.down++;
      return;
    }
    this.stats.published[kind]++;
    const message = encodeEnvelope(kind, this.nodeId, Date.now(), member, seq, body);
    // A callback, not a tracked promise: the hot path of cross-node traffic (one per frame).
    this.cmd.spublish(roomChannel(room), message, (err) => {
      if (err) this.stats.dropped.error++;
    });
  }

  // ---- subscriptions -----------------------------------------------------------------

  /** Listens to the room (subscribing on the first claim) and records it for the reaper. */
  listen(room: string): Promise<unknown> {
    const entry = this.#listening.get(room);
    if (entry !== undefined) {
      entry.count++;
      return entry.ready;
    }
    const ready = Promise.all([
      this.track(this.cmd.sadd(nodeRoomsKey(this.nodeId), room)),
      this.track(this.sub.ssubscribe(roomChannel(room))),
    ]);
    this.#listening.set(room, { count: 1, ready });
    // Sequence numbers start afresh with this subscription. Messages of the previous one (the room
    // left and joined again quickly) can still be in the socket after unlisten's forget; they are
    // all read before the subscribe reply, so forgetting again then keeps them from making the
    // first message of the new subscription look like a gap (a false 4502).
    ready.then(() => { if (this.#listening.get(room)?.ready === ready) this.#receiver.forget(room); }, () => {});
    return ready;
  }

  unlisten(room: string): void {
    const entry = this.#listening.get(room);
    if (entry === undefined || --entry.count > 0) return;
    this.#listening.delete(room);
    this.#receiver.forget(room);
    this.#seqOut.delete(room);
    if (this.state !== 'up') return; // the resync after the outage cleans up
    this.quiet(this.sub.sunsubscribe(roomChannel(room)));
    this.quiet(this.cmd.srem(nodeRoomsKey(this.nodeId), room));
  }

  /** After the resync (lifecycle.ts): closes the members owed a 4502 close while Redis was down. */
  flushLost(): void {
    this.#receiver.flushLost();
  }

  /** Rooms this node listens to now. */
  listeningRooms(): string[] {
    return [...this.#listening.keys()];
  }

  // ---- bookkeeping -------------------------------------------------------------------

  track<T>(p: Promise<T>): Promise<T> {
    this.#inFlight.add(p);
    const done = (): void => {
      this.#inFlight.delete(p);
    };
    p.then(done, done);
    return p;
  }

  /** Fire-and-forget command: a failure is counted, never thrown. */
  quiet(p: Promise<unknown>): void {
    this.track(p).catch(() => this.stats.dropped.error++);
  }

  /** Waits for the commands in flight (each bounded by the command timeout). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }
}
