// Test helpers: an in-process relay on a loopback port 0, and a raw protocol client on `ws`
// whose waits are driven by frames and events, never by timers.
import { once } from 'node:events';
import { afterEach } from 'vitest';
import {
  PROTOCOL_VERSION, decodeServerFrame, encodeControl, encodeData,
  type ClientMessage, type ServerFrame, type ServerMessage,
} from '@roomcast/protocol';
import WebSocket from 'ws';
import { pino } from 'pino';
import { startRelay, type Config, type RelayServer } from '../src/index.js';
import { parseConfig } from '../src/config.js';

export const silentLogger = pino({ level: 'silent' });

/** Starts a relay on 127.0.0.1:0 with the given overrides; remember to close it. */
export function startTestRelay(overrides: Partial<Config> = {}): Promise<RelayServer> {
  return startRelay({
    config: parseConfig({}),
    overrides: { host: '127.0.0.1', port: 0, tcpPort: 0, logLevel: 'silent', ...overrides },
    logger: silentLogger,
  });
}

type Msg<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** A protocol-level client on raw WebSocket frames. */
export class RawClient {
  readonly frames: ServerFrame[] = [];
  readonly raw: Uint8Array[] = [];
  private waiters: { pred: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  private nextId = 1;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer) => {
      const bytes = new Uint8Array(data);
      this.raw.push(bytes);
      const decoded = decodeServerFrame(bytes);
      if (!decoded.ok) throw new Error(`relay sent an undecodable frame: ${decoded.error.message}`);
      const waiter = this.waiters.findIndex((w) => w.pred(decoded.frame));
      if (waiter >= 0) this.waiters.splice(waiter, 1)[0]!.resolve(decoded.frame);
      else this.frames.push(decoded.frame);
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    ws.on('error', () => { /* surfaced through `closed` */ });
  }

  static async connect(url: string): Promise<RawClient> {
    const ws = new WebSocket(url);
    const client = new RawClient(ws);
    await once(ws, 'open');
    return client;
  }

  /** Connects and completes the handshake. */
  static async open(url: string): Promise<RawClient> {
    const client = await RawClient.connect(url);
    await client.request({ type: 'hello', v: PROTOCOL_VERSION, client: 'test' }, 'welcome');
    return client;
  }

  send(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  sendControl(message: ClientMessage): void {
    this.ws.send(encodeControl(message));
  }

  sendData(room: number, payload: Uint8Array, target?: number): void {
    this.ws.send(encodeData({ room, target }, payload));
  }

  /** Resolves with the first frame (buffered or future) matching `pred`, removing it. */
  next(pred: (f: ServerFrame) => boolean = () => true): Promise<ServerFrame> {
    const i = this.frames.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.frames.splice(i, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  /** Next control message of the given type (optionally also matching `pred`). */
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

  /** Sends a request with a fresh id and waits for the reply of type `reply` (or an error with that id). */
  async request<T extends ServerMessage['type']>(message: DistributiveOmit<ClientMessage, 'id'>, reply: T): Promise<Msg<T>> {
    const id = this.nextId++;
    this.sendControl({ ...message, id } as ClientMessage);
    const frame = await this.next((f) => f.kind === 'control' && 'id' in f.message && f.message.id === id);
    const msg = (frame as Extract<ServerFrame, { kind: 'control' }>).message;
    if (msg.type !== reply) throw new Error(`expected ${reply}, got ${JSON.stringify(msg)}`);
    return msg as Msg<T>;
  }

  /** Sends a request and returns whatever reply carries its id. */
  async requestAny(message: DistributiveOmit<ClientMessage, 'id'>): Promise<ServerMessage> {
    const id = this.nextId++;
    this.sendControl({ ...message, id } as ClientMessage);
    const frame = await this.next((f) => f.kind === 'control' && 'id' in f.message && f.message.id === id);
    return (frame as Extract<ServerFrame, { kind: 'control' }>).message;
  }

  join(room: string, presence?: unknown): Promise<Msg<'joined'>> {
    return this.request({ type: 'join', room, presence: presence as never }, 'joined');
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Fetches a URL path from the relay's HTTP side. */
export async function httpGet(server: RelayServer, path: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(server.httpUrl + path);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

/**
 * A relay and raw clients for each test, torn down after it: call in a test file's top level,
 * then `await relay.start(overrides)` in the test or a beforeEach.
 */
export function useRelay(defaults: Partial<Config> = {}) {
  let current: RelayServer | undefined;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    await current?.close();
    current = undefined;
  });
  const track = (c: RawClient): RawClient => {
    clients.push(c);
    return c;
  };
  return {
    async start(overrides: Partial<Config> = {}): Promise<RelayServer> {
      current = await startTestRelay({ ...defaults, ...overrides });
      return current;
    },
    get server(): RelayServer {
      if (current === undefined) throw new Error('call relay.start() first');
      return current;
    },
    /** A client that completed the handshake. */
    async open(): Promise<RawClient> {
      return track(await RawClient.open(this.server.wsUrl));
    },
    /** A connected client that has not sent hello. */
    async connect(): Promise<RawClient> {
      return track(await RawClient.connect(this.server.wsUrl));
    },
  };
}
