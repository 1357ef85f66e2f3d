import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Gives up after this long (default 20 s): the bound only keeps a broken test from hanging the suite. */
  readonly timeoutMs?: number;
  /** Time between two calls of `fn` (default 100 ms). */
  readonly intervalMs?: number;
  /** What the timeout error shows besides `what`: logs, stats, the state seen last (objects as JSON). */
  readonly detail?: () => unknown;
  /** An error thrown by `fn` means "not yet" (e.g. a server still starting) instead of failing at once. */
  readonly retryErrors?: boolean;
}

/**
 * The one polling helper of the tests: calls `fn` until it returns a truthy value and returns that, or
 * throws after the timeout with `what` (and the detail). `options` is the timeout in ms, or WaitOptions.
 */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, options: number | WaitOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 20_000, intervalMs = 100, detail, retryErrors = false } = typeof options === 'number' ? { timeoutMs: options } : options;
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = retryErrors ? await Promise.resolve().then(fn).catch(() => undefined) : await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) {
      const d = detail === undefined ? undefined : await detail();
      const more = d === undefined ? '' : `\n${typeof d === 'string' ? d : JSON.stringify(d)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${more}`);
    }
    await sleep(intervalMs);
  }
}
