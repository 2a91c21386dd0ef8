// The seam between the core and the transports: what a socket is. Transports (uws/, tcp/) adapt
// their sockets to it; fan-out to many sockets goes through the fan-out service (fanout.ts).

/** One client connection, as the core sees it. Every method is a no-op once the peer is closed. */
export interface Peer {
  /** Remote address as text, for logs. */
  readonly remoteAddress: string;
  /** Transport name (`ws`, `tcp`), for logs and metrics, and to find the transport's fan-out. */
  readonly transport: string;
  /** Sends one frame to this peer. */
  send(frame: Uint8Array): void;
  /** Bytes queued for this peer that the network has not taken yet. */
  bufferedAmount(): number;
  /** Closes the connection with a close code; the transport then reports the close to the core. */
  close(code: number, reason: string): void;
}
