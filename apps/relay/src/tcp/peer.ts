// One raw TCP connection adapted to the core's Peer: length-prefixed writes, coalesced per socket
// per event-loop turn (flush-queue.ts), a close frame before the socket ends, the write-buffer
// backstop, and the read-side clocks the transport checks (idle, frame completion). Fan-out to it
// goes through TcpFanout (fanout.ts).
import type { Socket } from 'node:net';
import { encodeControl, STREAM_PREFIX_BYTES, type FrameStreamReader } from '@roomcast/protocol';
import type { Connection } from '../core/connection.js';
import type { Peer } from '../core/peer.js';
import type { FlushQueue } from './flush-queue.js';

/**
 * How long an ended socket may take to flush its last frames (the close frame included) before it
 * is destroyed. Bounds the memory a reader that never reads again can pin after its close. A
 * socket resource limit, not a protocol deadline: it runs on real time, not the core's clock.
 */
export const CLOSE_LINGER_MS = 5_000;
/** Queued bytes at which a peer writes at once instead of at the end of the turn (see writeWire). */
export const FLUSH_NOW_BYTES = 64 * 1024;

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

/** `frame` preceded by its u32be length, in a Buffer from Node's pool (cheaper than its own ArrayBuffer). */
export function prefixed(frame: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(STREAM_PREFIX_BYTES + frame.length);
  out.writeUInt32BE(frame.length, 0);
  out.set(frame, STREAM_PREFIX_BYTES);
  return out;
}

export class TcpPeer implements Peer {
  readonly transport = 'tcp';
  /** True once closed by either side: every method is then a no-op. */
  closed = false;
  /** Clock time of the last complete frame received (the idle clock). Bytes of an unfinished frame do not count. */
  lastReceivedAt: number;
  /** Clock time the unfinished frame (or Flash policy request) began; -1 between frames. */
  partialSince = -1;
  /** A heartbeat was sent since the last frame received. */
  // Stryker disable next-line BooleanLiteral: the listener resets it at every complete frame, and heartbeats go only to open connections (after their hello)
  heartbeatPending = false;
  /** The core's connection for this peer (set by the listener right after `relay.open`). */
  conn: Connection | undefined;
  /** Splits what the socket receives into frames (the listener's). */
  reader!: FrameStreamReader;
  /** With the Flash policy on: the first bytes, held until they cannot be a policy request. */
  sniffed: Uint8Array | undefined;
  /** Topics it subscribes to (kept by TcpFanout, dropped when the socket goes). Created on the first join. */
  topics: Set<string> | undefined;
  /** Frames queued this turn (written by `flush`), and their bytes. */
  #pending: Uint8Array[] | undefined;
  #pendingBytes = 0;
  #overflowing = false;
  #linger: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly socket: Socket,
    readonly remoteAddress: string,
    private readonly events: TcpPeerEvents,
    private readonly queue: FlushQueue,
    now: number,
  ) {
    this.lastReceivedAt = now;
  }

  send(frame: Uint8Array): void {
    this.writeWire(prefixed(frame));
  }

  /**
   * Queues an already length-prefixed frame (a fan-out prefixes once for every subscriber); it is
   * written with everything else this socket gets in this event-loop turn.
   */
  writeWire(wire: Uint8Array): void {
    // Past the backstop the peer is about to be closed with 4503: further frames are not queued.
    if (this.closed || this.#overflowing) return;
    if (this.#pending === undefined) {
      this.#pending = [wire];
      this.queue.add(this);
    } else this.#pending.push(wire);
    this.#pendingBytes += wire.length;
    // Coalescing pays for small frames; a turn that already holds this much goes out now, so a
    // burst of large frames (file chunks) in one turn meets the kernel's buffer, not only ours.
    if (this.#pendingBytes >= FLUSH_NOW_BYTES) this.flush();
    if (this.socket.writableLength + this.#pendingBytes > this.events.backstopBytes) {
      this.#overflowing = true;
      // Not from inside the core's call stack (we may be in the middle of its fan-out).
      queueMicrotask(() => this.events.overflowed(this));
    }
  }

  /** Writes this turn's frames in one `socket.write` (one syscall when the kernel takes them). */
  flush(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    this.#pending = undefined;
    const bytes = this.#pendingBytes;
    this.#pendingBytes = 0;
    if (this.socket.destroyed) return;
    this.socket.write(pending.length === 1 ? pending[0]! : Buffer.concat(pending, bytes));
  }

  /** Queued bytes: this turn's frames and the socket's write buffer. */
  bufferedAmount(): number {
    return this.closed ? 0 : this.socket.writableLength + this.#pendingBytes;
  }

  /** Sends the `close` frame after every queued frame, ends the socket, and reports the close. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.flush();
    this.socket.write(prefixed(encodeControl({ type: 'close', code, reason: reason.slice(0, 256) })));
    this.end();
  }

  /** Ends the socket after `last` without a close frame: the Flash policy answer. */
  endWith(last: Uint8Array): void {
    if (this.closed) return;
    this.flush();
    this.socket.write(last);
    this.end();
  }

  /** The socket closed under us (client went away, network error). */
  gone(): void {
    clearTimeout(this.#linger);
    this.#pending = undefined;
    this.#pendingBytes = 0;
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
