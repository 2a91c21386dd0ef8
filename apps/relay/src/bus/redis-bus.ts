// The cluster bus on Redis 7 (docs/decisions/0002-cluster.md): one more fan-out sink (it forwards
// this node's deliver frames to the room's sharded channel) and the core's `Cluster` port (atomic
// member ids, presence, direct frames, latest batches). Messages from other nodes go to the core
// through its `ClusterInbox`, checked on the way (sequence gaps, staleness) by receiver.ts.
// Leases, the reaper and the resync after an outage are in lifecycle.ts. Only src/bus/ imports ioredis.
import { FrameKind, MAX_MEMBER_ID, encodeBatch, type BatchEntry, type Presence, type RoomSettings } from '@roomcast/protocol';
import type { Claim, ClaimRequest, Cluster, ClusterInbox, MemberIdentity, StoredRoomState } from '../core/cluster.js';
import type { FanoutSink } from '../core/fanout.js';
import { defaultSettings } from '../core/host.js';
import type { Log } from '../core/log.js';
import { BusCalls } from './calls.js';
import { connectRedis, type RedisClient, type RedisTarget } from './connection.js';
import { encodeEntry, parseMembers } from './entry.js';
import { BusKind, encodeEnvelope, hostBody } from './envelope.js';
import { OrphanSeats, takeSeat } from './seats.js';
import { CONTROL_CHANNEL, membersKey, nodeRoomsKey, roomChannel, roomKeys } from './keys.js';
import { type BusState, BusReceiver } from './receiver.js';
import { ADOPT, CLAIM, CREATE, DROP_EMPTY, EXPIRE_CREATED, HOST, REAP, RECLAIM, RELEASE, SETTINGS_PATCH, TAKE, UPDATE } from './scripts.js';
import { hostState, parseClaim, settingsArgs } from './settings.js';
import { BusStats } from './stats.js';
import { BusStore } from './store.js';
import type { BusHandle, Scripts } from './handle.js';

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
  /** RELAY_MAX_MEMBERS_PER_ROOM: the capacity of a room whose stored settings lack one. */
  maxMembersPerRoom?: number;
  /** RELAY_SEAT_GRACE_MS: a dead node's members keep their seats this long, held by the node that reaps them (0: they leave). */
  seatGraceMs?: number;
}

export type { BusState } from './receiver.js';
export { parseMembers };

/** The scripts (scripts.ts), their names on the client and how many keys each takes. */
const SCRIPTS = [
  ['rcClaim', CLAIM, 3], ['rcTake', TAKE, 3], ['rcRelease', RELEASE, 3], ['rcUpdate', UPDATE, 1], ['rcReap', REAP, 3], ['rcAdopt', ADOPT, 1],
  ['rcReclaim', RECLAIM, 3], ['rcHost', HOST, 3], ['rcCreate', CREATE, 1], ['rcSettings', SETTINGS_PATCH, 1], ['rcDropEmpty', DROP_EMPTY, 3], ['rcExpireCreated', EXPIRE_CREATED, 3],
] as const;


export class RedisBus implements FanoutSink, Cluster, BusHandle {
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
  /** Server API calls relayed between nodes. */
  readonly calls: BusCalls;
  /** The server API's reads and writes of the store (and the room index). */
  readonly store: BusStore;
  /** Settings of a room whose stored settings lack a field. */
  readonly defaults: RoomSettings;
  /** Seats of dead nodes' members this node holds (seats.ts). */
  readonly orphans: OrphanSeats;

  constructor(options: BusOptions) {
    this.nodeId = options.nodeId;
    this.leaseTtlMs = options.leaseTtlMs;
    this.log = options.log;
    this.#receiver = new BusReceiver(this, options.staleMs ?? 1000);
    this.calls = new BusCalls(this);
    this.orphans = new OrphanSeats(this, options.seatGraceMs ?? 0);
    this.defaults = defaultSettings(options.maxMembersPerRoom ?? MAX_MEMBER_ID);
    this.store = new BusStore(this, this.calls, options.maxMembersPerRoom ?? MAX_MEMBER_ID);
    ({ cmd: this.cmd, sub: this.sub } = connectRedis(options.redis, options.nodeId, options.commandTimeoutMs ?? 500));
    for (const [name, lua, keys] of SCRIPTS) this.cmd.defineCommand(name, { numberOfKeys: keys, lua });
    // ioredis reports every failed reconnect as an 'error' event; the health check (lifecycle.ts)
    // turns them into one state change, so they are not logged one by one here.
    this.cmd.on('error', () => {});
    this.sub.on('error', () => {});
    this.sub.on('smessageBuffer', (channel: Buffer, message: Buffer) => {
      // An exception must not reach ioredis's reply parser (it would break the subscription).
      try {
        const name = channel.toString('latin1');
        if (name === CONTROL_CHANNEL) this.calls.receive(message.toString('utf8'));
        else this.#receiver.receive(name, message);
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

  async claim(room: string, req: ClaimRequest): Promise<Claim> {
    if (this.state !== 'up') {
      this.stats.dropped.down++;
      return { ok: false, reason: 'unavailable' };
    }
    try {
      await this.listen(room);
      const reply = await this.track(this.scripts.rcClaim(...roomKeys(room), this.nodeId, encodeEntry(req.presence, req.identity, req.seat === undefined ? undefined : { token: req.seat, away: false }), req.maxMembers,
        req.tickHz, MAX_MEMBER_ID, req.server ? 1 : 0, ...settingsArgs(req.settings))) as unknown[];
      const claim = parseClaim(reply, this.defaults);
      if (!claim.ok) this.unlisten(room);
      else if (claim.created) this.store.index(room);
      return claim;
    } catch (err) {
      this.log.debug({ err, room }, 'cluster claim failed');
      this.unlisten(room);
      return { ok: false, reason: 'unavailable' };
    }
  }

  async takeSeat(room: string, token: string, userId: string | undefined, beforeTake?: () => void): Promise<Claim | undefined> {
    const claim = await takeSeat(this, room, token, userId, beforeTake);
    if (claim?.ok === true) this.orphans.forget(room, claim.id);
    return claim;
  }

  host(room: string, host: number, version: number): void {
    this.send(room, BusKind.Host, host, hostBody(version));
  }

  away(room: string, id: number, presence: Presence, identity: MemberIdentity, seat: string): void {
    if (this.state === 'up') this.quiet(this.scripts.rcUpdate(membersKey(room), id, this.nodeId, encodeEntry(presence, identity, { token: seat, away: true })));
    this.send(room, BusKind.Away, id, new Uint8Array(0));
  }

  back(room: string, id: number, presence: Presence, identity: MemberIdentity, seat?: string): void {
    const json = encodeEntry(presence, identity, seat === undefined ? undefined : { token: seat, away: false });
    if (this.state === 'up') this.quiet(this.scripts.rcUpdate(membersKey(room), id, this.nodeId, json));
    this.send(room, BusKind.Back, id, Buffer.from(json));
  }

  moved(room: string): void {
    this.unlisten(room);
  }

  endHeld(room: string, id: number): boolean {
    return this.orphans.end(`${id}@${room}`);
  }

  endHeldOf(userId: string): number {
    return this.orphans.endUser(userId);
  }

  joined(room: string, id: number, presence: Presence, identity: MemberIdentity): void {
    this.send(room, BusKind.Joined, id, Buffer.from(encodeEntry(presence, identity)));
  }

  updated(room: string, id: number, presence: Presence, identity: MemberIdentity, seat?: string): void {
    const json = encodeEntry(presence, identity, seat === undefined ? undefined : { token: seat, away: false });
    if (this.state === 'up') this.quiet(this.scripts.rcUpdate(membersKey(room), id, this.nodeId, json));
    this.send(room, BusKind.Updated, id, Buffer.from(json));
  }

  left(room: string, id: number): void {
    // While Redis is down the entry stays; the resync after the outage removes it (lifecycle.ts).
    if (this.state === 'up') {
      this.quiet(this.scripts.rcRelease(...roomKeys(room), id, this.nodeId).then((reply) => {
        const r = reply as number[];
        if (r[0] === 1) this.settled(room, r[1] === 1, hostState(r.slice(2)));
      }));
    }
    // The body names the node that held the member: a node that holds it now (a seat that moved) ignores it.
    this.send(room, BusKind.Left, id, Buffer.from(this.nodeId, 'latin1'));
    this.unlisten(room);
  }

  /**
   * After a script removed members: the room is gone cluster-wide (this node tells the webhooks and
   * drops it from the index), or its host may have changed (this node tells every node).
   */
  settled(room: string, gone: boolean, host: Pick<StoredRoomState, 'host' | 'hostVersion' | 'previousHost'>): void {
    if (gone) {
      this.store.unindex(room);
      this.inbox?.roomGone(room);
      return;
    }
    if (host.host === host.previousHost) return;
    this.send(room, BusKind.Host, host.host, hostBody(host.hostVersion));
    this.inbox?.hostChanged(room, host.host, host.hostVersion);
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
