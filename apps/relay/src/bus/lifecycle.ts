// The bus's life in the cluster (docs/decisions/0002-cluster.md): start-up (clean up a previous
// run of this node id, register a lease), lease renewal, the health check that decides `up` or
// `down`, the reaper that removes members of crashed nodes, the resync after an outage, and a
// graceful leave. Timers are real time: they pace Redis round trips, not client deadlines.
// Log lines carry the node id already (server.ts gives the bus a child logger with `node`).
import { pingAll } from './connection.js';
import { BusKind } from './envelope.js';
import { CONTROL_CHANNEL, NODES_KEY, leaseKey, membersKey, nodeRoomsKey, roomChannel, roomKeys } from './keys.js';
import { decodeStored, encodeEntry } from './entry.js';
import { parseMembers, type RedisBus } from './redis-bus.js';
import { hostState, settingsArgs } from './settings.js';

/** How often the health check pings and the reaper looks for expired leases. */
export const CHECK_EVERY_MS = 500;

export class BusLifecycle {
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  #busy = false;
  #stopped = false;

  constructor(private readonly bus: RedisBus) {}

  /** Connects, removes what a previous run of this node id left, registers; throws if Redis cannot be reached. */
  async start(): Promise<void> {
    const { bus } = this;
    await Promise.all([bus.cmd.connect(), bus.sub.connect()]);
    // A lost connection is an outage even if it comes back before the next health check: Redis may
    // have restarted empty, and messages were lost meanwhile, so the rooms must resynchronise.
    const lost = (connection: string) => (): void => {
      if (this.#stopped || bus.state !== 'up') return;
      bus.state = 'down';
      bus.log.error({ connection }, 'Redis connection lost: cluster degraded until it is back and resynchronised');
    };
    bus.cmd.on('close', lost('commands'));
    bus.sub.on('close', lost('subscriptions'));
    await this.#reapNode(bus.nodeId);
    // Server API calls of other nodes (calls.ts), before the lease says this node is there to
    // answer them; resubscribed with the rooms after a reconnect.
    await bus.sub.ssubscribe(CONTROL_CHANNEL);
    await this.#register();
    bus.state = 'up';
    bus.log.info({ leaseTtlMs: bus.leaseTtlMs }, 'joined the cluster (Redis)');
    this.#timers.push(
      setInterval(() => this.#renew(), Math.max(100, Math.floor(bus.leaseTtlMs / 3))),
      setInterval(() => void this.#check(), CHECK_EVERY_MS),
    );
  }

  /** Leaves the cluster: members are already released (the relay closed them); drop the lease. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    const { bus } = this;
    await bus.orphans.releaseAll();
    await bus.settle();
    if (bus.state === 'up') {
      // One key per command: on a Redis Cluster these keys live in different slots.
      await Promise.allSettled([bus.cmd.del(leaseKey(bus.nodeId)), bus.cmd.del(nodeRoomsKey(bus.nodeId)), bus.cmd.srem(NODES_KEY, bus.nodeId)]);
    }
    bus.state = 'down';
    bus.cmd.disconnect();
    bus.sub.disconnect();
  }

  async #register(): Promise<void> {
    const { bus } = this;
    await bus.cmd.set(leaseKey(bus.nodeId), '1', 'PX', bus.leaseTtlMs);
    await bus.cmd.sadd(NODES_KEY, bus.nodeId);
  }

  /**
   * Renews the lease only if it still exists (`XX`). A missing lease means it expired (this process
   * stalled longer than the TTL, or Redis lost it) and other nodes may have removed our members:
   * treat it as an outage, so the next check re-registers them and resynchronises the rooms.
   */
  #renew(): void {
    const { bus } = this;
    if (bus.state !== 'up') return;
    bus.track(bus.cmd.set(leaseKey(bus.nodeId), '1', 'PX', bus.leaseTtlMs, 'XX')).then((reply) => {
      if (reply !== null || bus.state !== 'up' || this.#stopped) return;
      bus.state = 'down';
      bus.log.error({}, 'this node\'s lease had expired: re-registering its members');
    }, () => bus.stats.dropped.error++);
  }

  /** One health check (PING within the command timeout, every shard of a cluster), then the recovery or the reaper. */
  async #check(): Promise<void> {
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    const { bus } = this;
    try {
      let alive = true;
      try {
        await pingAll(bus.cmd);
      } catch {
        alive = false;
      }
      if (!alive && bus.state === 'up') {
        bus.state = 'down';
        bus.log.error({}, 'Redis unreachable: cluster degraded (local rooms go on; cross-node traffic is dropped)');
      } else if (alive && bus.state === 'down') {
        await this.#recover();
      } else if (alive) {
        await this.#reapDead();
      }
    } catch (err) {
      bus.log.debug({ err }, 'cluster check failed');
    } finally {
      this.#busy = false;
    }
  }

  /** Removes the members of every node whose lease expired, and tells the rooms. */
  async #reapDead(): Promise<void> {
    const { bus } = this;
    const nodes = (await bus.cmd.smembers(NODES_KEY)).filter((n) => n !== bus.nodeId);
    for (const node of nodes) {
      if (await bus.cmd.exists(leaseKey(node)) === 1) continue;
      const removed = await this.#reapNode(node);
      bus.log.info({ dead: node, members: removed }, 'removed the members of a node whose lease expired');
    }
  }

  /**
   * Removes every member `node` holds, publishes member_left for each (and the webhook, through the
   * inbox: this node's script removed them, so no other node does), then the room's new host or
   * its end; returns how many.
   */
  async #reapNode(node: string): Promise<number> {
    const { bus } = this;
    let count = 0;
    for (const room of await bus.cmd.smembers(nodeRoomsKey(node))) {
      // With seats on, a dead node's members keep their seats (held here) instead of leaving.
      if (node !== bus.nodeId) count += (await bus.orphans.adopt(room, node)).length;
      const reply = await bus.scripts.rcReap(...roomKeys(room), node) as unknown[];
      if (reply.length <= 4) continue;
      for (let i = 4; i + 1 < reply.length; i += 2) {
        count++;
        if (node === bus.nodeId) continue; // a previous run of this node: nobody here holds them
        bus.stats.reaped++;
        const id = Number(reply[i]);
        // Our own publishes do not come back to us: tell the local room directly.
        const member = decodeStored(id, String(reply[i + 1]));
        if (member !== undefined) bus.inbox?.reaped(room, member);
        else bus.inbox?.memberLeft(room, id);
        bus.send(room, BusKind.Left, id, Buffer.from(node, 'latin1'));
      }
      bus.settled(room, reply[0] === 1, hostState(reply.slice(1, 4)));
    }
    await bus.cmd.del(nodeRoomsKey(node));
    await bus.cmd.srem(NODES_KEY, node);
    return count;
  }

  /**
   * Redis is back: renew the lease, register this node's members again, resubscribe, tell local
   * members how the room changed meanwhile (and send snapshots), republish own latest values.
   */
  async #recover(): Promise<void> {
    const { bus } = this;
    const inbox = bus.inbox;
    await this.#register();
    bus.state = 'up';
    bus.stats.resyncs++;
    if (inbox === undefined) return;
    const local = inbox.localRooms();
    // Rooms this node registered but no longer holds (members left during the outage).
    for (const room of await bus.cmd.smembers(nodeRoomsKey(bus.nodeId))) {
      if (local.has(room)) continue;
      if (!bus.listeningRooms().includes(room)) bus.quiet(bus.sub.sunsubscribe(roomChannel(room)));
      const reply = await bus.scripts.rcReap(...roomKeys(room), bus.nodeId) as unknown[];
      for (let i = 4; i + 1 < reply.length; i += 2) bus.send(room, BusKind.Left, Number(reply[i]), Buffer.from(bus.nodeId, 'latin1'));
      if (reply.length > 4) bus.settled(room, reply[0] === 1, hostState(reply.slice(1, 4)));
      await bus.cmd.srem(nodeRoomsKey(bus.nodeId), room);
    }
    for (const [room, state] of local) {
      await bus.cmd.sadd(nodeRoomsKey(bus.nodeId), room);
      await bus.sub.ssubscribe(roomChannel(room));
      const mine = new Set<number>();
      for (const m of state.members) {
        const entry = encodeEntry(m.presence, m.identity, m.seat === undefined ? undefined : { token: m.seat, away: m.away });
        const result = await bus.scripts.rcReclaim(...roomKeys(room), m.id, bus.nodeId, entry, state.tickHz,
          state.servers.has(m.id) ? 1 : 0, ...settingsArgs(state.settings));
        if (result === 0) {
          inbox.evict(room, m.id);
          continue;
        }
        mine.add(m.id);
        if (result === 2) bus.send(room, BusKind.Joined, m.id, Buffer.from(entry));
      }
      const members = parseMembers(await bus.cmd.hgetall(membersKey(room)).then((h) => Object.entries(h).flat()));
      // Entries of this node that no local member holds (a claim that ran late, a member that left meanwhile).
      for (const m of members) {
        if (m.node === bus.nodeId && !mine.has(m.id)) {
          await bus.scripts.rcRelease(...roomKeys(room), m.id, bus.nodeId);
          bus.send(room, BusKind.Left, m.id, new Uint8Array(0));
        }
      }
      // Settings and host as the store has them now (recomputed: members came and went meanwhile).
      inbox.resync(room, members.filter((m) => m.node !== bus.nodeId), await bus.store.storedState(room));
      if (state.values.length > 0) bus.latest(room, state.values);
    }
    // Members that missed frames during the outage rejoin now that joins work again.
    bus.flushLost();
    bus.log.info({ rooms: local.size }, 'Redis is back: cluster resynchronised');
  }
}
