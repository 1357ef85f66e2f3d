import { Worker } from 'node:worker_threads';
import type { CommitSummary, OpenDatabaseOptions, Store } from '../store/index.js';
import type { ResultTimeBounds } from './decode.js';

/** What the writer thread is started with. */
export interface WriterConfig {
  readonly path: string;
  /** The store's options, with the writer's own `synchronous`. */
  readonly openOptions: OpenDatabaseOptions;
  readonly maxMessageBytes: number;
  /** Send back the new results' observations (for the store's in-memory windows). */
  readonly reportFresh: boolean;
  readonly timeBounds: ResultTimeBounds;
  /** Targets known only from results, at most (see TargetAdmission). */
  readonly maxResultTargets: number;
  /** Distinct IPs / identity values per target and hour, at most (see ServingNodeBounds). */
  readonly maxServingNodes: number;
  readonly maxRejects: number;
}

/** How the writer thread checks and commits, beyond the store's own options. */
export interface WriterSettings {
  readonly maxMessageBytes: number;
  readonly timeBounds: ResultTimeBounds;
  readonly maxResultTargets: number;
  readonly maxServingNodes: number;
  /**
   * The writer's commits: `FULL` (default) fsyncs each one, so a batch acked after its commit survives
   * a power loss or a host crash too; `NORMAL` survives a process crash only.
   */
  readonly synchronous: 'NORMAL' | 'FULL';
}

/** One batch to the thread: the messages' subjects, and their payloads back to back in `data`. */
export interface ToWriter {
  readonly id: number;
  readonly receivedAtMs: number;
  readonly subjects: readonly string[];
  readonly data: ArrayBuffer;
  /** Message i is data[offsets[i], offsets[i + 1]). */
  readonly offsets: Uint32Array;
}

/** What one committed batch did. */
export interface WriteOutcome {
  /** Results new to the store. */
  readonly inserted: number;
  /** Valid results already stored (redeliveries). */
  readonly duplicates: number;
  /** Messages kept in the rejects table (or meant for it: see `lostRejects`). */
  readonly rejected: number;
  /** Of `rejected`: results set aside because their target was new past the cap of targets known only from results. */
  readonly overTargetCap: number;
  /** Of `rejected`: results that would have shown a target more distinct IPs or identity values this hour than allowed. */
  readonly overServingCap: number;
  /** Whether the batch failed whole and was committed row by row (a row the database refused). */
  readonly isolated: boolean;
  /** Rejects the database refused too: kept nowhere. */
  readonly lostRejects: number;
  /** Why the first of them was refused, or null. */
  readonly firstLost: string | null;
  /** The newest started_at of the batch's valid results, or null. */
  readonly newestStartedAtMs: number | null;
  readonly firstReject: { readonly subject: string; readonly reason: string } | null;
  /** What the commit added, for the store's in-memory windows (null when they are off or nothing was new). */
  readonly fresh: CommitSummary | null;
}

/** The thread's answer to one batch (in the order batches were sent), or its ready signal. */
export type FromWriter = ({ readonly id: number; readonly ok: true } & WriteOutcome) | { readonly id: number; readonly ok: false; readonly error: string } | { readonly ready: true; readonly synchronous: number };

interface Waiting {
  resolve(o: WriteOutcome): void;
  reject(err: Error): void;
}

/** A message as the writer takes it (a JetStream message has both). */
export interface RawMessage {
  readonly subject: string;
  readonly data: Uint8Array;
}

/**
 * Decodes and commits batches of results-stream messages on a worker thread with its own connection to
 * the store's file, in the order given. `write` resolves once the batch is committed (and its new
 * results reported to the store's in-memory windows), or rejects when it was not: the caller acks or
 * naks accordingly. A thread that dies fails its batches and is started again by the next write.
 */
export class WriterThread {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private readonly config: WriterConfig;
  private synchronousLevel: number | null = null;

  constructor(private readonly store: Store, settings: WriterSettings) {
    this.config = {
      path: store.path,
      openOptions: { ...store.openOptions, synchronous: settings.synchronous },
      maxMessageBytes: settings.maxMessageBytes,
      reportFresh: store.tracksRecent,
      timeBounds: settings.timeBounds,
      maxResultTargets: settings.maxResultTargets,
      maxServingNodes: settings.maxServingNodes,
      maxRejects: store.maxRejects,
    };
  }

  /** The running thread's connection's `PRAGMA synchronous` (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA), as it said once ready; null before. */
  get synchronous(): number | null {
    return this.synchronousLevel;
  }

  /** Starts the thread unless it runs; resolves once it has opened the database, rejects if it cannot. */
  start(): Promise<void> {
    if (this.worker !== null) return Promise.resolve();
    const worker = new Worker(new URL('./writer-thread.js', import.meta.url), { workerData: this.config });
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let started = false;
      worker.on('message', (m: FromWriter) => {
        if ('ready' in m) {
          started = true;
          this.synchronousLevel = m.synchronous;
          resolve();
        } else this.answered(m);
      });
      worker.on('error', (err) => {
        if (!started) reject(new Error(`the ingest writer thread cannot start: ${err.message}`));
        this.lost(worker, `the ingest writer thread failed: ${err.message}`);
      });
      worker.on('exit', (code) => {
        if (!started) reject(new Error(`the ingest writer thread exited (code ${code}) before opening ${this.config.path}`));
        this.lost(worker, `the ingest writer thread exited (code ${code})`);
      });
    });
  }

  write(messages: readonly RawMessage[], receivedAtMs: number): Promise<WriteOutcome> {
    const offsets = new Uint32Array(messages.length + 1);
    let total = 0;
    for (let i = 0; i < messages.length; i++) {
      offsets[i] = total;
      total += messages[i]!.data.byteLength;
    }
    offsets[messages.length] = total;
    const data = new ArrayBuffer(total);
    const bytes = new Uint8Array(data);
    const subjects = new Array<string>(messages.length);
    for (let i = 0; i < messages.length; i++) {
      bytes.set(messages[i]!.data, offsets[i]);
      subjects[i] = messages[i]!.subject;
    }
    if (this.worker === null) {
      // a dead thread comes back with the next batch; if it cannot, this batch fails like any other
      this.start().catch(() => undefined);
    }
    const id = this.nextId++;
    return new Promise<WriteOutcome>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const message: ToWriter = { id, receivedAtMs, subjects, data, offsets };
      this.worker!.postMessage(message, [data, offsets.buffer]);
    });
  }

  /** Waits for the batches in flight, then stops the thread. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === null) return;
    while (this.waiting.size > 0 && this.worker === worker) await new Promise((r) => setTimeout(r, 5));
    this.worker = null;
    await worker.terminate();
  }

  private answered(m: Exclude<FromWriter, { ready: true }>): void {
    const w = this.waiting.get(m.id);
    if (w === undefined) return;
    this.waiting.delete(m.id);
    if (!m.ok) {
      w.reject(new Error(m.error));
      return;
    }
    if (m.fresh !== null) this.store.noteCommitted(m.fresh);
    w.resolve(m);
  }

  /** The thread is gone: its batches in flight are not known to be committed, so they fail. */
  private lost(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    // it may have committed a batch it could not report: the store's windows must reload from SQLite
    this.store.resetRecent();
    const failed = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of failed) w.reject(new Error(reason));
  }
}
