// Integration harness for identity and access: real relays (port 0, both transports) configured
// with real keys, raw protocol clients over WebSocket or TCP, and a JWKS endpoint on node:http
// whose keys can rotate and whose answers can be held back. Token times are pinned: the relay's
// wall clock is NOW_MS (plus the fake clock's time when a test drives one).
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import type { Logger } from 'pino';
import { startRelay, type Clock, type RelayServer } from '../../src/index.js';
import { parseConfig } from '../../src/config.js';
import { RawClient, silentLogger } from '../helpers.js';
import type { ProtocolClient } from '../protocol-client.js';
import { RawTcpClient } from '../tcp-helpers.js';
import { NOW_MS } from './tokens.js';

export type Transport = 'ws' | 'tcp';
export const TRANSPORTS: readonly Transport[] = ['ws', 'tcp'];

/** A raw client of either transport. */
export type AnyClient = ProtocolClient & { readonly closed: Promise<{ code: number; reason: string }> };

export interface StartOptions {
  clock?: Clock & { now(): number };
  logger?: Logger;
  /** Overrides the pinned wall clock (e.g. `Date.now` for tokens minted with relative times). */
  wallClock?: () => number;
}

/** Relays, clients and JWKS servers for each test, torn down after it. */
export function useAuthRelays() {
  const servers: RelayServer[] = [];
  const clients: AnyClient[] = [];
  const jwks: JwksServer[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) {
      if (c instanceof RawClient) c.ws.terminate();
      else if (c instanceof RawTcpClient) c.socket.destroy();
    }
    for (const s of servers.splice(0)) await s.close();
    for (const j of jwks.splice(0)) await j.close();
  });
  return {
    /** A relay with these RELAY_* variables; token times are checked at NOW_MS (+ fake clock time). */
    async start(env: Record<string, string>, options: StartOptions = {}): Promise<RelayServer> {
      const { clock } = options;
      const server = await startRelay({
        config: parseConfig(env),
        overrides: { host: '127.0.0.1', port: 0, tcpPort: 0, logLevel: 'silent' },
        logger: options.logger ?? silentLogger,
        clock,
        wallClock: options.wallClock ?? (clock === undefined ? () => NOW_MS : () => NOW_MS + clock.now()),
      });
      servers.push(server);
      return server;
    },
    /** A connected client that has not sent hello. */
    async dial(server: RelayServer, transport: Transport): Promise<AnyClient> {
      const client = transport === 'ws' ? await RawClient.connect(server.wsUrl) : await RawTcpClient.connect(server.tcpPort!);
      clients.push(client);
      return client;
    },
    /** Connects and sends a v2 hello (with `token` if given); returns the client and the reply. */
    async hello(server: RelayServer, transport: Transport, token?: string) {
      const client = await this.dial(server, transport);
      const reply = await client.requestAny({ type: 'hello', v: 2, client: 'auth-test', ...(token === undefined ? {} : { token }) });
      return { client, reply };
    },
    /** A client welcomed with `token` (throws if refused). */
    async welcomed(server: RelayServer, transport: Transport, token?: string): Promise<AnyClient> {
      const { client, reply } = await this.hello(server, transport, token);
      if (reply.type !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(reply)}`);
      return client;
    },
    async serveJwks(keys: object[]): Promise<JwksServer> {
      const server = await serveJwks(keys);
      jwks.push(server);
      return server;
    },
  };
}

export interface JwksServer {
  url: string;
  readonly fetches: number;
  setKeys(keys: object[]): void;
  /** Holds every answer until the returned function is called. */
  hold(): () => void;
  close(): Promise<void>;
}

async function serveJwks(initial: object[]): Promise<JwksServer> {
  let keys = initial;
  let fetches = 0;
  let held: Promise<void> | undefined;
  const server: Server = createServer((req, res) => {
    fetches++;
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    };
    if (held === undefined) answer();
    else void held.then(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get fetches() { return fetches; },
    setKeys(next) { keys = next; },
    hold() {
      let release!: () => void;
      held = new Promise((resolve) => { release = resolve; });
      return () => {
        held = undefined;
        release();
      };
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Opens a WebSocket with this Origin: 101 (open) or the HTTP status of a refused upgrade. */
export async function upgrade(server: RelayServer, origin: string | undefined): Promise<number> {
  const ws = new WebSocket(server.wsUrl, origin === undefined ? {} : { origin });
  const status = await new Promise<number>((resolve, reject) => {
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
  if (status === 101) {
    ws.close();
    await once(ws, 'close');
  } else {
    ws.terminate();
  }
  return status;
}
