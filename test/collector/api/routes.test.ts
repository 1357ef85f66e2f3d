import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { apiRoutes, buildApi, registerRoutes, toJsonSchema, type ApiContext } from '../../../collector/api/index.js';
import { defineRoute, type ContentResponse } from '../../../collector/api/route.js';
import { memoryLogger } from '../../helpers/logger.js';

// No NATS, no database: the routes are built without touching the context, and the requests below
// reach only openapi.json or handlers of their own.
function context(strictResponses: boolean): { ctx: ApiContext; lines: Record<string, unknown>[] } {
  const { logger, lines } = memoryLogger('info');
  const ctx = { logger, tokens: { api: null, read: null, openWrites: true }, strictResponses } as unknown as ApiContext;
  return { ctx, lines };
}

interface Operation {
  operationId: string;
  parameters?: { name: string; in: string; required: boolean; description?: string; schema: object }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  security: unknown[];
}

/**
 * A schema in the document is the route's, as `toJsonSchema` cleans it, with `const: x` written as
 * `enum: [x]` by @fastify/swagger: compared by value, key order aside.
 */
function sameSchema(actual: unknown, expected: TSchema, where: string): void {
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) {
      if (k === 'const') out.enum = [o[k]];
      else if (k === 'patternProperties' && Object.keys(o[k] as object).join() === '^(.*)$') out.additionalProperties = norm((o[k] as Record<string, unknown>)['^(.*)$']);
      else out[k] = norm(o[k]);
    }
    return out;
  };
  assert.deepEqual(norm(actual), norm(toJsonSchema(expected)), where);
}

describe('API routes - one definition for fastify and openapi.json', () => {
  it('openapi - every route is in the document with its operationId, parameters, body, responses and security', async () => {
    const { ctx } = context(true);
    const app = buildApi(ctx);
    try {
      const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
      assert.equal(res.statusCode, 200);
      const doc = res.json<{ openapi: string; paths: Record<string, Record<string, Operation>> }>();
      assert.equal(doc.openapi, '3.1.0');
      const routes = apiRoutes(ctx);
      assert.deepEqual(
        routes.map((r) => r.schema.operationId).sort(),
        ['createTarget', 'dashboard', 'deleteAgent', 'deleteTarget', 'getDiagnosis', 'getGrid', 'getIncident', 'getReport', 'getTarget', 'health', 'listAgents',
          'listIncidents', 'listRejects', 'listResults', 'listTargets', 'metrics', 'openapi', 'putTarget'],
      );
      let operations = 0;
      for (const ops of Object.values(doc.paths)) operations += Object.keys(ops).length;
      assert.equal(operations, routes.length, 'nothing documented that is not served (no HEAD routes either)');
      for (const r of routes) {
        const where = `${r.method} ${r.url}`;
        const op = doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];
        assert.ok(op, `${where} is documented`);
        assert.equal(op.operationId, r.schema.operationId, where);
        assert.deepEqual(op.security, r.access === 'public' ? [] : [{ bearer: [] }], where);
        const params = [
          ...Object.keys(r.schema.params?.properties ?? {}).map((n) => `path:${n}`),
          ...Object.keys(r.schema.querystring?.properties ?? {}).map((n) => `query:${n}`),
        ];
        assert.deepEqual((op.parameters ?? []).map((p) => `${p.in}:${p.name}`), params, `${where}: parameters, path first`);
        for (const p of op.parameters ?? []) {
          const own = (p.in === 'path' ? r.schema.params : r.schema.querystring)!;
          // @fastify/swagger moves a parameter's description from its schema to the parameter
          sameSchema(p.description === undefined ? p.schema : { ...p.schema, description: p.description }, own.properties[p.name]!, `${where} parameter ${p.name}`);
          assert.equal(p.required, p.in === 'path' || (own.required ?? []).includes(p.name), `${where} parameter ${p.name}: required`);
        }
        if (r.schema.body) sameSchema(op.requestBody?.content['application/json']?.schema, r.schema.body, `${where}: body`);
        else assert.equal(op.requestBody, undefined, where);
        assert.deepEqual(Object.keys(op.responses).sort(), Object.keys(r.schema.response).sort(), `${where}: every status`);
        for (const [status, schema] of Object.entries(r.schema.response)) {
          const response: Operation['responses'][string] = op.responses[status]!;
          assert.notEqual(response.description, 'Default Response', `${where} ${status}: described`);
          const byType: Record<string, TSchema> = 'content' in schema ? Object.fromEntries(Object.entries((schema as ContentResponse).content).map(([t, c]) => [t, c.schema])) : { 'application/json': schema };
          assert.deepEqual(Object.keys(response.content ?? {}), Object.keys(byType), `${where} ${status}: content types`);
          for (const [type, s] of Object.entries(byType)) sameSchema(response.content![type]!.schema, s, `${where} ${status} ${type}`);
        }
        if (r.schema.params || r.schema.querystring || r.schema.body) assert.ok(op.responses['400'], `${where}: a bad request is documented`);
        if (r.access !== 'public') assert.ok(op.responses['401'], `${where}: 401`);
        if (r.access === 'write') assert.ok(op.responses['403'], `${where}: 403`);
      }
      assert.doesNotMatch(res.body, /errorMessage|additionalItems/, 'our validation annotations and draft-07 tuples stay out of the document');
    } finally {
      await app.close();
    }
  });

  /** A bare fastify with one route of ours, its handler returning `value` whatever its schema says. */
  async function serve(strict: boolean, value: unknown): Promise<{ status: number; body: string; lines: Record<string, unknown>[] }> {
    const { ctx, lines } = context(strict);
    const app = Fastify();
    const route = defineRoute({
      method: 'GET',
      url: '/thing',
      operationId: 'thing',
      summary: 'a thing',
      access: 'public',
      schema: { response: { 200: Type.Object({ id: Type.String(), n: Type.Integer() }) } },
      // the type provider refuses a wrong shape at compile time; this one comes in as `never`
      handler: async () => value as never,
    });
    app.setErrorHandler((err, _req, reply) => {
      ctx.logger.error({ err }, 'request failed');
      void reply.code(500).send({ error: 'internal' });
    });
    registerRoutes(app, ctx, [route]);
    try {
      const res = await app.inject({ method: 'GET', url: '/thing' });
      return { status: res.statusCode, body: res.body, lines };
    } finally {
      await app.close();
    }
  }

  it('serializer - only what the response schema names is sent, in its types', async () => {
    assert.deepEqual(await serve(false, { id: 'a', n: 1 }).then((r) => [r.status, r.body]), [200, '{"id":"a","n":1}']);
    const leak = await serve(false, { id: 'a', n: 1, secret: 'hunter2' });
    assert.equal(leak.status, 200);
    assert.equal(leak.body, '{"id":"a","n":1}', 'a field the schema does not name is not sent');
  });

  it('serializer - with strictResponses a handler returning another shape is a 500 whose log shows both', async () => {
    assert.equal((await serve(true, { id: 'a', n: 1 })).status, 200, 'a fitting reply passes');
    for (const [value, why] of [
      [{ id: 'a', n: 1, secret: 'hunter2' }, 'a field the schema does not name'],
      [{ id: 5, n: 1 }, 'a number where the schema says string (coerced to "5")'],
      [{ id: 'a', n: 1.5 }, 'a fraction where the schema says integer (truncated to 1)'],
    ] as const) {
      const res = await serve(true, value);
      assert.equal(res.status, 500, why);
      assert.doesNotMatch(res.body, /hunter2/);
      const logged = res.lines.find((l) => l.msg === 'request failed');
      assert.match(String((logged?.err as { message?: unknown } | undefined)?.message), /^the reply of GET \/thing \(200\) does not fit its response schema: sent .* the handler returned /, why);
    }
    const missing = await serve(true, { id: 'a' });
    assert.equal(missing.status, 500, 'a required field missing: fast-json-stringify refuses it');
  });

  it('serializer - a number that is not finite is written as null, as JSON.stringify would, and logged by its field', async () => {
    for (const strict of [false, true]) {
      for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const res = await serve(strict, { id: 'a', n });
        assert.deepEqual([res.status, res.body], [200, '{"id":"a","n":null}'], `${n}, strict ${strict}`);
        const warned = res.lines.find((l) => l.event === 'reply-non-finite-number');
        assert.equal(warned?.field, '/n', `${n}: the log names the field`);
      }
    }
    const nested = await serve(false, { id: 'a', n: 1, deep: [{ x: 1 }, { x: Number.NaN }] });
    assert.equal(nested.lines.find((l) => l.event === 'reply-non-finite-number')?.field, '/deep/1/x');
  });
});
