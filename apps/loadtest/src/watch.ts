// Watches a running load test for the loss of every connection (the relay stopped or crashed)
// and cuts its waits short, so that a run which stopped loading ends at once instead of waiting
// out its warm-up, window and drain.
import type { DriverHandle } from './pool.js';

/** How often the drivers are asked how many clients are still connected. */
export const WATCH_INTERVAL_MS = 250;

export class ConnectionWatch {
  /** True once no driver has a connected client left. */
  lost = false;
  private readonly wakers = new Set<() => void>();
  private readonly timer: NodeJS.Timeout;
  private busy = false;

  constructor(drivers: readonly DriverHandle[]) {
    this.timer = setInterval(() => {
      if (this.busy || this.lost) return;
      this.busy = true;
      Promise.all(drivers.map((d) => d.alive())).then((alive) => {
        if (alive.reduce((a, b) => a + b, 0) > 0) return;
        this.lost = true;
        for (const wake of [...this.wakers]) wake();
      }, () => {}).finally(() => { this.busy = false; });
    }, WATCH_INTERVAL_MS);
  }

  /** Sleeps `ms`, or less if every connection is lost meanwhile. */
  sleep(ms: number): Promise<void> {
    if (this.lost) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.wakers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  stop(): void {
    clearInterval(this.timer);
    for (const wake of [...this.wakers]) wake();
  }
}
