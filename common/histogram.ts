/** A histogram's cumulative counts, as Prometheus exposes one. */
export interface HistogramSnapshot {
  /** Upper bounds, ascending, each with how many observations were at most it; the last bound is +Inf. */
  readonly buckets: readonly { readonly le: number; readonly count: number }[];
  readonly sum: number;
  readonly count: number;
}

/**
 * Counts observations into fixed buckets, cumulative since it was made (a Prometheus histogram: rates
 * and quantiles are computed from two scrapes). Non-finite observations are ignored.
 */
export class Histogram {
  private readonly bounds: readonly number[];
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(bounds: readonly number[]) {
    if (bounds.length === 0 || bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]!))) {
      throw new RangeError(`Histogram: bounds must be finite and ascending (got ${bounds.join(', ')})`);
    }
    this.bounds = [...bounds];
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }

  snapshot(): HistogramSnapshot {
    let running = 0;
    const buckets = this.counts.map((c, i) => {
      running += c;
      return { le: this.bounds[i] ?? Infinity, count: running };
    });
    return { buckets, sum: this.sum, count: this.count };
  }
}
