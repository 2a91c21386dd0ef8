// Webhooks (docs/server-api.md#webhooks): room and member lifecycle events, queued in memory,
// POSTed in batches to RELAY_WEBHOOK_URL and signed per Standard Webhooks with the
// `standardwebhooks` package (the reference implementation of the spec; hand-rolled HMAC would
// have to re-derive its header and secret formats). Off the hot path: the core's observer calls
// only push into a bounded array; all I/O happens on timers, one batch in flight at a time.
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { RoomSettings } from '@roomcast/protocol';
import type { WebhookEvent } from '@roomcast/protocol/server-api';
import type { LeftReason, MemberRef, RoomEvents } from '../core/events.js';
import type { Logger } from '../log.js';

export type { WebhookEvent };

export interface WebhookOptions {
  url: string;
  /** `whsec_` + base64 key (Standard Webhooks). */
  secret: string;
  /** Events wait this long to be sent together, in milliseconds. */
  batchMs: number;
  /** Most events in one request. */
  maxBatch: number;
  /** Most events waiting; more are dropped and counted. */
  queueMax: number;
  /** Timeout of one request, in milliseconds. */
  timeoutMs: number;
  /** Tries of one batch (the first included) before it is dropped and counted. */
  maxAttempts: number;
  /** First retry delay; doubled per retry, capped at 30 s, with full jitter. */
  retryBaseMs: number;
  /** At shutdown, how long `drain` may keep sending what is queued, in milliseconds. */
  drainMs: number;
  log: Logger;
  /** Wall-clock time for event timestamps and signatures (tests pin it). */
  now?: () => number;
}

/** Counters, exported as Prometheus metrics (http/metrics.ts). */
export interface WebhookStats {
  /** Events delivered (in a batch answered 2xx). */
  sent: number;
  /** Requests that failed (non-2xx answer, timeout or network error). */
  failed: number;
  /** Requests that were retries of a failed batch. */
  retried: number;
  /** Events dropped: the queue was full, or their batch failed `maxAttempts` times. */
  dropped: number;
  /** Events waiting. */
  queued: number;
}

const MAX_RETRY_DELAY_MS = 30_000;

export class Webhooks implements RoomEvents {
  readonly stats: WebhookStats = { sent: 0, failed: 0, retried: 0, dropped: 0, queued: 0 };
  private readonly signer: Webhook;
  private readonly now: () => number;
  private queue: WebhookEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private stopped = false;
  /** The batch whose retry timer is pending: its attempt number and webhook-id. */
  private retry: { attempt: number; id: string } | undefined;
  /** Set by `drain`: wall time by which sending stops, and who waits for the queue to empty. */
  private draining: { until: number; idle: () => void } | undefined;
  /** Aborted at the end of `drain`: a request still unanswered then (even one sent before) ends. */
  private readonly shutdown = new AbortController();

  constructor(private readonly options: WebhookOptions) {
    this.signer = new Webhook(options.secret);
    this.now = options.now ?? Date.now;
  }

  // ---- RoomEvents: called by the core; only record and return --------------------------

  roomCreated(room: string): void {
    this.push({ type: 'room.created', timestamp: this.stamp(), room });
  }

  roomClosed(room: string): void {
    this.push({ type: 'room.closed', timestamp: this.stamp(), room });
  }

  memberJoined(member: MemberRef): void {
    this.push({ type: 'member.joined', timestamp: this.stamp(), room: member.room, memberId: member.memberId, ...user(member) });
  }

  memberLeft(member: MemberRef, reason: LeftReason): void {
    this.push({ type: 'member.left', timestamp: this.stamp(), room: member.room, memberId: member.memberId, ...user(member), reason });
  }

  settingsChanged(room: string, settings: RoomSettings): void {
    this.push({ type: 'settings.changed', timestamp: this.stamp(), room, settings });
  }

  /** Stops sending at once; events still queued are not sent (a failed start-up). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.shutdown.abort();
  }

  /**
   * At shutdown: sends what is queued without waiting for the batch window (a pending retry goes
   * at once, later retries wait at most until the deadline), then stops. Bounded by `drainMs`:
   * whatever is still queued then (or in a request that has not answered) is dropped and
   * counted. Resolves to the events sent and not sent.
   */
  async drain(): Promise<{ sent: number; unsent: number }> {
    if (this.stopped) return { sent: 0, unsent: 0 };
    const sentBefore = this.stats.sent;
    const abort = this.shutdown;
    const idle = new Promise<void>((resolve) => {
      this.draining = { until: Date.now() + this.options.drainMs, idle: resolve };
    });
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.inFlight && this.options.drainMs > 0) {
      const retry = this.retry;
      this.retry = undefined;
      void this.sendNext(retry?.attempt ?? 1, retry?.id ?? randomUUID());
    }
    const deadline = setTimeout(() => abort.abort(), this.options.drainMs);
    await Promise.race([idle, new Promise((resolve) => abort.signal.addEventListener('abort', resolve))]);
    clearTimeout(deadline);
    clearTimeout(this.timer);
    this.stopped = true;
    // A request still unanswered at the deadline is aborted; its events count as not sent.
    abort.abort();
    const unsent = this.queue.length;
    this.stats.dropped += unsent;
    this.queue = [];
    this.stats.queued = 0;
    const sent = this.stats.sent - sentBefore;
    if (unsent > 0) this.options.log.warn({ sent, unsent }, 'webhook events not sent before the shutdown deadline (RELAY_WEBHOOK_DRAIN_MS)');
    else this.options.log.info({ sent }, 'webhook queue flushed at shutdown');
    return { sent, unsent };
  }

  private stamp(): string {
    return new Date(this.now()).toISOString();
  }

  private push(event: WebhookEvent): void {
    if (this.stopped) return;
    if (this.queue.length >= this.options.queueMax) {
      this.stats.dropped++;
      return;
    }
    this.queue.push(event);
    this.stats.queued = this.queue.length;
    if (this.timer === undefined && !this.inFlight) this.schedule(this.options.batchMs);
  }

  private schedule(delayMs: number): void {
    // While draining, nothing waits for the batch window.
    if (this.draining !== undefined) delayMs = 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sendNext(1, randomUUID());
    }, delayMs);
    // Pending webhooks never keep the process alive.
    this.timer.unref();
  }

  /** Sends the head of the queue; on failure retries the same batch (same webhook-id) with backoff. */
  private async sendNext(attempt: number, id: string): Promise<void> {
    if (this.stopped) return;
    if (this.queue.length === 0) {
      this.draining?.idle();
      return;
    }
    this.inFlight = true;
    const batch = this.queue.slice(0, this.options.maxBatch);
    if (attempt > 1) this.stats.retried++;
    const ok = await this.post(id, batch);
    this.inFlight = false;
    if (this.stopped) return;
    if (ok) {
      this.stats.sent += batch.length;
      this.queue.splice(0, batch.length);
    } else {
      this.stats.failed++;
      if (attempt < this.options.maxAttempts) {
        const cap = Math.min(MAX_RETRY_DELAY_MS, this.options.retryBaseMs * 2 ** (attempt - 1));
        // Full jitter: receivers recovering from an outage are not hit by every relay at once.
        const delay = Math.round(cap / 2 + Math.random() * (cap / 2));
        this.retry = { attempt: attempt + 1, id };
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.retry = undefined;
          void this.sendNext(attempt + 1, id);
        }, this.draining === undefined ? delay : Math.min(delay, Math.max(0, this.draining.until - Date.now())));
        this.timer.unref();
        return;
      }
      this.options.log.warn({ events: batch.length, attempts: attempt }, 'webhook batch dropped after its last attempt');
      this.stats.dropped += batch.length;
      this.queue.splice(0, batch.length);
    }
    this.stats.queued = this.queue.length;
    if (this.queue.length > 0) this.schedule(0);
    else this.draining?.idle();
  }

  private async post(id: string, events: WebhookEvent[]): Promise<boolean> {
    const sentAt = new Date(this.now());
    const body = JSON.stringify({ type: 'roomcast.events', timestamp: sentAt.toISOString(), data: { events } });
    try {
      const res = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': this.signer.sign(id, sentAt, body),
        },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.shutdown.signal]),
      });
      // Drain the answer so the connection can be reused.
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 300;
    } catch (err) {
      this.options.log.debug({ err: String(err) }, 'webhook request failed');
      return false;
    }
  }
}

function user(member: MemberRef): { userId?: string } {
  return member.userId === undefined ? {} : { userId: member.userId };
}
