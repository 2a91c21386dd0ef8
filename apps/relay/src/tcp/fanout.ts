// The TCP transport's fan-out: topic → TCP subscribers. uWebSockets.js fans WebSocket members out
// in C++; node:net has no pub/sub, so this map does it in JavaScript, looping over TCP members
// only. A topic without TCP subscribers costs one Map lookup, which keeps the WebSocket hot path
// independent of the number of WebSocket members. One of the core fan-out service's sinks.
// Per recipient a publish only queues the shared prefixed bytes; each socket writes what it got
// once per event-loop turn (peer.ts, flush-queue.ts).
import type { TransportFanout } from '../core/fanout.js';
import type { Peer } from '../core/peer.js';
import { prefixed, type TcpPeer } from './peer.js';

export class TcpFanout implements TransportFanout {
  readonly transport = 'tcp';
  readonly #byTopic = new Map<string, Set<TcpPeer>>();

  /** Topics with at least one TCP subscriber (empty once every TCP member has left). */
  get size(): number {
    return this.#byTopic.size;
  }

  subscribe(peer: Peer, topic: string): void {
    const tcp = peer as TcpPeer;
    if (tcp.closed) return;
    const set = this.#byTopic.get(topic);
    if (set === undefined) this.#byTopic.set(topic, new Set([tcp]));
    else set.add(tcp);
    tcp.topics ??= new Set();
    tcp.topics.add(topic);
  }

  unsubscribe(peer: Peer, topic: string): void {
    const tcp = peer as TcpPeer;
    tcp.topics?.delete(topic);
    const set = this.#byTopic.get(topic);
    if (set === undefined) return;
    set.delete(tcp);
    if (set.size === 0) this.#byTopic.delete(topic);
  }

  /** Drops every subscription of a peer whose socket is gone. */
  drop(peer: TcpPeer): void {
    if (peer.topics === undefined) return;
    for (const topic of [...peer.topics]) this.unsubscribe(peer, topic);
  }

  /** Sends `frame` to every TCP subscriber of `topic` except `except`, prefixing it once for all. */
  publish(topic: string, frame: Uint8Array, except: Peer | undefined): void {
    const set = this.#byTopic.get(topic);
    if (set === undefined || (set.size === 1 && except !== undefined && set.has(except as TcpPeer))) return;
    const wire = prefixed(frame);
    // writeWire only queues (closes happen later, in a microtask), so no subscriber leaves the set
    // while we iterate and no snapshot is needed.
    for (const subscriber of set) if (subscriber !== except) subscriber.writeWire(wire);
  }
}
