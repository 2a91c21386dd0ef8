// Structured logs (pino). JSON lines on stdout for machines (systemd, Docker, log shippers); on a
// terminal, pino-pretty's coloured one-line form, as pino users expect from `pino | pino-pretty`.
import { pino, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  /** Human-readable lines instead of JSON. Default: whether stdout is a terminal. */
  pretty?: boolean;
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const base = { level, base: { service: 'roomcast-relay' } };
  if (!(options.pretty ?? process.stdout.isTTY === true)) return pino(base);
  // In-thread and synchronous (no transport worker): the lines written just before
  // process.exit() on shutdown are not lost.
  return pino(base, pinoPretty({ sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }));
}
