import { defineRoute, type Route } from './route.js';
import type { ApiContext } from './context.js';
import { ErrorSchema, RejectListSchema, RejectsQuery } from './schemas.js';

/** GET /api/v1/rejects: the messages ingest could not use, newest first, to see what is malformed. */
export function rejectRoutes(ctx: ApiContext): Route[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/rejects',
      operationId: 'listRejects',
      summary: 'Malformed or invalid messages ingest set aside: subject, reason, time, size and first bytes',
      access: 'read',
      schema: { querystring: RejectsQuery, response: { 200: RejectListSchema, 400: ErrorSchema } },
      handler: async ({ query }) => {
        const limit = query.limit ?? 50;
        const bytes = query.bytes ?? 64;
        const rows = ctx.store.listRejects(limit + 1, query.before);
        const page = rows.slice(0, limit);
        return {
          total: ctx.store.countRejects(),
          rejects: page.map((r) => ({
            id: r.id,
            receivedAt: new Date(r.receivedAtMs).toISOString(),
            subject: r.subject,
            reason: r.reason,
            size: r.size,
            firstBytesHex: r.bytes.subarray(0, bytes).toString('hex'),
          })),
          nextBefore: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
        };
      },
    }),
  ];
}
