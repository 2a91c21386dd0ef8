// Topic fan-out for raw TCP members. uWebSockets.js fans WebSocket members out in C++; node:net has
// no pub/sub, so this map (topic → TCP subscribers) does it in JavaScript, looping over TCP members
// only. A topic without TCP subscribers costs one Map lookup, which keeps the WebSocket hot path
// independent of the number of WebSocket members.
import { lengthPrefixed } from '@roomcast/protocol';

/** What the fan-out needs from a TCP peer. */
export interface TopicSubscriber {
  /** Writes an already length-prefixed frame. */
  writeWire(wire: Uint8Array): void;
}

export class TcpTopics<S extends TopicSubscriber = TopicSubscriber> {
  readonly #byTopic = new Map<string, Set<S>>();

  /** Topics with at least one TCP subscriber (empty once every TCP member has left). */
  get size(): number {
    return this.#byTopic.size;
  }

  subscribe(topic: string, subscriber: S): void {
    let set = this.#byTopic.get(topic);
    if (set === undefined) this.#byTopic.set(topic, (set = new Set()));
    set.add(subscriber);
  }

  unsubscribe(topic: string, subscriber: S): void {
    const set = this.#byTopic.get(topic);
    if (set === undefined) return;
    set.delete(subscriber);
    if (set.size === 0) this.#byTopic.delete(topic);
  }

  /** Sends `frame` to every TCP subscriber of `topic` except `except`, prefixing it once for all. */
  publish(topic: string, frame: Uint8Array, except?: S): void {
    const set = this.#byTopic.get(topic);
    if (set === undefined || (set.size === 1 && except !== undefined && set.has(except))) return;
    const wire = lengthPrefixed(frame);
    // A subscriber may close (and unsubscribe) while we write; iterate over a snapshot.
    for (const subscriber of [...set]) if (subscriber !== except) subscriber.writeWire(wire);
  }
}
