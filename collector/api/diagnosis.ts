import { formatDuration, parseDuration } from '../../proto/index.js';
import { buildGrids, gridView, servingDimensions } from '../diagnosis/index.js';
import { evaluateTarget } from '../evaluate.js';
import { badRequest, notFound } from './errors.js';
import { defineRoute, type Route } from './route.js';
import type { ApiContext } from './context.js';
import { DiagnosisSchema, ErrorSchema, GridResponseSchema, TargetIdParams, WindowQuery } from './schemas.js';

/** The diagnosis windows for `?window=`: it is the long window, and the short one never exceeds it. */
export function diagnosisWindows(ctx: ApiContext, window: string | undefined): { longWindowMs: number; shortWindowMs: number } {
  if (window === undefined) return { longWindowMs: ctx.windows.longMs, shortWindowMs: ctx.windows.shortMs };
  const ms = parseDuration(window);
  if (ms === null || ms <= 0) throw badRequest(`querystring.window: must be a duration above 0 such as 30s, 15m or 24h (got ${JSON.stringify(window)})`);
  if (ms > ctx.windows.maxMs) throw badRequest(`querystring.window: must be at most ${formatDuration(ctx.windows.maxMs)} (got ${JSON.stringify(window)})`);
  return { longWindowMs: ms, shortWindowMs: Math.min(ctx.windows.shortMs, ms) };
}

// A target is known when the API created it or when results name it (an agent's --targets file).
function requireKnown(ctx: ApiContext, id: string): void {
  if (ctx.store.getTarget(id) !== null) return;
  if (ctx.store.queryResults({ target: id, limit: 1 }).results.length > 0) return;
  throw notFound(`target "${id}" does not exist and has no results`);
}

/** GET /api/v1/targets/:id/grid and /diagnosis. */
export function diagnosisRoutes(ctx: ApiContext): Route[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/targets/:id/grid',
      operationId: 'getGrid',
      summary: 'The region × serving-node grid of failures/probes over the window, per serving dimension',
      access: 'read',
      schema: { params: TargetIdParams, querystring: WindowQuery, response: { 200: GridResponseSchema, 400: ErrorSchema, 404: ErrorSchema } },
      handler: async ({ params, query }) => {
        const { longWindowMs } = diagnosisWindows(ctx, query.window);
        requireKnown(ctx, params.id);
        const now = ctx.now();
        const fromMs = now - longWindowMs;
        const observations = ctx.store.observations(params.id, fromMs, now + 1);
        const grids = buildGrids(observations, servingDimensions(observations)).map(gridView);
        return { target: params.id, window: { from: new Date(fromMs).toISOString(), to: new Date(now).toISOString() }, grids };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/targets/:id/diagnosis',
      operationId: 'getDiagnosis',
      summary: 'Where the target\'s failures come from: verdict, findings with suspects, confidence, hints and evidence',
      access: 'read',
      schema: { params: TargetIdParams, querystring: WindowQuery, response: { 200: DiagnosisSchema, 400: ErrorSchema, 404: ErrorSchema } },
      handler: async ({ params, query }) => {
        const windows = diagnosisWindows(ctx, query.window);
        requireKnown(ctx, params.id);
        return evaluateTarget(ctx.store, params.id, ctx.now(), windows);
      },
    }),
  ];
}
