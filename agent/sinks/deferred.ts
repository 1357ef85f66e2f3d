import type { NatsConnection } from 'nats';
import { encodeResult, type ProbeResult } from '../../proto/index.js';
import { createJetStreamSink, type JetStreamSinkOptions, type ResultSink, type SinkStats } from './jetstream.js';
import { Spool } from './spool.js';

/**
 * A sink usable before NATS has ever answered (an agent booting while the hub is down): results go
 * straight to the on-disk spool; once `connection` resolves, the spool is handed to a JetStream sink,
 * which replays it first, in order. Probing never waits for NATS.
 */
export async function createDeferredSink(connection: Promise<NatsConnection>, opts: Omit<JetStreamSinkOptions, 'nc'>): Promise<ResultSink> {
  const spool = await Spool.open({ dir: opts.spoolDir, maxBytes: opts.spoolMaxBytes, logger: opts.logger });
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
  private writing: Promise<void> = Promise.resolve();
  private switching: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly spool: Spool, private readonly opts: Omit<JetStreamSinkOptions, 'nc'>) {}

  submit(result: ProbeResult): void {
    if (this.live) return this.live.submit(result);
    this.buffered.push(result);
    if (!this.switching) this.write();
  }

  /** Appends everything buffered to the spool, one fsync'd batch at a time, in order. */
  private write(): void {
    this.writing = this.writing.then(async () => {
      const batch = this.buffered.splice(0);
      if (batch.length === 0) return;
      try {
        await this.spool.append(batch.map(encodeResult));
      } catch (err) {
        this.buffered.unshift(...batch);
        this.opts.logger.error({ err: (err as Error).message, results: batch.length }, 'cannot write the spool; keeping results in memory');
      }
    });
  }

  goLive(nc: NatsConnection): Promise<void> {
    if (this.closed || this.switching) return this.switching ?? Promise.resolve();
    this.switching = (async () => {
      await this.writing;
      await this.spool.close();
      const live = await createJetStreamSink({ ...this.opts, nc });
      // results that arrived during the switch follow the spooled ones
      for (const r of this.buffered.splice(0)) live.submit(r);
      this.live = live;
    })();
    return this.switching;
  }

  stats(): SinkStats {
    if (this.live) return this.live.stats();
    return { published: 0, spoolDepth: this.spool.depth, spoolBytes: this.spool.bytes, spoolDropped: this.spool.dropped, pending: this.buffered.length };
  }

  async close(deadlineMs?: number): Promise<void> {
    this.closed = true;
    if (this.switching) await this.switching;
    if (this.live) return this.live.close(deadlineMs);
    this.write();
    await this.writing;
    await this.spool.close();
  }
}
