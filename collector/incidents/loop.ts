import type { Logger } from 'pino';
import { SerialQueue } from '../../common/index.js';
import type { Diagnosis } from '../diagnosis/index.js';
import type { Store } from '../store/index.js';
import { historyEntry, resolveIncidentOptions, stepLifecycle, type IncidentEvent, type IncidentOptions, type LifecycleState } from './lifecycle.js';
import { stepAgentAlerts, type AgentAlertEvent } from './fleet-health.js';

/** What the incident loop needs. */
export interface IncidentLoopOptions {
  readonly store: Store;
  readonly logger: Logger;
  /** Between the end of one tick and the start of the next. Default 30 s. */
  readonly intervalMs?: number;
  /**
   * Targets with results this recently are judged too, not only the store's (API-added) targets: agents
   * may probe targets from their own files. Default 1 h (the collector passes its long window).
   */
  readonly activeWithinMs?: number;
  /** The diagnosis of a target now (in the collector: `evaluateTarget(store, target, nowMs, windows)`). */
  readonly evaluate: (target: string, nowMs: number) => Diagnosis | Promise<Diagnosis>;
  /** Where the events go: the collector's webhooks (`createAlerts` of collector/alerts, which imports this folder). */
  readonly alerts: { notify(events: readonly (IncidentEvent | AgentAlertEvent)[]): void };
  readonly options?: Partial<IncidentOptions>;
  /**
   * Alerts about the agents themselves (silent, cut off from their control targets, all silent, or
   * probing none of the store's targets meant for their region),
   * judged every tick from the agents table; resolved after the incidents' resolve-after. Off when absent.
   */
  readonly agentHealth?: {
    /** No heartbeat for this long: silent (the collector passes 3 heartbeat intervals). */
    readonly staleAfterMs: number;
    /** Since when heartbeats are listened for. Default: when the loop starts, by its clock. */
    readonly listeningSinceMs?: number;
  };
  /**
   * Incidents one tick may open (or reopen) for targets known only from results (not added through the
   * API); the rest wait for the next tick, counted. An agent inventing target ids cannot flood the
   * webhooks faster than this. Default 50.
   */
  readonly maxResultTargetOpensPerTick?: number;
  /** The clock of timer-driven ticks. Default Date.now. */
  readonly now?: () => number;
  /** Start ticking on the timer (default true; tests drive `tick` themselves with false). */
  readonly autoStart?: boolean;
}

/** What one tick did. */
export interface TickReport {
  readonly evaluated: number;
  /** Targets whose evaluation or persistence threw (logged and skipped). */
  readonly failed: number;
  readonly events: readonly IncidentEvent[];
  /** Alerts about agents that opened, changed or resolved. */
  readonly agentEvents: readonly AgentAlertEvent[];
  /** Incidents of targets known only from results that would have opened, left to the next tick (present when any). */
  readonly deferredOpens?: number;
}

/** A running incident loop. */
export interface IncidentLoop {
  /** One pass over every target at `nowMs` (default: the clock). Never rejects. */
  tick(nowMs?: number): Promise<TickReport>;
  /** Stops the timer and waits for a tick in progress. */
  stop(): Promise<void>;
}

export const DEFAULT_INCIDENT_INTERVAL_MS = 30_000;
export const DEFAULT_RESULT_TARGET_OPENS_PER_TICK = 50;
/** Open incidents read per tick at most (one per target at a time, so: targets). */
const MAX_OPEN_INCIDENTS = 10_000;

/**
 * Every `intervalMs`, for every target — in the store, with recent results, or with an open incident
 * (so an incident whose target went quiet still resolves): evaluate it, run the incident lifecycle, save the
 * incident with its new history in one transaction, then hand the events to `alerts` (which queues
 * them: a slow webhook never holds up the loop). Then, with `agentHealth`, the same for the agents
 * themselves (`stepAgentAlerts` over the agents table). A failing target is logged and skipped; the loop
 * itself never throws. Options are checked here, so bad ones fail at start-up.
 */
export function startIncidentLoop(o: IncidentLoopOptions): IncidentLoop {
  const options = resolveIncidentOptions(o.options);
  const intervalMs = o.intervalMs ?? DEFAULT_INCIDENT_INTERVAL_MS;
  const activeWithinMs = o.activeWithinMs ?? 3_600_000;
  const opensPerTick = o.maxResultTargetOpensPerTick ?? DEFAULT_RESULT_TARGET_OPENS_PER_TICK;
  if (!Number.isSafeInteger(opensPerTick) || opensPerTick < 1) throw new RangeError(`maxResultTargetOpensPerTick: must be a whole number above 0 (got ${String(opensPerTick)})`);
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`intervalMs: must be above 0 (got ${String(intervalMs)})`);
  const now = o.now ?? Date.now;
  const logger = o.logger.child({ component: 'incidents' });
  const agentHealth = o.agentHealth && { staleAfterMs: o.agentHealth.staleAfterMs, listeningSinceMs: o.agentHealth.listeningSinceMs ?? now() };
  if (agentHealth && !(agentHealth.staleAfterMs > 0)) throw new RangeError(`agentHealth.staleAfterMs: must be above 0 (got ${String(agentHealth.staleAfterMs)})`);
  // evaluations with a finding while no incident is open, per target (lost on restart: re-confirmed)
  const pending = new Map<string, number>();
  // ticks never overlap: a tick asked for during another runs after it
  const ticks = new SerialQueue();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  async function runTick(nowMs: number): Promise<TickReport> {
    const all: IncidentEvent[] = [];
    let evaluated = 0;
    let failed = 0;
    let targets: string[] | null = null;
    let managed = new Set<string>();
    let opensLeft = opensPerTick;
    let deferredOpens = 0;
    try {
      managed = new Set(o.store.listTargets().map((t) => t.target.id));
      const ids = new Set(managed);
      for (const id of o.store.activeTargets(nowMs - activeWithinMs)) ids.add(id);
      for (const i of o.store.listIncidents({ state: 'open', limit: MAX_OPEN_INCIDENTS })) ids.add(i.target);
      targets = [...ids].sort();
    } catch (err) {
      logger.error({ event: 'incident-targets-unlisted', err }, 'incident tick: cannot list targets');
    }
    if (targets !== null) for (const id of pending.keys()) if (!targets.includes(id)) pending.delete(id);
    for (const target of targets ?? []) {
      // a diagnosis is synchronous SQLite + CPU (~0.1 s for a busy hour): let ingest and the API
      // run between targets instead of stalling them for the whole tick
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        const diagnosis = await o.evaluate(target, nowMs);
        const prev: LifecycleState = { incident: o.store.latestIncident(target), pending: pending.get(target) ?? 0 };
        const step = stepLifecycle(prev, diagnosis, nowMs, options);
        if (!managed.has(target) && step.events.some((e) => e.type === 'opened' || e.type === 'reopened')) {
          if (opensLeft === 0) {
            // left as it was: the next tick confirms it again and opens it then
            deferredOpens++;
            evaluated++;
            continue;
          }
          opensLeft--;
        }
        if (step.save && step.state.incident !== null) o.store.recordIncident(step.state.incident, step.events.map(historyEntry));
        pending.set(target, step.state.pending);
        evaluated++;
        for (const e of step.events) {
          logger.info({ event: `incident-${e.type}`, target, incident: e.incident.id, type: e.type, verdict: e.incident.verdict, suspects: e.incident.suspects }, `incident ${e.type}`);
        }
        all.push(...step.events);
      } catch (err) {
        failed++;
        logger.error({ event: 'incident-target-skipped', err, target }, 'incident tick: target skipped');
      }
    }
    if (deferredOpens > 0) {
      logger.warn({ event: 'incident-opens-deferred', deferred: deferredOpens, maxPerTick: opensPerTick }, 'incidents of targets known only from results left to the next tick (more opened at once than allowed)');
    }
    const agentEvents = agentTick(nowMs);
    try {
      if (all.length + agentEvents.length > 0) o.alerts.notify([...all, ...agentEvents]);
    } catch (err) {
      logger.error({ err }, 'incident tick: alerts refused the events');
    }
    return { evaluated, failed, events: all, agentEvents, ...(deferredOpens > 0 ? { deferredOpens } : {}) };
  }

  /** The fleet's own alerts: judged, saved in one transaction, logged; returned for notifying. */
  function agentTick(nowMs: number): AgentAlertEvent[] {
    if (!agentHealth) return [];
    try {
      const targets = o.store.listTargets().map((t) => ({ id: t.target.id, regions: t.target.regions, updatedAtMs: t.updatedAtMs }));
      const step = stepAgentAlerts(o.store.openAgentAlerts(), o.store.listAgents(), nowMs, { ...agentHealth, resolveAfterMs: options.resolveAfterMs }, targets);
      if (step.save.length + step.resolved.length > 0) o.store.recordAgentAlerts(step.save, step.resolved);
      for (const e of step.events) {
        const { region, agent, problem } = e.alert;
        logger.info({ event: `agent-alert-${e.type}`, region: region || undefined, agent: agent || undefined, problem, type: e.type }, `agent alert ${e.type}`);
      }
      return [...step.events];
    } catch (err) {
      logger.error({ err }, 'incident tick: agent alerts skipped');
      return [];
    }
  }

  function tick(nowMs: number = now()): Promise<TickReport> {
    return ticks.run(() => runTick(nowMs)).catch((err: unknown) => {
      logger.error({ err }, 'incident tick failed');
      return { evaluated: 0, failed: 0, events: [], agentEvents: [] } satisfies TickReport;
    });
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void tick().then(schedule);
    }, intervalMs);
    timer.unref();
  }

  if (o.autoStart ?? true) schedule();

  return {
    tick,
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await ticks.idle();
    },
  };
}
