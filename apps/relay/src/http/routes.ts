// The HTTP API on the relay's port: health, Prometheus metrics and the static demo page. Answers
// are plain values; uws/http.ts serves them with uWebSockets.js (this file does not import it).
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { Registry } from 'prom-client';
import type { Relay } from '../core/relay.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

interface StaticFile {
  body: Buffer;
  type: string;
}

/** Loads every file under `dir` into memory once (the demo is a few small files). */
function loadStatic(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder)) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(`/${relative(dir, path).split(sep).join('/')}`, {
        body: readFileSync(path),
        type: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
      });
    }
  };
  try {
    walk(dir);
  } catch {
    // No demo build: `/` answers with a hint instead.
  }
  return files;
}

/** One HTTP answer. */
export interface HttpAnswer {
  /** Status line, e.g. `200 OK`. */
  status: string;
  type: string;
  body: string | Buffer;
  /** Extra response headers (lower-case names), e.g. `retry-after`. */
  headers?: Record<string, string>;
}

export interface RouteOptions {
  relay: Relay;
  metrics: Registry;
  staticDir: string;
  startedAt: number;
  version: string;
  isDraining: () => boolean;
  /** Set when the relay is a cluster node: its id and the state of its bus (Redis). */
  cluster?: { node: string; state: () => 'up' | 'down' } | undefined;
  /** METRICS_TOKEN: when non-empty, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
}

/** The relay's HTTP routes, as functions of the request path. */
export interface Routes {
  /**
   * `GET /healthz`: 200 with status `ok`, or 503 `draining` during shutdown. A cluster node adds
   * `node` and `bus`; while Redis is unreachable the status is `degraded` (still 200: the node
   * serves its local members).
   */
  health(): HttpAnswer;
  /** `GET /metrics`: Prometheus text. */
  metrics(): Promise<HttpAnswer>;
  /** Whether a request with this `Authorization` header may read /metrics. */
  metricsAllowed(authorization: string): boolean;
  /** `GET` of any other path: a file of the demo build, a hint at `/`, or 404. */
  file(url: string): HttpAnswer;
}

export function createRoutes(options: RouteOptions): Routes {
  const { relay, metrics } = options;
  const files = loadStatic(options.staticDir);
  // Compared as SHA-256 digests: equal lengths, so timingSafeEqual leaks neither content nor length.
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  const tokenDigest = options.metricsToken ? digest(`Bearer ${options.metricsToken}`) : undefined;
  return {
    metricsAllowed(authorization) {
      return tokenDigest === undefined || timingSafeEqual(digest(authorization), tokenDigest);
    },
    health() {
      const draining = options.isDraining();
      const cluster = options.cluster;
      const busState = cluster?.state();
      const body = JSON.stringify({
        status: draining ? 'draining' : busState === 'down' ? 'degraded' : 'ok',
        ...(cluster === undefined ? {} : { node: cluster.node, bus: busState }),
        version: options.version,
        uptimeSec: Math.round((Date.now() - options.startedAt) / 1000),
        connections: relay.connections.size,
        rooms: relay.rooms.size,
      });
      return { status: draining ? '503 Service Unavailable' : '200 OK', type: 'application/json', body };
    },
    metrics() {
      return metrics.metrics().then(
        (text): HttpAnswer => ({ status: '200 OK', type: metrics.contentType, body: text }),
        (err: unknown): HttpAnswer => ({ status: '500 Internal Server Error', type: 'text/plain', body: String(err) }),
      );
    },
    file(url) {
      const file = files.get(url === '/' ? '/index.html' : url);
      if (file) return { status: '200 OK', type: file.type, body: file.body };
      if (url === '/') {
        return {
          status: '200 OK', type: 'text/plain; charset=utf-8',
          body: `Roomcast relay is running. WebSocket endpoint: /ws. The demo page was not found in ${options.staticDir} (build it with \`pnpm build\`).\n`,
        };
      }
      return { status: '404 Not Found', type: 'text/plain; charset=utf-8', body: 'not found\n' };
    },
  };
}
