import type { Logger } from 'pino';
import { MAX_INTERVAL_MS, MAX_TIMEOUT_MS, MIN_INTERVAL_MS, type Target } from '../proto/index.js';

/** Runs one probe round of a target; resolves when the round's results are handed on. */
export type RoundRunner = (target: Target, roundAtMs: number, signal: AbortSignal) => Promise<void>;

export interface SchedulerStats {
  readonly targets: number;
  readonly inFlight: number;
  readonly queued: number;
  /** Rounds skipped because the previous round of the same target was still running. */
  readonly skippedBusy: number;
  /** Rounds dropped because they waited a whole interval for a concurrency slot. */
  readonly skippedLate: number;
  readonly rounds: number;
}

/**
 * The round offset of a target within its interval, derived from its id alone (FNV-1a), so every
 * agent in every region probes a target at the same instants and regions' results line up in time,
 * while different targets spread over the interval instead of all firing at :00.
 */
export function offsetFor(id: string, intervalMs: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % intervalMs;
}

/** The first round instant strictly after `nowMs`: t ≡ offset (mod interval). */
export function nextRound(nowMs: number, intervalMs: number, offsetMs: number): number {
  return Math.floor((nowMs - offsetMs) / intervalMs) * intervalMs + offsetMs + intervalMs;
}

function schedulable(t: Target): boolean {
  return (
    Number.isInteger(t.intervalMs) && t.intervalMs >= MIN_INTERVAL_MS && t.intervalMs <= MAX_INTERVAL_MS &&
    Number.isFinite(t.timeoutMs) && t.timeoutMs > 0 && t.timeoutMs <= MAX_TIMEOUT_MS
  );
}

interface Entry {
  target: Target;
  key: string;
  timer: NodeJS.Timeout | null;
  running: boolean;
}

/**
 * Fires each target's rounds at absolute, wall-clock-aligned instants (no drift: the next instant is
 * computed from the schedule, never from when the last round ended), with at most `concurrency`
 * rounds running at once. Each target has its own timer: a slow target delays nobody; at worst its
 * own next round is skipped (counted) while it is still running.
 */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly queue: { entry: Entry; roundAtMs: number }[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private stopped = false;
  private maxLag = 0;
  private counts = { skippedBusy: 0, skippedLate: 0, rounds: 0 };

  constructor(
    private readonly run: RoundRunner,
    private readonly opts: { concurrency: number; logger: Logger; now?: () => number },
  ) {}

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  /** Makes the scheduled set equal `targets`: new ones start, removed ones stop, changed ones restart. */
  sync(targets: Iterable<Target>): void {
    if (this.stopped) return;
    const wanted = new Map<string, Target>();
    for (const t of targets) {
      // parseTarget bounds these; a target built some other way must not reach setTimeout with a delay
      // past its 24.8-day limit (Node then fires after 1 ms: a round every millisecond)
      if (!schedulable(t)) {
        this.opts.logger.error({ event: 'target-out-of-bounds', target: t.id, intervalMs: t.intervalMs, timeoutMs: t.timeoutMs }, 'target interval or timeout out of bounds; not scheduled');
        continue;
      }
      wanted.set(t.id, t);
    }
    for (const [id, e] of this.entries) {
      const t = wanted.get(id);
      if (!t || JSON.stringify(t) !== e.key) {
        if (e.timer) clearTimeout(e.timer);
        e.timer = null;
        this.entries.delete(id);
      }
    }
    for (const [id, t] of wanted) {
      if (this.entries.has(id)) continue;
      const e: Entry = { target: t, key: JSON.stringify(t), timer: null, running: false };
      this.entries.set(id, e);
      this.arm(e, this.now());
    }
  }

  private arm(e: Entry, fromMs: number): void {
    const { intervalMs, id } = e.target;
    const at = nextRound(fromMs, intervalMs, offsetFor(id, intervalMs));
    e.timer = setTimeout(() => this.fire(e, at), Math.max(0, at - this.now()));
  }

  private fire(e: Entry, roundAtMs: number): void {
    if (this.entries.get(e.target.id) !== e) return; // removed or replaced meanwhile
    this.arm(e, Math.max(this.now(), roundAtMs));
    if (e.running) {
      this.counts.skippedBusy++;
      this.opts.logger.warn({ event: 'round-skipped-busy', target: e.target.id }, 'previous round still running; round skipped');
      return;
    }
    e.running = true;
    this.queue.push({ entry: e, roundAtMs });
    this.pump();
  }

  private pump(): void {
    while (this.running.size < this.opts.concurrency && this.queue.length > 0) {
      const { entry, roundAtMs } = this.queue.shift()!;
      const now = this.now();
      if (now - roundAtMs >= entry.target.intervalMs || this.stopped) {
        entry.running = false;
        if (!this.stopped) this.counts.skippedLate++;
        continue;
      }
      this.maxLag = Math.max(this.maxLag, now - roundAtMs);
      this.counts.rounds++;
      const p: Promise<void> = this.run(entry.target, roundAtMs, this.abort.signal)
        .catch((err: unknown) => this.opts.logger.error({ target: entry.target.id, err }, 'probe round failed unexpectedly'))
        .finally(() => {
          entry.running = false;
          this.running.delete(p);
          this.pump();
        });
      this.running.add(p);
    }
  }

  stats(): SchedulerStats {
    return { targets: this.entries.size, inFlight: this.running.size, queued: this.queue.length, ...this.counts };
  }

  /** The worst lag (ms between a round's instant and its start) since the previous call. */
  takeMaxLag(): number {
    const lag = this.maxLag;
    this.maxLag = 0;
    return lag;
  }

  /**
   * Stops firing rounds; lets running rounds finish until `deadlineMs` from now, then aborts them
   * (a probe cut this way still returns its result) and waits for them to hand their results on.
   */
  async stop(deadlineMs: number): Promise<void> {
    this.stopped = true;
    for (const e of this.entries.values()) if (e.timer) clearTimeout(e.timer);
    this.entries.clear();
    for (const q of this.queue.splice(0)) q.entry.running = false;
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    await Promise.race([Promise.all(this.running), deadline]);
    clearTimeout(timer);
    if (this.running.size > 0) {
      this.abort.abort(new Error('agent shutting down'));
      await Promise.all(this.running);
    }
  }
}
