#!/usr/bin/env node
// The relay process: validates config and the native uWS build, starts, and shuts down on SIGTERM.
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

// Start-up errors (a port in use, an unreadable key file: ConfigError names the variable) end the process.
server = await startRelay({ config, logger: log }).catch((err: unknown) => {
  if (err instanceof ConfigError) fail(`${err.message}\nFix the environment variables above and start again.`);
  return fail((err as Error).message);
});
if (stopping) stop();
