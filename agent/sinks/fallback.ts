import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { lockSpoolDir, SpoolLockedError, type SpoolLock } from './lock.js';
import { Backoff, RateLimitedLog, SerialQueue } from '../../common/index.js';
import { Spool, SpoolClosedError, SpoolWriteError, type SpoolRecord } from './spool.js';

/** `segment` of a record that sits in the memory queue (its `index` is its queue sequence number). */
export const MEMORY_SEGMENT = -1;
/** What a queued result costs beyond its bytes (the Uint8Array, its buffer, the queue slot): counted against the bound. */
const ENTRY_OVERHEAD_BYTES = 160;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 10_000;
const LOG_INTERVAL_MS = 10_000;

export interface FallbackSpoolOptions {
  dir: string;
  /** Bound of the disk spool (bytes of segment files). */
  maxBytes: number;
  /** Bound of the memory queue (bytes of results plus a per-result overhead); past it the oldest are dropped and counted. */
  memoryMaxBytes: number;
  segmentBytes?: number;
  logger: Logger;
  /** First retry of a refusing disk; doubles up to retryMaxMs, jittered (common/backoff). Defaults 1 s and 10 s. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

/** The state of a spool, for heartbeats. */
export interface SpoolHealth {
  /** `degraded`: the disk refused a write (or the spool could not be opened); results wait in memory. */
  readonly state: 'ok' | 'degraded';
  /** The system error code of the last refusal (ENOSPC, EROFS, EACCES, ...), null when none yet. */
  readonly lastError: string | null;
  readonly memoryDepth: number;
  readonly memoryBytes: number;
  /** Results dropped from the memory queue past its bound, since start (the oldest ones). */
  readonly memoryDropped: number;
}

interface MemoryEntry {
  readonly seq: number;
  readonly data: Uint8Array;
}

/**
 * The disk spool, locked by this process, falling back to a bounded memory queue while the disk
 * refuses (ENOSPC, EROFS, EACCES, EIO, a directory removed under it): no I/O error escapes, so no
 * disk can kill or wedge the agent. The memory queue holds results newer than everything on disk;
 * while it is not empty new results join it, and a retry (backing off from 1 s to 10 s) moves it
 * to disk in order once the disk takes writes again. Reads return disk records first, then memory.
 *
 * A result being published from memory while the queue moves to disk is on disk too and may be sent
 * twice: JetStream de-duplicates it by its Nats-Msg-Id, the collector by its result id.
 */
export class FallbackSpool {
  private disk: Spool | null = null;
  private lock: SpoolLock | null = null;
  private mem: MemoryEntry[] = [];
  /** Index of the first live entry of `mem` (acks and drops advance it; compacted now and then). */
  private head = 0;
  private memSeq = 0;
  private memBytes = 0;
  private memDropped = 0;
  private lastError: string | null = null;
  private degraded = false;
  private readonly queue = new SerialQueue();
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly retry: Backoff;
  private readonly rl: RateLimitedLog;

  private constructor(private readonly opts: FallbackSpoolOptions) {
    this.retry = new Backoff({ baseMs: opts.retryMinMs ?? RETRY_MIN_MS, maxMs: opts.retryMaxMs ?? RETRY_MAX_MS });
    this.rl = new RateLimitedLog(opts.logger, LOG_INTERVAL_MS);
  }

  /**
   * Creates the directory, takes its lock and opens the spool. Throws SpoolLockedError when a live
   * agent holds the directory, RangeError for bad bounds; any I/O error only starts it degraded.
   */
  static async open(opts: FallbackSpoolOptions): Promise<FallbackSpool> {
    if (!Number.isSafeInteger(opts.memoryMaxBytes) || opts.memoryMaxBytes <= 0) {
      throw new RangeError(`spool memoryMaxBytes must be a positive integer, got ${opts.memoryMaxBytes}`);
    }
    if (!Number.isSafeInteger(opts.maxBytes) || opts.maxBytes <= 0) {
      throw new RangeError(`spool maxBytes must be a positive integer, got ${opts.maxBytes}`);
    }
    const s = new FallbackSpool(opts);
    try {
      await s.openDisk();
    } catch (err) {
      if (err instanceof SpoolLockedError || err instanceof RangeError) throw err;
      s.degrade(err, 'cannot open the spool; results wait in memory until the disk takes them');
      s.scheduleRetry();
    }
    return s;
  }

  /** Results waiting: on disk (not yet acked) plus in memory. */
  get depth(): number {
    return (this.disk?.depth ?? 0) + this.memLength;
  }

  /** Bytes of spool segment files on disk. */
  get bytes(): number {
    return this.disk?.bytes ?? 0;
  }

  /** Results dropped past the disk bound since start (memory drops: `health().memoryDropped`). */
  get dropped(): number {
    return this.disk?.dropped ?? 0;
  }

  health(): SpoolHealth {
    return {
      state: this.degraded ? 'degraded' : 'ok',
      lastError: this.lastError,
      memoryDepth: this.memLength,
      memoryBytes: this.memBytes,
      memoryDropped: this.memDropped,
    };
  }

  /** Appends records in order: to disk when it takes them, else to the memory queue. Never rejects for I/O. */
  append(records: readonly Uint8Array[]): Promise<void> {
    return this.exclusive(async () => {
      let rest = records;
      if (this.disk && this.memLength === 0) {
        try {
          await this.disk.append(records);
          if (this.degraded) this.recovered(0);
          return;
        } catch (err) {
          rest = records.slice(err instanceof SpoolWriteError ? err.written : 0);
          this.degrade(err, 'cannot write the spool; results wait in memory until the disk takes them');
        }
      }
      this.pushMemory(rest);
      this.scheduleRetry();
    });
  }

  /** The oldest records, at most `max`, in order: the disk's first, then the memory queue's. */
  read(max: number): Promise<SpoolRecord[]> {
    return this.exclusive(async () => {
      if (this.disk && this.disk.depth > 0) return this.disk.read(max);
      const out: SpoolRecord[] = [];
      for (let i = this.head; i < this.mem.length && out.length < max; i++) {
        const e = this.mem[i]!;
        out.push({ data: e.data, segment: MEMORY_SEGMENT, index: e.seq, end: 0 });
      }
      return out;
    });
  }

  /** Removes `through` and everything before it (of the same store: disk or memory). */
  ack(through: SpoolRecord): Promise<void> {
    return this.exclusive(async () => {
      if (through.segment !== MEMORY_SEGMENT) {
        await this.disk?.ack(through);
        return;
      }
      while (this.head < this.mem.length && this.mem[this.head]!.seq <= through.index) this.shiftMemory();
      this.compact();
    });
  }

  /**
   * Stops retrying, moves the memory queue to disk if the disk takes it (else logs how many results
   * are lost), closes the spool and releases the lock. Never rejects for I/O.
   */
  close(): Promise<void> {
    return this.exclusive(async () => {
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = null;
      if (this.memLength > 0) await this.moveToDisk(true).catch(() => undefined);
      const lost = this.memLength;
      if (lost > 0) {
        this.opts.logger.error({ lost, dir: this.opts.dir, code: this.lastError }, 'the spool refused the results still in memory at shutdown; they are lost');
      }
      await this.closeDisk();
      this.closed = true;
    });
  }

  private get memLength(): number {
    return this.mem.length - this.head;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run(() => {
      if (this.closed) throw new SpoolClosedError();
      return fn();
    });
  }

  private async openDisk(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
    const lock = await lockSpoolDir(this.opts.dir);
    try {
      this.disk = await Spool.open({
        dir: this.opts.dir,
        maxBytes: this.opts.maxBytes,
        logger: this.opts.logger,
        ...(this.opts.segmentBytes === undefined ? {} : { segmentBytes: this.opts.segmentBytes }),
      });
    } catch (err) {
      await lock.release().catch(() => undefined);
      throw err;
    }
    this.lock = lock;
  }

  private async closeDisk(): Promise<void> {
    if (this.disk) {
      // kept: its depth still tells what waits on disk for the next start
      await this.disk.close().catch((err: unknown) => this.opts.logger.warn({ err, dir: this.opts.dir }, 'cannot write the spool cursor at close; acked results may be sent again'));
    }
    if (this.lock) {
      await this.lock.release().catch((err: unknown) => this.opts.logger.warn({ err, file: this.lock?.path }, 'cannot remove the spool lock; the next start takes it over'));
      this.lock = null;
    }
  }

  private pushMemory(records: readonly Uint8Array[]): void {
    for (const data of records) {
      this.mem.push({ seq: this.memSeq++, data });
      this.memBytes += data.length + ENTRY_OVERHEAD_BYTES;
    }
    let dropped = 0;
    // the newest result is always kept
    while (this.memBytes > this.opts.memoryMaxBytes && this.memLength > 1) {
      this.shiftMemory();
      dropped++;
    }
    if (dropped > 0) {
      this.memDropped += dropped;
      this.rl.warn(
        'memory-drop',
        { dropped, droppedTotal: this.memDropped, memoryMaxBytes: this.opts.memoryMaxBytes, code: this.lastError },
        'memory queue past its bound (the disk refuses the spool): dropped the oldest results',
      );
    }
    this.compact();
  }

  private shiftMemory(): void {
    const e = this.mem[this.head]!;
    this.memBytes -= e.data.length + ENTRY_OVERHEAD_BYTES;
    this.head++;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.mem.length) {
      this.mem = this.mem.slice(this.head);
      this.head = 0;
    }
  }

  private degrade(err: unknown, msg: string): void {
    const code = String((err as NodeJS.ErrnoException | null)?.code ?? 'EIO');
    const first = !this.degraded || code !== this.lastError;
    this.degraded = true;
    this.lastError = code;
    if (first) this.opts.logger.error({ err, code, dir: this.opts.dir, memoryDepth: this.memLength }, msg);
    else this.rl.error('degraded', { code, dir: this.opts.dir, memoryDepth: this.memLength }, msg);
  }

  /** Writes the memory queue to disk in order (opening the spool first if it never opened); throws when the disk refuses. */
  private async moveToDisk(final: boolean): Promise<void> {
    if (!this.disk) await this.openDisk();
    const disk = this.disk!;
    const n = this.memLength;
    if (n > 0) {
      const batch = this.mem.slice(this.head).map((e) => e.data);
      try {
        await disk.append(batch);
      } catch (err) {
        const written = err instanceof SpoolWriteError ? err.written : 0;
        for (let i = 0; i < written; i++) this.shiftMemory();
        this.compact();
        throw err;
      }
      for (let i = 0; i < n; i++) this.shiftMemory();
      this.compact();
    }
    if (!final) this.recovered(n);
  }

  private recovered(moved: number): void {
    this.degraded = false;
    this.retry.reset();
    this.opts.logger.info({ moved, dir: this.opts.dir, after: this.lastError }, 'the spool takes writes again; results in memory moved to disk in order');
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed || !this.degraded) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.exclusive(async () => {
        if (!this.degraded) return;
        try {
          await this.moveToDisk(false);
        } catch (err) {
          if (err instanceof SpoolLockedError) this.rl.error('locked', { err }, 'the spool directory is now held by another agent; results stay in memory');
          else this.degrade(err, 'the spool still refuses writes; results wait in memory');
          this.scheduleRetry();
        }
      }).catch((err: unknown) => {
        if (!(err instanceof SpoolClosedError)) this.opts.logger.error({ err }, 'spool retry failed');
      });
    }, this.retry.next());
    this.retryTimer.unref();
  }
}
