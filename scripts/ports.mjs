// A free loopback port for tests that must know a port before anything listens on it (a relay
// restarted on the same port, a client started before its relay, a redis-server, "nothing
// listens here"). Plain JavaScript beside provision.mjs so every workspace's tests can import it.
import { createServer } from 'node:net';

/** A port that is free right now on 127.0.0.1, found by binding port 0 and releasing it. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}
