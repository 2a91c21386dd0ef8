// The core's fan-out service: subscriptions go to the connection's own transport, a publish goes
// once to every sink (the sender's transport skips the sender), and frames from a bus reach local
// subscribers only. Fake transports record the calls; no sockets.
import { describe, expect, it } from 'vitest';
import type { Connection } from '../src/core/connection.js';
import { Fanout, type FanoutSink, type TransportFanout } from '../src/core/fanout.js';
import type { Peer } from '../src/core/peer.js';

class RecordingTransport implements TransportFanout {
  readonly calls: string[] = [];
  constructor(readonly transport: string) {}
  subscribe(peer: Peer, topic: string): void { this.calls.push(`sub ${peer.remoteAddress} ${topic}`); }
  unsubscribe(peer: Peer, topic: string): void { this.calls.push(`unsub ${peer.remoteAddress} ${topic}`); }
  publish(topic: string, frame: Uint8Array, except: Peer | undefined): void {
    this.calls.push(`pub ${topic} ${frame.length} except=${except?.remoteAddress ?? '-'}`);
  }
}

const conn = (transport: string, name: string): Connection => ({
  peer: { transport, remoteAddress: name, send() {}, bufferedAmount: () => 0, close() {} },
}) as unknown as Connection;

describe('fan-out service', () => {
  it('subscribes through the connection’s own transport and publishes once per sink', () => {
    const ws = new RecordingTransport('ws');
    const tcp = new RecordingTransport('tcp');
    const bus: FanoutSink & { calls: string[] } = {
      calls: [],
      publish(topic, frame, except) { this.calls.push(`pub ${topic} ${frame.length} except=${except?.remoteAddress ?? '-'}`); },
    };
    const fanout = new Fanout([ws, tcp], [bus]);
    const a = conn('ws', 'a');
    const b = conn('tcp', 'b');
    fanout.subscribe(a, 'room/1');
    fanout.subscribe(b, 'room/1');
    fanout.unsubscribe(b, 'room/1');
    fanout.publish('room/1', new Uint8Array(3), a);
    fanout.publish('room/1', new Uint8Array(5));
    fanout.publishLocal('room/1', new Uint8Array(7));
    expect(ws.calls).toEqual(['sub a room/1', 'pub room/1 3 except=a', 'pub room/1 5 except=-', 'pub room/1 7 except=-']);
    expect(tcp.calls).toEqual(['sub b room/1', 'unsub b room/1', 'pub room/1 3 except=a', 'pub room/1 5 except=-', 'pub room/1 7 except=-']);
    // The bus forwards what this node publishes; what it receives (publishLocal) is not sent back.
    expect(bus.calls).toEqual(['pub room/1 3 except=a', 'pub room/1 5 except=-']);
  });

  it('refuses a connection of a transport it has no fan-out for, and two fan-outs for one transport', () => {
    const fanout = new Fanout([new RecordingTransport('ws')]);
    expect(() => fanout.subscribe(conn('carrier-pigeon', 'x'), 'room/1')).toThrow('no fan-out for transport carrier-pigeon');
    expect(() => new Fanout([new RecordingTransport('ws'), new RecordingTransport('ws')])).toThrow('two fan-outs for transport ws');
  });
});
