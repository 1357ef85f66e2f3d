import type { NatsConnection } from 'nats';
import type { Store } from '../store/index.js';
import { ApiError } from './errors.js';
import { isStale } from './agents.js';
import { defineRoute, type Route } from './route.js';
import type { ApiContext } from './context.js';
import { collectorMetrics, renderPrometheus } from './metrics.js';
import { HealthSchema, MetricsSchema } from './schemas.js';

/** One dependency's state for /healthz. */
export interface Check {
  readonly ok: boolean;
  readonly detail: string;
}

const NATS_CHECK_TIMEOUT_MS = 2_000;

/** The database answers a query. */
export function checkDb(store: Store): Check {
  try {
    // an indexed lookup of a key that never exists: touches the file, costs nothing
    store.getTarget('-healthz-');
    return { ok: true, detail: 'ok' };
  } catch (err) {
    return { ok: false, detail: `database: ${(err as Error).message}` };
  }
}

/** The NATS connection is up and the server answers a ping. */
export async function checkNats(nc: NatsConnection): Promise<Check> {
  if (nc.isClosed()) return { ok: false, detail: 'nats: connection closed' };
  let timer: NodeJS.Timeout | undefined;
  try {
    const rtt = await Promise.race([
      nc.rtt(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${NATS_CHECK_TIMEOUT_MS} ms`)), NATS_CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, detail: `ok (rtt ${rtt} ms to ${nc.getServer()})` };
  } catch (err) {
    const e = err as { code?: unknown; message?: string };
    return { ok: false, detail: e.code === 'DISCONNECT' ? 'nats: disconnected from the server; reconnecting' : `nats: ${e.message || 'no answer'}` };
  } finally {
    clearTimeout(timer);
  }
}

/** /healthz and /metrics, outside /api/v1 where probes and scrapers expect them. */
export function healthRoutes(ctx: ApiContext): Route[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/healthz',
      operationId: 'health',
      summary: '200 when the database and NATS are usable, 503 with the reason otherwise',
      access: 'public',
      schema: { response: { 200: HealthSchema, 503: HealthSchema } },
      handler: async (_req, reply) => {
        const checks = { db: checkDb(ctx.store), nats: await checkNats(ctx.nc) };
        const failing = Object.values(checks).filter((c) => !c.ok);
        if (failing.length === 0) return { status: 'ok' as const, checks };
        const error = new ApiError('CP_UNAVAILABLE', failing.map((c) => c.detail).join('; '));
        void reply.code(503);
        return { status: 'unavailable' as const, checks, ...error.toBody() };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics: ingest counters and lag, per-agent liveness and spool depth, targets',
      access: 'read',
      schema: { response: { 200: { content: { 'text/plain': { schema: MetricsSchema } } } } },
      handler: async (_req, reply) => {
        const now = ctx.now();
        const agents = ctx.store.listAgents().map((a) => ({ ...a, stale: isStale(a, now, ctx.heartbeatIntervalMs) }));
        const text = renderPrometheus(
          collectorMetrics({
            ingest: ctx.ingestStats(),
            agents,
            targets: ctx.store.listTargets().length,
            rejectsStored: ctx.store.countRejects(),
            diagnosisObservations: ctx.store.recentSize,
            openIncidents: countBy(ctx.store.listIncidents({ state: 'open', limit: 10_000 }).map((i) => i.verdict)),
            counted: ctx.store.cellCountsSize,
            runtime: ctx.runtimeStats?.() ?? null,
          }),
        );
        void reply.type('text/plain; version=0.0.4; charset=utf-8');
        return text;
      },
    }),
  ];
}

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
