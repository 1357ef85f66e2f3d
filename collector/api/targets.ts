import { ALLOW_PRIVATE_TARGETS_FLAG, blockedUrlHost, parseTarget, targetToSpec, targetToWire, type Target, type TargetSpec } from '../../proto/index.js';
import type { StoredTarget } from '../store/index.js';
import { ApiError, badRequest, notFound } from './errors.js';
import { defineRoute, type Route } from './route.js';
import type { ApiContext } from './context.js';
import { DeletedSchema, ErrorSchema, StoredTargetSchema, TargetIdParams, TargetListSchema, TargetSpecSchema } from './schemas.js';

const BASE = '/api/v1/targets';

function view(s: StoredTarget): { target: TargetSpec; createdAt: string; updatedAt: string } {
  return { target: targetToSpec(s.target), createdAt: new Date(s.createdAtMs).toISOString(), updatedAt: new Date(s.updatedAtMs).toISOString() };
}

function kvUnavailable(err: unknown): ApiError {
  return new ApiError('CP_UNAVAILABLE', `the targets KV bucket cannot be written (${(err as Error).message}); nothing was changed`, { cause: err });
}

/** JetStream's "wrong last sequence": kv.create found the key already there. */
function isKeyExists(err: unknown): boolean {
  return (err as { api_error?: { err_code?: number } }).api_error?.err_code === 10071;
}

/** A target from a request body: validated, and refused when its URL names a private address the collector does not allow. */
function targetFromBody(ctx: ApiContext, body: unknown): Target {
  const target = parseTarget(body, 'body');
  const blocked = ctx.allowPrivateTargets === true ? null : blockedUrlHost(target.url);
  if (blocked !== null) {
    throw badRequest(
      `body.url: ${blocked.host} is a ${blocked.kind} address; probing loopback, link-local (cloud metadata) and private addresses ` +
        `is refused unless the collector runs with ${ALLOW_PRIVATE_TARGETS_FLAG} (and the agents too)`,
    );
  }
  return target;
}

function stored(ctx: ApiContext, id: string): StoredTarget {
  const s = ctx.store.getTarget(id);
  if (s) return s;
  if (ctx.store.hasTarget(id)) {
    throw notFound(`target "${id}" is stored but no longer validates (the collector log says why); replace it with PUT or delete it`);
  }
  throw notFound(`target "${id}" does not exist`);
}

// A write goes to the KV bucket first (what the agents act on), then to the store: when NATS cannot
// take it, nothing changed anywhere and the client is told to retry.
async function write(ctx: ApiContext, target: Target, mode: 'create' | 'put'): Promise<StoredTarget> {
  try {
    if (mode === 'create') await ctx.kv.create(target.id, targetToWire(target));
    else await ctx.kv.put(target.id, targetToWire(target));
  } catch (err) {
    if (mode === 'create' && isKeyExists(err)) throw new ApiError('CP_CONFLICT', `target "${target.id}" already exists in the targets KV bucket; use PUT to replace it`);
    throw kvUnavailable(err);
  }
  ctx.store.putTarget(target, ctx.now());
  ctx.logger.info({ target: target.id, op: mode }, 'target written');
  return stored(ctx, target.id);
}

/** Targets CRUD: the store and the KV bucket the agents watch, kept in step. */
export function targetRoutes(ctx: ApiContext): Route[] {
  return [
    defineRoute({
      method: 'GET',
      url: BASE,
      operationId: 'listTargets',
      summary: 'Every target, with every default applied',
      access: 'read',
      schema: { response: { 200: TargetListSchema } },
      handler: async () => ({ targets: ctx.store.listTargets().map(view) }),
    }),
    defineRoute({
      method: 'POST',
      url: BASE,
      operationId: 'createTarget',
      summary: 'Create a target (409 when its id exists); the agents pick it up from the KV bucket',
      access: 'write',
      schema: { body: TargetSpecSchema, response: { 201: StoredTargetSchema, 400: ErrorSchema, 409: ErrorSchema } },
      handler: async (req, reply) => {
        const target = targetFromBody(ctx, req.body);
        if (ctx.store.hasTarget(target.id)) throw new ApiError('CP_CONFLICT', `target "${target.id}" already exists; use PUT /api/v1/targets/${target.id} to replace it`);
        const saved = await write(ctx, target, 'create');
        void reply.code(201).header('location', `${BASE}/${target.id}`);
        return view(saved);
      },
    }),
    defineRoute({
      method: 'GET',
      url: `${BASE}/:id`,
      operationId: 'getTarget',
      summary: 'One target',
      access: 'read',
      schema: { params: TargetIdParams, response: { 200: StoredTargetSchema, 404: ErrorSchema } },
      handler: async (req) => view(stored(ctx, req.params.id)),
    }),
    defineRoute({
      method: 'PUT',
      url: `${BASE}/:id`,
      operationId: 'putTarget',
      summary: 'Create or replace a target (201 when created, 200 when replaced)',
      access: 'write',
      schema: { params: TargetIdParams, body: TargetSpecSchema, response: { 200: StoredTargetSchema, 201: StoredTargetSchema, 400: ErrorSchema } },
      handler: async (req, reply) => {
        const { params } = req;
        const target = targetFromBody(ctx, req.body);
        if (target.id !== params.id) throw badRequest(`body.id: must equal the id in the path ("${params.id}"), got "${target.id}"`);
        const created = !ctx.store.hasTarget(target.id);
        const saved = await write(ctx, target, 'put');
        void reply.code(created ? 201 : 200);
        return view(saved);
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: `${BASE}/:id`,
      operationId: 'deleteTarget',
      summary: 'Delete a target from the store and the KV bucket (its results stay until retention)',
      access: 'write',
      schema: { params: TargetIdParams, response: { 200: DeletedSchema, 404: ErrorSchema } },
      handler: async ({ params }) => {
        // a row that no longer validates can still be deleted
        if (!ctx.store.hasTarget(params.id)) throw notFound(`target "${params.id}" does not exist`);
        try {
          await ctx.kv.delete(params.id);
        } catch (err) {
          throw kvUnavailable(err);
        }
        ctx.store.deleteTarget(params.id);
        ctx.logger.info({ target: params.id, op: 'delete' }, 'target deleted');
        return { deleted: params.id };
      },
    }),
  ];
}
