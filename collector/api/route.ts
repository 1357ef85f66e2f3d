import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ContextConfigDefault, FastifyReply, FastifyRequest, FastifySchema, FastifySchemaCompiler, RawServerDefault, RouteGenericInterface, RouteHandlerMethod } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Logger } from 'pino';
import { check, ConfigError } from '../../proto/index.js';
import { badRequest, fromConfigError } from './errors.js';
import { ErrorSchema } from './schemas.js';

/** Who may call a route: anyone, a holder of the read (or API) token, or of the API token only. */
export type Access = 'public' | 'read' | 'write';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A response served in several content types (e.g. the report): one schema per media type. */
export interface ContentResponse {
  readonly description?: string;
  readonly content: Readonly<Record<string, { readonly schema: TSchema }>>;
}

/**
 * A route's TypeBox schemas as written beside its handler: fastify validates the request parts with
 * them, serializes the reply with the response schema of its status (fast-json-stringify: what the
 * schema does not name is not sent), and @fastify/swagger documents them in openapi.json.
 */
export interface RouteSchemaInput {
  readonly params?: TObject;
  readonly querystring?: TObject;
  readonly body?: TSchema;
  readonly response: Readonly<Record<number, TSchema | ContentResponse>>;
}

/** The schema fastify gets: the input's, the error responses the route can give, and what openapi.json shows of it. */
export interface RouteSchemas extends FastifySchema {
  readonly operationId: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly security: readonly Record<string, readonly string[]>[];
  readonly params?: TObject;
  readonly querystring?: TObject;
  readonly body?: TSchema;
  readonly response: Readonly<Record<number, TSchema | ContentResponse>>;
}

/** One API route, as fastify registers it and openapi.json describes it. */
export interface Route {
  readonly method: HttpMethod;
  /** fastify path syntax, e.g. /api/v1/targets/:id */
  readonly url: string;
  readonly access: Access;
  readonly schema: RouteSchemas;
  readonly handler: (req: FastifyRequest, reply: FastifyReply) => unknown;
}

type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * @fastify/type-provider-typebox's provider, with one difference: a reply may be read-only all the
 * way down (the store and the diagnosis hand out readonly arrays; nothing mutates a reply).
 */
export interface ApiTypeProvider extends TypeBoxTypeProvider {
  serializer: this['schema'] extends TSchema ? DeepReadonly<Static<this['schema']>> : unknown;
}

/**
 * A handler typed from the route's schemas by the TypeBox type provider: `req.params`, `req.query`
 * and `req.body` are their Static types, and what it returns must be one of the response schemas'
 * types.
 */
export type TypedHandler<S extends FastifySchema> = RouteHandlerMethod<
  RawServerDefault,
  IncomingMessage,
  ServerResponse<IncomingMessage>,
  RouteGenericInterface,
  ContextConfigDefault,
  S,
  ApiTypeProvider,
  Logger
>;

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad request: the message names the field',
  401: 'Missing or invalid bearer token',
  403: 'The token may not do this, or the collector has no API token and refuses writes',
  404: 'Not found',
  409: 'Conflict',
  503: 'Unavailable',
};

/** The error body, described for one status (the document shows the description per response). */
const errorResponse = (status: number): TSchema => Type.Object(ErrorSchema.properties, { description: STATUS_TEXT[status] ?? String(status) });

/** Every response of a route: its own, plus the 400/401/403 its request schemas and access imply. */
function responses(schema: RouteSchemaInput, access: Access): Record<number, TSchema | ContentResponse> {
  const statuses = new Set(Object.keys(schema.response).map(Number));
  if (schema.params || schema.querystring || schema.body) statuses.add(400);
  if (access !== 'public') statuses.add(401);
  if (access === 'write') statuses.add(403);
  const out: Record<number, TSchema | ContentResponse> = {};
  for (const status of [...statuses].sort((a, b) => a - b)) {
    const own = schema.response[status];
    out[status] = own === undefined || own === ErrorSchema ? errorResponse(status) : own;
  }
  return out;
}

function tag(url: string): string {
  const first = url === '/' ? 'dashboard' : (url.replace(/^\/api\/v1/, '').split('/')[1] ?? 'ops');
  return first === 'healthz' || first === 'metrics' ? 'ops' : first;
}

/** A route whose handler sees the request typed from its schemas (the TypeBox type provider). */
export function defineRoute<const S extends RouteSchemaInput>(def: {
  readonly method: HttpMethod;
  readonly url: string;
  readonly operationId: string;
  readonly summary: string;
  readonly access: Access;
  readonly schema: S;
  readonly handler: TypedHandler<S>;
}): Route {
  const { operationId, summary, access, schema } = def;
  return {
    method: def.method,
    url: def.url,
    access,
    schema: {
      operationId,
      summary,
      tags: [tag(def.url)],
      security: access === 'public' ? [] : [{ bearer: [] }],
      ...(schema.params ? { params: schema.params } : {}),
      ...(schema.querystring ? { querystring: schema.querystring } : {}),
      ...(schema.body ? { body: schema.body } : {}),
      response: responses(schema, access),
    },
    // fastify ran the validator compiler below on each request part before the handler, so the
    // types the provider gave the handler hold; the route list itself is untyped.
    handler: def.handler as unknown as Route['handler'],
  };
}

/**
 * Validates request parts with TypeBox (no Ajv instance of our own): the query string and path
 * parameters are converted from text first ("10" → 10, "true" → true); a JSON body is taken as sent,
 * never coerced. Failures become 400s whose message names the field: "querystring.limit: …".
 */
export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const part = httpPart ?? 'body';
  const convert = part === 'querystring' || part === 'params' || part === 'headers';
  return (data: unknown) => {
    if (part === 'body' && (data === null || data === undefined)) return { error: badRequest('body: is required (a JSON object)') };
    const value = convert ? Value.Convert(schema, data ?? {}) : data;
    try {
      return { value: check(schema, value, part) };
    } catch (err) {
      if (err instanceof ConfigError) return { error: fromConfigError(err) };
      throw err;
    }
  };
};
