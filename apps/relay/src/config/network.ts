// Relay configuration, part 2 of 5: the raw TCP listener, admission per address, and /metrics.
import { isIP } from 'node:net';
import { z } from 'zod';
import { commaList, int, number, wordOrInt } from './kit.js';

export const networkEnv = {
  /** Raw TCP port (length-prefixed frames, PROTOCOL.md appendix A); 0 picks a free port, `off` disables TCP. */
  TCP_PORT: wordOrInt('off', '8081', 0, 65535, "must be a port number from 0 to 65535, or 'off' to disable raw TCP"),
  /**
   * Seconds a raw TCP frame may take from the first byte of its length prefix to its last byte;
   * past it the connection is closed with 4408 however many bytes keep trickling in. 0 disables.
   */
  TCP_FRAME_TIMEOUT_SEC: int(0, 960).default(10),
  /** Answer Flash `<policy-file-request/>` on the TCP port. */
  TCP_FLASH_POLICY: z.enum(['on', 'off'], { error: "must be 'on' or 'off'" }).default('off').transform((v) => v === 'on'),
  /** File whose contents replace the default Flash policy XML (which allows the relay's TCP port). Empty: the default. */
  TCP_FLASH_POLICY_FILE: z.string().default(''),
  // ---- admission (PROTOCOL.md §8.19, SECURITY.md) ----------------------------------------
  /** Connections the relay holds at once; `auto`: the open-file limit minus a reserve (10%, at least 100) so /healthz and /metrics still answer. Above it: HTTP 503 / TCP close 1013. */
  RELAY_MAX_CONNECTIONS: wordOrInt('auto', 'auto', 1, 1_000_000, "must be 'auto' or a whole number from 1 to 1000000"),
  /** Open connections one address (IPv4, or IPv6 /64) may hold; 0 disables. Above it: HTTP 429 / TCP close 4429. */
  RELAY_MAX_CONNECTIONS_PER_IP: int(0, 1_000_000).default(256),
  /** New connections per second one address may open (token bucket refill); 0 disables. */
  RELAY_CONNECT_RATE_PER_IP: number().min(0, { error: 'must be at least 0' }).max(1_000_000, { error: 'must be at most 1000000' }).default(20),
  /** Connections one address may open in a burst before RELAY_CONNECT_RATE_PER_IP applies. */
  RELAY_CONNECT_BURST_PER_IP: int(1, 1_000_000).default(100),
  /** After a 4429 close, seconds during which the address's new connections are refused (429 / 4429); 0 disables. */
  RELAY_FLOOD_COOLDOWN_SEC: int(0, 3600).default(10),
  /** Client addresses remembered at once (open connections, leftover budgets, cool-downs); when full and nothing can expire, new addresses get 503. */
  RELAY_MAX_TRACKED_ADDRESSES: int(1, 10_000_000).default(100_000),
  /**
   * Client addresses exempt from the per-address limits (connection cap, connect rate, flood
   * cool-down, budgets carried across reconnects), comma-separated, exact addresses; `none` for
   * none. Default loopback: the README's load test and a local reverse proxy (whose clients all
   * arrive from 127.0.0.1) would otherwise share one address's limits. The relay-wide cap still applies.
   */
  RELAY_IP_LIMIT_EXEMPT: z.string().default('127.0.0.1,::1').transform((value, ctx) => {
    if (value.trim() === 'none') return [];
    const list = commaList(value);
    for (const entry of list) {
      if (isIP(entry) === 0) {
        ctx.addIssue({ code: 'custom', message: `has ${JSON.stringify(entry)}: each entry must be an IPv4 or IPv6 address (no ranges), or the whole value 'none'` });
        return z.NEVER;
      }
    }
    return list;
  }),
  /** Serve /metrics on this port instead of the public one (`off`: on PORT). 0 picks a free port. */
  METRICS_PORT: wordOrInt('off', 'off', 0, 65535, "must be a port number from 0 to 65535, or 'off' to serve /metrics on PORT"),
  /** Address the METRICS_PORT listener binds to (loopback by default: scrape from the host or a sidecar). */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** When set, /metrics answers only requests with `Authorization: Bearer <token>` (401 otherwise). At least 16 characters. Never logged. */
  METRICS_TOKEN: z.string().default('').refine((v) => v === '' || v.length >= 16, { error: 'must be at least 16 characters' }),
};
