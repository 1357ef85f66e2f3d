import type { AgentRow } from '../store/index.js';
import { defineRoute, type Route } from './route.js';
import { STALE_HEARTBEATS, type ApiContext } from './context.js';
import { AgentListSchema } from './schemas.js';

/** Whether an agent has missed STALE_HEARTBEATS heartbeats (judged by the collector's clock). */
export function isStale(agent: AgentRow, nowMs: number, heartbeatIntervalMs: number): boolean {
  return nowMs - agent.lastSeenMs > STALE_HEARTBEATS * heartbeatIntervalMs;
}

/** GET /api/v1/agents: every agent heard from, with its last heartbeat. */
export function agentRoutes(ctx: ApiContext): Route[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/agents',
      operationId: 'listAgents',
      summary: 'Every agent heard from: last heartbeat, version, spool depth, control targets, stale',
      access: 'read',
      schema: { response: { 200: AgentListSchema } },
      handle: async () => {
        const now = ctx.now();
        return {
          heartbeatIntervalMs: ctx.heartbeatIntervalMs,
          agents: ctx.store.listAgents().map((a) => ({
            ...a,
            lastSeen: new Date(a.lastSeenMs).toISOString(),
            stale: isStale(a, now, ctx.heartbeatIntervalMs),
            startedAt: new Date(a.startedAtMs).toISOString(),
          })),
        };
      },
    }),
  ];
}
