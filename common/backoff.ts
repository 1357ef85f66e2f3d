/**
 * How a delay is spread below its ceiling, so that many clients failing together (agents losing the
 * hub at once) do not retry in lockstep (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * `'equal'` waits between half the ceiling and the ceiling, `'full'` between 0 and the ceiling,
 * `'none'` the ceiling itself.
 */
export type Jitter = 'none' | 'equal' | 'full';

/** A backoff schedule: base × 2^attempt, capped, then jittered. */
export interface BackoffOptions {
  /** The ceiling of the first delay, in milliseconds. */
  readonly baseMs: number;
  /** The largest ceiling, in milliseconds. */
  readonly maxMs: number;
  /** Default `'equal'`: a retry never comes sooner than half the un-jittered delay. */
  readonly jitter?: Jitter;
  /** A number in [0, 1), as Math.random (the default) gives; tests pass a fixed one. */
  readonly random?: () => number;
}

/** The un-jittered delay before retry number `attempt` (counted from 0): baseMs × 2^attempt, at most maxMs. */
export function backoffCeiling(attempt: number, baseMs: number, maxMs: number): number {
  // 2^1024 is Infinity and Infinity × 0 is NaN: past 2^52 the cap has long been reached anyway
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 52));
}

/** `ceilingMs` spread by `jitter`; whole milliseconds, from 0 to ceilingMs. */
export function jittered(ceilingMs: number, jitter: Jitter = 'equal', random: () => number = Math.random): number {
  if (jitter === 'none') return ceilingMs;
  const low = jitter === 'equal' ? ceilingMs / 2 : 0;
  return Math.min(ceilingMs, Math.round(low + random() * (ceilingMs - low)));
}

/** The jittered delay before retry number `attempt` (counted from 0). */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  return jittered(backoffCeiling(attempt, options.baseMs, options.maxMs), options.jitter, options.random);
}

/**
 * A retry loop's backoff: `next()` gives the delay before the next attempt and moves on; `reset()`
 * after a success starts again from the base.
 */
export class Backoff {
  private attempt = 0;
  constructor(private readonly options: BackoffOptions) {}

  /** Retries since the last reset (or the start). */
  get attempts(): number {
    return this.attempt;
  }

  next(): number {
    return backoffDelay(this.attempt++, this.options);
  }

  reset(): void {
    this.attempt = 0;
  }
}
