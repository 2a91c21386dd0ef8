#!/usr/bin/env node
// The relay process: validates config and the native uWS build, starts, and shuts down on SIGTERM.
import { unenforcedAuthSettings } from './auth/index.js';
import { ConfigError, parseConfig, type Config } from './config.js';
import { createLogger } from './log.js';
import { startRelay, type RelayServer } from './server.js';
import { nativeUwsBinary } from './uws/app.js';

function fail(message: string): never {
  process.stderr.write(`roomcast-relay: ${message}\n`);
  process.exit(1);
}

let config: Config;
try {
  config = parseConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) fail(`${err.message}\nFix the environment variables above and start again.`);
  throw err;
}

// Identity settings are validated but not enforced yet (issue 11 phase 1): refuse to run open
// while the operator believes the relay checks tokens or origins. Goes away with the wiring.
const unenforced = unenforcedAuthSettings(config);
if (unenforced.length > 0) {
  fail(`${unenforced.join(', ')}: token, anonymous and Origin checks are not enforced by this build yet `
    + '(docs/decisions/0001-identity.md, phase 2). Unset them to run an open relay.');
}

const binary = nativeUwsBinary();
if (binary === undefined) {
  fail('the native uWebSockets.js binary did not load (it fell back to a slow JavaScript implementation). '
    + `This build supports Linux/macOS on Node ABI 93/108/115 (Node 16/18/20); you run Node ${process.version}. Reinstall dependencies with Node 20.`);
}

const log = createLogger(config.logLevel);
log.debug({ binary }, 'native uWebSockets.js loaded');
// Signal handlers go in before the relay listens, so a SIGTERM during start-up (or right after
// the "listening" line) still drains and exits 0 instead of killing the process.
let stopping = false;
let server: RelayServer | undefined;
const stop = (): void => {
  void (server?.close() ?? Promise.resolve()).then(() => process.exit(0));
};
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    if (server !== undefined) stop();
  });
}

server = await startRelay({ config, logger: log }).catch((err: unknown) => fail((err as Error).message));
if (stopping) stop();
