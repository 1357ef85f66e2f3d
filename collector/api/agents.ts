import type { AgentRow } from '../store/index.js';
import { defineRoute, type Route } from './route.js';
import { STALE_HEARTBEATS, type ApiContext } from './context.js';
import { AgentDeletedSchema, AgentListSchema, AgentParams, ErrorSchema } from './schemas.js';
import { notFound } from './errors.js';

/** Whether an agent has missed STALE_HEARTBEATS heartbeats (judged by the collector's clock). */
export function isStale(agent: AgentRow, nowMs: number, heartbeatIntervalMs: number): boolean {
  return nowMs - agent.lastSeenMs > STALE_HEARTBEATS * heartbeatIntervalMs;
}

/** GET /api/v1/agents: every agent heard from, with its last heartbeat; DELETE one: forget a retired agent. */
export function agentRoutes(ctx: ApiContext): Route[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/agents',
      operationId: 'listAgents',
      summary: 'Every agent heard from: last heartbeat, version, spool depth, control targets, stale',
      access: 'read',
      schema: { response: { 200: AgentListSchema } },
      handler: async () => {
        const now = ctx.now();
        return {
          heartbeatIntervalMs: ctx.heartbeatIntervalMs,
          agents: ctx.store.listAgents().map((a) => ({
            ...a,
            lastSeen: new Date(a.lastSeenMs).toISOString(),
            stale: isStale(a, now, ctx.heartbeatIntervalMs),
            startedAt: new Date(a.startedAtMs).toISOString(),
            spoolState: a.spoolState ?? 'ok',
            spoolError: a.spoolError ?? null,
            memoryQueueDepth: a.memoryQueueDepth ?? 0,
            memoryQueueBytes: a.memoryQueueBytes ?? 0,
            memoryQueueDropped: a.memoryQueueDropped ?? 0,
          })),
        };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/agents/:region/:agent',
      operationId: 'deleteAgent',
      summary: 'Forget a retired agent: off the agents list, its open alert closed without a word (a running agent comes back with its next heartbeat)',
      access: 'write',
      schema: { params: AgentParams, response: { 200: AgentDeletedSchema, 404: ErrorSchema } },
      handler: async ({ params }) => {
        if (!ctx.store.deleteAgent(params.region, params.agent)) throw notFound(`agent "${params.region}/${params.agent}" is not known (GET /api/v1/agents lists them)`);
        ctx.logger.info({ region: params.region, agent: params.agent, op: 'delete' }, 'agent forgotten');
        return { deleted: `${params.region}/${params.agent}` };
      },
    }),
  ];
}
