// Checks on a WebSocket upgrade request before uWS upgrades it (PROTOCOL.md §8.19): the RFC 6455
// version, and admission (per-address and relay-wide connection caps, connect rate, flood
// cool-down). A refused upgrade gets its HTTP status and the TCP connection is closed, so a
// refused client holds no descriptor. Kept apart from websocket.ts so other upgrade checks
// (Origin, tokens) can sit next to these without touching the same lines.
import type uWS from 'uWebSockets.js';
import type { Refusal } from '../core/addresses.js';
import type { TransportCore } from '../core/relay.js';

/** Ends an HTTP request with `status` and closes its TCP connection. */
export function refuseHttp(res: uWS.HttpResponse, status: string, body: string, headers: Record<string, string> = {}): void {
  res.cork(() => {
    res.writeStatus(status);
    for (const [name, value] of Object.entries(headers)) res.writeHeader(name, value);
    res.writeHeader('content-type', 'text/plain; charset=utf-8').end(`${body}\n`, true);
  });
}

/** The HTTP answer to a refused connection: 429 for the address's limits, 503 for the relay's. */
export function refusalStatus(refusal: Refusal): string {
  return refusal.scope === 'address' ? '429 Too Many Requests' : '503 Service Unavailable';
}

/**
 * Runs the checks; returns true if the upgrade may go on, false if it answered the request
 * already. Reads `req` synchronously (it is invalid after the upgrade callback returns).
 */
export function checkUpgrade(res: uWS.HttpResponse, req: uWS.HttpRequest, relay: Pick<TransportCore, 'admit'>, remoteAddress: string): boolean {
  const version = req.getHeader('sec-websocket-version');
  if (version !== '13') {
    // RFC 6455 §4.2.2: answer 426 with the versions this server speaks.
    refuseHttp(res, '426 Upgrade Required', `unsupported Sec-WebSocket-Version ${JSON.stringify(version.slice(0, 16))}; this relay speaks 13`,
      { 'sec-websocket-version': '13' });
    return false;
  }
  const refusal = relay.admit(remoteAddress);
  if (refusal !== undefined) {
    refuseHttp(res, refusalStatus(refusal), refusal.message, { 'retry-after': String(refusal.retryAfterSec) });
    return false;
  }
  return true;
}
