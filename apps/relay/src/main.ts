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
if (binary === undefined) fail(nativeBinaryMissing());

/** What runs where, for the one start-up error a newcomer on a newer Node will meet. */
function nativeBinaryMissing(): string {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  const libc = header?.glibcVersionRuntime === undefined ? 'no glibc' : `glibc ${header.glibcVersionRuntime}`;
  return 'the native uWebSockets.js binary did not load (it fell back to a slow JavaScript implementation).\n'
    + `  You run Node ${process.version} (ABI ${process.versions.modules}) on ${process.platform}-${process.arch} with ${libc}.\n`
    + '  The pinned build (@trufflesuite/uws-js-unofficial 20.30.0, uWS v20.30) has binaries for Node 16, 18 and 20\n'
    + '  only (ABI 93/108/115; Linux x64/arm64/arm, macOS, Windows x64). Roomcast runs on Node 20 (tested with\n'
    + '  glibc 2.36, Debian 12). Current uWS releases for Node 22/24 need glibc >= 2.38, so they are not used.\n'
    + '  Fix: use Node 20 (package.json "engines"), then reinstall dependencies (pnpm install).';
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
