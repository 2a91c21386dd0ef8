// One raw TCP connection adapted to the core's Peer: length-prefixed writes, a close frame before
// the socket ends, and the write-buffer backstop. Fan-out to it goes through TcpFanout (fanout.ts).
import type { Socket } from 'node:net';
import { encodeControl, lengthPrefixed } from '@roomcast/protocol';
import type { Peer } from '../core/peer.js';

/**
 * How long an ended socket may take to flush its last frames (the close frame included) before it
 * is destroyed. Bounds the memory a reader that never reads again can pin after its close. A
 * socket resource limit, not a protocol deadline: it runs on real time, not the core's clock.
 */
export const CLOSE_LINGER_MS = 5_000;

/** What a TCP peer tells its transport. */
export interface TcpPeerEvents {
  /**
   * Write-buffer size past which a write makes the transport close the peer at once (4503)
   * instead of waiting for the periodic check; the TCP equivalent of uWS's closeOnBackpressureLimit.
   */
  readonly backstopBytes: number;
  /** The peer's write buffer passed the backstop. */
  overflowed(peer: TcpPeer): void;
  /** The peer closed (either side); called once. */
  closed(peer: TcpPeer): void;
}

export class TcpPeer implements Peer {
  readonly transport = 'tcp';
  /** True once closed by either side: every method is then a no-op. */
  closed = false;
  /** Clock time of the last bytes received (the idle clock; idle.ts). */
  lastReceivedAt: number;
  /** A heartbeat was sent since the last bytes received. */
  heartbeatPending = false;
  /** Topics it subscribes to (kept by TcpFanout, dropped when the socket goes). */
  readonly topics = new Set<string>();
  #overflowing = false;
  #linger: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly socket: Socket,
    readonly remoteAddress: string,
    private readonly events: TcpPeerEvents,
    now: number,
  ) {
    this.lastReceivedAt = now;
  }

  send(frame: Uint8Array): void {
    this.writeWire(lengthPrefixed(frame));
  }

  /** Writes an already length-prefixed frame (a fan-out prefixes once for every subscriber). */
  writeWire(wire: Uint8Array): void {
    // Past the backstop the peer is about to be closed with 4503: further frames are not queued.
    if (this.closed || this.#overflowing) return;
    this.socket.write(wire);
    if (this.socket.writableLength > this.events.backstopBytes) {
      this.#overflowing = true;
      // Not from inside the core's call stack (we may be in the middle of its fan-out).
      queueMicrotask(() => this.events.overflowed(this));
    }
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
    this.events.closed(this);
  }

  private end(): void {
    this.socket.end();
    this.#linger = setTimeout(() => this.socket.destroy(), CLOSE_LINGER_MS);
    this.#linger.unref();
    this.#release();
  }
}
