import { readFileSync } from 'node:fs';
import { connect, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { ConfigError, heartbeatSubject, resultsSubject, type Heartbeat, type Target } from '../proto/index.js';
import type { AgentConfig } from './config.js';
import { Controls } from './controls.js';
import { startHeartbeat } from './heartbeat.js';
import { DnsResolver, probeTarget, type ProbeContext } from './probes/index.js';
import { Scheduler } from './scheduler.js';
import { createDeferredSink, type ResultSink } from './sinks/index.js';
import { loadTargetsFile } from './targets/file.js';
import { watchTargetsKv } from './targets/kv.js';
import { TargetSet } from './targets/set.js';
import { VERSION } from './version.js';

/**
 * The agent: targets → scheduler → probes → sink, plus heartbeats and control targets.
 * Probing starts at once, whether or not NATS answers (results wait in the spool). Resolves after
 * `shutdown` aborts and every result is published or spooled.
 */
export async function runAgent(config: AgentConfig, logger: Logger, shutdown: AbortSignal): Promise<{ connected: boolean }> {
  // Fail fast on what the operator must fix: unreadable CA files, a bad targets file.
  const ca = config.caFiles.map((f, i) => {
    try {
      return readFileSync(f, 'utf8');
    } catch (err) {
      throw new ConfigError(`caFile[${i}] (--ca-file, CROSSPROBE_CA_FILE): cannot read ${f}: ${(err as Error).message}`, 'caFile');
    }
  });
  const fileTargets = config.targetsFile ? loadTargetsFile(config.targetsFile) : [];
  const startedAtMs = Date.now();

  const connecting = connectNats(config, logger);
  const sink = await createDeferredSink(connecting, {
    subject: resultsSubject(config.region, config.id),
    spoolDir: config.spoolDir,
    spoolMaxBytes: config.spoolMaxBytes,
    logger,
  });

  const ctx: ProbeContext = {
    agent: config.id,
    region: config.region,
    // DNS queries leave from the source address too, so a region's resolver path is what is measured
    resolver: new DnsResolver({ server: config.dnsServer, ...(config.sourceAddress ? { localAddress: config.sourceAddress } : {}) }),
    sourceAddress: config.sourceAddress,
    ca: ca.length ? ca : null,
    bodyCapBytes: config.bodyCapBytes,
    userAgent: `crossprobe/${VERSION}`,
    ipFamilies: config.ipFamilies,
  };
  const scheduler = new Scheduler(probeInto(sink, ctx), { concurrency: config.concurrency, logger });

  const controls = new Controls(config.controls, config.controlIntervalMs);
  const controlScheduler = new Scheduler(
    async (t, roundAtMs, signal) => controls.record(t, await probeTarget(t, roundAtMs, { ...ctx, signal })),
    { concurrency: Math.max(1, controls.targets.length), logger },
  );
  controlScheduler.sync(controls.targets);

  const targets = new TargetSet(
    config.region,
    (all) => {
      scheduler.sync(all.values());
      logger.info({ targets: [...all.keys()] }, 'targets changed');
    },
    logger,
  );
  targets.replaceFile(fileTargets);
  const reload = () => {
    if (!config.targetsFile) return;
    try {
      targets.replaceFile(loadTargetsFile(config.targetsFile));
    } catch (err) {
      logger.error({ file: config.targetsFile, err: (err as Error).message }, 'targets file not reloaded; the previous targets stay in effect');
    }
  };
  process.on('SIGHUP', reload);
  logger.info({ version: VERSION, nats: config.nats, targets: fileTargets.length, kv: config.kv, controls: config.controls.length }, 'agent started');

  const heartbeat = (): Heartbeat => {
    const s = sink.stats();
    const sched = scheduler.stats();
    return {
      agent: config.id,
      region: config.region,
      version: VERSION,
      sentAtMs: Date.now(),
      startedAtMs,
      targets: sched.targets,
      spoolDepth: s.spoolDepth,
      spoolBytes: s.spoolBytes,
      spoolDropped: s.spoolDropped,
      schedLagMs: scheduler.takeMaxLag(),
      controls: controls.snapshot(),
      resultsPublished: s.published,
      inFlight: sched.inFlight,
      rssBytes: process.memoryUsage.rss(),
    };
  };

  // KV targets and heartbeats need NATS: they start once it first answers.
  const stopWatch = new AbortController();
  let watching: Promise<void> = Promise.resolve();
  let stopHeartbeat = () => {};
  const nc = await Promise.race([connecting, untilAborted(shutdown)]);
  if (nc) {
    if (config.kv) {
      const events = { put: (t: Target) => targets.putKv(t), delete: (id: string) => targets.deleteKv(id) };
      watching = watchTargetsKv(nc, events, logger.child({ component: 'targets-kv' }), stopWatch.signal);
    }
    const subject = heartbeatSubject(config.region, config.id);
    stopHeartbeat = startHeartbeat({ nc, subject, intervalMs: config.heartbeatIntervalMs, collect: heartbeat, logger });
    await untilAborted(shutdown);
  }

  process.off('SIGHUP', reload);
  stopWatch.abort();
  await Promise.all([scheduler.stop(config.shutdownTimeoutMs), controlScheduler.stop(0)]);
  await sink.close(config.shutdownTimeoutMs);
  stopHeartbeat();
  await watching;
  const s = sink.stats();
  if (nc) await nc.drain().catch(() => nc.close());
  logger.info({ published: s.published, spoolDepth: s.spoolDepth, spoolDropped: s.spoolDropped }, 'agent stopped');
  return { connected: nc !== null };
}

function probeInto(sink: ResultSink, ctx: ProbeContext) {
  return async (t: Target, roundAtMs: number, signal: AbortSignal): Promise<void> => {
    for (const r of await probeTarget(t, roundAtMs, { ...ctx, signal })) sink.submit(r);
  };
}

/** Resolves null once `signal` aborts. */
function untilAborted(signal: AbortSignal): Promise<null> {
  return new Promise((resolve) => (signal.aborted ? resolve(null) : signal.addEventListener('abort', () => resolve(null), { once: true })));
}

async function connectNats(config: AgentConfig, logger: Logger): Promise<NatsConnection> {
  const nc = await connect({
    servers: config.nats,
    name: `crossprobe-agent ${config.region}/${config.id}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    // keep trying when the hub is down at boot; results meanwhile go to the spool
    waitOnFirstConnect: true,
  });
  logger.info({ server: nc.getServer() }, 'connected to NATS');
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') logger.warn({ server: s.data }, `NATS ${s.type}`);
    }
  })();
  return nc;
}
