// Programmatic entry: start a relay in-process (tests, embedding in a game backend).
export { startRelay, WS_PATH, type RelayServer, type StartOptions } from './server.js';
export { parseConfig, ConfigError, ENV_NAMES, type Config } from './config.js';
export { nativeUwsBinary } from './uws/app.js';
export type { Clock } from './core/clock.js';
