// The WebSocket transport's fan-out: uWS topics, fanned out in C++. A publish is one call whatever
// the number of WebSocket subscribers, so the JavaScript work per incoming frame does not grow with
// room size. One of the core fan-out service's sinks.
import type uWS from 'uWebSockets.js';
import type { TransportFanout } from '../core/fanout.js';
import type { Peer } from '../core/peer.js';
import { WsPeer } from './peer.js';

export class WsFanout implements TransportFanout {
  readonly transport = 'ws';

  constructor(private readonly app: uWS.TemplatedApp) {}

  subscribe(peer: Peer, topic: string): void {
    const ws = peer as WsPeer;
    if (!ws.closed) ws.ws.subscribe(topic);
  }

  unsubscribe(peer: Peer, topic: string): void {
    const ws = peer as WsPeer;
    if (!ws.closed) ws.ws.unsubscribe(topic);
  }

  publish(topic: string, frame: Uint8Array, except: Peer | undefined): void {
    // A WebSocket sender publishes through its own socket: uWS skips the sender. Any other
    // publisher (a TCP member, the relay itself) publishes on the app: every subscriber gets it.
    if (except instanceof WsPeer && !except.closed) except.ws.publish(topic, frame, true, false);
    else this.app.publish(topic, frame, true, false);
  }
}
