import type { TObject, TSchema } from '@sinclair/typebox';
import type { Route } from './route.js';
import { ErrorSchema } from './schemas.js';

/** JSON as it goes into the document. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

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

/**
 * A TypeBox schema as plain JSON Schema 2020-12 (OpenAPI 3.1): TypeBox's symbol keys dropped with
 * JSON.stringify, our `errorMessage` annotations removed, and tuples rewritten from draft-07
 * `items: [...]` to `prefixItems`.
 */
export function toJsonSchema(schema: TSchema): Json {
  if (schema === ErrorSchema) return { $ref: '#/components/schemas/Error' };
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

function parameters(schema: TObject | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, s]) => {
    const description = (s as { description?: unknown }).description;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: toJsonSchema(s),
    };
  });
}

/**
 * The 2xx content of a route: `produces` is one content type, or several separated by ", " (a route
 * serving formats, e.g. the report): the schema describes the JSON one, the others are text.
 */
function successContent(produces: string | undefined, schema: TSchema): JsonObject {
  const types = (produces ?? 'application/json').split(/,\s+/);
  if (types.length === 1) return { [types[0]!]: { schema: toJsonSchema(schema) } };
  return Object.fromEntries(types.map((t) => [t, { schema: t.startsWith('application/json') ? toJsonSchema(schema) : { type: 'string' } }]));
}

function operation(route: Route): JsonObject {
  const s = route.schema;
  const responses: JsonObject = {};
  const statuses = new Set(Object.keys(s.response).map(Number));
  if (s.params || s.querystring || s.body) statuses.add(400);
  if (route.access !== 'public') statuses.add(401);
  if (route.access === 'write') statuses.add(403);
  for (const status of [...statuses].sort((a, b) => a - b)) {
    const schema = s.response[status] ?? ErrorSchema;
    const content = status < 300 ? successContent(route.produces, schema) : { 'application/json': { schema: toJsonSchema(schema) } };
    responses[String(status)] = { description: STATUS_TEXT[status] ?? String(status), content };
  }
  const tag = route.url === '/' ? 'dashboard' : (route.url.replace(/^\/api\/v1/, '').split('/')[1] ?? 'ops');
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [tag === 'healthz' || tag === 'metrics' ? 'ops' : tag],
    parameters: [...parameters(s.params, 'path'), ...parameters(s.querystring, 'query')],
    ...(s.body ? { requestBody: { required: true, content: { 'application/json': { schema: toJsonSchema(s.body) } } } } : {}),
    responses,
    security: route.access === 'public' ? [] : [{ bearer: [] }],
  };
}

/** The OpenAPI 3.1 document of `routes`, built from the same TypeBox schemas fastify validates with. */
export function openApiDocument(routes: readonly Route[], version: string): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const item = (paths[path] ??= {});
    item[route.method.toLowerCase()] = operation(route);
  }
  return {
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
    paths,
    components: {
      schemas: { Error: rewrite(JSON.parse(JSON.stringify(ErrorSchema)) as Json) },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}
