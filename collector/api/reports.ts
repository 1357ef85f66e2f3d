import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { formatDuration, parseDuration } from '../../proto/index.js';
import {
  buildReport,
  contentSecurityPolicy,
  renderHtml,
  renderMarkdown,
  reportRange,
  REPORT_FORMATS,
  REPORT_LIMITS,
  type ReportFormat,
} from '../reports/index.js';
import { diagnosisWindows } from './diagnosis.js';
import { parseTimeParam } from './results.js';
import { badRequest, notFound } from './errors.js';
import { defineRoute, type Route } from './route.js';
import type { ApiContext } from './context.js';
import { DurationParam, ErrorSchema, TargetIdParams } from './schemas.js';

export const DEFAULT_REPORT_SINCE = '24h';
const MIN_RANGE_MS = 60_000;

/** The content type each report format is served with. */
export const REPORT_CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

export const ReportQuery = Type.Object(
  {
    since: Type.Optional(DurationParam(`how far back the report reaches from its end (default ${DEFAULT_REPORT_SINCE}, at most ${formatDuration(REPORT_LIMITS.rangeMs)})`)),
    until: Type.Optional(
      Type.String({
        minLength: 1,
        errorMessage: 'must be an ISO 8601 time, milliseconds since the epoch, or a duration ago such as 1h',
        description: 'end of the range (ISO 8601, ms since the epoch, or a duration ago such as 2h), rounded down to the minute; default: now',
      }),
    ),
    format: Type.Optional(
      Type.Union(REPORT_FORMATS.map((f) => Type.Literal(f)), { errorMessage: `must be one of ${REPORT_FORMATS.join(', ')}`, description: 'json (default): the report\'s data; md: Markdown; html: one self-contained page' }),
    ),
    window: Type.Optional(DurationParam('diagnosis window of the verdict at the end of the range (default: the collector\'s long window)')),
    token: Type.Optional(Type.String({ description: 'for browsers: a read token, exchanged once for a session cookie (303 to the same URL without it)' })),
  },
  { additionalProperties: false },
);

/** The JSON form: ReportData (collector/reports/types.ts). */
export const ReportSchema = Type.Object(
  {
    kind: Type.Literal('crossprobe-report'),
    version: Type.Literal(1),
    target: Type.Object({ id: Type.String(), url: Type.Union([Type.String(), Type.Null()]), managed: Type.Boolean() }),
    range: Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }), fromMs: Type.Number(), toMs: Type.Number(), length: Type.String() }),
    generatedAt: Type.String({ format: 'date-time' }),
  },
  {
    additionalProperties: true,
    description:
      'The regional failure report: totals, verdict (sentence, findings, hints), highlights, grid (regions × IPs), identityGrids, heatmap, ' +
      'minuteOfHour, codes, provenance, phases, incidents, samples, sources (what each part covers), diagnosis',
  },
);

function parseSince(text: string | undefined): number {
  const value = text ?? DEFAULT_REPORT_SINCE;
  const ms = parseDuration(value);
  if (ms === null) throw badRequest(`querystring.since: must be a duration such as 30s, 15m or 24h (got ${JSON.stringify(value)})`);
  if (ms < MIN_RANGE_MS) throw badRequest(`querystring.since: must be at least 1m (got ${JSON.stringify(value)})`);
  if (ms > REPORT_LIMITS.rangeMs) throw badRequest(`querystring.since: must be at most ${formatDuration(REPORT_LIMITS.rangeMs)} (got ${JSON.stringify(value)})`);
  return ms;
}

/** Headers of every HTML page the collector serves: its own CSP (nonce), no sniffing, no framing, no caching, no referrer. */
export function htmlPageHeaders(reply: FastifyReply, nonce: string, withScript: boolean): void {
  void reply
    .header('content-security-policy', contentSecurityPolicy(nonce, withScript))
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .type(REPORT_CONTENT_TYPES.html);
}

/** A fresh CSP nonce. */
export const newNonce = (): string => randomBytes(16).toString('base64');

/** GET /api/v1/targets/:id/report: the regional failure report as JSON, Markdown or HTML. */
export function reportRoutes(ctx: ApiContext): Route[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/targets/:id/report',
      operationId: 'getReport',
      summary:
        'The regional failure report over ?since= (default 24h) up to ?until= (default now): verdict, region × node grid, heatmap, ' +
        'codes and provenance, phase timings, incidents, sample failures; ?format=json|md|html',
      access: 'read',
      schema: {
        params: TargetIdParams,
        querystring: ReportQuery,
        response: {
          200: {
            description: 'The report in the format asked for',
            content: {
              'application/json': { schema: ReportSchema },
              'text/markdown': { schema: Type.String({ description: 'Markdown' }) },
              'text/html': { schema: Type.String({ description: 'one self-contained page' }) },
            },
          },
          400: ErrorSchema,
          404: ErrorSchema,
        },
      },
      handler: async ({ params, query }, reply) => {
        const now = ctx.now();
        const sinceMs = parseSince(query.since);
        const untilMs = query.until === undefined ? null : parseTimeParam(query.until, 'querystring.until', now);
        const windows = diagnosisWindows(ctx, query.window);
        if (ctx.store.getTarget(params.id) === null && !ctx.store.targetSeen(params.id)) {
          throw notFound(`target "${params.id}" does not exist and has no results`);
        }
        const { fromMs, toMs } = reportRange(sinceMs, untilMs, now);
        const data = buildReport(ctx.store, { target: params.id, fromMs, toMs, nowMs: now, diagnosis: windows });
        const format = query.format ?? 'json';
        if (format === 'json') return data;
        const filename = `crossprobe-report-${params.id}-${new Date(toMs).toISOString().slice(0, 16).replace(/[-:]/g, '')}Z.${format}`;
        if (format === 'md') {
          void reply.type(REPORT_CONTENT_TYPES.md).header('content-disposition', `inline; filename="${filename}"`);
          return renderMarkdown(data);
        }
        const nonce = newNonce();
        htmlPageHeaders(reply, nonce, false);
        void reply.header('content-disposition', `inline; filename="${filename}"`);
        return renderHtml(data, { nonce, dashboardHref: '/' });
      },
    }),
  ];
}
