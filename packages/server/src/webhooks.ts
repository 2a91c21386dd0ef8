// Verifying the relay's webhook requests (docs/server-api.md#webhooks) with the `standardwebhooks`
// package, the same one the relay signs with. Framework-agnostic: give it the raw body and the
// headers, from Node's http, Express, Fastify or a fetch Request.

import type { LeftReason, WebhookEvent } from '@roomcast/protocol/server-api';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/** Why a member left: `left`, `disconnected`, `kicked` or `room_closed`. */
export type { LeftReason };
/** One event of a webhook request: the relay's own type (@roomcast/protocol/server-api). */
export type RoomcastEvent = WebhookEvent;

/** One webhook request: its id (the same on retries: deduplicate on it) and events, in order. */
export interface RoomcastWebhook {
  id: string;
  timestamp: string;
  events: RoomcastEvent[];
}

/** Headers as Node's IncomingMessage, a Fetch Headers object, or a plain record. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export { WebhookVerificationError };

function header(headers: HeaderSource, name: string): string {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? '';
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

/**
 * Checks a webhook request's signature and age (at most 5 minutes, Standard Webhooks) and returns
 * its events. Throws WebhookVerificationError when it is forged, altered or too old.
 *
 * @param secret RELAY_WEBHOOK_SECRET (`whsec_...`).
 * @param body The raw request body, exactly as received (not re-serialised JSON).
 */
export function verifyWebhook(secret: string, body: string | Uint8Array, headers: HeaderSource): RoomcastWebhook {
  const id = header(headers, 'webhook-id');
  const raw = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const payload = new Webhook(secret).verify(raw, {
    'webhook-id': id,
    'webhook-timestamp': header(headers, 'webhook-timestamp'),
    'webhook-signature': header(headers, 'webhook-signature'),
  }) as { type?: string; timestamp?: string; data?: { events?: RoomcastEvent[] } };
  if (payload.type !== 'roomcast.events' || !Array.isArray(payload.data?.events)) {
    throw new WebhookVerificationError('signed, but not a Roomcast events payload');
  }
  return { id, timestamp: payload.timestamp ?? '', events: payload.data.events };
}
