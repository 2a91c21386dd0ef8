// A raw TCP protocol client for tests: writes length-prefixed frames (or any bytes), parses what
// the relay sends with the protocol's stream reader, and waits on frames and events, never timers.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { FrameStreamReader, PROTOCOL_VERSION, lengthPrefixed, type ServerFrame } from '@roomcast/protocol';
import { afterEach } from 'vitest';
import type { Clock, Config, RelayServer } from '../src/index.js';
import { useRelay, type RawClient } from './helpers.js';
import { ProtocolClient } from './protocol-client.js';


/** How a TCP connection ended: the relay's `close` frame, or 1006 when none came. */
export interface TcpClose {
  code: number;
  reason: string;
}

export class RawTcpClient extends ProtocolClient {
  readonly closed: Promise<TcpClose>;
  private closeFrame: TcpClose | undefined;

  private constructor(readonly socket: Socket) {
    super();
    const reader = new FrameStreamReader(64 * 1024 * 1024);
    socket.on('data', (chunk: Buffer) => {
      const err = reader.push(new Uint8Array(chunk), (bytes) => this.receive(bytes.slice()));
      if (err) throw new Error(`relay sent an oversized length prefix: ${err.message}`);
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => resolve(this.closeFrame ?? { code: 1006, reason: '' }));
    });
    socket.on('error', () => { /* surfaced through `closed` */ });
  }

  protected override onFrame(frame: ServerFrame): void {
    if (frame.kind === 'control' && frame.message.type === 'close') {
      this.closeFrame = { code: frame.message.code, reason: frame.message.reason };
    }
  }

  static async connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawTcpClient> {
    const socket = connect({ port, host, noDelay: true, ...(localAddress === undefined ? {} : { localAddress }) });
    const client = new RawTcpClient(socket);
    await once(socket, 'connect');
    return client;
  }

  /** Connects and completes the handshake. */
  static async open(port: number): Promise<RawTcpClient> {
    const client = await RawTcpClient.connect(port);
    await client.request({ type: 'hello', v: PROTOCOL_VERSION, client: 'tcp-test' }, 'welcome');
    return client;
  }

  /** Writes bytes as they are (no prefix). */
  write(bytes: Uint8Array | string): void {
    this.socket.write(bytes);
  }

  sendFrame(frame: Uint8Array): void {
    this.socket.write(lengthPrefixed(frame));
  }

  /** Ends the connection from this side and waits for the socket to close. */
  close(): Promise<TcpClose> {
    this.socket.end();
    return this.closed;
  }
}

/** A relay (TCP on port 0) plus raw WebSocket and TCP clients, all torn down after each test. */
export function useTcpRelay(defaults: Partial<Config> = {}) {
  const relay = useRelay(defaults);
  const tcp: RawTcpClient[] = [];
  // Registered after useRelay's hook, so it runs first: sockets go before the relay closes.
  afterEach(() => {
    for (const c of tcp.splice(0)) c.socket.destroy();
  });
  const track = (c: RawTcpClient): RawTcpClient => {
    tcp.push(c);
    return c;
  };
  return {
    start: (overrides: Partial<Config> = {}, clock?: Clock): Promise<RelayServer> => relay.start(overrides, clock),
    get server(): RelayServer {
      return relay.server;
    },
    get tcpPort(): number {
      const port = relay.server.tcpPort;
      if (port === undefined) throw new Error('TCP is off');
      return port;
    },
    async tcpOpen(): Promise<RawTcpClient> {
      return track(await RawTcpClient.open(this.tcpPort));
    },
    async tcpConnect(): Promise<RawTcpClient> {
      return track(await RawTcpClient.connect(this.tcpPort));
    },
    wsOpen: (): Promise<RawClient> => relay.open(),
  };
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
