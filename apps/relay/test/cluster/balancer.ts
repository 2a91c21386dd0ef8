// A round-robin TCP load balancer for cluster tests: each new connection goes to the next node,
// with no sticky sessions, like a plain L4 balancer in front of relays. `dropAll` cuts every
// proxied connection on both sides without a close handshake, as a network failure would.
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export class Balancer {
  readonly #sockets = new Set<Socket>();
  readonly #server: Server;
  #next = 0;

  constructor(private readonly ports: readonly number[]) {
    this.#server = createServer((client) => {
      const port = this.ports[this.#next++ % this.ports.length]!;
      const upstream = createConnection({ host: '127.0.0.1', port });
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  /** Connections accepted so far (the next goes to node `accepted % ports.length`). */
  get accepted(): number {
    return this.#next;
  }

  async listen(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}/ws`;
  }

  dropAll(): void {
    for (const s of this.#sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    this.#server.close();
  }
}
