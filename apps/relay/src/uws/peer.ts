// One WebSocket (uWebSockets.js) adapted to the core's Peer. Its room subscriptions are uWS topics,
// managed by WsFanout (fanout.ts).
import type uWS from 'uWebSockets.js';
import type { Connection } from '../core/connection.js';
import type { Peer } from '../core/peer.js';

/** What the relay keeps on each uWS socket. */
export interface SocketData {
  remoteAddress: string;
  peer: WsPeer | undefined;
  conn: Connection | undefined;
}

export class WsPeer implements Peer {
  readonly transport = 'ws';
  /** Set by the close handler: uWS throws on any call to a closed socket. */
  closed = false;

  constructor(
    readonly ws: uWS.WebSocket<SocketData>,
    readonly remoteAddress: string,
  ) {}

  send(frame: Uint8Array): void {
    if (!this.closed) this.ws.send(frame, true, false);
  }

  bufferedAmount(): number {
    return this.closed ? 0 : this.ws.getBufferedAmount();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    // end() sends the close frame and calls the close handler synchronously.
    this.ws.end(code, reason.slice(0, 120));
  }
}
