// Wires the relay together: config → core → WebSocket transport and HTTP routes on one port.
// Used by main.ts (the process) and by tests (in-process, on port 0).
import { createRequire } from 'node:module';
import { parseConfig, type Config } from './config.js';
import { Relay } from './core/relay.js';
import { Stats } from './core/stats.js';
import { createMetrics } from './http/metrics.js';
import { registerRoutes } from './http/routes.js';
import { createLogger, type Logger } from './log.js';
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
  hub = attachWebSocket(app, relay, {
    path: WS_PATH,
    // The core closes frames above relay.maxFrameBytes with 1009. uWS's own cap sits at twice that,
    // so moderately oversized messages get the documented close; beyond it uWS drops the TCP
    // connection without buffering more (the client sees 1006).
    maxMessageBytes: relay.maxFrameBytes * 2,
    maxBufferedBytes: config.maxBufferedBytes,
    idleTimeoutSec: config.idleTimeoutSec,
  });
  let draining = false;
  registerRoutes(app, {
    relay, metrics: createMetrics(relay), staticDir: config.staticDir, startedAt: Date.now(), version,
    isDraining: () => draining,
  });
  const listening = await listen(app, config.host, config.port);
  const sweep = setInterval(() => relay.sweep(), config.backpressureCheckMs);
  const displayHost = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const httpUrl = `http://${displayHost}:${listening.port}`;
  log.info({ port: listening.port, host: config.host, version }, `relay listening on ${httpUrl} (WebSocket ${WS_PATH})`);

  let closed: Promise<void> | undefined;
  return {
    config,
    relay,
    port: listening.port,
    httpUrl,
    wsUrl: `ws://${displayHost}:${listening.port}${WS_PATH}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        draining = true;
        clearInterval(sweep);
        listening.close();
        const clients = relay.connections.size;
        relay.closeAll('going_away', 'relay shutting down');
        log.info({ clients }, 'relay stopped');
        // Let the close frames reach the sockets before the caller tears the process down.
        setTimeout(resolve, 50);
      });
      return closed;
    },
  };
}
