// Small WebSocket clients for the stress runs: a connection from a chosen source address that
// speaks just enough protocol (hello, join, ping) and counts what it receives.
import { once } from 'node:events';
import { decodeServerFrame, encodeControl, PROTOCOL_VERSION, type ServerMessage } from '@roomcast/protocol';
import WebSocket from 'ws';

export interface StressClient {
  ws: WebSocket;
  /** Control messages received, by type. */
  counts: Map<string, number>;
  /** Deliver frames received. */
  delivers: number;
  closed: Promise<number>;
  request(message: Record<string, unknown>): Promise<ServerMessage>;
  send(frame: Uint8Array): void;
}

let nextId = 1;

/** Opens a WebSocket from `localAddress`; rejects with the HTTP status if the upgrade is refused. */
export async function openClient(url: string, localAddress: string, hello = true): Promise<StressClient> {
  const ws = new WebSocket(url, { localAddress });
  const waiters = new Map<number, { resolve: (m: ServerMessage) => void; reject: (e: Error) => void }>();
  // A request still waiting when the socket closes fails, so no loop waits forever.
  ws.on('close', (code) => {
    for (const w of waiters.values()) w.reject(new Error(`closed ${code}`));
    waiters.clear();
  });
  const client: StressClient = {
    ws, counts: new Map(), delivers: 0,
    closed: new Promise((resolve) => ws.on('close', (code) => resolve(code))),
    request(message) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        if (ws.readyState !== WebSocket.OPEN) return reject(new Error('not open'));
        waiters.set(id, { resolve, reject });
        ws.send(encodeControl({ ...message, id } as never));
      });
    },
    send(frame) {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    },
  };
  ws.on('message', (data: Buffer) => {
    if (data[0] === 0x03) { client.delivers++; return; }
    const decoded = decodeServerFrame(new Uint8Array(data));
    if (!decoded.ok || decoded.frame.kind !== 'control') return;
    const m = decoded.frame.message;
    client.counts.set(m.type, (client.counts.get(m.type) ?? 0) + 1);
    if ('id' in m && typeof m.id === 'number') {
      const w = waiters.get(m.id);
      if (w) { waiters.delete(m.id); w.resolve(m); }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => { res.resume(); reject(new Error(`HTTP ${res.statusCode}`)); });
    ws.once('error', reject);
  });
  ws.on('error', () => {});
  if (hello) await client.request({ type: 'hello', v: PROTOCOL_VERSION });
  return client;
}

export async function closeAll(clients: StressClient[]): Promise<void> {
  for (const c of clients) c.ws.terminate();
  await Promise.all(clients.map((c) => (c.ws.readyState === WebSocket.CLOSED ? undefined : once(c.ws, 'close'))));
}
