// What the TCP transport logs at debug level, for an operator reading why a TCP client went away:
// every connection, refusal, oversized frame, deadline, slow reader and socket error is one line
// with its message, the `tcp` transport binding, the connection id and the client's address.
// Real relay and sockets; the lines are captured from a pino logger at debug level.
import { Writable } from 'node:stream';
import { encodeData, lengthPrefixed } from '@roomcast/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startRelay, type Config, type RelayServer } from '../src/index.js';
import { parseConfig } from '../src/config.js';
import { FakeClock } from './fakes.js';
import { RawTcpClient } from './tcp-helpers.js';

interface Line {
  msg: string;
  [field: string]: unknown;
}

const servers: RelayServer[] = [];
const sockets: RawTcpClient[] = [];
afterEach(async () => {
  for (const c of sockets.splice(0)) c.socket.destroy();
  for (const s of servers.splice(0)) await s.close();
});

/** A relay on loopback whose log lines are kept; `lines(msg)` returns those with that message. */
async function start(overrides: Partial<Config> = {}, clock?: FakeClock) {
  const all: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString().split('\n')) if (text !== '') all.push(JSON.parse(text) as Line);
      done();
    },
  });
  const server = await startRelay({
    config: parseConfig({}),
    overrides: { host: '127.0.0.1', port: 0, tcpPort: 0, logLevel: 'debug', ...overrides },
    logger: pino({ level: 'debug' }, stream),
    clock,
  });
  servers.push(server);
  const port = server.tcpPort!;
  return {
    server,
    lines: (msg: string): Line[] => all.filter((l) => l.msg === msg),
    connect: async (localAddress?: string) => {
      const c = await RawTcpClient.connect(port, '127.0.0.1', localAddress);
      sockets.push(c);
      return c;
    },
    open: async () => {
      const c = await RawTcpClient.open(port);
      sockets.push(c);
      return c;
    },
    /** The core's ids of the TCP connections open now. */
    tcpConnIds: () => [...server.relay.connections].filter((c) => c.peer.transport === 'tcp').map((c) => c.id),
  };
}

/** The fields a line of the TCP transport carries besides its own. */
const TCP = { transport: 'tcp', level: 20 };

describe('tcp debug logs', () => {
  it('a connection, an oversized frame and a socket error, each with the connection and the address', async () => {
    const relay = await start();
    const a = await relay.open();
    const [id] = relay.tcpConnIds();
    expect(relay.lines('tcp connection')).toEqual([expect.objectContaining({ ...TCP, conn: id, remote: '127.0.0.1' })]);

    a.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    expect((await a.closed).code).toBe(1009);
    expect(relay.lines('refusing oversized TCP frame')).toEqual([expect.objectContaining({ ...TCP, remote: '127.0.0.1', length: 0xffffffff })]);

    const b = await relay.open();
    const [bid] = relay.tcpConnIds();
    // A reset (RST) instead of an orderly end: the relay's read fails with ECONNRESET.
    b.socket.resetAndDestroy();
    await vi.waitFor(() => expect(relay.lines('tcp socket error')).toHaveLength(1));
    expect(relay.lines('tcp socket error')[0]).toMatchObject({ ...TCP, conn: bid, err: 'read ECONNRESET' });
    await vi.waitFor(() => expect(relay.server.tcp?.connections).toBe(0));
  });

  it('a refused connection, both deadlines and a slow reader, each with the reason and the address', async () => {
    const clock = new FakeClock();
    const relay = await start({
      idleTimeoutSec: 8, tcpFrameTimeoutSec: 2, maxConnectionsPerIp: 1, connectRatePerIp: 0,
      maxBufferedBytes: 4096, softBufferedBytes: 2048,
    }, clock);
    const first = await relay.connect('127.0.0.2');
    const second = await relay.connect('127.0.0.2');
    expect((await second.closed).code).toBe(4429);
    expect(relay.lines('refusing TCP connection')).toEqual([expect.objectContaining({ ...TCP, remote: '127.0.0.2', reason: 'connections_per_ip' })]);

    // `first` never sends hello; `stalled` stops in a frame; `silent` says hello and nothing more.
    first.socket.destroy();
    await vi.waitFor(() => expect(relay.server.tcp?.connections).toBe(0));
    const stalled = await relay.open();
    const [stalledId] = relay.tcpConnIds();
    stalled.write(Uint8Array.of(0, 0));
    const silent = await relay.open();
    await silent.request({ type: 'ping' }, 'pong');
    const silentId = relay.tcpConnIds().find((c) => c !== stalledId);
    clock.advance(2_000);
    expect((await stalled.closed).code).toBe(4408);
    expect(relay.lines('closing TCP connection with an unfinished frame')).toEqual([expect.objectContaining({ ...TCP, conn: stalledId, remote: '127.0.0.1' })]);
    clock.advance(6_000);
    expect((await silent.closed).code).toBe(4408);
    expect(relay.lines('closing silent TCP connection')).toEqual([expect.objectContaining({ ...TCP, conn: silentId, remote: '127.0.0.1' })]);

    // A fan-out burst past the write backstop (twice RELAY_MAX_BUFFERED_BYTES) in one turn.
    const reader = await relay.open();
    const sender = await relay.open();
    await reader.join('burst');
    const { handle } = await sender.join('burst');
    sender.write(Buffer.concat(Array.from({ length: 20 }, () => lengthPrefixed(encodeData({ room: handle }, new Uint8Array(1500))))));
    expect((await reader.closed).code).toBe(4503);
    const [slow] = relay.lines('closing slow TCP reader');
    expect(slow).toMatchObject({ ...TCP, remote: '127.0.0.1' });
    expect(slow!.buffered).toBeGreaterThan(8192);
  });
});
