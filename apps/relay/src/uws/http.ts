// Serves the relay's HTTP routes (http/routes.ts) and the server API (http/api.ts) on the
// uWebSockets.js app: the uWS side of HTTP, with its rules (read headers before returning from the
// handler, copy body chunks, cork the response, never touch a response after it was aborted).
import type uWS from 'uWebSockets.js';
import { API_PREFIX } from '../http/api-schemas.js';
import { apiError, type Api } from '../http/api.js';
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
    res.writeStatus(answer.status).writeHeader('content-type', answer.type).writeHeader('cache-control', 'no-cache');
    for (const [name, value] of Object.entries(answer.headers ?? {})) res.writeHeader(name, value);
    res.end(answer.body, true);
  });
}

/** Reads an API request's body (bounded by api.maxBodyBytes), then answers it. */
function serveApi(api: Api, res: uWS.HttpResponse, req: uWS.HttpRequest): void {
  // HttpRequest is valid only until this handler returns: read everything now.
  const method = req.getMethod().toLowerCase();
  const path = req.getUrl();
  // Stryker disable next-line StringLiteral: getQuery() returns '' without a query (uWS v20.30); the fallback is never used
  const query = req.getQuery() ?? '';
  const authorization = req.getHeader('authorization');
  const contentType = req.getHeader('content-type');
  let done = false;
  let aborted = false;
  res.onAborted(() => {
    done = true;
    aborted = true;
  });
  const chunks: Buffer[] = [];
  let size = 0;
  res.onData((chunk, isLast) => {
    if (done) return;
    size += chunk.byteLength;
    if (size > api.maxBodyBytes) {
      done = true;
      // Answer at once and close: the rest of the body is not read.
      res.cork(() => {
        const answer = apiError('payload_too_large', `the request body is above ${api.maxBodyBytes} bytes`);
        res.writeStatus(answer.status).writeHeader('content-type', answer.type).writeHeader('connection', 'close').end(answer.body, true);
      });
      return;
    }
    // The chunk's memory is reused after this callback: copy it.
    chunks.push(Buffer.from(new Uint8Array(chunk)));
    if (!isLast) return;
    done = true;
    // Asynchronous in a cluster: the response is touched only if the client is still there.
    api.handle({ method, path, query, authorization, contentType, body: Buffer.concat(chunks) }).then(
      (answer) => { if (!aborted) respond(res, answer); },
      // Stryker disable next-line all: defensive, never reached: handle() turns every error of a handler into an answer
      (err: unknown) => {
        // Stryker disable next-line all: as above
        if (!aborted) respond(res, { status: '500 Internal Server Error', type: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: String(err) } }) });
      },
    );
  });
}

export interface HttpOptions {
  /** The WebSocket path: a plain GET there (no upgrade) gets 426 rather than 404. */
  wsPath: string;
  /** Serve /metrics on this app (false when METRICS_PORT moves it to its own listener). */
  metrics: boolean;
}

export function serveHttp(app: uWS.TemplatedApp, routes: Routes, options: HttpOptions, api?: Api): void {
  app.get('/healthz', (res) => respond(res, routes.health()));
  if (options.metrics) serveMetrics(app, routes);
  // uWS passes a GET without `Upgrade: websocket` on the WebSocket path on to the next route.
  app.get(options.wsPath, (res) => refuseHttp(res, '426 Upgrade Required', 'this path takes WebSocket upgrades only', { upgrade: 'websocket' }));
  if (api !== undefined) {
    app.get(`${API_PREFIX}/openapi.json`, (res) => respond(res, api.openapi()));
    app.any(`${API_PREFIX}/*`, (res, req) => serveApi(api, res, req));
    app.any(API_PREFIX, (res, req) => serveApi(api, res, req));
  }
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
