// Wires the relay together: config → core → WebSocket transport and HTTP routes on one port, and
// the raw TCP transport on its own port.
// Used by main.ts (the process) and by tests (in-process, on port 0).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseConfig, type Config } from './config.js';
import { Relay } from './core/relay.js';
import { Stats } from './core/stats.js';
import { createMetrics, roomOutputSampler } from './http/metrics.js';
import { registerRoutes } from './http/routes.js';
import { createLogger, type Logger } from './log.js';
import { listenTcp, type TcpListening } from './transports/tcp.js';
import type { TcpPeer } from './transports/tcp-peer.js';
import { TcpTopics } from './transports/tcp-topics.js';
import { attachWebSocket, createApp, listen } from './transports/ws.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Path of the WebSocket endpoint. */
export const WS_PATH = '/ws';

export interface StartOptions {
  /** Full config; defaults to parsing process.env. */
  config?: Config;
  /** Overrides applied on top of `config`. */
  overrides?: Partial<Config>;
  logger?: Logger;
}

export interface RelayServer {
  readonly config: Config;
  readonly relay: Relay;
  readonly port: number;
  /** http://host:port */
  readonly httpUrl: string;
  /** ws://host:port/ws */
  readonly wsUrl: string;
  /** Raw TCP port, or undefined when TCP_PORT=off. */
  readonly tcpPort: number | undefined;
  /** tcp://host:port (what the client SDK takes in Node), or undefined when TCP is off. */
  readonly tcpUrl: string | undefined;
  /** The TCP listener, for its counters; undefined when TCP is off. */
  readonly tcp: TcpListening | undefined;
  /** Stops accepting, closes every client with 1001 going_away, and releases the port. */
  close(): Promise<void>;
}

export async function startRelay(options: StartOptions = {}): Promise<RelayServer> {
  const config: Config = { ...(options.config ?? parseConfig(process.env)), ...options.overrides };
  const log = options.logger ?? createLogger(config.logLevel);
  const app = createApp();
  const stats = new Stats();
  let hub: { publish(topic: string, frame: Uint8Array): void } | undefined;
  const relay = new Relay(config, { publish: (t, f) => hub?.publish(t, f) }, stats, log);
  // Rooms fan out to WebSocket members through uWS topics (C++) and to raw TCP members through
  // tcpTopics; each publisher reaches both.
  const tcpTopics = new TcpTopics<TcpPeer>();
  const wsHub = attachWebSocket(app, relay, {
    path: WS_PATH,
    // The core closes frames above relay.maxFrameBytes with 1009. uWS's own cap sits at twice that,
    // so moderately oversized messages get the documented close; beyond it uWS drops the TCP
    // connection without buffering more (the client sees 1006).
    maxMessageBytes: relay.maxFrameBytes * 2,
    maxBufferedBytes: config.maxBufferedBytes,
    idleTimeoutSec: config.idleTimeoutSec,
    otherSubscribers: tcpTopics,
  });
  hub = {
    publish(topic, frame) {
      wsHub.publish(topic, frame);
      tcpTopics.publish(topic, frame);
    },
  };
  const flashPolicy = config.tcpFlashPolicy ? readPolicyFile(config.tcpFlashPolicyFile) : false;
  let draining = false;
  const metrics = createMetrics(relay);
  const sampleRooms = setInterval(roomOutputSampler(metrics, relay), 1000);
  registerRoutes(app, {
    relay, metrics, staticDir: config.staticDir, startedAt: Date.now(), version,
    isDraining: () => draining,
  });
  const listening = await listen(app, config.host, config.port);
  let tcp: TcpListening | undefined;
  if (config.tcpPort !== 'off') {
    try {
      tcp = await listenTcp(relay, {
        host: config.host, port: config.tcpPort, maxFrameBytes: relay.maxFrameBytes, maxBufferedBytes: config.maxBufferedBytes,
        idleTimeoutMs: config.idleTimeoutSec * 1000, flashPolicy, topics: tcpTopics, publishWs: wsHub.publish, log,
      });
    } catch (err) {
      listening.close();
      clearInterval(sampleRooms);
      throw err;
    }
  }
  const sweep = setInterval(() => relay.sweep(), config.backpressureCheckMs);
  const displayHost = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const httpUrl = `http://${displayHost}:${listening.port}`;
  const tcpUrl = tcp === undefined ? undefined : `tcp://${displayHost}:${tcp.port}`;
  log.info({ port: listening.port, tcpPort: tcp?.port, host: config.host, version },
    `relay listening on ${httpUrl} (WebSocket ${WS_PATH}; raw TCP ${tcpUrl ?? 'off'})`);

  let closed: Promise<void> | undefined;
  return {
    config,
    relay,
    port: listening.port,
    httpUrl,
    wsUrl: `ws://${displayHost}:${listening.port}${WS_PATH}`,
    tcpPort: tcp?.port,
    tcpUrl,
    tcp,
    close() {
      closed ??= new Promise<void>((resolve) => {
        draining = true;
        clearInterval(sweep);
        clearInterval(sampleRooms);
        listening.close();
        const clients = relay.connections.size;
        relay.closeAll('going_away', 'relay shutting down');
        log.info({ clients }, 'relay stopped');
        // Let the close frames reach the sockets before the caller tears the process down; TCP
        // sockets end after their close frame (or are destroyed after CLOSE_LINGER_MS).
        void Promise.all([tcp?.close(), new Promise((r) => setTimeout(r, 50))]).then(() => resolve());
      });
      return closed;
    },
  };
}

/** The Flash policy to serve: the file's XML, or `true` for the default (allows the TCP port). */
function readPolicyFile(path: string): string | true {
  if (path === '') return true;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`TCP_FLASH_POLICY_FILE ${JSON.stringify(path)} cannot be read: ${(err as Error).message}`);
  }
}
