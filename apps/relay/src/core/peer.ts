// The seam between the room core and the transports. The core sees only these interfaces;
// transports/ws.ts (and later transports/tcp.ts) adapt their sockets to them.

/** One client connection, as the core sees it. Every method is a no-op once the peer is closed. */
export interface Peer {
  /** Remote address as text, for logs. */
  readonly remoteAddress: string;
  /** Transport name, for logs and metrics. */
  readonly transport: string;
  /** Sends one frame to this peer. */
  send(frame: Uint8Array): void;
  /** Sends one frame to every subscriber of `topic` except this peer (fan-out in the transport). */
  publish(topic: string, frame: Uint8Array): void;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  /** Bytes queued for this peer that the network has not taken yet. */
  bufferedAmount(): number;
  /** Closes the connection with a close code; the transport then reports the close to the core. */
  close(code: number, reason: string): void;
}

/** Server-originated fan-out: sends one frame to every subscriber of a topic. */
export interface Hub {
  publish(topic: string, frame: Uint8Array): void;
}
