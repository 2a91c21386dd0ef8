// Prometheus metrics (prom-client). The core keeps plain counters (core/stats.ts); they are read
// here only when /metrics is scraped, so the hot path never calls into the metrics library.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ERROR_CODE_NAMES, type CloseName } from '@roomcast/protocol';
import type { Relay } from '../core/relay.js';
import { REFUSAL_REASONS } from '../core/addresses.js';
import { HELLO_RESULTS, LIMIT_NAMES, REFRESH_RESULTS } from '../core/stats.js';

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
  // Default metric names start with process_ or nodejs_ already: roomcast_process_cpu_seconds_total.
  collectDefaultMetrics({ register: registry, prefix: 'roomcast_' });
  const s = relay.stats;

  gauge(registry, 'roomcast_connections', 'Open client connections.', () => relay.connections.size);
  new Gauge({
    name: 'roomcast_transport_connections', help: 'Open client connections, by transport (ws, tcp).', labelNames: ['transport'], registers: [registry],
    collect() {
      // O(connections), at scrape time only; both transports always appear, with 0 when unused.
      const counts: Record<string, number> = { ws: 0, tcp: 0 };
      for (const conn of relay.connections) counts[conn.peer.transport] = (counts[conn.peer.transport] ?? 0) + 1;
      this.reset();
      for (const [transport, n] of Object.entries(counts)) this.set({ transport }, n);
    },
  });
  gauge(registry, 'roomcast_rooms', 'Live rooms.', () => relay.rooms.size);
  mirroredCounter(registry, 'roomcast_rooms_expired_total', 'Rooms created by the server API and closed because nobody joined within RELAY_EMPTY_ROOM_TTL_SEC.', [], () => [[{}, s.emptyRoomsExpired]]);
  gauge(registry, 'roomcast_members', 'Room memberships over all rooms.', () => relay.rooms.memberCount());
  mirroredCounter(registry, 'roomcast_connections_opened_total', 'Connections accepted.', [], () => [[{}, s.connectionsOpened]]);
  mirroredCounter(registry, 'roomcast_connections_refused_total',
    'Connections refused before opening (HTTP 429/503 before the upgrade, TCP close 4429/1013), by reason: connections_per_ip, connect_rate, flood_cooldown, connections, tracked_addresses.',
    ['reason'], () => REFUSAL_REASONS.map((reason) => [{ reason }, s.refused[reason]]));
  gauge(registry, 'roomcast_tracked_addresses', 'Client addresses the relay remembers (open connections, leftover budgets, cool-downs).', () => relay.connections.addresses.size);
  const byKind = (counts: Record<string, number>): Sample[] => Object.entries(counts).map(([kind, n]) => [{ kind }, n]);
  mirroredCounter(registry, 'roomcast_frames_in_total', 'Frames received from clients, by kind (control, or the delivery class of a data frame).', ['kind'],
    () => byKind(s.framesIn));
  mirroredCounter(registry, 'roomcast_frames_out_total', 'Frames sent to clients (per recipient), by kind; batch frames count as latest.', ['kind'],
    () => byKind(s.framesOut));
  mirroredCounter(registry, 'roomcast_latest_updates_out_total', 'Latest values delivered (batch entries times recipients).', [], () => [[{}, s.latestUpdatesOut]]);
  mirroredCounter(registry, 'roomcast_merges_total', 'Latest values replaced before their tick flushed them.', [], () => [[{}, s.merges]]);
  mirroredCounter(registry, 'roomcast_drops_total', 'Droppable frames not delivered (per recipient): recipient behind, or a budget exceeded.', [], () => [[{}, s.drops]]);
  mirroredCounter(registry, 'roomcast_ticks_total', 'Room ticks that sent a batch.', [], () => [[{}, s.ticks]]);
  mirroredCounter(registry, 'roomcast_skipped_ticks_total', 'Ticks a lagging member missed, plus ticks skipped for a room output budget.', [], () => [[{}, s.skippedTicks]]);
  mirroredCounter(registry, 'roomcast_snapshots_total', 'Snapshots of latest values sent (join, recovery after lag).', [], () => [[{}, s.snapshots]]);
  mirroredCounter(registry, 'roomcast_lag_starts_total', 'Times a connection passed the soft send-buffer limit and started skipping ticks.', [], () => [[{}, s.lagStarts]]);
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
  // Identity and access: outcomes only, never user ids or tokens in labels.
  mirroredCounter(registry, 'roomcast_auth_hellos_total', 'Hellos by result: anonymous, token (welcomed with a verified token), or the refusal code.', ['result'],
    () => HELLO_RESULTS.map((result) => [{ result }, s.hellos[result]]));
  mirroredCounter(registry, 'roomcast_auth_refreshes_total', 'Token refreshes by result: ok, or the refusal code.', ['result'],
    () => REFRESH_RESULTS.map((result) => [{ result }, s.refreshes[result]]));
  mirroredCounter(registry, 'roomcast_origin_refused_total', 'WebSocket upgrades refused with 403 for their Origin.', [], () => [[{}, s.originRefused]]);
  return registry;
}

/**
 * Per-room output rate: a histogram of each live room's bytes per second, observed once a second
 * (a per-room label would be unbounded). Returns a function to call every second.
 */
export function roomOutputSampler(registry: Registry, relay: Relay): () => void {
  const histogram = new Histogram({
    name: 'roomcast_room_bytes_out_per_sec',
    help: 'Bytes per second sent to the members of one room, sampled each second per active room.',
    buckets: [1e3, 1e4, 1e5, 1e6, 1e7, 1e8],
    registers: [registry],
  });
  const last = new WeakMap<object, number>();
  let lastAt = performance.now();
  return () => {
    const now = performance.now();
    const seconds = (now - lastAt) / 1000;
    lastAt = now;
    if (seconds <= 0) return;
    for (const room of relay.rooms.all()) {
      const before = last.get(room) ?? 0;
      last.set(room, room.bytesOut);
      if (room.bytesOut > before) histogram.observe((room.bytesOut - before) / seconds);
    }
  };
}
