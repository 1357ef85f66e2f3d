import type { Logger } from 'pino';

/** The levels a RateLimitedLog writes at. */
export type RateLimitedLevel = 'info' | 'warn' | 'error';

/** How a RateLimitedLog treats the lines it holds back. */
export interface RateLimitedLogOptions {
  /**
   * `'count'` (default): dropped, and their number is added to the next line written for the key as
   * `suppressed`. `'debug'`: written at debug level instead, uncounted (for lines worth keeping when
   * debugging, such as each reject).
   */
  readonly heldBack?: 'count' | 'debug';
  /** The clock, in milliseconds (tests). */
  readonly now?: () => number;
}

/**
 * Logs the first event of a kind (a key), then at most one line per `intervalMs` for that key,
 * carrying how many were suppressed in between: transport trouble must not produce one log line per
 * result, nor a broken hub one line per connection attempt.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  private readonly now: () => number;
  private readonly heldBack: 'count' | 'debug';

  constructor(private readonly logger: Pick<Logger, RateLimitedLevel | 'debug'>, private readonly intervalMs: number, options: RateLimitedLogOptions = {}) {
    this.now = options.now ?? Date.now;
    this.heldBack = options.heldBack ?? 'count';
  }

  info(key: string, obj: Record<string, unknown>, msg: string): void {
    this.log('info', key, obj, msg);
  }

  warn(key: string, obj: Record<string, unknown>, msg: string): void {
    this.log('warn', key, obj, msg);
  }

  error(key: string, obj: Record<string, unknown>, msg: string): void {
    this.log('error', key, obj, msg);
  }

  /** Writes at `level` unless a line for `key` was written less than `intervalMs` ago. */
  log(level: RateLimitedLevel, key: string, obj: Record<string, unknown>, msg: string): void {
    const now = this.now();
    const seen = this.last.get(key);
    if (seen && now - seen.at < this.intervalMs) {
      if (this.heldBack === 'debug') this.logger.debug(obj, msg);
      else seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.last.set(key, { at: now, suppressed: 0 });
    this.logger[level](suppressed > 0 ? { ...obj, suppressed } : obj, msg);
  }
}
