import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { connect, type KV, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { ensureTargetsBucket, targetToWire, COLLECTOR_INBOX_PREFIX, describeNatsAccess, natsConnectOptions } from '../proto/index.js';
import { openStore, type Store } from './store/index.js';
import { startIngest, type Ingest } from './ingest/index.js';
import { buildApi, STALE_HEARTBEATS, TICK_BUCKETS_S, type ApiServer, type RuntimeMetrics } from './api/index.js';
import type { CollectorConfig } from './config.js';
import { createAlerts, type Alerts } from './alerts/index.js';
import { startIncidentLoop, type IncidentLoop } from './incidents/index.js';
import { evaluateTarget, judgeContext, judgeTarget } from './evaluate.js';
import { EventLoopLag, Histogram } from '../common/index.js';

/** Told once the collector serves: the API's base URL. */
export interface CollectorHooks {
  ready?(info: { readonly url: string }): void;
}

const DRAIN_TIMEOUT_MS = 5_000;

/**
 * Runs the collector until `shutdown` aborts: the store, ingest (which creates the results stream,
 * the targets KV bucket and its consumer), the HTTP API, and retention every `retention.intervalMs`.
 * On shutdown: the API stops accepting and finishes its requests, retention finishes its chunk,
 * ingest commits and acks the batch it holds, NATS drains, the database closes. Start-up failures
 * (NATS unreachable, port taken, database unusable) throw after undoing what was started.
 */
export async function runCollector(config: CollectorConfig, logger: Logger, shutdown: AbortSignal, hooks: CollectorHooks = {}): Promise<void> {
  const running: { api?: ApiServer; retention?: Retention; ingest?: Ingest; nc?: NatsConnection; store?: Store; incidents?: IncidentLoop; alerts?: Alerts } = {};
  // how long the main thread (NATS, the API, the incident ticks' slices) holds up its event loop
  const lag = new EventLoopLag().start();
  const ticks = new Histogram(TICK_BUCKETS_S);
  let lastTick: RuntimeMetrics['lastTick'] = null;
  // Shutdown order: no new requests, no new retention chunk, ingest commits and acks what it holds,
  // the acks reach NATS, and only then the database closes.
  const teardown = async () => {
    const steps: [string, (() => Promise<void> | void) | undefined][] = [
      ['api', running.api && (() => running.api!.close())],
      ['retention', running.retention && (() => running.retention!.stop())],
      ['incidents', running.incidents && (() => running.incidents!.stop())],
      ['alerts', running.alerts && (() => running.alerts!.close())],
      ['ingest', running.ingest && (() => running.ingest!.stop())],
      ['nats', running.nc && (() => closeNats(running.nc!, logger))],
      ['database', running.store && (() => running.store!.close())],
      ['event-loop-lag', () => lag.stop()],
    ];
    for (const [name, step] of steps) {
      try {
        await step?.();
      } catch (err) {
        logger.error({ step: name, err }, 'shutdown step failed');
      }
    }
  };
  try {
    // NATS first: a collector that cannot start leaves no database behind.
    let nc: NatsConnection;
    try {
      nc = running.nc = await connect({
        ...natsConnectOptions(config.nats, config.natsAccess),
        name: 'crossprobe-collector',
        // its user may subscribe to its own replies only (see crossprobe enroll --collector)
        inboxPrefix: COLLECTOR_INBOX_PREFIX,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1_000,
        // a hub reloading a broken users file must not end the connection for good
        ignoreAuthErrorAbort: true,
      });
    } catch (err) {
      throw new Error(`cannot connect to NATS at ${config.nats.join(', ')}: ${(err as Error).message}${natsHelp(err)}`, { cause: err });
    }
    watchNats(nc, logger);
    logger.info({ event: 'nats-connected', server: nc.getServer(), ...describeNatsAccess(config.natsAccess) }, 'connected to NATS');
    const kv = await ensureTargetsBucket(nc, { replicas: config.streamReplicas });

    mkdirSync(dirname(config.db), { recursive: true });
    const store = (running.store = openStore(config.db, {
      maxRejects: config.ingest.maxRejects,
      onBadTarget: (target, err) =>
        logger.error({ event: 'stored-target-invalid', target, err }, 'stored target does not validate; skipped (API listing, dashboard, incidents, KV republish) until replaced or deleted'),
    }));
    logger.info({ db: config.db, schema: store.schema }, 'database open');

    await republishMissingTargets(store, kv, logger);

    // The port is taken before ingest starts: a collector that cannot serve must not take results
    // off the shared durable consumer into its own database.
    const api = (running.api = buildApi({
      store,
      kv,
      nc,
      logger,
      tokens: { api: config.apiToken, read: config.readToken, openWrites: config.insecureOpenApi },
      windows: config.windows,
      allowPrivateTargets: config.allowPrivateTargets,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      ingestStats: () => running.ingest?.stats() ?? null,
      runtimeStats: () => ({ ticks: ticks.snapshot(), lastTick, eventLoopLag: lag.histogram.snapshot() }),
      now: () => Date.now(),
      // behind a TLS proxy the requests arrive as plain HTTP: the public URL says what browsers use
      secureCookies: config.publicUrl?.startsWith('https://') ?? false,
    }));
    try {
      await api.listen({ host: config.listen.host, port: config.listen.port });
    } catch (err) {
      throw new Error(`cannot listen on ${config.listen.host}:${config.listen.port}: ${(err as { code?: string }).code ?? (err as Error).message}`, { cause: err });
    }

    running.ingest = await startIngest({
      nc,
      store,
      logger,
      streamReplicas: config.streamReplicas,
      // a result retention would delete at once is refused at the door
      maxResultAgeMs: config.retention.rawMs,
      maxClockAheadMs: config.ingest.maxClockSkewMs,
      maxResultTargets: config.ingest.maxResultTargets,
      maxServingNodes: config.ingest.maxServingNodes,
    });
    running.retention = new Retention(store, config, logger);
    running.retention.start();

    const address = api.server.address();
    const bound = address !== null && typeof address === 'object' ? address : null;
    const host = bound ? (bound.family === 'IPv6' ? `[${bound.address}]` : bound.address) : config.listen.host;
    const url = `http://${host}:${bound?.port ?? config.listen.port}`;

    // Every target is diagnosed on a timer; confirmed findings open incidents, which alert.
    const windows = { shortWindowMs: config.windows.shortMs, longWindowMs: config.windows.longMs };
    const alerts = (running.alerts = createAlerts({ webhooks: config.webhooks, publicUrl: config.publicUrl ?? url, logger }));
    running.incidents = startIncidentLoop({
      store,
      logger,
      alerts,
      intervalMs: config.incidents.intervalMs,
      activeWithinMs: config.windows.longMs,
      options: { confirmEvaluations: config.incidents.confirmEvaluations, resolveAfterMs: config.incidents.resolveAfterMs },
      // the same staleness the API and the dashboard show
      agentHealth: { staleAfterMs: STALE_HEARTBEATS * config.heartbeatIntervalMs },
      evaluate: (target, nowMs) => evaluateTarget(store, target, nowMs, windows),
      // every target from its counts, raw results only where they could show a finding (see evaluate.ts)
      judge: (nowMs) => {
        const ctx = judgeContext(store, nowMs, windows);
        return (target) => judgeTarget(store, target, ctx);
      },
      onTick: (t) => {
        ticks.observe(t.durationMs / 1000);
        lastTick = { targets: t.targets, fullDiagnoses: t.fullDiagnoses, longestSliceMs: t.longestSliceMs };
      },
    });
    const writes = config.apiToken !== null ? 'token' : config.insecureOpenApi ? 'open' : 'refused';
    if (writes === 'open') logger.warn('--insecure-open-api: no API token, and anyone who reaches the API can add, change and delete targets');
    if (writes === 'refused') logger.warn('no API token configured: the API refuses every write (set CROSSPROBE_API_TOKEN or --api-token; --insecure-open-api for a local demo)');
    logger.info({ event: 'collector-started', url, auth: { writes, reads: config.readToken !== null ? 'token' : 'open' } }, 'collector started');
    hooks.ready?.({ url });
  } catch (err) {
    await teardown();
    throw err;
  }
  if (!shutdown.aborted) await new Promise<void>((resolve) => shutdown.addEventListener('abort', () => resolve(), { once: true }));
  logger.info('collector stopping');
  await teardown();
  logger.info('collector stopped');
}

/**
 * What to do when no NATS server answers at all (nothing listens, or nothing answers in time): how to
 * start one. Other failures (TLS, credentials) carry their own reason.
 */
function natsHelp(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code !== 'CONNECTION_REFUSED' && code !== 'TIMEOUT' && code !== 'CONNECTION_TIMEOUT') return '';
  return [
    '',
    'No NATS server answers there. Start one with JetStream, e.g.:',
    '  sudo apt-get install nats-server && nats-server -js',
    'then run this command again (--nats URL for another server). To try crossprobe on one machine instead: npm run dev (or crossprobe dev).',
  ].join('\n');
}

/** Deletes expired rows now and every interval; never two runs at once. */
class Retention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly config: CollectorConfig,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.retention.intervalMs);
  }

  private tick(): void {
    if (this.running || this.stopped) return;
    const { rawMs, rollupMs, rejectsMs } = this.config.retention;
    this.running = this.store
      .applyRetention(Date.now(), { rawMs, rollupMs, rejectsMs })
      .then(
        (report) => {
          const deleted = report.results + report.rollups + report.rejects;
          this.logger[deleted > 0 ? 'info' : 'debug']({ event: 'retention-applied', ...report }, 'retention applied');
        },
        (err: unknown) => this.logger.error({ err }, 'retention failed; retrying next interval'),
      )
      .finally(() => {
        this.running = null;
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

/**
 * Targets the store has and the KV bucket lacks (a fresh or wiped NATS server) are written back:
 * the store is the collector's record, the bucket is what the agents act on.
 */
async function republishMissingTargets(store: Store, kv: KV, logger: Logger): Promise<void> {
  for (const { target } of store.listTargets()) {
    const entry = await kv.get(target.id);
    if (entry !== null && entry.operation === 'PUT') continue;
    await kv.put(target.id, targetToWire(target));
    logger.warn({ event: 'target-republished', target: target.id }, 'target missing from the KV bucket; written back from the database');
  }
}

function watchNats(nc: NatsConnection, logger: Logger): void {
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') logger.warn({ server: s.data }, 'NATS disconnected; reconnecting');
      else if (s.type === 'reconnect') logger.info({ server: s.data }, 'NATS reconnected');
    }
  })().catch(() => undefined);
}

// drain flushes the acks ingest just sent; a server that is down would keep it waiting, hence the bound.
async function closeNats(nc: NatsConnection, logger: Logger): Promise<void> {
  if (nc.isClosed()) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([nc.drain(), new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_TIMEOUT_MS)))]);
  } catch (err) {
    logger.warn({ err }, 'NATS drain failed');
  } finally {
    clearTimeout(timer);
  }
  if (!nc.isClosed()) await nc.close();
}
