#!/usr/bin/env node
// The Tag arena backend as a process: reads its configuration (GAME_*, RELAY_*), takes over the
// matches a previous process left on the relay, then serves /play. SIGTERM/SIGINT stop it,
// leaving the rooms to the next backend process.
import { pino } from 'pino';
import { ConfigError, parseGameConfig } from './server/config.js';
import { createHttpServer } from './server/http.js';
import { Matchmaker } from './server/matchmaker.js';

let config: ReturnType<typeof parseGameConfig>;
try {
  config = parseGameConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`game-backend: ${err.message}\n`);
  process.exit(2);
}

// Logs go to stderr: stdout carries only the one `listening` line.
const log = pino({ level: config.logLevel, base: { app: 'game-backend' } }, pino.destination(2));
const matchmaker = new Matchmaker(config, log);
try {
  const adopted = await matchmaker.adopt();
  if (adopted > 0) log.info({ adopted }, 'took over matches left on the relay');
} catch (err) {
  log.fatal({ err: (err as Error).message, relay: config.relayHttpUrl }, 'cannot reach the relay\'s server API');
  process.exit(1);
}
const server = createHttpServer(config, matchmaker, log);
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  log.info({ port, relay: config.relayWsUrl }, 'game backend listening');
  // One machine-readable line for whoever started this process (tests, `pnpm game`).
  process.stdout.write(`${JSON.stringify({ listening: `http://${config.host}:${port}` })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    matchmaker.stop();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
