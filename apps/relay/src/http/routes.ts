// HTTP on the relay's port: health, Prometheus metrics and the static demo page.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { Registry } from 'prom-client';
import type { Relay } from '../core/relay.js';
import type { HttpResponse, TemplatedApp } from '../transports/ws.js';

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
      else files.set('/' + relative(dir, path).split(sep).join('/'), {
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

function respond(res: HttpResponse, status: string, type: string, body: string | Buffer): void {
  res.cork(() => {
    res.writeStatus(status).writeHeader('content-type', type).writeHeader('cache-control', 'no-cache').end(body);
  });
}

export interface RouteOptions {
  relay: Relay;
  metrics: Registry;
  staticDir: string;
  startedAt: number;
  version: string;
  isDraining: () => boolean;
}

export function registerRoutes(app: TemplatedApp, options: RouteOptions): void {
  const { relay, metrics } = options;

  app.get('/healthz', (res) => {
    const draining = options.isDraining();
    const body = JSON.stringify({
      status: draining ? 'draining' : 'ok',
      version: options.version,
      uptimeSec: Math.round((Date.now() - options.startedAt) / 1000),
      connections: relay.connections.size,
      rooms: relay.rooms.size,
    });
    respond(res, draining ? '503 Service Unavailable' : '200 OK', 'application/json', body);
  });

  app.get('/metrics', (res) => {
    let aborted = false;
    res.onAborted(() => { aborted = true; });
    metrics.metrics().then(
      (text) => { if (!aborted) respond(res, '200 OK', metrics.contentType, text); },
      (err: unknown) => { if (!aborted) respond(res, '500 Internal Server Error', 'text/plain', String(err)); },
    );
  });

  const files = loadStatic(options.staticDir);
  app.get('/*', (res, req) => {
    const url = req.getUrl();
    const file = files.get(url === '/' ? '/index.html' : url);
    if (file) return respond(res, '200 OK', file.type, file.body);
    if (url === '/') {
      return respond(res, '200 OK', 'text/plain; charset=utf-8',
        `Roomcast relay is running. WebSocket endpoint: /ws. The demo page was not found in ${options.staticDir} (build it with \`pnpm build\`).\n`);
    }
    respond(res, '404 Not Found', 'text/plain; charset=utf-8', 'not found\n');
  });
}
