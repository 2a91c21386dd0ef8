// Prometheus metrics (prom-client). The core keeps plain counters (core/stats.ts); they are read
// here only when /metrics is scraped, so the hot path never calls into the metrics library.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { ERROR_CODE_NAMES, type CloseName } from '@roomcast/protocol';
import type { Relay } from '../core/relay.js';
import { LIMIT_NAMES } from '../core/stats.js';

type Sample = [labels: Record<string, string>, value: number];

/** A counter whose value is read from elsewhere at scrape time. */
function mirroredCounter(registry: Registry, name: string, help: string, labelNames: string[], read: () => Sample[]): void {
  new Counter({
    name, help, labelNames, registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) {
        if (value > 0) this.inc(labels, value);
        else this.inc(labels, 0);
      }
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
}

/** Builds the registry for one relay: default Node metrics (event-loop lag, heap, CPU) plus ours. */
export function createMetrics(relay: Relay): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'roomcast_process_' });
  const s = relay.stats;

  gauge(registry, 'roomcast_connections', 'Open client connections.', () => relay.connections.size);
  gauge(registry, 'roomcast_rooms', 'Live rooms.', () => relay.rooms.size);
  gauge(registry, 'roomcast_members', 'Room memberships over all rooms.', () => relay.rooms.memberCount());
  mirroredCounter(registry, 'roomcast_connections_opened_total', 'Connections accepted.', [], () => [[{}, s.connectionsOpened]]);
  mirroredCounter(registry, 'roomcast_frames_in_total', 'Frames received from clients, by kind.', ['kind'],
    () => [[{ kind: 'control' }, s.framesIn.control], [{ kind: 'data' }, s.framesIn.data]]);
  mirroredCounter(registry, 'roomcast_frames_out_total', 'Frames sent to clients (per recipient), by kind.', ['kind'],
    () => [[{ kind: 'control' }, s.framesOut.control], [{ kind: 'data' }, s.framesOut.data]]);
  mirroredCounter(registry, 'roomcast_bytes_in_total', 'Frame bytes received from clients.', [], () => [[{}, s.bytesIn]]);
  mirroredCounter(registry, 'roomcast_bytes_out_total', 'Frame bytes sent to clients (per recipient).', [], () => [[{}, s.bytesOut]]);
  mirroredCounter(registry, 'roomcast_errors_total', 'Error frames sent, by code.', ['code'],
    () => ERROR_CODE_NAMES.map((code) => [{ code }, s.errors[code]]));
  mirroredCounter(registry, 'roomcast_limit_hits_total', 'Times a limit was hit, by limit.', ['limit'],
    () => LIMIT_NAMES.map((limit) => [{ limit }, s.limitHits[limit]]));
  mirroredCounter(registry, 'roomcast_closes_total', 'Connections the relay closed, by close reason.', ['reason'],
    () => (Object.entries(s.closes) as [CloseName, number][]).map(([reason, n]) => [{ reason }, n]));
  mirroredCounter(registry, 'roomcast_backpressure_closes_total', 'Connections closed because their send buffer passed the hard cap.', [],
    () => [[{}, s.closes.slow_consumer ?? 0]]);
  return registry;
}
