// Prometheus metrics of the webhook sender (webhooks/webhooks.ts), read from its counters at scrape
// time like the core's: registered only when webhooks are configured.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WebhookStats } from '../webhooks/webhooks.js';

export function registerWebhookMetrics(registry: Registry, stats: WebhookStats): void {
  const counter = (name: string, help: string, read: () => number) => new Counter({
    name, help, registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
  counter('roomcast_webhook_events_sent_total', 'Webhook events delivered (their request was answered 2xx).', () => stats.sent);
  counter('roomcast_webhook_requests_failed_total', 'Webhook requests that failed (non-2xx answer, timeout, network error).', () => stats.failed);
  counter('roomcast_webhook_requests_retried_total', 'Webhook requests that retried a failed batch.', () => stats.retried);
  counter('roomcast_webhook_events_dropped_total', 'Webhook events dropped: queue full (RELAY_WEBHOOK_QUEUE_MAX) or batch failed RELAY_WEBHOOK_MAX_ATTEMPTS times.', () => stats.dropped);
  new Gauge({ name: 'roomcast_webhook_events_queued', help: 'Webhook events waiting to be sent.', registers: [registry], collect() { this.set(stats.queued); } });
}
