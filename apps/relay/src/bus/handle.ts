// What the bus's helpers (calls.ts, store.ts, seats.ts) use of the bus (redis-bus.ts implements
// it): a type of its own, so those files and redis-bus.ts do not import each other.
import type { RoomSettings } from '@roomcast/protocol';
import type { ClusterInbox } from '../core/cluster.js';
import type { Log } from '../core/log.js';
import type { RedisClient } from './connection.js';
import type { BusKind } from './envelope.js';
import type { BusState } from './receiver.js';
import type { BusStats } from './stats.js';

type Script = (...args: (string | number)[]) => Promise<unknown>;
export interface Scripts {
  rcClaim: Script;
  rcTake: Script;
  rcRelease: Script;
  rcUpdate: Script;
  rcReap: Script;
  rcAdopt: Script;
  rcReclaim: Script;
  rcHost: Script;
  rcCreate: Script;
  rcSettings: Script;
  rcDropEmpty: Script;
  rcExpireCreated: Script;
}

/** The bus as its helpers see it. */
export interface BusHandle {
  readonly nodeId: string;
  readonly leaseTtlMs: number;
  readonly cmd: RedisClient;
  readonly log: Log;
  readonly stats: BusStats;
  readonly inbox: ClusterInbox | undefined;
  readonly state: BusState;
  readonly scripts: Scripts;
  /** Settings of a room whose stored settings lack a field. */
  readonly defaults: RoomSettings;
  send(room: string, kind: BusKind, member: number, body: Uint8Array): void;
  listen(room: string): Promise<unknown>;
  unlisten(room: string): void;
  track<T>(p: Promise<T>): Promise<T>;
  quiet(p: Promise<unknown>): void;
}
