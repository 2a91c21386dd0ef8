// Serves the relay's HTTP routes (http/routes.ts) and the server API (http/api.ts) on the
// uWebSockets.js app: the uWS side of HTTP, with its rules (read headers before returning from the
// handler, copy body chunks, cork the response, never touch a response after it was aborted).
import type uWS from 'uWebSockets.js';
import { API_PREFIX } from '../http/api-schemas.js';
import { apiError, type Api } from '../http/api.js';
import type { HttpAnswer, Routes } from '../http/routes.js';

function respond(res: uWS.HttpResponse, answer: HttpAnswer): void {
  res.cork(() => {
    res.writeStatus(answer.status).writeHeader('content-type', answer.type).writeHeader('cache-control', 'no-cache').end(answer.body);
  });
}

/** Reads an API request's body (bounded by api.maxBodyBytes), then answers it. */
function serveApi(api: Api, res: uWS.HttpResponse, req: uWS.HttpRequest): void {
  // HttpRequest is valid only until this handler returns: read everything now.
  const method = req.getMethod().toLowerCase();
  const path = req.getUrl();
  const query = req.getQuery() ?? '';
  const authorization = req.getHeader('authorization');
  const contentType = req.getHeader('content-type');
  let done = false;
  res.onAborted(() => { done = true; });
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
    let answer: HttpAnswer;
    try {
      answer = api.handle({ method, path, query, authorization, contentType, body: Buffer.concat(chunks) });
    } catch (err) {
      answer = { status: '500 Internal Server Error', type: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: String(err) } }) };
    }
    respond(res, answer);
  });
}

export function serveHttp(app: uWS.TemplatedApp, routes: Routes, api: Api | undefined): void {
  app.get('/healthz', (res) => respond(res, routes.health()));
  app.get('/metrics', (res) => {
    let aborted = false;
    res.onAborted(() => { aborted = true; });
    void routes.metrics().then((answer) => { if (!aborted) respond(res, answer); });
  });
  if (api !== undefined) {
    app.get(`${API_PREFIX}/openapi.json`, (res) => respond(res, api.openapi()));
    app.any(`${API_PREFIX}/*`, (res, req) => serveApi(api, res, req));
    app.any(API_PREFIX, (res, req) => serveApi(api, res, req));
  }
  app.get('/*', (res, req) => respond(res, routes.file(req.getUrl())));
}
