// The workloads of performance.md, sized for this 2-core machine. Rates marked "scaled" are below
// the guide's because one Node load generator sharing 2 cores with the server cannot receive the
// guide's full rates (540k deliveries/s for cursor-small at 60 Hz); saturation measures the ceiling.
import type { Options } from '@roomcast/loadtest';
import type { ServerKind } from './servers.js';

export type Label = ServerKind | 'roomcast-aa';

export interface Scenario {
  name: string;
  description: string;
  /** Servers in each round; 'roomcast-aa' is a second, identical Roomcast run (the A/A pair). */
  labels: Label[];
  rounds: number;
  options: Partial<Options>;
  kind: 'traffic' | 'idle' | 'saturation';
}

const ALL: Label[] = ['roomcast', 'roomcast-aa', 'uws', 'ws', 'socketio'];
const NO_AA: Label[] = ['roomcast', 'uws', 'ws', 'socketio'];

export function scenarios(quick: boolean): Scenario[] {
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
  ];
}
