import { ConsumerEvents, type ConsumerMessages, type JsMsg, type NatsConnection, type Subscription } from 'nats';
import type { Logger } from 'pino';
import { backoffDelay, RateLimitedLog, SerialQueue } from '../../common/index.js';
import { DEFAULT_DURABLE, HEARTBEAT_SUBJECTS, RESULTS_STREAM, ensureResultsStream, ensureTargetsBucket } from '../../proto/index.js';
import type { Store } from '../store/index.js';
import { AckFloor, prepareConsumer, readDelivery, type Delivery, type SessionStart } from './consumer.js';
import { MAX_RESULT_BYTES, RESULT_TIME_BOUNDS, heartbeatFromMessage } from './decode.js';
import { DEFAULT_MAX_RESULT_TARGETS, DEFAULT_MAX_SERVING_NODES } from './admission.js';
import { WriterThread, type WriteOutcome, type WriterSettings } from './writer.js';

export interface IngestOptions {
  /** Connect it with `maxReconnectAttempts: -1`: ingest survives any outage the connection survives. */
  readonly nc: NatsConnection;
  readonly store: Store;
  readonly logger: Logger;
  /** Results per SQLite transaction at most. Default 500. */
  readonly batchSize?: number;
  /** A partial batch is committed this long after its first message arrived (ms). Default 200. */
  readonly maxWaitMs?: number;
  /** Durable consumer name. Default "crossprobe-collector". */
  readonly durable?: string;
  /** Server-side redelivery delay for unacked messages (ms). Default 30,000. */
  readonly ackWaitMs?: number;
  /** Results above this size (bytes) are rejected. Default 64 KiB. */
  readonly maxMessageBytes?: number;
  /** Max age of the results stream when ingest creates it (ms). Default: proto's RESULTS_MAX_AGE_MS. */
  readonly streamMaxAgeMs?: number;
  /** Replicas of the results stream and targets bucket when ingest creates them. Default 1. */
  readonly streamReplicas?: number;
  /** Results that started longer ago than this (ms) are rejected: past raw retention. Default 14 days. */
  readonly maxResultAgeMs?: number;
  /** Results that start further ahead of the collector's clock than this (ms) are rejected (agents' clock skew). Default 5 minutes. */
  readonly maxClockAheadMs?: number;
  /** Targets known only from results (agents' own --targets files) taken at once; results of new ones past it are rejected. Default 20,000. */
  readonly maxResultTargets?: number;
  /** Distinct serving IPs, and values of each identity, one target may show per hour; results past it are rejected. Default 1,000. */
  readonly maxServingNodes?: number;
  /** The writer thread's commits: FULL (default: an acked batch survives a host crash) or NORMAL. */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** Called on the main thread after each batch commits and before its messages are acked (instrumentation, tests). */
  readonly onCommitted?: (batch: { readonly messages: number } & WriteOutcome) => void;
}

/** Counters since start. */
export interface IngestStats {
  /** Messages taken from the results stream (redeliveries included). */
  readonly received: number;
  /** Results new to the store. */
  readonly inserted: number;
  /** Valid results already stored (redeliveries, re-publishes). */
  readonly duplicates: number;
  /** Results and heartbeats that could not be used (kept in the rejects table). */
  readonly rejected: number;
  /** Heartbeats stored. */
  readonly heartbeats: number;
  /** Committed batches. */
  readonly batches: number;
  /** Batches whose transaction failed; their messages were nak'd for redelivery. */
  readonly failedBatches: number;
  /** Batches that failed for one of their rows and were committed row by row (the refused rows rejected). */
  readonly isolatedBatches: number;
  /** Of `rejected`: results of new targets past the cap of targets known only from results. */
  readonly overTargetCap: number;
  /** Of `rejected`: results that would have shown a target more distinct IPs or identity values per hour than allowed. */
  readonly overServingCap: number;
  /** Rejects the database refused to keep: lost, so that ingest goes on (logged as errors). */
  readonly lostRejects: number;
  /** Now − the newest started_at of any result ingested; null before the first. */
  readonly lagMs: number | null;
  /**
   * Messages the consumer had not delivered yet, as the server stamped it on the last message received
   * (approximate while publishes race deliveries); null before the first.
   */
  readonly pending: number | null;
  /** When the last batch committed (ms since the epoch), or null. */
  readonly lastBatchAt: number | null;
}

export interface Ingest {
  stats(): IngestStats;
  /** Stops consuming, commits and acks what it holds, unsubscribes heartbeats. Closes neither nc nor store. */
  stop(): Promise<void>;
}

const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5_000;
const REJECT_LOG_INTERVAL_MS = 10_000;
const RETRY_NAK_MS = 1_000;
const PULL_EXPIRES_MS = 5_000;
/** Heartbeats waiting for the database at most; more are dropped (each says what the next one will). */
const MAX_QUEUED_HEARTBEATS = 1_000;

/** One consume() of the durable: the deliveries it saw, and its committed messages no ack covers yet. */
interface Session {
  readonly floor: AckFloor;
  readonly acks: SessionStart['acks'];
  /** Committed messages above the last ack, with their stream sequences (ascending per batch). */
  held: { readonly seq: number; readonly msg: JsMsg }[];
}

/**
 * Starts the collector's ingest: makes sure the results stream, the targets bucket and the durable
 * pull consumer exist, then consumes results in batches — each batch decoded and inserted in ONE SQLite
 * transaction (results INSERT OR IGNORE, rollups, rejects) on a writer thread, and acked only after the
 * commit. The main thread only moves bytes and acks, while the thread commits one batch the next
 * arrives. Acks are cumulative: one per batch, covering every message up to the highest stream sequence
 * with nothing uncommitted below it (`AckFloor`). Also stores heartbeats from core NATS. Never throws
 * after start-up for transport or message trouble: it logs, backs off and resumes.
 */
export async function startIngest(opts: IngestOptions): Promise<Ingest> {
  const batchSize = opts.batchSize ?? 500;
  const maxWaitMs = opts.maxWaitMs ?? 200;
  const ackWaitMs = opts.ackWaitMs ?? 30_000;
  for (const [name, v] of Object.entries({ batchSize, maxWaitMs, ackWaitMs })) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  const writer = writerSettings(opts);
  const ingest = new IngestLoop(opts, batchSize, maxWaitMs, ackWaitMs, writer.maxMessageBytes, writer);
  // The first setup runs in the foreground, so a bad configuration or an unreachable server at start-up fails fast.
  const first = await ingest.setup();
  await ingest.startWriter();
  ingest.start(first);
  return ingest;
}

/** How the writer thread checks and commits, from the ingest's options (defaults applied, checked). */
export function writerSettings(opts: Omit<IngestOptions, 'nc' | 'store' | 'logger'>): WriterSettings {
  const maxMessageBytes = opts.maxMessageBytes ?? MAX_RESULT_BYTES;
  const timeBounds = { maxAgeMs: opts.maxResultAgeMs ?? RESULT_TIME_BOUNDS.maxAgeMs, maxAheadMs: opts.maxClockAheadMs ?? RESULT_TIME_BOUNDS.maxAheadMs };
  for (const [name, v] of Object.entries({ maxMessageBytes, maxResultAgeMs: timeBounds.maxAgeMs, maxClockAheadMs: timeBounds.maxAheadMs })) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  const maxResultTargets = opts.maxResultTargets ?? DEFAULT_MAX_RESULT_TARGETS;
  if (!Number.isSafeInteger(maxResultTargets) || maxResultTargets < 0) throw new RangeError(`maxResultTargets must be a whole number ≥ 0, got ${maxResultTargets}`);
  const maxServingNodes = opts.maxServingNodes ?? DEFAULT_MAX_SERVING_NODES;
  if (!Number.isSafeInteger(maxServingNodes) || maxServingNodes < 1) throw new RangeError(`maxServingNodes must be a positive integer, got ${maxServingNodes}`);
  // acks go out after commit: with FULL a power loss or host crash cannot undo a commit already acked
  return { maxMessageBytes, timeBounds, maxResultTargets, maxServingNodes, synchronous: opts.synchronous ?? 'FULL' };
}

class IngestLoop implements Ingest {
  private readonly logger: Logger;
  private readonly store: Store;
  private readonly durable: string;
  private buffer: JsMsg[] = [];
  /** The stream sequences of `buffer`'s messages. */
  private bufferSeqs: number[] = [];
  private session: Session | null = null;
  /** Where the message being received sits (one object, reused). */
  private readonly delivery: Delivery = { streamSeq: 0, deliverySeq: 0, pending: 0 };
  private timer: NodeJS.Timeout | null = null;
  private messages: ConsumerMessages | null = null;
  private heartbeatSub: Subscription | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private readonly rejectLog: RateLimitedLog;
  private readonly writer: WriterThread;
  /** Batches handed to the writer and not yet acked or nak'd. */
  private readonly writing = new Set<Promise<void>>();
  /** Heartbeats being stored, in arrival order; past MAX_QUEUED_HEARTBEATS new ones are dropped (the next one says the same). */
  private readonly heartbeatWrites = new SerialQueue();
  private queuedHeartbeats = 0;
  private counters = { received: 0, inserted: 0, duplicates: 0, rejected: 0, heartbeats: 0, batches: 0, failedBatches: 0, isolatedBatches: 0, overTargetCap: 0, overServingCap: 0, lostRejects: 0 };
  private newestStartedAtMs: number | null = null;
  private pending: number | null = null;
  private lastBatchAt: number | null = null;

  constructor(
    private readonly opts: IngestOptions,
    private readonly batchSize: number,
    private readonly maxWaitMs: number,
    private readonly ackWaitMs: number,
    private readonly maxBytes: number,
    writer: WriterSettings,
  ) {
    this.logger = opts.logger.child({ component: 'ingest' });
    // one warning per interval; each reject still at debug level
    this.rejectLog = new RateLimitedLog(this.logger, REJECT_LOG_INTERVAL_MS, { heldBack: 'debug' });
    this.store = opts.store;
    this.durable = opts.durable ?? DEFAULT_DURABLE;
    this.writer = new WriterThread(opts.store, writer);
  }

  startWriter(): Promise<void> {
    return this.writer.start();
  }

  stats(): IngestStats {
    return {
      ...this.counters,
      lagMs: this.newestStartedAtMs === null ? null : Date.now() - this.newestStartedAtMs,
      pending: this.pending,
      lastBatchAt: this.lastBatchAt,
    };
  }

  async setup(): Promise<SessionStart> {
    const jsm = await this.opts.nc.jetstreamManager();
    const replicas = this.opts.streamReplicas ?? 1;
    const created = await ensureResultsStream(jsm, { replicas, ...(this.opts.streamMaxAgeMs === undefined ? {} : { maxAgeMs: this.opts.streamMaxAgeMs }) });
    if (created) this.logger.info({ stream: RESULTS_STREAM, replicas }, 'created the results stream');
    await ensureTargetsBucket(this.opts.nc, { replicas });
    // Room for the batch being gathered, the batches in flight and the next pull.
    const start = await prepareConsumer(jsm, { durable: this.durable, ackWaitMs: this.ackWaitMs, maxAckPending: this.batchSize * 4 });
    if (start.cannotRecreate !== null) {
      const subject = `$JS.API.CONSUMER.DELETE.${RESULTS_STREAM}.${this.durable}`;
      this.logger.error(
        { durable: this.durable, err: start.cannotRecreate, acks: start.acks, fix: `allow the collector's NATS user to publish to ${subject} (crossprobe enroll --collector prints the current list)` },
        start.acks === 'each'
          ? 'cannot recreate the results consumer (an earlier version\'s, acking message by message): acking every message as it did, which costs the NATS server more'
          : 'cannot recreate the results consumer, which holds unacked messages: no ack passes them until they are delivered again (after ack_wait)',
      );
    } else if (start.recreated === 'explicit-acks' || start.recreated === 'unacked-messages') {
      const why = start.recreated === 'explicit-acks' ? 'it acked message by message (an earlier version)' : 'it held unacked messages (an earlier session ended before acking them)';
      const fields = { durable: this.durable, fromStreamSeq: start.streamSeq + 1, why };
      const msg = 'recreated the results consumer from its ack floor; what is above it is delivered again and stored once';
      // unacked messages at start: a collector was killed, or lost NATS, between commit and ack
      if (start.recreated === 'unacked-messages') this.logger.warn(fields, msg);
      else this.logger.info(fields, msg);
    }
    return start;
  }

  start(first: SessionStart): void {
    this.heartbeatSub = this.opts.nc.subscribe(HEARTBEAT_SUBJECTS, {
      callback: (err, msg) => {
        if (err) {
          this.logger.error({ err }, 'heartbeat subscription failed');
          return;
        }
        this.onHeartbeat(msg.subject, msg.data);
      },
    });
    this.loop = this.run(first);
  }

  async stop(): Promise<void> {
    if (this.stopping) return this.loop ?? undefined;
    this.stopping = true;
    this.wake?.();
    await this.messages?.close();
    await this.loop;
    this.flush();
    while (this.writing.size > 0) await Promise.all(this.writing);
    await this.writer.close();
    this.heartbeatSub?.unsubscribe();
    await this.heartbeatWrites.idle();
    this.logger.info(this.stats(), 'ingest stopped');
  }

  /**
   * Consumes until stopped, one session per consume(); every failure (NATS down, consumer deleted, a
   * delivery lost) ends the session, lets its batches settle, and backs off before a fresh setup.
   */
  private async run(first: SessionStart): Promise<void> {
    let attempt = 0;
    let start: SessionStart | null = first;
    while (!this.stopping) {
      if (this.opts.nc.isClosed()) {
        this.logger.error('NATS connection closed; ingest cannot resume without a new connection');
        return;
      }
      try {
        start ??= await this.setup();
        const consumer = await this.opts.nc.jetstream().consumers.get(RESULTS_STREAM, this.durable);
        const session: Session = { floor: new AckFloor(start), acks: start.acks, held: [] };
        start = null;
        this.session = session;
        try {
          // expires bounds the client's own retry delay after a reconnect whose first consumer check
          // fails (it backs off up to `expires`, 30 s by default): 5 s keeps an outage's tail short.
          const messages = await consumer.consume({ max_messages: this.batchSize * 2, expires: PULL_EXPIRES_MS, callback: (m) => this.onMessage(m) });
          this.messages = messages;
          if (this.stopping || session.floor.broken !== null) await messages.close();
          void this.watch(messages);
          if (attempt > 0) this.logger.info({ attempt }, 'consuming results again');
          attempt = 0;
          const err = await messages.closed();
          if (this.stopping) return;
          if (session.floor.broken === null) this.logger.warn({ err }, 'results consumer stopped; setting it up again');
        } finally {
          await this.endSession();
        }
      } catch (err) {
        if (this.stopping) return;
        this.logger.warn({ err, attempt }, 'cannot consume results; retrying');
      }
      await this.sleep(backoffDelay(attempt++, { baseMs: BACKOFF_MIN_MS, maxMs: BACKOFF_MAX_MS }));
    }
  }

  /**
   * Commits what the session gathered and waits for its batches, which ack what they may; then no more
   * acks from it (they could cover the next session's messages): only the current session acks.
   */
  private async endSession(): Promise<void> {
    this.flush();
    while (this.writing.size > 0) await Promise.all(this.writing);
    this.session = null;
  }

  /** The client alone cannot recover a consumer or stream that was deleted: close, so `run` recreates them. */
  private async watch(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const s of await messages.status()) {
        if (s.type === ConsumerEvents.ConsumerDeleted || s.type === ConsumerEvents.ConsumerNotFound || s.type === ConsumerEvents.StreamNotFound) {
          this.logger.warn({ event: s.type, data: s.data }, 'results consumer lost');
          await messages.close();
          return;
        }
      }
    } catch (err) {
      this.logger.debug({ err }, 'consumer status watch ended');
    }
  }

  private onMessage(m: JsMsg): void {
    const session = this.session;
    const d = this.delivery;
    if (!readDelivery(ackSubject(m), d)) {
      // what nats.js makes of it (it throws on a subject that is not a JetStream ack subject)
      const info = m.info;
      d.streamSeq = info.streamSequence;
      d.deliverySeq = info.deliverySequence;
      d.pending = info.pending;
    }
    this.buffer.push(m);
    this.bufferSeqs.push(d.streamSeq);
    this.counters.received++;
    this.pending = d.pending;
    // (acking message by message, a delivery that went elsewhere takes nothing with it)
    if (session !== null && session.floor.broken === null && !session.floor.received(d.streamSeq, d.deliverySeq) && session.acks === 'cumulative') {
      // Committing goes on (the store takes each result once); acking stops, and a fresh session
      // starts from the server's ack floor, so nothing the missing delivery carried can be acked unseen.
      this.logger.warn(
        { durable: this.durable, lost: session.floor.broken },
        'a delivery of the results consumer never arrived (lost across a reconnect, or taken by another client of the same durable): restarting from the ack floor',
      );
      void this.messages?.close();
    }
    if (this.buffer.length >= this.batchSize) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
  }

  /** Hands the buffered messages to the writer as one batch; acks them once it is committed, naks them if not. */
  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.buffer;
    const seqs = this.bufferSeqs;
    if (batch.length === 0) return;
    this.buffer = [];
    this.bufferSeqs = [];
    const session = this.session;
    const now = Date.now();
    const done = this.writer.write(batch, now).then(
      (outcome) => this.committed(batch, seqs, outcome, session),
      (err: Error) => {
        this.counters.failedBatches++;
        this.logger.error({ err, messages: batch.length }, 'batch not committed; messages will be redelivered');
        // their sequences stay outstanding: no ack passes them until a redelivered copy commits
        for (const m of batch) ackSafely(() => m.nak(RETRY_NAK_MS));
      },
    );
    this.writing.add(done);
    void done.finally(() => this.writing.delete(done));
  }

  private committed(batch: readonly JsMsg[], seqs: readonly number[], outcome: WriteOutcome, session: Session | null): void {
    try {
      this.opts.onCommitted?.({ messages: batch.length, ...outcome });
    } catch (err) {
      this.logger.error({ err }, 'onCommitted hook failed');
    }
    // Only now, with the batch committed, may the server forget these messages.
    if (session !== null && session === this.session) this.ackCommitted(session, batch, seqs);
    this.counters.batches++;
    this.counters.inserted += outcome.inserted;
    this.counters.duplicates += outcome.duplicates;
    this.counters.rejected += outcome.rejected;
    this.counters.overTargetCap += outcome.overTargetCap;
    this.counters.overServingCap += outcome.overServingCap;
    this.lastBatchAt = Date.now();
    if (outcome.isolated) {
      this.counters.isolatedBatches++;
      this.logger.warn({ messages: batch.length, inserted: outcome.inserted, rejected: outcome.rejected }, 'batch failed for one of its rows: committed row by row, the refused rows kept in the rejects table');
    }
    if (outcome.lostRejects > 0) {
      this.counters.lostRejects += outcome.lostRejects;
      this.logger.error(
        { lost: outcome.lostRejects, lostTotal: this.counters.lostRejects, firstRefused: outcome.firstLost },
        'rejected messages the database refused to keep: acked and lost, so that ingest goes on',
      );
    }
    const newest = outcome.newestStartedAtMs;
    if (newest !== null && (this.newestStartedAtMs === null || newest > this.newestStartedAtMs)) this.newestStartedAtMs = newest;
    if (outcome.firstReject !== null) this.logReject(outcome.firstReject, outcome.rejected);
  }

  /** Marks the batch committed and acks, with one cumulative ack, the highest message nothing uncommitted precedes. */
  private ackCommitted(session: Session, batch: readonly JsMsg[], seqs: readonly number[]): void {
    for (let i = 0; i < batch.length; i++) session.floor.committed(seqs[i]!);
    if (session.acks === 'each') {
      for (const m of batch) ackSafely(() => m.ack());
      return;
    }
    const safe = session.floor.safe();
    if (safe === null) return;
    for (let i = 0; i < batch.length; i++) session.held.push({ seq: seqs[i]!, msg: batch[i]! });
    let top: { readonly seq: number; readonly msg: JsMsg } | null = null;
    for (const h of session.held) if (h.seq <= safe && (top === null || h.seq > top.seq)) top = h;
    if (top === null) return;
    session.held = session.held.filter((h) => h.seq > safe);
    const msg = top.msg;
    ackSafely(() => msg.ack());
  }

  private onHeartbeat(subject: string, data: Uint8Array): void {
    const now = Date.now();
    const checked = heartbeatFromMessage(subject, data, now, this.maxBytes);
    // in arrival order (a retried write never lands after a newer one), without waiting on the
    // writer thread's lock in SQLite's busy handler (that would hold up everything on this thread)
    if (this.queuedHeartbeats >= MAX_QUEUED_HEARTBEATS) {
      this.rejectLog.warn('heartbeats-dropped', { event: 'heartbeats-dropped', subject, queued: this.queuedHeartbeats }, 'heartbeat dropped: too many waiting for the database');
      return;
    }
    this.queuedHeartbeats++;
    void this.heartbeatWrites.run(async () => {
      try {
        if (checked.ok) {
          await this.store.writeSoon(() => this.store.upsertHeartbeat(checked.value));
          this.counters.heartbeats++;
        } else {
          const reject = { receivedAtMs: now, subject, reason: checked.reason, bytes: data };
          await this.store.writeSoon(() => this.store.insertReject(reject));
          this.counters.rejected++;
          this.logReject(reject, 1);
        }
      } catch (err) {
        this.logger.error({ err, subject }, 'heartbeat not stored');
      } finally {
        this.queuedHeartbeats--;
      }
    });
  }

  private logReject(example: { readonly subject: string; readonly reason: string }, count: number): void {
    const fields = { event: 'messages-rejected', subject: example.subject, reason: example.reason, count, rejectedTotal: this.counters.rejected };
    this.rejectLog.warn('rejected', fields, 'messages rejected (kept in the rejects table)');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }
}

/** The message's ack subject: nats.js's JsMsg has it (`reply`), its exported interface does not say so. */
function ackSubject(m: JsMsg): string {
  const reply = (m as unknown as { readonly reply?: unknown }).reply;
  return typeof reply === 'string' ? reply : '';
}

// An ack while the connection is closing throws; the message is then redelivered and ignored as a duplicate.
function ackSafely(fn: () => void): void {
  try {
    fn();
  } catch {
    // nothing more to do: redelivery covers it
  }
}
