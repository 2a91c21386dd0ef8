// Live bytes-per-second indicator: counts every WebSocket message to and from the relay (frame
// header + payload, control frames included) through a thin WebSocket subclass handed to the SDK.
import type { WebSocketConstructor } from '@roomcast/client';

/** Width of the sliding window the rate is averaged over. */
export const WINDOW_MS = 2000;
const BUCKET_MS = 250;

/** Byte counter with a sliding-window rate. Time is passed in (pure, unit-tested). */
export class RateCounter {
  readonly #buckets = new Map<number, number>();
  #total = 0;

  /** Total bytes ever added. */
  get total(): number {
    return this.#total;
  }

  add(bytes: number, now: number): void {
    const bucket = Math.floor(now / BUCKET_MS);
    this.#buckets.set(bucket, (this.#buckets.get(bucket) ?? 0) + bytes);
    this.#total += bytes;
  }

  /** Bytes per second over the last WINDOW_MS. */
  rate(now: number): number {
    const newest = Math.floor(now / BUCKET_MS);
    const oldest = newest - WINDOW_MS / BUCKET_MS + 1;
    let sum = 0;
    for (const [bucket, bytes] of this.#buckets) {
      if (bucket < oldest) this.#buckets.delete(bucket);
      else sum += bytes;
    }
    return (sum * 1000) / WINDOW_MS;
  }
}

/** Bytes per second, compact: "0 B/s", "312 B/s", "4.2 kB/s". */
export function formatRate(bytesPerSec: number): string {
  if (bytesPerSec < 1000) return `${Math.round(bytesPerSec)} B/s`;
  if (bytesPerSec < 1_000_000) return `${(bytesPerSec / 1000).toFixed(1)} kB/s`;
  return `${(bytesPerSec / 1_000_000).toFixed(1)} MB/s`;
}

/** Traffic in both directions. */
export interface TrafficMeter {
  sent: RateCounter;
  received: RateCounter;
}

function byteLength(data: unknown): number {
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (typeof data === 'string') return new TextEncoder().encode(data).length;
  if (data instanceof Blob) return data.size;
  return 0;
}

/** A WebSocket class (for the SDK's `WebSocket` option) that counts message bytes into `meter`. */
export function countingWebSocket(meter: TrafficMeter, Base: typeof WebSocket = WebSocket): WebSocketConstructor {
  class CountingWebSocket extends Base {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event: MessageEvent) => meter.received.add(byteLength(event.data), performance.now()));
    }

    override send(data: Parameters<WebSocket['send']>[0]): void {
      super.send(data);
      meter.sent.add(byteLength(data), performance.now());
    }
  }
  return CountingWebSocket;
}
