// One raw TCP connection adapted to the core's Peer: length-prefixed writes, topic fan-out shared
// with the WebSocket members, a close frame before the socket ends, and the write-buffer backstop.
import type { Socket } from 'node:net';
import { encodeControl, lengthPrefixed } from '@roomcast/protocol';
import type { Peer } from '../core/peer.js';
import type { TcpTopics, TopicSubscriber } from './tcp-topics.js';

/**
 * How long an ended socket may take to flush its last frames (the close frame included) before it
 * is destroyed. Bounds the memory a reader that never reads again can pin after its close.
 */
export const CLOSE_LINGER_MS = 5_000;

/** What a TCP peer needs from its transport. */
export interface TcpPeerContext {
  readonly topics: TcpTopics<TcpPeer>;
  /** Publishes to the WebSocket subscribers of a topic (uWS app.publish). */
  publishWs(topic: string, frame: Uint8Array): void;
  /**
   * Write-buffer size past which a fan-out closes the peer at once (4503) instead of waiting for
   * the periodic check; the TCP equivalent of uWS's closeOnBackpressureLimit.
   */
  readonly backstopBytes: number;
  /** The peer's write buffer passed the backstop: the transport closes it with 4503. */
  overflowed(peer: TcpPeer): void;
  /** The peer closed (either side); called once. */
  closed(peer: TcpPeer): void;
}

export class TcpPeer implements Peer, TopicSubscriber {
  readonly transport = 'tcp';
  /** True once closed by either side: every method is then a no-op. */
  closed = false;
  /** performance.now() of the last bytes received (the idle clock). */
  lastReceivedAt: number;
  /** A heartbeat was sent since the last bytes received. */
  heartbeatPending = false;
  readonly #topics = new Set<string>();
  #overflowing = false;
  #linger: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly socket: Socket,
    readonly remoteAddress: string,
    private readonly ctx: TcpPeerContext,
  ) {
    this.lastReceivedAt = performance.now();
  }

  send(frame: Uint8Array): void {
    this.writeWire(lengthPrefixed(frame));
  }

  writeWire(wire: Uint8Array): void {
    // Past the backstop the peer is about to be closed with 4503: further frames are not queued.
    if (this.closed || this.#overflowing) return;
    this.socket.write(wire);
    if (this.socket.writableLength > this.ctx.backstopBytes) {
      this.#overflowing = true;
      // Not from inside the core's call stack (we may be in the middle of its fan-out).
      queueMicrotask(() => this.ctx.overflowed(this));
    }
  }

  publish(topic: string, frame: Uint8Array): void {
    if (this.closed) return;
    this.ctx.publishWs(topic, frame);
    this.ctx.topics.publish(topic, frame, this);
  }

  subscribe(topic: string): void {
    if (this.closed) return;
    this.#topics.add(topic);
    this.ctx.topics.subscribe(topic, this);
  }

  unsubscribe(topic: string): void {
    if (this.closed) return;
    this.#topics.delete(topic);
    this.ctx.topics.unsubscribe(topic, this);
  }

  bufferedAmount(): number {
    return this.closed ? 0 : this.socket.writableLength;
  }

  /** Sends the `close` frame, ends the socket, and reports the close. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.socket.write(lengthPrefixed(encodeControl({ type: 'close', code, reason: reason.slice(0, 256) })));
    this.end();
  }

  /** Ends the socket after `last` (if given) without a close frame: the Flash policy answer. */
  endWith(last: Uint8Array): void {
    if (this.closed) return;
    this.socket.write(last);
    this.end();
  }

  /** The socket closed under us (client went away, network error). */
  gone(): void {
    clearTimeout(this.#linger);
    if (this.closed) return;
    this.#release();
  }

  #release(): void {
    this.closed = true;
    for (const topic of this.#topics) this.ctx.topics.unsubscribe(topic, this);
    this.#topics.clear();
    this.ctx.closed(this);
  }

  private end(): void {
    this.socket.end();
    this.#linger = setTimeout(() => this.socket.destroy(), CLOSE_LINGER_MS);
    this.#linger.unref();
    this.#release();
  }
}
