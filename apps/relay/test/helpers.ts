// Test helpers: an in-process relay on a loopback port 0, and a raw protocol client on `ws`
// whose waits are driven by frames and events, never by timers.
import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterEach } from 'vitest';
import { PROTOCOL_VERSION } from '@roomcast/protocol';
import WebSocket from 'ws';
import { pino } from 'pino';
import { startRelay, type Clock, type Config, type RelayServer } from '../src/index.js';
import { parseConfig } from '../src/config.js';
import { ProtocolClient } from './protocol-client.js';

export const silentLogger = pino({ level: 'silent' });

/** Starts a relay on 127.0.0.1:0 with the given overrides (and clock); remember to close it. */
export function startTestRelay(overrides: Partial<Config> = {}, clock?: Clock): Promise<RelayServer> {
  return startRelay({
    config: parseConfig({}),
    overrides: { host: '127.0.0.1', port: 0, tcpPort: 0, logLevel: 'silent', ...overrides },
    logger: silentLogger,
    clock,
  });
}

/** A protocol-level client on raw WebSocket frames. */
export class RawClient extends ProtocolClient {
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    super();
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer) => this.receive(new Uint8Array(data)));
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    ws.on('error', () => { /* surfaced through `closed` */ });
  }

  /** `localAddress`: the source address (127.0.0.2, 127.0.0.3 … act as other clients). */
  static async connect(url: string, localAddress?: string): Promise<RawClient> {
    const ws = new WebSocket(url, localAddress === undefined ? {} : { localAddress });
    const client = new RawClient(ws);
    await once(ws, 'open');
    return client;
  }

  /** Connects and completes the handshake. */
  static async open(url: string, localAddress?: string): Promise<RawClient> {
    const client = await RawClient.connect(url, localAddress);
    await client.request({ type: 'hello', v: PROTOCOL_VERSION, client: 'test' }, 'welcome');
    return client;
  }

  /** Sends bytes (or text) as one WebSocket message, as they are. */
  send(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  sendFrame(frame: Uint8Array): void {
    this.ws.send(frame);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}

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
  const others: { close(): void }[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    for (const c of others.splice(0)) c.close();
    await current?.close();
    current = undefined;
  });
  const track = (c: RawClient): RawClient => {
    clients.push(c);
    return c;
  };
  return {
    async start(overrides: Partial<Config> = {}, clock?: Clock): Promise<RelayServer> {
      current = await startTestRelay({ ...defaults, ...overrides }, clock);
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
    /** Closes `client` (an SDK client, say) after the test, before the relay. */
    keep<C extends { close(): void }>(client: C): C {
      others.push(client);
      return client;
    },
  };
}

/** Resolves once another listener has bound `port` on 127.0.0.1 (and closed it); rejects if it is still taken. */
export async function bindsAt(port: number): Promise<void> {
  const other = createServer();
  await new Promise<void>((resolve, reject) => {
    other.once('error', reject);
    other.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve());
  });
  await new Promise<void>((resolve) => other.close(() => resolve()));
}
