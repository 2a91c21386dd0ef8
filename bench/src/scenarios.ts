// The workloads of performance.md, sized for this 2-core machine. Rates marked "scaled" are below
// the guide's because one Node load generator sharing 2 cores with the server cannot receive the
// guide's full rates (540k deliveries/s for cursor-small at 60 Hz); saturation measures the ceiling.
import type { Options } from '@roomcast/loadtest';
import type { ServerKind } from './servers.js';

/** A server run in a scenario: a server kind, or a variant named in `Scenario.variants`. */
export type Label = ServerKind | 'roomcast-aa' | (string & {});

/** A labelled run with its own server and load options (e.g. the same relay at another input rate). */
export interface Variant {
  server: ServerKind;
  /** Overrides of the scenario's load options for this label. */
  options?: Partial<Options>;
  /** Extra environment of the server process. */
  env?: Record<string, string>;
  /**
   * The relay's transport the clients use: `ws` (default) or `tcp` (raw TCP, appendix A). With
   * `tcpListener` the relay opens its TCP listener either way, so both transports run the same relay.
   */
  transport?: 'ws' | 'tcp';
  tcpListener?: boolean;
  /**
   * Cluster scenarios (cluster-measure.ts): relay processes for this label; 1 = one relay without
   * Redis, 2 or more = that many relays sharing a new redis-server, clients alternating between them.
   */
  nodes?: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** Servers in each round; 'roomcast-aa' is a second, identical Roomcast run (the A/A pair). */
  labels: Label[];
  rounds: number;
  options: Partial<Options>;
  kind: 'traffic' | 'idle' | 'saturation' | 'knee';
  /** kind 'knee': the rooms of each step (knee.ts); every label steps up until its criterion fails. */
  steps?: number[];
  /**
   * kind 'knee': what the knees answer. 'ratio' (default): P3, Roomcast's knee over bare uWS's.
   * 'clients': how many clients each server holds within the budget (scale-steps, P8's curve).
   */
  kneeGoal?: 'ratio' | 'clients';
  /**
   * Pin the server to CPU 0 and the load generator (this process, its worker threads) to CPU 1
   * with taskset, so the two do not take turns on one core (less noise in latency figures).
   */
  pin?: boolean;
  /** Per-label server and option overrides; labels not listed run their own server kind with `options`. */
  variants?: Record<string, Variant>;
}

/** Room tick of the throttled scenario (the relay's default, set explicitly). */
export const THROTTLED_TICK_HZ = 30;

/**
 * cursor-throttled (issue 3's targets): 10-member rooms, every member sending a cursor at 60 Hz,
 * `latest` class at a 30 Hz room tick, against bare uWS pub/sub and Socket.IO relaying every message.
 *   roomcast, roomcast-aa  latest, 8-byte timestamped cursor: CPU, syscalls per tick, staleness
 *   roomcast-cursor3       latest, the SDK's 3-byte cursor without timestamp: wire bytes
 *   roomcast-120hz / -30hz latest at 120 Hz and 30 Hz input: downstream bytes per recipient
 *   uws                    reliable pass-through, 8-byte cursor: CPU per delivered message
 *   socketio               JSON cursors {x, y, t} (t: the load tester's timestamp)
 *   socketio-cursor3       JSON cursors {x, y}, no timestamp: what users would send
 */
export function throttledScenario(rooms: number, seconds: number, rounds: number): Scenario {
  const env = { RELAY_TICK_HZ: String(THROTTLED_TICK_HZ) };
  return {
    name: 'cursor-throttled', kind: 'traffic', rounds,
    labels: ['roomcast', 'roomcast-aa', 'roomcast-cursor3', 'roomcast-120hz', 'roomcast-30hz', 'uws', 'socketio', 'socketio-cursor3'],
    description: `${rooms} rooms x 10 members, every member sends a cursor at 60 Hz (unscaled), latest class at a ${THROTTLED_TICK_HZ} Hz room tick; `
      + 'uws and socketio relay every message (reliable pass-through); roomcast-120hz / -30hz change only the input rate; '
      + `*-cursor3 send 3-byte SDK cursors (Socket.IO: JSON {x, y}) without timestamps; ${seconds} s windows`,
    options: { cursor: true, workers: 1, probeRatio: 0.2, seed: 42, ramp: 2000, drainMs: 1500, rooms, perRoom: 10, hz: 60, seconds, warmup: 0.5, cls: 'latest' },
    variants: {
      'roomcast': { server: 'roomcast', env },
      'roomcast-aa': { server: 'roomcast', env },
      'roomcast-cursor3': { server: 'roomcast', env, options: { cursor3: true } },
      'roomcast-120hz': { server: 'roomcast', env, options: { hz: 120 } },
      'roomcast-30hz': { server: 'roomcast', env, options: { hz: 30 } },
      'uws': { server: 'uws', options: { cls: 'reliable' } },
      'socketio': { server: 'socketio', options: { cls: 'reliable' } },
      'socketio-cursor3': { server: 'socketio', options: { cls: 'reliable', cursor3: true } },
    },
  };
}


/** Per-client rates of the tcp-vs-ws steps (issue 17's table). */
export const TCP_VS_WS_HZ = [5, 10, 20, 30] as const;
export const tcpVsWsLabel = (transport: 'ws' | 'tcp', hz: number): string => `${transport}-${hz}hz`;
/** The step run twice per round (labels `ws-10hz-aa`, `tcp-10hz-aa`): the A/A noise band. */
export const TCP_VS_WS_AA_HZ = 10;

/**
 * tcp-vs-ws (issue 17): the same relay build and settings (TCP listener on for every run), rooms x
 * 10 members, 16-byte reliable frames, every member sending at 5, 10, 20 and 30 Hz; one label per
 * transport and rate, all interleaved in each round. Ratios TCP / WebSocket per rate step.
 * The full run uses 50 rooms, half of issue 17's 100: at 100 rooms the 20 and 30 Hz steps
 * (180k and 270k deliveries/s) were limited by the load generator on this shared 2-core machine
 * (flagged in most runs; WebSocket members then missed 99% delivery too), which measured the load
 * generator, not the relay.
 */
export function tcpVsWsScenario(rooms: number, seconds: number, rounds: number): Scenario {
  const variants: Record<string, Variant> = {};
  for (const hz of TCP_VS_WS_HZ) {
    for (const transport of ['ws', 'tcp'] as const) {
      variants[tcpVsWsLabel(transport, hz)] = { server: 'roomcast', transport, tcpListener: true, options: { hz } };
    }
  }
  // The A/A pairs: the 10 Hz runs once more in each round; their ratio to the first is the noise band.
  for (const transport of ['ws', 'tcp'] as const) {
    variants[`${tcpVsWsLabel(transport, TCP_VS_WS_AA_HZ)}-aa`] = { server: 'roomcast', transport, tcpListener: true, options: { hz: TCP_VS_WS_AA_HZ } };
  }
  return {
    name: 'tcp-vs-ws', kind: 'traffic', rounds, labels: Object.keys(variants), variants,
    description: `${rooms} rooms x 10 members, 16-byte reliable frames at ${TCP_VS_WS_HZ.join('/')} Hz per client, `
      + `members on WebSocket (ws-*) or raw TCP (tcp-*) of the same relay (TCP listener on in every run); ${seconds} s windows`,
    options: { cursor: false, payload: 16, cls: 'reliable', workers: 1, probeRatio: 0.2, seed: 42, ramp: 2000, drainMs: 1500, rooms, perRoom: 10, seconds, warmup: 1 },
  };
}

/** tcp-vs-ws-idle (issue 17): RSS per idle joined connection, TCP members vs WebSocket members of the same relay. */
export function tcpVsWsIdleScenario(rooms: number, rounds: number): Scenario {
  return {
    name: 'tcp-vs-ws-idle', kind: 'idle', rounds, labels: ['ws-idle', 'tcp-idle'],
    description: `${(rooms * 10).toLocaleString('en-US')} connections joined to ${rooms} rooms, no traffic, on WebSocket or raw TCP (TCP listener on in both): server RSS per connection`,
    options: { cursor: true, workers: 1, probeRatio: 0.2, seed: 42, ramp: 4000, drainMs: 1500, rooms, perRoom: 10, hz: 0, seconds: 1, warmup: 1 },
    variants: {
      'ws-idle': { server: 'roomcast', transport: 'ws', tcpListener: true },
      'tcp-idle': { server: 'roomcast', transport: 'tcp', tcpListener: true },
    },
  };
}

/**
 * scale-10k (issue 16 §1, goal P8): 10,000 clients in 1,000 rooms of 10, cursors at 30 Hz (the SDK
 * sends `latest` at most once per tick) with a duty of 1/6: each client moves its cursor in bursts
 * of about 1 s and rests about 5 s, 5 Hz per client on average (50,000 input frames/s). Roomcast
 * merges at a 30 Hz tick; bare uWS and Socket.IO relay every message (reliable pass-through).
 * The load generator: 2 worker threads, connections from 127.0.0.1-4 (descriptors: 10,000 sockets
 * in each process, within the 20,000 open-file limit).
 */
export function scaleScenario(seconds: number, rounds: number): Scenario {
  return {
    name: 'scale-10k', kind: 'traffic', rounds, labels: ['roomcast', 'uws', 'socketio'],
    description: `1,000 rooms x 10 members (10,000 clients), cursors at 30 Hz in bursts with duty 1/6 (5 Hz per client on average, 50k input frames/s); `
      + `roomcast: latest class at a ${THROTTLED_TICK_HZ} Hz tick; uws and socketio relay every message; load generator with 2 worker threads and 4 source addresses; ${seconds} s windows`,
    options: { cursor: true, workers: 2, sourceAddresses: 4, probeRatio: 0.05, seed: 42, ramp: 2500, drainMs: 2000, rooms: 1000, perRoom: 10,
      hz: 30, duty: 1 / 6, seconds, warmup: 2, cls: 'latest' },
    variants: {
      roomcast: { server: 'roomcast', env: { RELAY_TICK_HZ: String(THROTTLED_TICK_HZ) } },
      uws: { server: 'uws', options: { cls: 'reliable' } },
      socketio: { server: 'socketio', options: { cls: 'reliable' } },
    },
  };
}

/**
 * scale-steps (issue 16 §1, P8's curve): scale-10k's workload with the rooms stepped, so each
 * server's capacity on this machine reads as the most clients it held within 100 ms (Roomcast:
 * staleness p99; bare uWS and Socket.IO: delivered ≥ 99% and p99). Each label stops at its first
 * failed step (knee.ts).
 */
export function scaleStepsScenario(steps: number[], seconds: number): Scenario {
  const base = scaleScenario(seconds, 1);
  return {
    ...base, name: 'scale-steps', kind: 'knee', kneeGoal: 'clients', steps,
    description: `scale-10k's workload (rooms of 10, cursors at 30 Hz in bursts with duty 1/6: 5 Hz per client on average) with the rooms stepped ${steps.join(', ')}; `
      + `roomcast: latest class at a ${THROTTLED_TICK_HZ} Hz tick; uws and socketio relay every message; ${seconds} s windows`,
  };
}

/**
 * knee-10 / knee-100 (issue 16 §2): rooms of `perRoom` members, every member sending a 16-byte
 * timestamped value (the cursor size: 4-byte timestamp, 4-byte sequence, 8 bytes filler) at `hz`; the number of rooms
 * grows step by step (`steps`) until Roomcast's `latest` staleness p99 passes 100 ms, or bare uWS
 * delivers < 99% or its p99 passes 100 ms, or the load generator falls behind (knee.ts).
 */
export function kneeScenario(perRoom: number, hz: number, steps: number[], seconds: number): Scenario {
  return {
    name: `knee-${perRoom}`, kind: 'knee', rounds: 1, labels: ['roomcast', 'uws'], steps,
    description: `rooms of ${perRoom} members, 16-byte timestamped values at ${hz} Hz per member, rooms stepped ${steps.join(', ')}; `
      + `roomcast: latest class (key 0) at a ${THROTTLED_TICK_HZ} Hz tick; uws: reliable pass-through; ${seconds} s windows`,
    options: { cursor: false, payload: 16, workers: 2, sourceAddresses: 2, probeRatio: 0.05, seed: 42, ramp: 4000, drainMs: 1500, perRoom, hz, seconds, warmup: 1, cls: 'latest' },
    variants: {
      roomcast: { server: 'roomcast', env: { RELAY_TICK_HZ: String(THROTTLED_TICK_HZ) } },
      uws: { server: 'uws', options: { cls: 'reliable' } },
    },
  };
}

/**
 * latest-cost (issue 16 §2): server CPU per input frame in 10-member rooms at 30 Hz input (what
 * the SDK sends with `latest`), below both knees: Roomcast merging at a 30 Hz tick vs bare uWS
 * relaying every frame, with an A/A pair each.
 */
export function latestCostScenario(rooms: number, seconds: number, rounds: number): Scenario {
  const env = { RELAY_TICK_HZ: String(THROTTLED_TICK_HZ) };
  return {
    name: 'latest-cost', kind: 'traffic', rounds, labels: ['roomcast', 'roomcast-aa', 'uws', 'uws-aa'], pin: true,
    description: `${rooms} rooms x 10 members, 8-byte timestamped cursors at 30 Hz per member; roomcast: latest at a ${THROTTLED_TICK_HZ} Hz tick; uws: reliable pass-through; `
      + `server pinned to CPU 0, load generator to CPU 1; ${seconds} s windows`,
    options: { cursor: true, workers: 1, probeRatio: 0.1, seed: 42, ramp: 2000, drainMs: 1500, rooms, perRoom: 10, hz: 30, seconds, warmup: 1, cls: 'latest' },
    variants: {
      'roomcast': { server: 'roomcast', env },
      'roomcast-aa': { server: 'roomcast', env },
      'uws': { server: 'uws', options: { cls: 'reliable' } },
      'uws-aa': { server: 'uws', options: { cls: 'reliable' } },
    },
  };
}

/**
 * p4-pinned (issue 16 §4): the cursor-small load (100 x 10 at 10 Hz, reliable) with the server on
 * CPU 0 and the load generator on CPU 1, and A/A pairs for both servers: pass-through p99 vs bare uWS.
 */
export function p4PinnedScenario(seconds: number, rounds: number): Scenario {
  return {
    name: 'p4-pinned', kind: 'traffic', rounds, labels: ['roomcast', 'roomcast-aa', 'uws', 'uws-aa'], pin: true,
    description: `100 rooms x 10 members, reliable cursors at 10 Hz (cursor-small), server pinned to CPU 0 and load generator to CPU 1; ${seconds} s windows`,
    options: { cursor: true, workers: 1, probeRatio: 0.2, seed: 42, ramp: 2000, drainMs: 1500, rooms: 100, perRoom: 10, hz: 10, seconds, warmup: 1 },
    variants: { 'roomcast': { server: 'roomcast' }, 'roomcast-aa': { server: 'roomcast' }, 'uws': { server: 'uws' }, 'uws-aa': { server: 'uws' } },
  };
}

/** Issue 16's scenarios, by name (each also runs alone with --only). */
export function scaleScenarios(quick: boolean): Scenario[] {
  return [
    scaleScenario(quick ? 3 : 5, quick ? 1 : 2),
    scaleStepsScenario(quick ? [100, 300] : [100, 200, 400, 500, 600, 700, 800, 1000], quick ? 2 : 4),
    // From 25 rooms: on this machine the knee of 10-member rooms lay between 50 and 100 rooms, and P4b is read at half of it.
    kneeScenario(10, 30, quick ? [25, 100, 400, 1000] : [25, 50, 70, 100, 200, 250, 300, 400, 700, 1000, 1500], quick ? 2 : 3),
    // 10 Hz: with the first load generator bare uWS's knee in 100-member rooms lay near 2 rooms (198k messages/s); with
    // the cheaper one (ws-link) on a quiet machine neither server failed at 12 rooms (1.19M/s), so the grid goes on to 48.
    kneeScenario(100, 10, quick ? [1, 3, 6] : [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 36, 40, 44, 48], quick ? 2 : 3),
    latestCostScenario(50, quick ? 2 : 4, quick ? 3 : 7),
    p4PinnedScenario(quick ? 2 : 4, quick ? 3 : 9),
  ];
}

const ALL: Label[] = ['roomcast', 'roomcast-aa', 'uws', 'ws', 'socketio'];
const NO_AA: Label[] = ['roomcast', 'uws', 'ws', 'socketio'];

/**
 * The scenarios of a run. Quick mode leaves cursor-throttled out (to stay under 3 minutes) unless
 * `only` names it: `pnpm bench --quick --only cursor-throttled` runs its 3-round quick variant.
 */
export function scenarios(quick: boolean, only?: readonly string[]): Scenario[] {
  const common: Partial<Options> = { cursor: true, workers: 1, probeRatio: 0.2, seed: 42, ramp: 2000, drainMs: 1500 };
  if (quick) {
    return [
      { name: 'cursor-small', kind: 'traffic', labels: ALL, rounds: 5,
        description: '30 rooms x 10 members, cursor at 20 Hz (scaled from 100 x 10 at 60 Hz), 2 s windows',
        options: { ...common, rooms: 30, perRoom: 10, hz: 20, seconds: 2, warmup: 0.5 } },
      { name: 'cursor-big-room', kind: 'traffic', labels: NO_AA, rounds: 1,
        description: '5 rooms x 100 members, cursor at 1 Hz (scaled from 30 Hz), 2 s windows',
        options: { ...common, rooms: 5, perRoom: 100, hz: 1, seconds: 2, warmup: 0.5 } },
      { name: 'idle', kind: 'idle', labels: NO_AA, rounds: 1,
        description: '2,000 connections joined to 200 rooms, no traffic (scaled from 10,000 / 1,000)',
        options: { ...common, rooms: 200, perRoom: 10, hz: 0, seconds: 1, warmup: 0.5, ramp: 4000 } },
      ...(only?.includes('cursor-throttled') ? [throttledScenario(10, 2, 3)] : []),
      ...(only?.includes('tcp-vs-ws') ? [tcpVsWsScenario(30, 2, 3)] : []),
      ...(only?.includes('tcp-vs-ws-idle') ? [tcpVsWsIdleScenario(200, 1)] : []),
      ...scaleScenarios(true).filter((x) => only?.includes(x.name)),
    ];
  }
  return [
    { name: 'cursor-small', kind: 'traffic', labels: ALL, rounds: 5,
      description: '100 rooms x 10 members, cursor at 10 Hz (scaled from 60 Hz: 90k deliveries/s offered), 4 s windows',
      options: { ...common, rooms: 100, perRoom: 10, hz: 10, seconds: 4, warmup: 1 } },
    { name: 'cursor-big-room', kind: 'traffic', labels: ALL, rounds: 5,
      description: '5 rooms x 100 members, cursor at 2 Hz (scaled from 30 Hz: 99k deliveries/s offered), 4 s windows',
      options: { ...common, rooms: 5, perRoom: 100, hz: 2, seconds: 4, warmup: 1 } },
    { name: 'idle', kind: 'idle', labels: NO_AA, rounds: 3,
      description: '10,000 connections joined to 1,000 rooms, no traffic: server RSS per connection',
      options: { ...common, rooms: 1000, perRoom: 10, hz: 0, seconds: 1, warmup: 1, ramp: 4000 } },
    { name: 'churn', kind: 'traffic', labels: NO_AA, rounds: 3,
      description: 'cursor-small (10 Hz) plus 200 connects + disconnects per second',
      options: { ...common, rooms: 100, perRoom: 10, hz: 10, seconds: 4, warmup: 1, churn: 200 } },
    { name: 'slow-consumer', kind: 'traffic', labels: NO_AA, rounds: 3,
      description: 'cursor-small (10 Hz) with 5% of receivers reading at 10% speed; p99 of the others and server RSS',
      options: { ...common, rooms: 100, perRoom: 10, hz: 10, seconds: 6, warmup: 1, slowRatio: 0.05, slowSpeed: 0.1 } },
    { name: 'saturation', kind: 'saturation', labels: NO_AA, rounds: 1,
      description: 'cursor-small shape (100 x 10), per-client rate stepped x1.5 from 5 Hz until delivered < 99% or p99 > 100 ms; 2 s steps',
      options: { ...common, rooms: 100, perRoom: 10, hz: 5, seconds: 2, warmup: 1, saturate: true, stepFactor: 1.5, maxSteps: 8, budgetMs: 100 } },
    throttledScenario(10, 4, 5),
    tcpVsWsScenario(50, 4, 5),
    tcpVsWsIdleScenario(1000, 3),
    ...scaleScenarios(false),
  ];
}
