// Prometheus metrics of the bus, registered next to the relay's (http/metrics.ts) when REDIS_URL
// is set. Counters are read from BusStats at scrape time; the latency histogram is observed per
// message received from another node (send time on that node to receipt here, wall clock).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BUS_KIND_NAMES, type BusKind } from './envelope.js';
import type { RedisBus } from './redis-bus.js';

function byKind(counts: Record<BusKind, number>): [string, number][] {
  return (Object.entries(counts) as unknown as [BusKind, number][]).map(([kind, n]) => [BUS_KIND_NAMES[kind], n]);
}

function mirrored(registry: Registry, name: string, help: string, label: string | undefined, read: () => [string, number][]): void {
  new Counter({
    name, help, labelNames: label === undefined ? [] : [label], registers: [registry],
    collect() {
      this.reset();
      for (const [value, n] of read()) {
        if (label === undefined) this.inc(n);
        else this.inc({ [label]: value }, n);
      }
    },
  });
}

export function registerBusMetrics(registry: Registry, bus: RedisBus): void {
  const s = bus.stats;
  new Gauge({
    name: 'roomcast_bus_up', help: '1 while the cluster bus (Redis) is reachable, 0 while degraded.', registers: [registry],
    collect() { this.set(bus.state === 'up' ? 1 : 0); },
  });
  mirrored(registry, 'roomcast_bus_published_total', 'Messages this node published to its rooms\' channels, by kind (frame, joined, updated, left, latest, settings, host, away, back).', 'kind', () => byKind(s.published));
  mirrored(registry, 'roomcast_bus_received_total', 'Messages from other nodes handed to local rooms, by kind.', 'kind', () => byKind(s.received));
  mirrored(registry, 'roomcast_bus_dropped_total', 'Bus messages dropped, by reason: down (Redis unreachable), error (command failed or timed out), stale (arrived too late).', 'reason',
    () => Object.entries(s.dropped));
  mirrored(registry, 'roomcast_bus_gaps_total', 'Messages of other nodes that never arrived here (jumps in their per-room sequence numbers): cross-node frames lost without notice.', undefined,
    () => [['', s.gaps]]);
  mirrored(registry, 'roomcast_bus_unknown_version_total', 'Bus messages skipped because their envelope version is not this release\'s (nodes of another release on the same Redis).', undefined,
    () => [['', s.unknownVersion]]);
  mirrored(registry, 'roomcast_bus_reaped_members_total', 'Members of crashed nodes (expired leases) this node removed.', undefined, () => [['', s.reaped]]);
  mirrored(registry, 'roomcast_bus_resyncs_total', 'Recoveries from a Redis outage (rooms re-registered and resynchronised).', undefined, () => [['', s.resyncs]]);
  const latency = new Histogram({
    name: 'roomcast_bus_latency_seconds',
    help: 'Age of a message from another node when it arrives here (send to receipt, wall clock).',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  bus.onLatency = (ms) => latency.observe(ms / 1000);
}
