import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import { VERSION } from '../../proto/index.js';
import { authorize, redactUrl, tokenLogin, withoutToken } from './auth.js';
import { notFound, toApiError } from './errors.js';
import { defineRoute, typeboxValidatorCompiler, type Route } from './route.js';
import type { ApiContext } from './context.js';
import { targetRoutes } from './targets.js';
import { resultRoutes } from './results.js';
import { agentRoutes } from './agents.js';
import { diagnosisRoutes } from './diagnosis.js';
import { rejectRoutes } from './rejects.js';
import { healthRoutes } from './health.js';
import { incidentRoutes } from './incidents.js';
import { reportRoutes } from './reports.js';
import { dashboardRoutes, isHtmlPage, unauthorizedPage } from './dashboard.js';
import { openApiDocument } from './openapi.js';
import { OpenApiSchema } from './schemas.js';

/** The API's fastify instance (its logger is the collector's pino logger). */
export type ApiServer = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse<IncomingMessage>, Logger>;

/** Request bodies above this are refused with 413 (a targets document is a few KiB). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Every route of the API, openapi.json included: one list that fastify and the document share. */
export function apiRoutes(ctx: ApiContext): Route[] {
  const routes = [
    ...targetRoutes(ctx),
    ...resultRoutes(ctx),
    ...agentRoutes(ctx),
    ...diagnosisRoutes(ctx),
    ...rejectRoutes(ctx),
    ...healthRoutes(ctx),
    ...incidentRoutes({ store: ctx.store }),
    ...reportRoutes(ctx),
    ...dashboardRoutes(ctx),
  ];
  let document: unknown = null;
  const openapi: Route = defineRoute({
    method: 'GET',
    url: '/api/v1/openapi.json',
    operationId: 'openapi',
    summary: 'This API as an OpenAPI 3.1 document',
    access: 'public',
    schema: { response: { 200: OpenApiSchema } },
    handle: async (): Promise<unknown> => (document ??= openApiDocument(all, VERSION)),
  });
  const all: Route[] = [...routes, openapi];
  return all;
}

/**
 * The collector's HTTP API on fastify, not listening yet (call `listen`, or `inject` in tests).
 * Requests are validated with the routes' TypeBox schemas; every error leaves as
 * `{ error: { code, message } }` with the right status.
 */
export function buildApi(ctx: ApiContext): ApiServer {
  const logger = ctx.logger.child({ component: 'api' });
  const app = Fastify({
    loggerInstance: logger,
    // one debug line per request from onResponse below, not fastify's two info lines (agents poll)
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
  });
  app.setValidatorCompiler(typeboxValidatorCompiler);
  // JSON only: a text/plain body would otherwise reach validation as a string
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((err, req, reply) => {
    const { error, internal } = toApiError(err);
    if (internal) logger.error({ err, method: req.method, url: redactUrl(req.url) }, 'request failed');
    // a browser asking for a page gets a page explaining how to get in, not JSON
    if (error.statusCode === 401 && isHtmlPage(req.method, req.routeOptions.url, req.query)) {
      void unauthorizedPage(reply, error.message, withoutToken(req.url));
      return;
    }
    if (error.statusCode === 401) void reply.header('www-authenticate', 'Bearer realm="crossprobe"');
    void reply.code(error.statusCode).type('application/json; charset=utf-8').send(error.toBody());
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(notFound(`no route ${req.method} ${req.url.split('?')[0]}`).toBody());
  });
  app.addHook('onResponse', async (req, reply) => {
    const fields = { method: req.method, url: redactUrl(req.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (reply.statusCode >= 500) logger.warn(fields, 'request answered with an error');
    else logger.debug(fields, 'request');
  });
  for (const route of apiRoutes(ctx)) {
    const { params, querystring, body } = route.schema;
    app.route({
      method: route.method,
      url: route.url,
      schema: { ...(params ? { params } : {}), ...(querystring ? { querystring } : {}), ...(body ? { body } : {}) },
      // before the body is read: an unauthorized client learns nothing about what it sent
      onRequest: async (req, reply) => {
        // ?token= on a page: exchanged for the session cookie, then the same URL without it
        const login = tokenLogin(ctx.tokens, route.access, req.method, req.url, req.protocol === 'https' || ctx.secureCookies === true);
        if (login !== null) {
          if (login.setCookie !== null) void reply.header('set-cookie', login.setCookie);
          return reply.code(303).header('location', login.location).header('cache-control', 'no-store').send();
        }
        authorize(ctx.tokens, route.access, req.headers.authorization, req.headers.cookie);
        return undefined;
      },
      handler: route.handler,
    });
  }
  return app;
}
