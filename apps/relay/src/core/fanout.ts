// The fan-out service: how one frame reaches every subscriber of a topic (a room), whatever the
// transport of each subscriber. The core subscribes connections and publishes frames here; the
// process wiring (server.ts) composes it from the transports' own fan-outs: uWS topics in C++ for
// WebSocket members (uws/fanout.ts), a topic map for TCP members (tcp/fanout.ts). A cluster bus
// is one more sink: it takes every publish to forward to other nodes, and hands what it receives
// to `publishLocal`.
import type { Connection } from './connection.js';
import type { Peer } from './peer.js';

/** One way a published frame leaves: a transport's subscribers, or (later) a bus to other nodes. */
export interface FanoutSink {
  /**
   * Sends `frame` to this sink's subscribers of `topic`, except `except` (the sender, which
   * may belong to another transport: then nobody is skipped here). Must not loop over members in
   * JavaScript for WebSocket members: the WebSocket sink hands the frame to uWS's C++ pub/sub.
   */
  publish(topic: string, frame: Uint8Array, except: Peer | undefined): void;
}

/** A transport's own fan-out: knows which of its peers subscribe to which topic. */
export interface TransportFanout extends FanoutSink {
  /** The `Peer.transport` of the peers it serves. */
  readonly transport: string;
  subscribe(peer: Peer, topic: string): void;
  unsubscribe(peer: Peer, topic: string): void;
}

export class Fanout {
  readonly #byTransport = new Map<string, TransportFanout>();
  /** Local sinks (transports) first, then buses. */
  readonly #local: FanoutSink[] = [];
  readonly #all: FanoutSink[] = [];

  constructor(transports: readonly TransportFanout[], buses: readonly FanoutSink[] = []) {
    for (const t of transports) {
      if (this.#byTransport.has(t.transport)) throw new Error(`two fan-outs for transport ${t.transport}`);
      this.#byTransport.set(t.transport, t);
      this.#local.push(t);
    }
    this.#all.push(...this.#local, ...buses);
  }

  /** `conn` receives what is published on `topic` from now on. */
  subscribe(conn: Connection, topic: string): void {
    this.#transportOf(conn.peer).subscribe(conn.peer, topic);
  }

  unsubscribe(conn: Connection, topic: string): void {
    this.#transportOf(conn.peer).unsubscribe(conn.peer, topic);
  }

  /** Sends `frame` once per sink to every subscriber of `topic` except `except`. */
  publish(topic: string, frame: Uint8Array, except?: Connection): void {
    const peer = except?.peer;
    for (const sink of this.#all) sink.publish(topic, frame, peer);
  }

  /** Sends to this node's subscribers only (what a bus calls with a frame from another node). */
  publishLocal(topic: string, frame: Uint8Array): void {
    for (const sink of this.#local) sink.publish(topic, frame, undefined);
  }

  #transportOf(peer: Peer): TransportFanout {
    const t = this.#byTransport.get(peer.transport);
    if (t === undefined) throw new Error(`no fan-out for transport ${peer.transport}`);
    return t;
  }
}
