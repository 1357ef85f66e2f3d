import { Histogram } from './histogram.js';

/** Bounds of the event-loop lag histogram, in seconds. */
export const LAG_BUCKETS_S: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * How late the event loop runs a timer due every `everyMs`: each firing observes (in seconds) how much
 * later than due it ran. Work that holds the thread for 300 ms shows as one observation near 0.3 s; on
 * an idle loop observations stay near 0. The timer is unref'd: it never keeps a process alive.
 */
export class EventLoopLag {
  readonly histogram = new Histogram(LAG_BUCKETS_S);
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly everyMs = 25) {
    if (!(everyMs > 0)) throw new RangeError(`EventLoopLag: everyMs must be above 0 (got ${everyMs})`);
  }

  start(): this {
    if (this.timer !== null) return this;
    let due = performance.now() + this.everyMs;
    this.timer = setInterval(() => {
      const now = performance.now();
      const lagS = Math.max(0, now - due) / 1000;
      this.histogram.observe(lagS);
      due = now + this.everyMs;
    }, this.everyMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
