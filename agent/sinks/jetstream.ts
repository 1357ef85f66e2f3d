import type { JetStreamClient, NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { encodeResult, pb, type ProbeResult } from '../../proto/index.js';
import { FallbackSpool, type SpoolHealth } from './fallback.js';
import { Backoff, RateLimitedLog } from '../../common/index.js';
import { SpoolClosedError, type SpoolRecord } from './spool.js';

/** Counters of a result sink, for heartbeats and /metrics. */
export interface SinkStats {
  /** Results acked by JetStream since start. */
  published: number;
  /** Results on disk now, not yet acked (those in the memory queue: `spoolHealth()`). */
  spoolDepth: number;
  /** Bytes of spool segment files on disk now. */
  spoolBytes: number;
  /** Results dropped from the spool past its byte bound since start (the oldest ones). */
  spoolDropped: number;
  /** Results only in memory: neither acked nor spooled yet. */
  pending: number;
}

/** Where the agent hands its probe results. */
export interface ResultSink {
  /** Never blocks the caller, never throws for transport trouble. */
  submit(result: ProbeResult): void;
  stats(): SinkStats;
  /** Whether the disk takes the spool, and the memory queue standing in while it does not. */
  spoolHealth(): SpoolHealth;
  /**
   * Stops accepting; publishes what can be published within `deadlineMs` milliseconds from the call
   * (default 5000), spools (fsync) the rest, releases the spool. Never rejects: results the disk
   * refuses even then are lost, and logged with their number.
   */
  close(deadlineMs?: number): Promise<void>;
}

export interface JetStreamSinkOptions {
  nc: NatsConnection;
  /** The results subject, `resultsSubject(region, agent)`. */
  subject: string;
  /** A spool already open (the agent's, taken over from the deferred sink); else one is opened in spoolDir. */
  spool?: FallbackSpool;
  spoolDir: string;
  spoolMaxBytes: number;
  /** Bound of the memory queue standing in for a disk that refuses the spool. Default 32 MiB. */
  spoolMemoryMaxBytes?: number;
  logger: Logger;
  /** How long to wait for a JetStream ack. Default 5000. */
  publishTimeoutMs?: number;
  /** Publishes awaiting acks at once. Default 256. */
  maxInFlight?: number;
  /** Spool segment size; default 4 MiB (at most a quarter of spoolMaxBytes). */
  spoolSegmentBytes?: number;
}

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 5_000;
const APPEND_RETRY_MS = 1_000;
const LOG_INTERVAL_MS = 10_000;
const DEFAULT_CLOSE_DEADLINE_MS = 5_000;

/**
 * A sink that publishes each result to JetStream (Nats-Msg-Id = result id, so a re-send after a lost
 * ack is de-duplicated by the server), pipelining up to `maxInFlight` publishes. A result that is not
 * acked goes to the on-disk spool; while the spool holds anything, new results go there too, and a
 * replayer drains it in order once JetStream answers again. A spool left by an earlier run is
 * replayed first.
 */
export async function createJetStreamSink(opts: JetStreamSinkOptions): Promise<ResultSink> {
  const publishTimeoutMs = opts.publishTimeoutMs ?? 5_000;
  const maxInFlight = opts.maxInFlight ?? 256;
  if (!opts.subject) throw new RangeError('sink subject must not be empty');
  if (!Number.isSafeInteger(publishTimeoutMs) || publishTimeoutMs <= 0) {
    throw new RangeError(`publishTimeoutMs must be a positive integer, got ${publishTimeoutMs}`);
  }
  if (!Number.isSafeInteger(maxInFlight) || maxInFlight <= 0) {
    throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  }
  const logger = opts.logger.child({ component: 'sink', subject: opts.subject });
  const spool = opts.spool ?? (await openSpool(opts, logger));
  const sink = new JetStreamSink(opts.nc.jetstream(), opts.subject, spool, logger, publishTimeoutMs, maxInFlight);
  if (spool.depth > 0) {
    logger.info({ event: 'spool-replay', spoolDepth: spool.depth, spoolBytes: spool.bytes }, 'spool holds results not yet published; replaying them first');
    sink.startSpooling();
  }
  return sink;
}

interface Entry {
  /** Submission order. */
  readonly seq: number;
  readonly data: Uint8Array;
  readonly id: string;
}

class JetStreamSink implements ResultSink {
  /** `direct`: publish as results come; `spool`: everything goes through the spool until it is empty. */
  private mode: 'direct' | 'spool' = 'direct';
  private nextSeq = 0;
  private published = 0;
  private readonly inFlight = new Map<number, Entry>();
  /** Direct mode, beyond maxInFlight. */
  private waiting: Entry[] = [];
  /** Waiting to be appended to the spool, in submission order. */
  private toSpool: Entry[] = [];
  /** Being appended right now. */
  private appending = 0;
  /** The latest flush; `flushRunning` says whether it is still going. */
  private flushing: Promise<void> = Promise.resolve();
  private flushRunning = false;
  private replaying: Promise<void> = Promise.resolve();
  /** Cleared synchronously when the replayer switches back to direct mode, so a new one can start at once. */
  private replayerRunning = false;
  private wakeReplayer: (() => void) | null = null;
  private idleWaiters: (() => void)[] = [];
  private closing = false;
  /** When closing: the replayer keeps draining the spool until this instant (ms). */
  private closeBy = 0;
  /** The final flush has begun: nothing more can reach the disk. */
  private finalized = false;
  private closePromise: Promise<void> | null = null;
  private readonly rl: RateLimitedLog;

  constructor(
    private readonly js: JetStreamClient,
    private readonly subject: string,
    private readonly spool: FallbackSpool,
    private readonly logger: Logger,
    private readonly publishTimeoutMs: number,
    private readonly maxInFlight: number,
  ) {
    this.rl = new RateLimitedLog(logger, LOG_INTERVAL_MS);
  }

  submit(result: ProbeResult): void {
    if (this.finalized) {
      this.rl.error('after-close', { resultId: result.resultId }, 'result submitted after the sink closed; dropped');
      return;
    }
    const entry: Entry = { seq: this.nextSeq++, data: encodeResult(result), id: result.resultId ?? '' };
    if (this.closing || this.mode === 'spool') {
      this.enqueueSpool(entry);
    } else if (this.inFlight.size < this.maxInFlight) {
      this.publishDirect(entry);
    } else {
      this.waiting.push(entry);
    }
  }

  stats(): SinkStats {
    return {
      published: this.published,
      spoolDepth: this.spool.depth - this.spool.health().memoryDepth,
      spoolBytes: this.spool.bytes,
      spoolDropped: this.spool.dropped,
      pending: this.inFlight.size + this.waiting.length + this.toSpool.length + this.appending,
    };
  }

  spoolHealth(): SpoolHealth {
    return this.spool.health();
  }

  close(deadlineMs = DEFAULT_CLOSE_DEADLINE_MS): Promise<void> {
    this.closePromise ??= this.shutdown(deadlineMs);
    return this.closePromise;
  }

  /** Switches to spool mode (also used at start when an earlier run left a spool). */
  startSpooling(): void {
    if (this.mode === 'spool') return;
    this.mode = 'spool';
    // Queued behind in-flight publishes, so they follow any of those that fail.
    for (const e of this.waiting) this.enqueueSpool(e);
    this.waiting = [];
    if (this.replayerRunning || (this.closing && Date.now() >= this.closeBy)) return;
    this.replayerRunning = true;
    this.replaying = this.replay().catch((err: unknown) => {
      this.logger.error({ err }, 'spool replayer stopped');
    });
  }

  private publishDirect(entry: Entry): void {
    this.inFlight.set(entry.seq, entry);
    this.js.publish(this.subject, entry.data, { msgID: entry.id, timeout: this.publishTimeoutMs }).then(
      () => {
        // false when close() already spooled it at its deadline; the server de-dupes the re-send
        if (!this.inFlight.delete(entry.seq)) return;
        this.published++;
        if (this.mode === 'spool') this.kickFlush();
        this.pump();
      },
      (err: unknown) => {
        if (!this.inFlight.delete(entry.seq)) return;
        this.trouble(err);
        // queued before switching modes, so the waiting results (all later) cannot be flushed ahead of it
        this.enqueueSpool(entry);
        this.startSpooling();
        this.pump();
      },
    );
  }

  /** Starts waiting publishes while there is room; tells close() when nothing is in flight. */
  private pump(): void {
    while (this.mode === 'direct' && this.inFlight.size < this.maxInFlight && this.waiting.length > 0) {
      this.publishDirect(this.waiting.shift()!);
    }
    if (this.inFlight.size === 0 && this.waiting.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private enqueueSpool(entry: Entry): void {
    // A publish that was in flight when trouble began fails late: keep submission order where we still can.
    let i = this.toSpool.length;
    while (i > 0 && this.toSpool[i - 1]!.seq > entry.seq) i--;
    this.toSpool.splice(i, 0, entry);
    this.kickFlush();
  }

  private kickFlush(): void {
    if (this.flushRunning || this.finalized) return;
    this.flushRunning = true;
    const p = this.flush();
    p.catch(() => undefined); // only close() sees a failure, and it awaits this promise
    this.flushing = p;
  }

  /**
   * Appends (and fsyncs) what is queued for the spool; in close(), the first failure is final.
   * Results submitted after a publish still in flight wait until it settles: if it fails it goes to
   * the spool first, so the spool holds results in submission order.
   */
  private async flush(): Promise<void> {
    // `flushRunning` is cleared by this very function's `finally`, in the same tick as the decision
    // to stop, so a kickFlush() right after cannot be lost
    try {
      for (;;) {
        const firstInFlight = this.inFlight.keys().next();
        const limit = firstInFlight.done ? Infinity : firstInFlight.value;
        let n = 0;
        while (n < this.toSpool.length && this.toSpool[n]!.seq < limit) n++;
        if (n === 0) return; // the settling publish kicks the next flush
        const batch = this.toSpool.splice(0, n);
        this.appending = batch.length;
        try {
          await this.spool.append(batch.map((e) => e.data));
          this.appending = 0;
        } catch (err) {
          this.appending = 0;
          // the whole batch is retried: records of it already written only cost a de-duplicated re-send
          this.toSpool = batch.concat(this.toSpool);
          if (this.closing) throw err;
          this.rl.error('append', { err, pending: this.toSpool.length }, 'cannot write the spool; results kept in memory');
          await delay(APPEND_RETRY_MS);
        }
      }
    } finally {
      this.flushRunning = false;
    }
  }

  /**
   * Drains the spool in order; returns when it is empty (back to direct mode) or the sink closes.
   * `replayerRunning` is cleared in the same tick as the decision to return (a `finally` inside this
   * very function), so a failure right after the switch back to direct mode starts a new replayer.
   */
  private async replay(): Promise<void> {
    try {
      let failing = true; // trouble just happened, or an earlier run left the spool: probe first
      const backoff = new Backoff({ baseMs: BACKOFF_MIN_MS, maxMs: BACKOFF_MAX_MS });
      // close() lets the replayer go on draining until its deadline: an agent stopped while NATS is
      // healthy (a deploy, a decommissioned VPS) should not leave results behind on its disk
      while (!this.closing || Date.now() < this.closeBy) {
        let batch: SpoolRecord[];
        try {
          batch = await this.spool.read(failing ? 1 : this.maxInFlight);
        } catch (err) {
          if (err instanceof SpoolClosedError) return;
          this.rl.error('read', { err }, 'cannot read the spool');
          await this.sleep(BACKOFF_MAX_MS);
          continue;
        }
        if (batch.length === 0) {
          if (this.spool.depth === 0 && this.toSpool.length === 0 && this.appending === 0) {
            this.mode = 'direct';
            this.rl.info('drained', { published: this.published }, 'spool drained; publishing directly again');
            this.pump();
            return;
          }
          if (this.flushRunning) await this.flushing.catch(() => undefined);
          else await this.sleep(BACKOFF_MIN_MS);
          continue;
        }
        const outcomes = await Promise.allSettled(batch.map((r) => this.publishSpooled(r)));
        let acked = 0;
        while (acked < outcomes.length && outcomes[acked]!.status === 'fulfilled') acked++;
        if (acked > 0) {
          try {
            await this.spool.ack(batch[acked - 1]!);
          } catch (err) {
            if (err instanceof SpoolClosedError) return; // close() passed its deadline; the records stay spooled
            throw err;
          }
          for (let i = 0; i < acked; i++) if ((outcomes[i] as PromiseFulfilledResult<boolean>).value) this.published++;
        }
        const failed = outcomes[acked];
        if (failed?.status === 'rejected') {
          this.trouble(failed.reason);
          // closing: one failed attempt says JetStream is not answering; the rest waits on disk
          if (this.closing) return;
          failing = true;
          await this.sleep(backoff.next());
        } else {
          failing = false;
          backoff.reset();
        }
      }
    } finally {
      this.replayerRunning = false;
    }
  }

  /** Resolves true when acked, false for a record that cannot be published at all (skipped). */
  private async publishSpooled(r: SpoolRecord): Promise<boolean> {
    let id: string;
    try {
      id = pb.ProbeResult.decode(r.data).resultId;
    } catch (err) {
      // the checksum matched, so it was written like this: re-sending can never help
      this.rl.error('undecodable', { err, segment: r.segment, index: r.index }, 'undecodable result in the spool; skipped');
      return false;
    }
    await this.js.publish(this.subject, r.data, { msgID: id, timeout: this.publishTimeoutMs });
    return true;
  }

  private trouble(err: unknown): void {
    this.rl.warn(
      'publish',
      { err, code: (err as { code?: unknown } | null)?.code, spoolDepth: this.spool.depth, pending: this.stats().pending },
      'publish not acked; spooling results until JetStream answers again',
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeReplayer = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeReplayer = done;
    });
  }

  private async shutdown(deadlineMs: number): Promise<void> {
    this.closing = true;
    this.closeBy = Date.now() + deadlineMs;
    this.wakeReplayer?.();
    const idle = new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.pump();
    });
    // What is in flight may still be acked before the deadline; anything later is spooled. A publish
    // failing meanwhile starts a new replayer, which may still drain the spool before the deadline.
    do await withDeadline(Promise.all([idle, this.replaying]), Math.max(0, this.closeBy - Date.now()));
    while (this.replayerRunning && Date.now() < this.closeBy);
    const leftovers = [...this.inFlight.values(), ...this.waiting];
    this.inFlight.clear();
    this.waiting = [];
    for (const e of leftovers) this.enqueueSpool(e);
    try {
      while (this.flushRunning || this.toSpool.length > 0) {
        this.kickFlush();
        await this.flushing;
      }
    } catch (err) {
      const lost = this.toSpool.length;
      this.logger.error({ err, lost }, 'cannot write the spool while closing; results lost');
      throw err;
    } finally {
      this.finalized = true;
      await this.spool.close().catch(() => undefined);
    }
    this.logger.info({ published: this.published, spoolDepth: this.spool.depth, spoolDropped: this.spool.dropped }, 'sink closed');
  }
}

/** The default memory queue bound: well below the agent's heap limit (deploy/systemd: 144 MiB). */
export const DEFAULT_SPOOL_MEMORY_MAX_BYTES = 32 * 1024 * 1024;

/** Opens (and locks) the spool of `opts.spoolDir`, with its memory fallback. */
export function openSpool(opts: Omit<JetStreamSinkOptions, 'nc' | 'subject'>, logger: Logger = opts.logger): Promise<FallbackSpool> {
  return FallbackSpool.open({
    dir: opts.spoolDir,
    maxBytes: opts.spoolMaxBytes,
    memoryMaxBytes: opts.spoolMemoryMaxBytes ?? DEFAULT_SPOOL_MEMORY_MAX_BYTES,
    logger,
    ...(opts.spoolSegmentBytes === undefined ? {} : { segmentBytes: opts.spoolSegmentBytes }),
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `p`, or `ms` at most; never rejects. */
async function withDeadline(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
  try {
    await Promise.race([p.then(() => undefined, () => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
