// Serves the relay's HTTP routes (http/routes.ts) on the uWebSockets.js app: the uWS side of HTTP,
// with its rules (cork the response; a response aborted before an async answer must not be used).
import type uWS from 'uWebSockets.js';
import type { HttpAnswer, Routes } from '../http/routes.js';
import { refuseHttp } from './handshake.js';

/**
 * Answers and closes the connection: uWS keeps an idle keep-alive HTTP connection open without a
 * deadline, and these connections are not counted by the relay's connection caps, so one client
 * could otherwise hold descriptors with finished requests (SECURITY.md). The relay's pages are
 * few and small; a new connection per request costs little.
 */
function respond(res: uWS.HttpResponse, answer: HttpAnswer): void {
  res.cork(() => {
    res.writeStatus(answer.status).writeHeader('content-type', answer.type).writeHeader('cache-control', 'no-cache').end(answer.body, true);
  });
}

export interface HttpOptions {
  /** The WebSocket path: a plain GET there (no upgrade) gets 426 rather than 404. */
  wsPath: string;
  /** Serve /metrics on this app (false when METRICS_PORT moves it to its own listener). */
  metrics: boolean;
}

export function serveHttp(app: uWS.TemplatedApp, routes: Routes, options: HttpOptions): void {
  app.get('/healthz', (res) => respond(res, routes.health()));
  if (options.metrics) serveMetrics(app, routes);
  // uWS passes a GET without `Upgrade: websocket` on the WebSocket path on to the next route.
  app.get(options.wsPath, (res) => refuseHttp(res, '426 Upgrade Required', 'this path takes WebSocket upgrades only', { upgrade: 'websocket' }));
  app.get('/*', (res, req) => respond(res, routes.file(req.getUrl())));
}

/** `GET /metrics`, answered only with the right bearer token when one is configured. */
export function serveMetrics(app: uWS.TemplatedApp, routes: Routes): void {
  app.get('/metrics', (res, req) => {
    if (!routes.metricsAllowed(req.getHeader('authorization'))) {
      refuseHttp(res, '401 Unauthorized', 'metrics need a bearer token', { 'www-authenticate': 'Bearer realm="metrics"' });
      return;
    }
    let aborted = false;
    res.onAborted(() => { aborted = true; });
    void routes.metrics().then((answer) => { if (!aborted) respond(res, answer); });
  });
}

/** The METRICS_PORT listener: /metrics and nothing else. */
export function serveMetricsOnly(app: uWS.TemplatedApp, routes: Routes): void {
  serveMetrics(app, routes);
  app.any('/*', (res) => respond(res, { status: '404 Not Found', type: 'text/plain; charset=utf-8', body: 'not found\n' }));
}
