// Counters of the bus, read by bus/metrics.ts at scrape time (plain numbers on the message path).
import { BusKind } from './envelope.js';

type ByKind = Record<BusKind, number>;
const byKind = (): ByKind => Object.fromEntries(Object.values(BusKind).map((kind) => [kind, 0])) as ByKind;

export class BusStats {
  /** Messages published to Redis, by kind. */
  readonly published: ByKind = byKind();
  /** Messages received from other nodes and handed to the core, by kind. */
  readonly received: ByKind = byKind();
  /** Messages not sent or not delivered: Redis down, a command failed, or too old on arrival. */
  readonly dropped = { down: 0, error: 0, stale: 0 };
  /** Messages of other nodes that never arrived here (jumps in their sequence numbers). */
  gaps = 0;
  /** Messages of an envelope version this node does not speak (another release), skipped. */
  unknownVersion = 0;
  /** Members of crashed nodes removed by this node. */
  reaped = 0;
  /** Times this node recovered from an outage (re-registered and resynchronised its rooms). */
  resyncs = 0;
}
