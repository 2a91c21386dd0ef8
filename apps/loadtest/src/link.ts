// What a simulated Roomcast client (adapters.ts) needs of its connection: whole frames in and out.
// Two kinds: WsLink (WebSocket, ws-link.ts) and TcpLink (the relay's raw TCP transport, tcp-link.ts).

export interface LinkEvents {
  /** Connected (for WebSocket: the upgrade was accepted): the relay handshake can start. */
  open(): void;
  /** One message (a view valid during the call) and its bytes on the wire, framing included. */
  frame(frame: Uint8Array, wireBytes: number): void;
  /** The connection failed before it opened: `connect_refused`, `connect_failed` or `http_<status>`, and a message. */
  failed(code: string, detail: string): void;
  /** The connection ended after it opened: the peer's close code, else 1006. */
  closed(code: number): void;
}

/** A connection to the relay carrying whole frames (WsLink or TcpLink). */
export interface Link {
  readonly isOpen: boolean;
  send(frame: Uint8Array): void;
  bufferedAmount(): number;
  pause(): void;
  resume(): void;
  /** Closes politely (WebSocket: a close frame with 1000 first). */
  end(): void;
  destroy(): void;
}
