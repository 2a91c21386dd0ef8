// Wires the relay together: config → core, whose fan-out service is composed of the transports'
// own fan-outs (uWS topics for WebSocket members, a topic map for TCP members); the WebSocket
// transport and HTTP routes on one port (uws/), the raw TCP transport on its own port (tcp/).
// Used by main.ts (the process) and by tests (in-process, on port 0).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { authenticator } from './access.js';
import { createAuth, isOriginAllowed, type Auth } from './auth/index.js';
import { createBus, registerBusMetrics, type RedisBus } from './bus/index.js';
import { parseConfig, type Config } from './config.js';
import { repeat, systemClock, type Clock } from './core/clock.js';
import { Fanout } from './core/fanout.js';
import { roomFileBytesPerSec } from './core/limits.js';
import { Relay } from './core/relay.js';
import { Stats } from './core/stats.js';
import { createApi } from './http/api.js';
import { openFileLimit, resolveMaxConnections } from './fd-limit.js';
import { createMetrics, roomOutputSampler } from './http/metrics.js';
import { registerWebhookMetrics } from './http/webhook-metrics.js';
import { createRoutes } from './http/routes.js';
import { createLogger, type Logger } from './log.js';
import { TcpFanout } from './tcp/fanout.js';
import { listenTcp, type TcpListening } from './tcp/listener.js';
import { createApp, listen, type Listening } from './uws/app.js';
import { WsFanout } from './uws/fanout.js';
import { serveHttp, serveMetricsOnly } from './uws/http.js';
import { attachWebSocket } from './uws/websocket.js';
import { Webhooks } from './webhooks/webhooks.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Path of the WebSocket endpoint. */
export const WS_PATH = '/ws';

export interface StartOptions {
  /** Full config; defaults to parsing process.env. */
  config?: Config;
  /** Overrides applied on top of `config`. */
  overrides?: Partial<Config>;
  logger?: Logger;
  /** Time and timers of the core and the TCP idle checks (default: the system clock); tests pass a fake. */
  clock?: Clock;
  /** Wall-clock time tokens are checked against (exp, nbf), ms since the epoch (default Date.now); tests pin it. */
  wallClock?: () => number;
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
  /** The cluster bus when REDIS_URL is set; undefined for a single relay. */
  readonly bus: RedisBus | undefined;
  /** The METRICS_PORT listener's port, or undefined when /metrics is on `port`. */
  readonly metricsPort: number | undefined;
  /** Identity and access settings (verifier, anonymous rule, Origin policy). */
  readonly auth: Auth;
  /** The webhook sender and its counters; undefined without RELAY_WEBHOOK_URL. */
  readonly webhooks: Webhooks | undefined;
  /** Stops accepting, closes every client with 1001 going_away, and releases the port. */
  close(): Promise<void>;
}

export async function startRelay(options: StartOptions = {}): Promise<RelayServer> {
  const config: Config = { ...(options.config ?? parseConfig(process.env)), ...options.overrides };
  const clustered = config.redisUrl !== '' || config.redisClusterNodes.length > 0;
  const baseLog = options.logger ?? createLogger(config.logLevel);
  // In a cluster every log line names its node.
  const log = clustered ? baseLog.child({ node: config.nodeId }) : baseLog;
  const clock = options.clock ?? systemClock;
  // Reads key files; throws ConfigError naming the variable. Before any port is bound.
  const auth = await createAuth(config, options.wallClock ? { now: options.wallClock } : {});
  log.info({ auth: auth.summary }, 'identity and access');
  for (const warning of auth.warnings) log.warn(warning);
  // A remote JWKS is fetched once now (bounded by RELAY_JWKS_TIMEOUT_MS), not by the first hello.
  const keysDown = await auth.warmUp();
  if (keysDown !== undefined) log.warn(keysDown);
  const app = createApp();
  const stats = new Stats();
  // Every publish reaches both transports' subscribers, and the cluster bus when REDIS_URL is set
  // (unset: no bus object exists, no Redis code runs).
  const cluster = clustered ? createBus({ redis: config.redisUrl !== '' ? { url: config.redisUrl } : { clusterNodes: config.redisClusterNodes }, nodeId: config.nodeId, leaseTtlMs: config.leaseTtlMs, staleMs: config.busStaleMs, maxMembersPerRoom: config.maxMembersPerRoom, seatGraceMs: config.seatGraceMs, log }) : undefined;
  const tcpFanout = new TcpFanout();
  const fanout = new Fanout([new WsFanout(app), tcpFanout], cluster === undefined ? [] : [cluster.bus]);
  const webhooks = config.webhookUrl === '' ? undefined : new Webhooks({
    url: config.webhookUrl, secret: config.webhookSecret, batchMs: config.webhookBatchMs, maxBatch: 100,
    queueMax: config.webhookQueueMax, timeoutMs: config.webhookTimeoutMs, maxAttempts: config.webhookMaxAttempts,
    retryBaseMs: config.webhookRetryMs, drainMs: config.webhookDrainMs, log,
  });
  const maxConnections = resolveMaxConnections(config.maxConnections, openFileLimit());
  const relay = new Relay({ ...config, maxConnections }, fanout, stats, log, authenticator(auth, clock, options.wallClock), clock, cluster?.bus, webhooks);
  if (cluster !== undefined) {
    cluster.bus.attach(relay.remote!);
    await cluster.start();
  }
  attachWebSocket(app, relay, {
    path: WS_PATH,
    // The core closes frames above relay.maxFrameBytes with 1009. uWS's own cap sits at twice that,
    // so moderately oversized messages get the documented close; beyond it uWS drops the TCP
    // connection without buffering more (the client sees 1006).
    maxMessageBytes: relay.maxFrameBytes * 2,
    maxBufferedBytes: config.maxBufferedBytes,
    idleTimeoutSec: config.idleTimeoutSec,
    allowOrigin: (origin) => isOriginAllowed(auth.origins, origin),
    originRefused: () => { stats.originRefused++; },
  });
  const flashPolicy = config.tcpFlashPolicy ? readPolicyFile(config.tcpFlashPolicyFile) : false;
  let draining = false;
  const metrics = createMetrics(relay);
  if (cluster !== undefined) {
    metrics.setDefaultLabels({ node: config.nodeId });
    registerBusMetrics(metrics, cluster.bus);
  }
  if (webhooks !== undefined) registerWebhookMetrics(metrics, webhooks.stats);
  const sampleRooms = setInterval(roomOutputSampler(metrics, relay), 1000);
  const routes = createRoutes({
    relay, metrics, staticDir: config.staticDir, startedAt: Date.now(), version,
    isDraining: () => draining, metricsToken: config.metricsToken,
    cluster: cluster === undefined ? undefined : { node: config.nodeId, state: () => cluster.bus.state },
  });
  const api = createApi({
    admin: relay.api, keys: config.apiKeys, maxPayloadBytes: config.maxPayloadBytes,
    maxMembersPerRoom: config.maxMembersPerRoom, maxMetadataBytes: config.maxRoomMetadataBytes,
    minTickHz: config.minTickHz, maxTickHz: config.maxTickHz,
    fileBytesPerSec: roomFileBytesPerSec(config), ratePerSec: config.apiRatePerSec, burst: config.apiBurst, now: () => clock.now(), limited: () => stats.hitLimit('api_requests'),
  });
  serveHttp(app, routes, { wsPath: WS_PATH, metrics: config.metricsPort === 'off' }, api);
  if (config.apiKeys.length > 0) log.info({ keys: config.apiKeys.length }, 'server API on /api/v1 (docs/server-api.md)');
  const listening = await listen(app, config.host, config.port);
  // METRICS_PORT: /metrics on a listener of its own (loopback by default), not on the public port.
  let metricsListening: Listening | undefined;
  if (config.metricsPort !== 'off') {
    const metricsApp = createApp();
    serveMetricsOnly(metricsApp, routes);
    try {
      metricsListening = await listen(metricsApp, config.metricsHost, config.metricsPort);
    } catch (err) {
      listening.close();
      clearInterval(sampleRooms);
      webhooks?.stop();
      await cluster?.stop();
      throw new Error(`METRICS_PORT: ${(err as Error).message.replace('set PORT', 'set METRICS_PORT')}`);
    }
  }
  let tcp: TcpListening | undefined;
  if (config.tcpPort !== 'off') {
    try {
      tcp = await listenTcp(relay, {
        host: config.host, port: config.tcpPort, maxFrameBytes: relay.maxFrameBytes, maxBufferedBytes: config.maxBufferedBytes,
        idleTimeoutMs: config.idleTimeoutSec * 1000, frameTimeoutMs: config.tcpFrameTimeoutSec * 1000, flashPolicy, fanout: tcpFanout, clock, log,
      });
    } catch (err) {
      listening.close();
      metricsListening?.close();
      clearInterval(sampleRooms);
      webhooks?.stop();
      await cluster?.stop();
      throw err;
    }
  }
  const stopSweep = repeat(clock, config.backpressureCheckMs, () => relay.sweep());
  const displayHost = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const httpUrl = `http://${displayHost}:${listening.port}`;
  const tcpUrl = tcp === undefined ? undefined : `tcp://${displayHost}:${tcp.port}`;
  log.info({ port: listening.port, tcpPort: tcp?.port, metricsPort: metricsListening?.port, host: config.host, version, maxConnections },
    `relay listening on ${httpUrl} (WebSocket ${WS_PATH}; raw TCP ${tcpUrl ?? 'off'})`);

  let closed: Promise<void> | undefined;
  return {
    config,
    relay,
    port: listening.port,
    metricsPort: metricsListening?.port,
    httpUrl,
    wsUrl: `ws://${displayHost}:${listening.port}${WS_PATH}`,
    tcpPort: tcp?.port,
    tcpUrl,
    tcp,
    bus: cluster?.bus,
    auth,
    webhooks,
    close() {
      closed ??= new Promise<void>((resolve) => {
        draining = true;
        stopSweep();
        clearInterval(sampleRooms);
        listening.close();
        metricsListening?.close();
        const clients = relay.connections.size;
        relay.closeAll('going_away', 'relay shutting down');
        log.info({ clients }, 'relay stopped');
        // Let the close frames reach the sockets before the caller tears the process down; TCP
        // sockets end after their close frame (or are destroyed after CLOSE_LINGER_MS).
        // The bus goes last: closing the members above released their ids in Redis.
        // Webhooks drain after closeAll, so the members' last `member.left` events go out too,
        // bounded by RELAY_WEBHOOK_DRAIN_MS (docs/server-api.md#webhooks). In a cluster, after the
        // bus stopped: its stop waits for the release scripts, whose answers decide `room.closed`.
        const bus = (cluster?.stop() ?? Promise.resolve()).catch((err: unknown) => log.error({ err: (err as Error).message }, 'cluster bus did not stop cleanly'));
        const hooks = bus.then(() => webhooks?.drain());
        void Promise.all([tcp?.close(), hooks, new Promise((r) => setTimeout(r, 50))]).then(() => resolve());
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
