// Messages from other nodes (docs/decisions/0002-cluster.md): each is checked for a gap in its
// sender's sequence numbers and for staleness before it reaches the core's `ClusterInbox`; members
// that missed messages are closed with 4502 to resync (PROTOCOL.md §8.5 rule 9). Kept apart from
// redis-bus.ts, which sends: this is the receiving half of the same channel.
import { DeliveryClass, Flags, decodeBatch, type RoomSettings } from '@roomcast/protocol';
import type { ClusterInbox } from '../core/cluster.js';
import type { Log } from '../core/log.js';
import { decodeEntry } from './entry.js';
import { BUS_VERSION, BusKind, decodeEnvelope, envelopeVersion } from './envelope.js';
import { channelRoom } from './keys.js';
import type { BusStats } from './stats.js';

export type BusState = 'up' | 'down';

/** The parts of the bus (redis-bus.ts) the receiving side reads, and `state`, which it may set down. */
export interface ReceivingBus {
  readonly nodeId: string;
  readonly stats: BusStats;
  readonly log: Log;
  readonly inbox: ClusterInbox | undefined;
  state: BusState;
  onLatency(ms: number): void;
}

export class BusReceiver {
  /** Last sequence number seen per room channel and sending node (gap detection). */
  readonly #seqIn = new Map<string, Map<string, number>>();
  /**
   * Members owed a 4502 close (room -> targets, 0 = all), held while the bus is down: their
   * clients' rejoin needs Redis, so they are closed once the resync is done (`flushLost`).
   */
  readonly #owed = new Map<string, Set<number>>();
  /** Envelope versions already logged (each once: a rolling upgrade would otherwise log every message). */
  readonly #versionsLogged = new Set<number>();

  /** `staleMs`: messages older than this (send time to receipt) are dropped, never delivered late. */
  constructor(private readonly bus: ReceivingBus, private readonly staleMs: number) {}

  /** One message from the room's channel (ioredis 'smessageBuffer'). */
  receive(channel: string, message: Buffer): void {
    const room = channelRoom(channel);
    const bus = this.bus;
    const version = envelopeVersion(message);
    if (version !== BUS_VERSION) {
      // Another release's message (a rolling upgrade), or another writer: skipped, counted, and
      // logged once per version byte. Not a gap: its sender's numbering is not ours to check.
      bus.stats.unknownVersion++;
      if (version !== undefined && !this.#versionsLogged.has(version)) {
        this.#versionsLogged.add(version);
        bus.log.error({ version, speaks: BUS_VERSION, room }, 'skipping bus messages of an envelope version this node does not speak (nodes of another release on this Redis?)');
      }
      return;
    }
    const env = decodeEnvelope(message);
    const inbox = bus.inbox;
    if (room === undefined || env === undefined || inbox === undefined || env.node === bus.nodeId) return;
    // Lost messages (a gap) may have been reliable frames or member events: every local member
    // of the room is owed a resync (PROTOCOL.md §8.5 rule 9).
    if (this.#checkSeq(room, env.node, env.seq) > 0) this.#lost(room, 0);
    const age = Date.now() - env.sentAt;
    if (age > this.staleMs) {
      this.bus.stats.dropped.stale++;
      // Never delivered late; but a late reliable frame or member event is not dropped silently
      // either: its recipients are closed with 4502 and resync. Droppable frames and latest
      // values may be dropped (§8.16, §8.15): only counted.
      if (env.kind === BusKind.Frame) {
        if (env.body.length >= 4 && (env.body[1]! & Flags.CLASS_MASK) === DeliveryClass.Reliable) this.#lost(room, env.member);
      } else if (env.kind !== BusKind.Latest) this.#lost(room, 0);
      return;
    }
    this.bus.stats.received[env.kind]++;
    bus.onLatency(Math.max(0, age));
    switch (env.kind) {
      case BusKind.Frame: return inbox.frame(room, env.body, env.member);
      case BusKind.Left: {
        // The node that held the member (empty: unknown, older senders): a Left of a node that no
        // longer holds the member (its held seat moved to another node) changes nothing.
        const owner = env.body.length > 0 ? Buffer.from(env.body).toString('latin1') : undefined;
        if (inbox.holds(room, env.member)) {
          if (owner !== undefined && owner !== bus.nodeId) return;
          // Another node reaped one of our members (it took our lease for expired, e.g. after a
          // stall): count it as an outage, so the next check re-registers our members (lifecycle.ts).
          if (bus.state === 'up') bus.log.error({ room, member: env.member }, 'another node removed a member of this node: re-registering');
          bus.state = 'down';
          return;
        }
        return inbox.memberLeft(room, env.member, owner);
      }
      case BusKind.Settings: {
        const { v, s } = JSON.parse(Buffer.from(env.body).toString('utf8')) as { v: number; s: RoomSettings };
        return inbox.settingsChanged(room, s, v);
      }
      case BusKind.Host:
        if (env.body.length >= 4) inbox.hostChanged(room, env.member, Buffer.from(env.body).readUInt32BE(0));
        return;
      case BusKind.Away: return inbox.memberAway(room, env.member, env.node);
      case BusKind.Latest: {
        const batch = decodeBatch(env.body);
        if (batch.ok) inbox.latest(room, batch.frame.entries);
        return;
      }
      case BusKind.Joined:
      case BusKind.Updated:
      case BusKind.Back: {
        const state = decodeEntry(Buffer.from(env.body).toString('utf8'));
        if (state === undefined) return;
        const member = { id: env.member, node: env.node, ...state };
        if (env.kind === BusKind.Joined) inbox.memberJoined(room, member);
        else if (env.kind === BusKind.Updated) inbox.memberUpdated(room, member);
        else inbox.memberBack(room, member);
      }
    }
  }

  /** Members of `room` (target 0: all) missed messages: closed with 4502 now, or after the resync if Redis is down. */
  #lost(room: string, target: number): void {
    if (this.bus.state === 'up') return this.bus.inbox?.lost(room, target);
    const owed = this.#owed.get(room) ?? new Set<number>();
    this.#owed.set(room, owed);
    owed.add(target);
  }

  /** Counts messages of `node` that did not arrive (a forward jump in its sequence numbers); returns how many. */
  #checkSeq(room: string, node: string, seq: number): number {
    const nodes = this.#seqIn.get(room) ?? new Map<string, number>();
    this.#seqIn.set(room, nodes);
    const last = nodes.get(node);
    nodes.set(node, seq);
    if (last === undefined) return 0;
    const missing = (seq - last - 1) >>> 0;
    // A small forward jump is a gap; anything else is the sender starting its numbering again.
    if (missing === 0 || missing >= 1_000_000) return 0;
    this.bus.stats.gaps += missing;
    return missing;
  }

  /** After the resync (lifecycle.ts): closes the members owed a 4502 close while Redis was down. */
  flushLost(): void {
    const owed = [...this.#owed];
    this.#owed.clear();
    for (const [room, targets] of owed) {
      for (const target of targets.has(0) ? [0] : targets) this.bus.inbox?.lost(room, target);
    }
  }

  /** The room is no longer listened to: its sequence numbers start afresh. */
  forget(room: string): void {
    this.#seqIn.delete(room);
  }
}
