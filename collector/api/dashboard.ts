import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { buildDashboard, renderDashboardHtml, renderMessagePage } from '../reports/index.js';
import { STALE_HEARTBEATS, type ApiContext } from './context.js';
import { defineRoute, type Route } from './route.js';
import { htmlPageHeaders, newNonce } from './reports.js';

export const DEFAULT_REFRESH_SECONDS = 15;

export const DashboardQuery = Type.Object(
  {
    refresh: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 3_600, errorMessage: 'must be a whole number of seconds from 1 to 3600', description: `seconds between refreshes (default ${DEFAULT_REFRESH_SECONDS})` }),
    ),
    token: Type.Optional(Type.String({ description: 'a read token, exchanged once for a session cookie (303 to the same URL without it)' })),
  },
  { additionalProperties: false },
);

/** Where the dashboard links a target's report. */
export function reportHref(target: string, since: string): string {
  return `/api/v1/targets/${encodeURIComponent(target)}/report?since=${encodeURIComponent(since)}&format=html`;
}

/** GET /: the dashboard, server-rendered, refreshing itself. */
export function dashboardRoutes(ctx: ApiContext): Route[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/',
      operationId: 'dashboard',
      summary: 'The dashboard (HTML): every target\'s last hour per region, open incidents with their verdict, agents and their health',
      access: 'read',
      schema: { querystring: DashboardQuery, response: { 200: { description: 'an HTML page', content: { 'text/html': { schema: Type.String() } } } } },
      handler: async ({ query }, reply) => {
        const now = ctx.now();
        const data = buildDashboard(ctx.store, { nowMs: now, staleAfterMs: STALE_HEARTBEATS * ctx.heartbeatIntervalMs, heartbeatIntervalMs: ctx.heartbeatIntervalMs });
        const nonce = newNonce();
        htmlPageHeaders(reply, nonce, true);
        return renderDashboardHtml(data, { nonce, refreshSeconds: query.refresh ?? DEFAULT_REFRESH_SECONDS, reportHref });
      },
    }),
  ];
}

/**
 * The 401 a browser gets for a page (the dashboard, an HTML report) without credentials: a page saying
 * how to get in, rather than JSON. Its link reloads the same address from the collector's own page: a
 * same-site navigation, which carries the SameSite=Strict session cookie that a link from a chat tool
 * (cross-site) does not.
 */
export function unauthorizedPage(reply: FastifyReply, message: string, url: string): FastifyReply {
  const nonce = newNonce();
  htmlPageHeaders(reply, nonce, false);
  return reply.code(401).send(
    renderMessagePage({
      title: 'crossprobe: read token needed',
      paragraphs: [
        `${message}.`,
        'This collector needs its read token for reads. In a browser, open this address once with ?token=<read token> added: ' +
          'the token is exchanged for a session cookie (HttpOnly, SameSite=Strict) and removed from the address.',
        'Already did, and came here from a link in another application? Browsers do not send that cookie on links from other sites; the link below reloads this page from here.',
      ],
      link: { href: url, text: 'Reload this page' },
      nonce,
    }),
  );
}

/** Whether a request asks for one of the collector's HTML pages (the dashboard or an HTML report). */
export function isHtmlPage(method: string, routeUrl: string | undefined, query: unknown): boolean {
  if (method !== 'GET') return false;
  if (routeUrl === '/') return true;
  return routeUrl === '/api/v1/targets/:id/report' && (query as { format?: unknown } | undefined)?.format === 'html';
}
