// A real webhook receiver for tests: an HTTP server on 127.0.0.1:0 that records every request
// (headers, body, events) and answers with a status per request, or hangs.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const WEBHOOK_SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

export interface Delivery {
  headers: Record<string, string>;
  body: string;
  events: Array<Record<string, unknown>>;
}

/** A receiver that records every request and answers with `answer(n)` (n: 0-based request count). */
export class Receiver {
  readonly requests: Delivery[] = [];
  private waiters: Array<() => void> = [];
  private readonly hanging: ServerResponse[] = [];
  readonly server: Server;

  constructor(private readonly answer: (n: number) => number | 'hang') {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const n = this.requests.length;
      this.requests.push({ headers: req.headers as Record<string, string>, body, events: JSON.parse(body).data.events });
      for (const w of this.waiters.splice(0)) w();
      const status = this.answer(n);
      if (status === 'hang') this.hanging.push(res);
      else res.writeHead(status).end();
    });
  }

  /** Resolves once `count` requests arrived (bounded by the test timeout). */
  async until(count: number): Promise<void> {
    while (this.requests.length < count) await new Promise<void>((r) => this.waiters.push(r));
  }

  allEvents(): Array<Record<string, unknown>> {
    return this.requests.flatMap((r) => r.events);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
  }
}
