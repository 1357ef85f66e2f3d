import type { SwaggerOptions } from '@fastify/swagger';
import type { TSchema } from '@sinclair/typebox';
import { ErrorSchema } from './schemas.js';

/** JSON as it goes into the document. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * A TypeBox schema as plain JSON Schema 2020-12 (OpenAPI 3.1): TypeBox's symbol keys dropped with
 * JSON.stringify, our `errorMessage` annotations removed, and tuples rewritten from draft-07
 * `items: [...]` to `prefixItems`.
 */
export function toJsonSchema(schema: TSchema | object): Json {
  return rewrite(JSON.parse(JSON.stringify(schema)) as Json);
}

function rewrite(node: Json): Json {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'errorMessage' || k === 'additionalItems') continue;
    if (k === 'items' && Array.isArray(v)) {
      out.prefixItems = v.map(rewrite);
      out.items = false;
      continue;
    }
    out[k] = rewrite(v);
  }
  return out;
}

const PARAMETER_ORDER: Readonly<Record<string, number>> = { path: 0, query: 1, header: 2, cookie: 3 };

/** Path parameters before query parameters in every operation (@fastify/swagger lists the query first). */
function pathParametersFirst(doc: JsonObject): JsonObject {
  for (const item of Object.values((doc.paths ?? {}) as Record<string, Record<string, JsonObject>>)) {
    for (const op of Object.values(item)) {
      const params = op.parameters as { in: string }[] | undefined;
      if (Array.isArray(params)) params.sort((a, b) => (PARAMETER_ORDER[a.in] ?? 9) - (PARAMETER_ORDER[b.in] ?? 9));
    }
  }
  return doc;
}

const RESPONSE_TEXT: Readonly<Record<string, string>> = { 200: 'OK', 201: 'Created', 503: 'Unavailable' };

/** Each response without a description described by its status (@fastify/swagger would say "Default Response"). */
function describeResponses(schema: JsonObject): JsonObject {
  for (const [status, response] of Object.entries((schema.response ?? {}) as Record<string, JsonObject>)) {
    const text = RESPONSE_TEXT[status];
    if (text !== undefined && response.description === undefined) response['x-response-description'] = text;
  }
  return schema;
}

/**
 * @fastify/swagger's options: an OpenAPI 3.1 document generated from the routes fastify serves
 * (their TypeBox schemas, operationId, summary, tags, security), with each schema cleaned by
 * `toJsonSchema` on its way into the document only (fastify keeps the originals).
 */
export function swaggerOptions(version: string): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'crossprobe collector API',
        version,
        description:
          'Targets, probe results, agents and diagnoses. Durations are strings such as 30s, 15m, 24h. Errors are ' +
          '{ "error": { "code", "message" } } with a stable code. Writes need the API token; a collector without one ' +
          'refuses them (403) unless started with --insecure-open-api. ' +
          'reads need the read (or API) token when a read token is configured.',
      },
      components: {
        schemas: { Error: toJsonSchema(ErrorSchema) as JsonObject },
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
    transform: ({ schema, url }) => ({ schema: describeResponses(toJsonSchema(schema ?? {}) as JsonObject) as typeof schema, url }),
    transformObject: (doc) => pathParametersFirst(('openapiObject' in doc ? doc.openapiObject : doc.swaggerObject) as unknown as JsonObject) as never,
  };
}
