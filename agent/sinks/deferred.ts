import type { NatsConnection } from 'nats';
import { SerialQueue } from '../../common/index.js';
import { encodeResult, type ProbeResult } from '../../proto/index.js';
import type { FallbackSpool, SpoolHealth } from './fallback.js';
import { createJetStreamSink, type JetStreamSinkOptions, type ResultSink, type SinkStats } from './jetstream.js';

/**
 * A sink usable before NATS has ever answered (an agent booting while the hub is down): results go
 * straight to `spool` (already open and locked by the agent); once `connection` resolves, the same
 * spool is handed to a JetStream sink, which replays it first, in order. Probing never waits for NATS,
 * and nothing here can reject unobserved: a switch that fails leaves results spooled, and logged.
 */
export function createDeferredSink(connection: Promise<NatsConnection>, spool: FallbackSpool, opts: Omit<JetStreamSinkOptions, 'nc' | 'spool'>): ResultSink {
  const sink = new DeferredSink(spool, opts);
  connection.then(
    (nc) => sink.goLive(nc),
    () => undefined, // a connection that never comes: results stay spooled for the next run
  );
  return sink;
}

class DeferredSink implements ResultSink {
  private live: ResultSink | null = null;
  /** Submitted while switching over, or between spool writes. */
  private buffered: ProbeResult[] = [];
  /** Spool writes, one at a time. */
  private readonly writing = new SerialQueue();
  private switching: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly spool: FallbackSpool, private readonly opts: Omit<JetStreamSinkOptions, 'nc' | 'spool'>) {}

  submit(result: ProbeResult): void {
    if (this.live) return this.live.submit(result);
    this.buffered.push(result);
    if (!this.switching) this.write();
  }

  /** Appends everything buffered to the spool (disk, or its memory queue), in order. */
  private write(): void {
    void this.writing.run(async () => {
      const batch = this.buffered.splice(0);
      if (batch.length === 0) return;
      try {
        await this.spool.append(batch.map(encodeResult));
      } catch (err) {
        // only a closed spool rejects (the fallback takes every I/O error): nothing more can be kept
        this.opts.logger.error({ err, lost: batch.length }, 'results reached the spool after it closed; lost');
      }
    });
  }

  /** Never rejects: on failure the results stay in the spool (for the next run) and the error is logged. */
  goLive(nc: NatsConnection): Promise<void> {
    if (this.closed || this.switching) return this.switching ?? Promise.resolve();
    this.switching = (async () => {
      await this.writing.idle();
      try {
        const live = await createJetStreamSink({ ...this.opts, nc, spool: this.spool });
        // results that arrived during the switch follow the spooled ones
        for (const r of this.buffered.splice(0)) live.submit(r);
        this.live = live;
      } catch (err) {
        this.opts.logger.error({ err }, 'cannot start publishing to JetStream; results stay in the spool for the next start');
        this.switching = null; // submit() writes to the spool again
        this.write();
        await this.writing.idle();
      }
    })();
    return this.switching;
  }

  stats(): SinkStats {
    if (this.live) return this.live.stats();
    const memory = this.spool.health().memoryDepth;
    return { published: 0, spoolDepth: this.spool.depth - memory, spoolBytes: this.spool.bytes, spoolDropped: this.spool.dropped, pending: this.buffered.length };
  }

  spoolHealth(): SpoolHealth {
    return this.spool.health();
  }

  async close(deadlineMs?: number): Promise<void> {
    this.closed = true;
    if (this.switching) await this.switching;
    if (this.live) return this.live.close(deadlineMs);
    this.write();
    await this.writing.idle();
    await this.spool.close().catch(() => undefined);
  }
}
