// Write coalescing for the TCP transport: frames for one socket are collected during an event-loop
// turn and written once, in the check phase (setImmediate) after every read of that turn was
// handled. uWebSockets.js does the same for WebSocket members (it corks each socket per loop
// iteration); without it a TCP member costs one `socket.write` (stream bookkeeping plus a
// syscall) per frame, which is what capped TCP rooms near 90k deliveries/s (issue 17).
// One queue per transport, one scheduled callback per turn however many sockets have frames.

/** Something with frames to write at the end of the turn. */
export interface Flushable {
  flush(): void;
}

export class FlushQueue {
  #dirty: Flushable[] = [];
  #scheduled = false;
  readonly #run = (): void => this.flush();

  /** Adds `peer` to this turn's flush (call once per turn per peer: when its first frame is queued). */
  add(peer: Flushable): void {
    this.#dirty.push(peer);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#run);
    }
  }

  /** Writes what every queued peer collected. Runs by itself once per turn; callable for tests and shutdown. */
  flush(): void {
    this.#scheduled = false;
    const dirty = this.#dirty;
    if (dirty.length === 0) return;
    this.#dirty = [];
    for (const peer of dirty) peer.flush();
  }
}
