// Serves the relay's HTTP routes (http/routes.ts) on the uWebSockets.js app: the uWS side of HTTP,
// with its rules (cork the response; a response aborted before an async answer must not be used).
import type uWS from 'uWebSockets.js';
import type { HttpAnswer, Routes } from '../http/routes.js';

function respond(res: uWS.HttpResponse, answer: HttpAnswer): void {
  res.cork(() => {
    res.writeStatus(answer.status).writeHeader('content-type', answer.type).writeHeader('cache-control', 'no-cache').end(answer.body);
  });
}

export function serveHttp(app: uWS.TemplatedApp, routes: Routes): void {
  app.get('/healthz', (res) => respond(res, routes.health()));
  app.get('/metrics', (res) => {
    let aborted = false;
    res.onAborted(() => { aborted = true; });
    void routes.metrics().then((answer) => { if (!aborted) respond(res, answer); });
  });
  app.get('/*', (res, req) => respond(res, routes.file(req.getUrl())));
}
