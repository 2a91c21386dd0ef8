// Relay configuration, part 5 of 5: webhooks to a backend.
import { z } from 'zod';
import { int } from './kit.js';

/** Webhooks (docs/server-api.md#webhooks). */
export const webhooksEnv = {
  /** Where room and member events are POSTed (http:// or https://). Empty: no webhooks. */
  RELAY_WEBHOOK_URL: z.string().default('').refine((v) => v === '' || /^https?:\/\/\S+$/.test(v), { error: 'must be an http:// or https:// URL' }),
  /** Signing secret, `whsec_` + base64 of 24 to 64 random bytes (Standard Webhooks). Never logged. */
  RELAY_WEBHOOK_SECRET: z.string().default('').refine((v) => v === '' || webhookSecretBytes(v) !== undefined, {
    error: 'must be whsec_ followed by the base64 of 24 to 64 bytes (e.g. whsec_$(openssl rand -base64 32))',
  }),
  /** Events wait this long to be sent in one request, in milliseconds. */
  RELAY_WEBHOOK_BATCH_MS: int(0, 60_000).default(200),
  /** Events waiting to be sent at most; more are dropped (and counted in roomcast_webhook_events_dropped_total). */
  RELAY_WEBHOOK_QUEUE_MAX: int(1, 1_000_000).default(10_000),
  /** Timeout of one webhook request, in milliseconds. */
  RELAY_WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(5000),
  /** Tries of one batch, the first included, before its events are dropped. */
  RELAY_WEBHOOK_MAX_ATTEMPTS: int(1, 100).default(6),
  /** First retry delay in milliseconds; doubled per retry (capped at 30 s), with jitter. */
  RELAY_WEBHOOK_RETRY_MS: int(1, 60_000).default(500),
  /** At shutdown, how long queued webhook events may still be sent, in milliseconds; then the rest are dropped and counted. 0: not sent. */
  RELAY_WEBHOOK_DRAIN_MS: int(0, 60_000).default(5000),
};

/** The key bytes of a `whsec_` secret, or undefined when it is not one. */
function webhookSecretBytes(value: string): Buffer | undefined {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (match === null) return undefined;
  const bytes = Buffer.from(match[1]!, 'base64');
  return bytes.length >= 24 && bytes.length <= 64 ? bytes : undefined;
}
