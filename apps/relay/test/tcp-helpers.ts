// A raw TCP protocol client for tests: writes length-prefixed frames (or any bytes), parses what
// the relay sends with the protocol's stream reader, and waits on frames and events, never timers.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import {
  FrameStreamReader, PROTOCOL_VERSION, decodeServerFrame, encodeControl, encodeData, lengthPrefixed,
  type ClientMessage, type ServerFrame, type ServerMessage,
} from '@roomcast/protocol';
import { afterEach } from 'vitest';
import type { Config, RelayServer } from '../src/index.js';
import { RawClient, startTestRelay } from './helpers.js';

type Msg<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** How a TCP connection ended: the relay's `close` frame, or 1006 when none came. */
export interface TcpClose {
  code: number;
  reason: string;
}

export class RawTcpClient {
  readonly frames: ServerFrame[] = [];
  /** Every frame received, as raw bytes, in order (the close frame included). */
  readonly raw: Uint8Array[] = [];
  readonly closed: Promise<TcpClose>;
  private waiters: { pred: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  private nextId = 1;
  private closeFrame: TcpClose | undefined;

  private constructor(readonly socket: Socket) {
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

  private receive(bytes: Uint8Array): void {
    this.raw.push(bytes);
    const decoded = decodeServerFrame(bytes);
    if (!decoded.ok) throw new Error(`relay sent an undecodable frame: ${decoded.error.message}`);
    const frame = decoded.frame;
    if (frame.kind === 'control' && frame.message.type === 'close') {
      this.closeFrame = { code: frame.message.code, reason: frame.message.reason };
    }
    const waiter = this.waiters.findIndex((w) => w.pred(frame));
    if (waiter >= 0) this.waiters.splice(waiter, 1)[0]!.resolve(frame);
    else this.frames.push(frame);
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<RawTcpClient> {
    const socket = connect({ port, host, noDelay: true });
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

  sendControl(message: ClientMessage): void {
    this.sendFrame(encodeControl(message));
  }

  sendData(room: number, payload: Uint8Array, target?: number): void {
    this.sendFrame(encodeData({ room, target }, payload));
  }

  next(pred: (f: ServerFrame) => boolean = () => true): Promise<ServerFrame> {
    const i = this.frames.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  async nextMessage<T extends ServerMessage['type']>(type: T, pred: (m: Msg<T>) => boolean = () => true): Promise<Msg<T>> {
    const frame = await this.next((f) => f.kind === 'control' && f.message.type === type && pred(f.message as Msg<T>));
    return (frame as Extract<ServerFrame, { kind: 'control' }>).message as Msg<T>;
  }

  nextError(code?: string): Promise<Msg<'error'>> {
    return this.nextMessage('error', (m) => code === undefined || m.code === code);
  }

  async nextDeliver(): Promise<Extract<ServerFrame, { kind: 'deliver' }>> {
    return (await this.next((f) => f.kind === 'deliver')) as Extract<ServerFrame, { kind: 'deliver' }>;
  }

  async request<T extends ServerMessage['type']>(message: DistributiveOmit<ClientMessage, 'id'>, reply: T): Promise<Msg<T>> {
    const id = this.nextId++;
    this.sendControl({ ...message, id } as ClientMessage);
    const frame = await this.next((f) => f.kind === 'control' && 'id' in f.message && f.message.id === id);
    const msg = (frame as Extract<ServerFrame, { kind: 'control' }>).message;
    if (msg.type !== reply) throw new Error(`expected ${reply}, got ${JSON.stringify(msg)}`);
    return msg as Msg<T>;
  }

  join(room: string, presence?: unknown): Promise<Msg<'joined'>> {
    return this.request({ type: 'join', room, presence: presence as never }, 'joined');
  }

  /** Ends the connection from this side and waits for the socket to close. */
  close(): Promise<TcpClose> {
    this.socket.end();
    return this.closed;
  }
}

/** A relay (TCP on port 0) plus raw WebSocket and TCP clients, all torn down after each test. */
export function useTcpRelay(defaults: Partial<Config> = {}) {
  let current: RelayServer | undefined;
  const tcp: RawTcpClient[] = [];
  const ws: RawClient[] = [];
  afterEach(async () => {
    for (const c of tcp.splice(0)) c.socket.destroy();
    for (const c of ws.splice(0)) c.ws.terminate();
    await current?.close();
    current = undefined;
  });
  return {
    async start(overrides: Partial<Config> = {}): Promise<RelayServer> {
      current = await startTestRelay({ ...defaults, ...overrides });
      return current;
    },
    get server(): RelayServer {
      if (current === undefined) throw new Error('call relay.start() first');
      return current;
    },
    get tcpPort(): number {
      const port = this.server.tcpPort;
      if (port === undefined) throw new Error('TCP is off');
      return port;
    },
    async tcpOpen(): Promise<RawTcpClient> {
      const c = await RawTcpClient.open(this.tcpPort);
      tcp.push(c);
      return c;
    },
    async tcpConnect(): Promise<RawTcpClient> {
      const c = await RawTcpClient.connect(this.tcpPort);
      tcp.push(c);
      return c;
    },
    async wsOpen(): Promise<RawClient> {
      const c = await RawClient.open(this.server.wsUrl);
      ws.push(c);
      return c;
    },
  };
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
