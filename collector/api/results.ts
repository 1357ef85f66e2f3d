import { parseDuration } from '../../proto/index.js';
import { StoreError, STORE_ERROR_CODES, type ResultQuery } from '../store/index.js';
import { badRequest } from './errors.js';
import { defineRoute, type Route } from './route.js';
import type { ApiContext } from './context.js';
import { ErrorSchema, ResultPageSchema, ResultsQuery } from './schemas.js';

export const DEFAULT_RESULTS_LIMIT = 100;

/** The largest time a JavaScript Date holds (ms since the epoch). */
const MAX_TIME_MS = 8.64e15;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A point in time as the API takes it: ISO 8601 ("2026-05-01T12:00:00Z"), milliseconds since the
 * epoch, or a duration meaning that long before now ("1h"). Throws a 400 naming `field`.
 */
export function parseTimeParam(text: string, field: string, nowMs: number): number {
  const ago = parseDuration(text);
  if (ago !== null) return nowMs - ago;
  const ms = /^\d+$/.test(text) ? Number(text) : ISO_TIME.test(text) ? Date.parse(text) : Number.NaN;
  // a long run of digits is Infinity or past what a Date holds: no time at all, not "the far future"
  if (!(Math.abs(ms) <= MAX_TIME_MS)) {
    throw badRequest(`${field}: must be an ISO 8601 time, milliseconds since the epoch, or a duration ago such as 1h (got ${JSON.stringify(text)})`);
  }
  return ms;
}

/** GET /api/v1/results: filtered, cursor-paginated probe results. */
export function resultRoutes(ctx: ApiContext): Route[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/results',
      operationId: 'listResults',
      summary: 'Probe results, filtered, newest first by default; follow nextCursor for the next page',
      access: 'read',
      schema: { querystring: ResultsQuery, response: { 200: ResultPageSchema, 400: ErrorSchema } },
      handler: async (req) => {
        const now = ctx.now();
        const { from, to, limit, cursor, ...filters } = req.query;
        const q: ResultQuery = {
          ...filters,
          limit: limit ?? DEFAULT_RESULTS_LIMIT,
          ...(from !== undefined ? { from: parseTimeParam(from, 'querystring.from', now) } : {}),
          ...(to !== undefined ? { to: parseTimeParam(to, 'querystring.to', now) } : {}),
          ...(cursor !== undefined ? { cursor } : {}),
        };
        try {
          return ctx.store.queryResults(q);
        } catch (err) {
          if (err instanceof StoreError && err.code === STORE_ERROR_CODES.badCursor) throw badRequest(`querystring.cursor: ${err.message}`);
          throw err;
        }
      },
    }),
  ];
}
