import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { connect, type ConnectionOptions, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { backoffDelay, RateLimitedLog } from '../common/index.js';
import { ConfigError, heartbeatSubject, resultsSubject, type Heartbeat, type Target, VERSION, agentInboxPrefix, describeNatsAccess, natsConnectOptions } from '../proto/index.js';
import type { AgentConfig } from './config.js';
import { Controls } from './controls.js';
import { startHeartbeat } from './heartbeat.js';
import { DnsResolver, probeTarget, type ProbeContext } from './probes/index.js';
import { Scheduler } from './scheduler.js';
import { createDeferredSink, openSpool, SpoolLockedError, type ResultSink } from './sinks/index.js';
import { loadTargetsFile, watchTargetsKv, TargetSet } from './targets/index.js';

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

  // The spool (and its lock) before anything else: a second agent on the same spool stops here.
  adoptLegacySpool(config, logger);
  const sinkOptions = {
    subject: resultsSubject(config.region, config.id),
    spoolDir: config.spoolDir,
    spoolMaxBytes: config.spoolMaxBytes,
    spoolMemoryMaxBytes: config.spoolMemoryMaxBytes,
    logger,
  };
  const spool = await openSpool(sinkOptions, logger.child({ component: 'spool' })).catch((err: unknown) => {
    if (err instanceof SpoolLockedError) throw new ConfigError(`spoolDir (--spool-dir, CROSSPROBE_SPOOL_DIR): ${err.message}`, 'spoolDir');
    throw err;
  });
  logger.info({ event: 'spool-opened', dir: config.spoolDir, ...spool.health() }, 'spool opened');
  const connecting = connectNats(config, logger);
  const sink = createDeferredSink(connecting, spool, sinkOptions);

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
    allowPrivateTargets: config.allowPrivateTargets,
    maxIpsPerRound: config.maxIpsPerRound,
    onIpsSkipped: ipsSkipped(logger),
  };
  const scheduler = new Scheduler(probeInto(sink, ctx), { concurrency: config.concurrency, logger });

  const controls = new Controls(config.controls, config.controlIntervalMs);
  const controlScheduler = new Scheduler(
    // control URLs are the operator's own word (--control, on this machine), not API input: a private
    // one (the collector's /healthz on a private network) is probed whatever --allow-private-targets says
    async (t, roundAtMs, signal) => controls.record(t, await probeTarget(t, roundAtMs, { ...ctx, allowPrivateTargets: true, signal })),
    { concurrency: Math.max(1, controls.targets.length), logger },
  );
  controlScheduler.sync(controls.targets);

  const targets = new TargetSet(
    config.region,
    (all) => {
      scheduler.sync(all.values());
      logger.info({ event: 'targets-changed', targets: [...all.keys()] }, 'targets changed');
    },
    logger,
  );
  targets.replaceFile(fileTargets);
  const reload = () => {
    if (!config.targetsFile) return;
    try {
      targets.replaceFile(loadTargetsFile(config.targetsFile));
    } catch (err) {
      logger.error({ file: config.targetsFile, err }, 'targets file not reloaded; the previous targets stay in effect');
    }
  };
  process.on('SIGHUP', reload);
  logger.info(
    { version: VERSION, nats: config.nats, targets: fileTargets.length, kv: config.kv, controls: config.controls.length, allowPrivateTargets: config.allowPrivateTargets },
    'agent started',
  );

  const heartbeat = (): Heartbeat => {
    const s = sink.stats();
    const sched = scheduler.stats();
    const spoolHealth = sink.spoolHealth();
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
      spoolDegraded: spoolHealth.state === 'degraded',
      spoolError: spoolHealth.lastError ?? '',
      memoryQueueDepth: spoolHealth.memoryDepth,
      memoryQueueBytes: spoolHealth.memoryBytes,
      memoryQueueDropped: spoolHealth.memoryDropped,
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
  const health = sink.spoolHealth();
  logger.info({ event: 'agent-stopped', published: s.published, spoolDepth: s.spoolDepth, spoolDropped: s.spoolDropped, memoryQueueDropped: health.memoryDropped }, 'agent stopped');
  return { connected: nc !== null };
}

/**
 * Agents before the spool was keyed by region and id kept it in $STATE_DIRECTORY/spool: when the
 * default directory does not exist yet, that spool moves there, so an upgrade loses no result.
 */
function adoptLegacySpool(config: AgentConfig, logger: Logger): void {
  const state = process.env.STATE_DIRECTORY?.split(':')[0];
  if (!state || !config.spoolDir.startsWith(join(state, 'crossprobe'))) return;
  const legacy = join(state, 'spool');
  try {
    if (!existsSync(legacy) || existsSync(config.spoolDir) || !readdirSync(legacy).some((f) => f.endsWith('.seg'))) return;
    mkdirSync(dirname(config.spoolDir), { recursive: true, mode: 0o700 });
    renameSync(legacy, config.spoolDir);
    logger.info({ from: legacy, to: config.spoolDir }, 'moved the spool of an earlier version to this agent\'s spool directory');
  } catch (err) {
    logger.warn({ err, from: legacy, to: config.spoolDir }, 'cannot move the spool of an earlier version; its results stay there');
  }
}

function probeInto(sink: ResultSink, ctx: ProbeContext) {
  return async (t: Target, roundAtMs: number, signal: AbortSignal): Promise<void> => {
    for (const r of await probeTarget(t, roundAtMs, { ...ctx, signal })) sink.submit(r);
  };
}

/**
 * Logs a target whose DNS answer had more IPs than --max-ips-per-round: once per target and count, not
 * every round (a name with 100 records would otherwise log every interval).
 */
function ipsSkipped(logger: Logger): (target: Target, skipped: number, resolved: number) => void {
  const told = new Map<string, number>();
  return (target, skipped, resolved) => {
    if (told.get(target.id) === resolved) return;
    told.set(target.id, resolved);
    logger.warn(
      { target: target.id, resolved, probed: resolved - skipped, skipped },
      'DNS answered with more IPs than --max-ips-per-round; the first ones are probed, the rest skipped',
    );
  };
}

/** Resolves null once `signal` aborts. */
function untilAborted(signal: AbortSignal): Promise<null> {
  return new Promise((resolve) => (signal.aborted ? resolve(null) : signal.addEventListener('abort', () => resolve(null), { once: true })));
}

async function connectNats(config: AgentConfig, logger: Logger): Promise<NatsConnection> {
  const options: ConnectionOptions = {
    ...natsConnectOptions(config.nats, config.natsAccess),
    name: `crossprobe-agent ${config.region}/${config.id}`,
    // replies (JetStream acks, KV deliveries) come to this agent's own prefix, which its NATS user
    // alone may subscribe to (see crossprobe enroll)
    inboxPrefix: agentInboxPrefix(config.region, config.id),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    // a hub reloading a broken users file must not end the connection for good (nats.js gives up
    // after two refusals in a row otherwise): the agent would never publish again
    ignoreAuthErrorAbort: true,
  };
  const user = config.natsAccess?.identity?.publicKey ?? null;
  // one line a minute per kind of trouble, with how many were held back
  const limited = new RateLimitedLog(logger, 60_000);
  // Until NATS first answers, this loop retries (results meanwhile go to the spool) and says why it
  // cannot connect: a hub down at boot is routine, refused credentials or a certificate that does
  // not verify are for the operator to fix.
  let nc: NatsConnection | null = null;
  for (let attempt = 1; !nc; attempt++) {
    try {
      nc = await connect(options);
    } catch (err) {
      const detail = { servers: config.nats, code: (err as { code?: unknown } | null)?.code ?? null, err, user, attempt };
      if (isAuthError(err)) limited.error('refused', detail, 'NATS refused this agent\'s credentials; retrying (is it enrolled on the hub, and the hub reloaded? crossprobe enroll)');
      else if (isTlsError(err)) limited.error('unreachable', detail, 'the NATS server\'s TLS certificate does not verify; retrying (--nats-ca, and the name or address in --nats?)');
      else limited.warn('unreachable', detail, 'cannot reach NATS yet; retrying, results wait in the spool');
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, { baseMs: 250, maxMs: 2_000 })));
    }
  }
  logger.info({ event: 'nats-connected', server: nc.getServer(), ...describeNatsAccess(config.natsAccess) }, 'connected to NATS');
  const connected = nc;
  (async () => {
    for await (const s of connected.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') logger.warn({ server: s.data }, `NATS ${s.type}`);
      else if (s.type === 'error' && isAuthError(s.data)) {
        limited.error('refused', { err: s.data, user }, 'NATS refused this agent\'s credentials; reconnecting (is it still enrolled on the hub?)');
      } else if (s.type === 'error' && String(s.data) === 'PERMISSIONS_VIOLATION') {
        // A subject this agent's user may not use: the publish is not acked, the result waits in
        // the spool, and only the operator can fix it (the enroll entry and --region/--id must match).
        const what = (s as { permissionContext?: { operation?: string; subject?: string } }).permissionContext;
        limited.error(
          'forbidden',
          { operation: what?.operation ?? null, subject: what?.subject ?? null, user, region: config.region, agent: config.id },
          'NATS refused a subject to this agent\'s user; results stay in the spool until the hub\'s authorization entry matches --region/--id (crossprobe enroll)',
        );
      }
    }
  })().catch((err: unknown) => logger.error({ err }, 'NATS status watcher stopped'));
  return connected;
}

function isAuthError(err: unknown): boolean {
  const code = typeof err === 'string' ? err : (err as { code?: unknown } | null)?.code;
  return code === 'AUTHORIZATION_VIOLATION' || code === 'AUTHENTICATION_EXPIRED' || code === 'AUTHENTICATION_TIMEOUT';
}

/** Node's certificate errors (UNABLE_TO_VERIFY_LEAF_SIGNATURE, ERR_TLS_CERT_ALTNAME_INVALID, ...) and nats.js's own. */
function isTlsError(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code === 'TLS' || code === 'SERVER_OPT_NA' || /CERT|SIGNATURE|SELF_SIGNED|ISSUER|ALTNAME|TLS|SSL/.test(code);
}
