// Why a load test could not load: the error a run throws when no client connected and joined,
// with a message that names the cause (nothing listening, the HTTP status of a refused upgrade,
// the relay's error code) and the address, so the user can fix it without reading the JSON.

/** Connections that must all fail, with none succeeding, before a driver stops opening more. */
export const FIRST_WAVE = 10;

export class LoadAbortedError extends Error {
  constructor(message: string, readonly failures: Readonly<Record<string, number>>) {
    super(message);
  }
}

/** "127.0.0.1:8080" from a ws:// URL (the default port of the scheme when none is given). */
function hostPort(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === 'wss:' ? '443' : u.protocol === 'tcp:' ? '8081' : '80')}`;
}

/**
 * The message for a run in which no client joined (`attempted` of `clients` were tried). `failures` counts the failed attempts by code
 * (connect_refused, http_404, join_timeout, closed_4406, a relay error code, …); `detail` is the
 * first transport error message seen, if any.
 */
export function describeNoLoad(url: string, clients: number, attempted: number, failures: Readonly<Record<string, number>>, detail?: string): string {
  const total = Object.values(failures).reduce((a, b) => a + b, 0);
  const [code] = Object.entries(failures).sort((a, b) => b[1] - a[1])[0] ?? ['unknown'];
  const counts = Object.entries(failures).map(([k, v]) => `${k}: ${v}`).join(', ');
  const stopped = attempted < clients ? `; the other ${clients - attempted} clients were not tried` : '';
  const head = `no load: all ${total} connection attempts failed (${counts || 'no reason recorded'})${stopped}.`;
  let why: string;
  const http = /^http_(\d{3})$/.exec(code);
  if (code === 'connect_refused') why = `Nothing listens at ${hostPort(url)}: connection refused. Start the relay (pnpm start) or pass --url.`;
  else if (http) why = `The server answered the WebSocket upgrade with HTTP ${http[1]} at ${url}: is the path right? The relay serves WebSockets at /ws.`;
  else if (code === 'join_timeout') why = `No answer to hello/join within the connect timeout at ${url}: is this a Roomcast relay?`;
  else if (code.startsWith('closed_')) why = `The server closed each connection with code ${code.slice(7)} before the join completed (${url}).`;
  else if (code === 'connect_failed') why = `Could not connect to ${url}${detail ? `: ${detail}` : ''}.`;
  else why = `The relay refused the join with error ${code} (${url}).`;
  return `${head}\n${why}`;
}
