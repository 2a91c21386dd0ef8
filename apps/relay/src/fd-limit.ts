// The process's open-file limit, for RELAY_MAX_CONNECTIONS=auto: every connection holds one
// descriptor, and the relay keeps a reserve so that /healthz, /metrics, logs and the listening
// sockets still have descriptors when clients hold as many connections as the relay allows.
import { readFileSync } from 'node:fs';

/** Used when the limit cannot be read (not Linux): a cap that fits common defaults. */
const FALLBACK_MAX_CONNECTIONS = 10_000;

/** The soft `Max open files` limit of this process, from /proc (Linux); undefined elsewhere. */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    const n = Number(soft);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Descriptors kept free for HTTP, logs and listeners: 10% of the limit, at least 100. */
export function descriptorReserve(limit: number): number {
  return Math.max(100, Math.ceil(limit / 10));
}

/** RELAY_MAX_CONNECTIONS resolved: `auto` becomes the open-file limit minus the reserve. */
export function resolveMaxConnections(setting: number | 'auto', limit: number | undefined): number {
  if (setting !== 'auto') return setting;
  if (limit === undefined) return FALLBACK_MAX_CONNECTIONS;
  return Math.max(1, limit - descriptorReserve(limit));
}
