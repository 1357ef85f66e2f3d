import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, RawServerDefault } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ID_PATTERN, ID_RULE } from '../../proto/index.js';
import { DiagnosisSchema, ErrorSchema } from './schemas.js';
import { ApiError, badRequest, notFound, toApiError } from './errors.js';
import { defineRoute, type Route } from './route.js';
import { VERDICTS } from '../diagnosis/index.js';
import { INCIDENT_EVENT_TYPES, INCIDENT_STATES, type IncidentState, type Store } from '../store/index.js';
import { incidentEventView, incidentView } from '../incidents/index.js';

/** What the incident routes read. */
export interface IncidentRoutesContext {
  readonly store: Pick<Store, 'listIncidents' | 'getIncident' | 'incidentHistory'>;
}

export const DEFAULT_INCIDENTS_LIMIT = 50;
export const MAX_INCIDENTS_LIMIT = 1_000;

const TARGET_PATTERN = new RegExp(ID_PATTERN);
const INCIDENT_ID_PATTERN = /^[a-z0-9-]{1,100}$/;

const SuspectSchema = Type.Object({ dimension: Type.String(), value: Type.String() });
const IncidentVerdictSchema = Type.Union(VERDICTS.filter((v) => v !== 'healthy' && v !== 'agent').map((v) => Type.Literal(v)));
const IncidentViewSchema = Type.Object({
  id: Type.String({ description: '<target>-<opened at, ms since the epoch>' }),
  target: Type.String(),
  state: Type.Union(INCIDENT_STATES.map((s) => Type.Literal(s))),
  verdict: IncidentVerdictSchema,
  suspects: Type.Array(SuspectSchema),
  summary: Type.String({ description: 'the finding it follows in one sentence, at its worst so far' }),
  others: Type.Array(Type.Object({ verdict: IncidentVerdictSchema, suspects: Type.Array(SuspectSchema), summary: Type.String() }), {
    description: 'the target\'s other problems beside the one it follows, in its last diagnosis with a finding (what its alerts name after "also:"); none once resolved',
  }),
  openedAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  resolvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  reopens: Type.Integer({ description: 'times it re-opened within the resolve time after resolving (flapping)' }),
});
const IncidentEventSchema = Type.Object({
  at: Type.String({ format: 'date-time' }),
  type: Type.Union(INCIDENT_EVENT_TYPES.map((t) => Type.Literal(t))),
  verdict: Type.String(),
  suspects: Type.Array(SuspectSchema),
  summary: Type.String(),
});
export const IncidentListSchema = Type.Object({ incidents: Type.Array(IncidentViewSchema, { description: 'newest opened first' }) });
export const IncidentDetailSchema = Type.Composite([
  IncidentViewSchema,
  Type.Object({
    history: Type.Array(IncidentEventSchema, { description: 'oldest first' }),
    lastDiagnosis: DiagnosisSchema,
  }),
]);
// Documentation only: the handlers check the query themselves, so the routes also work on a fastify
// instance without the API's TypeBox validator compiler (registerIncidentRoutes).
const IncidentsQuery = Type.Object({
  target: Type.Optional(Type.String({ pattern: TARGET_PATTERN.source, description: 'only this target\'s incidents' })),
  state: Type.Optional(Type.Union(INCIDENT_STATES.map((s) => Type.Literal(s)))),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INCIDENTS_LIMIT, description: `default ${DEFAULT_INCIDENTS_LIMIT}` })),
});
const IncidentIdParams = Type.Object({ id: Type.String({ pattern: INCIDENT_ID_PATTERN.source, description: 'incident id' }) });

function single(query: unknown, name: string): string | undefined {
  const v = (query as Record<string, unknown> | undefined)?.[name];
  if (v === undefined) return undefined;
  // the API's validator has already turned `limit` into a number; a bare fastify leaves it a string
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') throw badRequest(`querystring.${name}: must be given once`);
  return v;
}

/** The filters of GET /api/v1/incidents, checked; throws ApiError (400) naming the field. */
export function parseIncidentsQuery(query: unknown): { target?: string; state?: IncidentState; limit: number } {
  const target = single(query, 'target');
  const state = single(query, 'state');
  const limit = single(query, 'limit');
  if (target !== undefined && !TARGET_PATTERN.test(target)) throw badRequest(`querystring.target: ${ID_RULE} (got ${JSON.stringify(target)})`);
  if (state !== undefined && !(INCIDENT_STATES as readonly string[]).includes(state)) {
    throw badRequest(`querystring.state: must be one of ${INCIDENT_STATES.join(', ')} (got ${JSON.stringify(state)})`);
  }
  let n = DEFAULT_INCIDENTS_LIMIT;
  if (limit !== undefined) {
    n = /^\d+$/.test(limit) ? Number(limit) : NaN;
    if (!(n >= 1 && n <= MAX_INCIDENTS_LIMIT)) throw badRequest(`querystring.limit: must be an integer from 1 to ${MAX_INCIDENTS_LIMIT} (got ${JSON.stringify(limit)})`);
  }
  return { ...(target !== undefined ? { target } : {}), ...(state !== undefined ? { state: state as IncidentState } : {}), limit: n };
}

/** GET /api/v1/incidents and GET /api/v1/incidents/:id, as routes of the API's list (auth, openapi). */
export function incidentRoutes(ctx: IncidentRoutesContext): Route[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents',
      operationId: 'listIncidents',
      summary: 'Incidents, newest first, filtered by target and state',
      access: 'read',
      schema: { querystring: IncidentsQuery, response: { 200: IncidentListSchema, 400: ErrorSchema } },
      handler: async (req) => {
        const q = parseIncidentsQuery(req.query);
        return { incidents: ctx.store.listIncidents(q).map(incidentView) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents/:id',
      operationId: 'getIncident',
      summary: 'One incident with its history and the last diagnosis behind it',
      access: 'read',
      schema: { params: IncidentIdParams, response: { 200: IncidentDetailSchema, 400: ErrorSchema, 404: ErrorSchema } },
      handler: async (req) => {
        const id = (req.params as { id?: unknown }).id;
        if (typeof id !== 'string' || !INCIDENT_ID_PATTERN.test(id)) throw badRequest(`params.id: must be an incident id such as shop-1700000000000 (got ${JSON.stringify(id)})`);
        const incident = ctx.store.getIncident(id);
        if (incident === null) throw notFound(`incident "${id}" does not exist`);
        return { ...incidentView(incident), history: ctx.store.incidentHistory(id).map(incidentEventView), lastDiagnosis: incident.lastDiagnosis };
      },
    }),
  ];
}

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const { error } = toApiError(err);
  if (!(err instanceof ApiError)) reply.log.error({ err }, 'incident route failed');
  return reply.code(error.statusCode).type('application/json; charset=utf-8').send(error.toBody());
}

/**
 * Registers the incident routes on any fastify instance (no auth: the API server adds it when it
 * takes `incidentRoutes` into its route list instead). Errors answer `{ error: { code, message } }`.
 */
export function registerIncidentRoutes<L extends FastifyBaseLogger>(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse<IncomingMessage>, L>,
  ctx: IncidentRoutesContext,
): void {
  for (const route of incidentRoutes(ctx)) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (req, reply) => {
        try {
          return await route.handler(req, reply);
        } catch (err) {
          return sendError(reply, err);
        }
      },
    });
  }
}
