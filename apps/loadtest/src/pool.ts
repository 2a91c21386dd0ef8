// The main thread's view of the drivers: the same calls whether a driver runs in a worker
// thread (one per --workers) or in-process (--workers 0).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Driver, splitRooms, type ConnectResult, type DriverConfig, type FinalResult, type Progress, type WindowResult } from './driver.js';
import type { Options } from './args.js';

export type Method = 'connect' | 'start' | 'setHz' | 'beginWindow' | 'endWindow' | 'counts' | 'collect' | 'progress' | 'alive' | 'stop';
export interface DriverCall { id: number; method: Method; arg?: unknown }

export interface DriverHandle {
  connect(): Promise<ConnectResult>;
  start(): Promise<void>;
  setHz(hz: number): Promise<void>;
  beginWindow(): Promise<void>;
  endWindow(): Promise<{ elu: number }>;
  counts(): Promise<{ expected: number; delivered: number }>;
  collect(): Promise<WindowResult>;
  progress(): Promise<Progress>;
  alive(): Promise<number>;
  stop(): Promise<FinalResult>;
}

/** The compiled worker script: next to this file when built, else in ../dist (tests run from src). */
export function workerScript(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL('../dist/worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error('worker threads need the built load tester (apps/loadtest/dist/worker.js): run its build, or use --workers 0');
}

class InProcess implements DriverHandle {
  private readonly d: Driver;
  constructor(config: DriverConfig) { this.d = new Driver(config); }
  connect() { return this.d.connect(); }
  async start() { this.d.start(); }
  async setHz(hz: number) { this.d.setHz(hz); }
  async beginWindow() { this.d.beginWindow(); }
  async endWindow() { return this.d.endWindow(); }
  async counts() { return this.d.counts(); }
  async collect() { return this.d.collect(); }
  async progress() { return this.d.progress(); }
  async alive() { return this.d.alive(); }
  stop() { return this.d.stop(); }
}

class InWorker implements DriverHandle {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(config: DriverConfig) {
    // execArgv: [] so a parent started with --conditions=roomcast-source (vitest) does not make the
    // worker resolve workspace packages to TypeScript sources.
    this.worker = new Worker(workerScript(), { workerData: config, execArgv: [] });
    this.worker.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
    const failAll = (err: Error): void => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', failAll);
    this.worker.on('exit', () => failAll(new Error('load-test worker exited')));
  }

  private call<T>(method: Method, arg?: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, arg } satisfies DriverCall);
    });
  }

  connect() { return this.call<ConnectResult>('connect'); }
  start() { return this.call<void>('start'); }
  setHz(hz: number) { return this.call<void>('setHz', hz); }
  beginWindow() { return this.call<void>('beginWindow'); }
  endWindow() { return this.call<{ elu: number }>('endWindow'); }
  counts() { return this.call<{ expected: number; delivered: number }>('counts'); }
  collect() { return this.call<WindowResult>('collect'); }
  progress() { return this.call<Progress>('progress'); }
  alive() { return this.call<number>('alive'); }
  async stop() {
    const r = await this.call<FinalResult>('stop');
    await this.worker.terminate().catch(() => 0);
    return r;
  }
}

/** Creates the drivers for a run: whole rooms are split round-robin over them. */
export function createDrivers(options: Options): DriverHandle[] {
  const n = Math.max(1, Math.min(options.workers, options.rooms));
  return splitRooms(options.rooms, n).map((rooms, driverIndex) => {
    const config: DriverConfig = { options, rooms, driverIndex, drivers: n };
    return options.workers === 0 ? new InProcess(config) : new InWorker(config);
  });
}
