import type { FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { check, ConfigError } from '../../proto/index.js';
import { badRequest, fromConfigError } from './errors.js';

/** Who may call a route: anyone, a holder of the read (or API) token, or of the API token only. */
export type Access = 'public' | 'read' | 'write';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A route's TypeBox schemas: fastify validates requests with them, openapi.json is built from them. */
export interface RouteSchemas {
  readonly params?: TObject;
  readonly querystring?: TObject;
  readonly body?: TSchema;
  /** Response bodies by HTTP status (documentation only: replies are serialized with JSON.stringify). */
  readonly response: Readonly<Record<number, TSchema>>;
}

/** One API route, as fastify registers it and openapi.json describes it. */
export interface Route {
  readonly method: HttpMethod;
  /** fastify path syntax, e.g. /api/v1/targets/:id */
  readonly url: string;
  readonly operationId: string;
  readonly summary: string;
  readonly access: Access;
  readonly schema: RouteSchemas;
  /** Content type of the 2xx body. Default application/json. */
  readonly produces?: string;
  readonly handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

type Infer<S> = S extends TSchema ? Static<S> : undefined;

/** What a handler receives: the request parts, already validated against the route's schemas. */
export interface RouteInput<P, Q, B> {
  readonly params: Infer<P>;
  readonly query: Infer<Q>;
  readonly body: Infer<B>;
  readonly req: FastifyRequest;
  readonly reply: FastifyReply;
}

/** A route whose handler sees typed, validated input. */
export function defineRoute<P extends TObject | undefined = undefined, Q extends TObject | undefined = undefined, B extends TSchema | undefined = undefined>(
  def: Omit<Route, 'handler' | 'schema'> & {
    readonly schema: { readonly params?: P; readonly querystring?: Q; readonly body?: B; readonly response: Readonly<Record<number, TSchema>> };
    readonly handle: (input: RouteInput<P, Q, B>) => Promise<unknown>;
  },
): Route {
  const { handle, schema, ...rest } = def;
  const schemas: RouteSchemas = {
    response: schema.response,
    ...(schema.params ? { params: schema.params } : {}),
    ...(schema.querystring ? { querystring: schema.querystring } : {}),
    ...(schema.body ? { body: schema.body } : {}),
  };
  return {
    ...rest,
    schema: schemas,
    // fastify ran the validator compiler below on each part before the handler: the casts hold.
    handler: (req, reply) =>
      handle({ params: req.params as Infer<P>, query: req.query as Infer<Q>, body: req.body as Infer<B>, req, reply }),
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
