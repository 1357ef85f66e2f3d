import { performance } from 'node:perf_hooks';
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
  /** The diagnosis of a target now (in the collector: `evaluateTarget(store, target, nowMs, windows)`); used when `judge` is absent. */
  readonly evaluate: (target: string, nowMs: number) => Diagnosis | Promise<Diagnosis>;
  /**
   * How targets are judged in the collector: called at the start of every slice of a tick (what the
   * slice's targets share is read then, between two yields, so that it agrees with what ingest committed
   * meanwhile), it returns the judge of one target (`judgeTarget` of collector/evaluate.ts).
   */
  readonly judge?: (nowMs: number) => (target: string) => Judged;
  /**
   * A tick works at most about this long before it lets ingest and the API run (one target is never
   * split: a slice ends after the target that reached it). Default 10 ms.
   */
  readonly sliceMs?: number;
  /** Told of every finished tick (metrics). */
  readonly onTick?: (report: TickReport) => void;
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

/** A target's diagnosis, and whether its raw results were read for it. */
export interface Judged {
  readonly diagnosis: Diagnosis;
  /** True when its raw results were read and diagnosed; false when its counts showed nothing to find. */
  readonly full: boolean;
}

/** What one tick did. */
export interface TickReport {
  /** Targets judged (evaluated or failed). */
  readonly targets: number;
  readonly evaluated: number;
  /** Of the evaluated targets, those whose raw results were read (the rest were judged from counts). */
  readonly fullDiagnoses: number;
  /** From its start to its end, yields included (wall clock, performance.now). */
  readonly durationMs: number;
  /** Its longest stretch of work without a yield: how long it held up ingest and the API at most. */
  readonly longestSliceMs: number;
  readonly slices: number;
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
export const DEFAULT_SLICE_MS = 10;
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
  const sliceMs = o.sliceMs ?? DEFAULT_SLICE_MS;
  if (!Number.isFinite(sliceMs) || sliceMs < 0) throw new RangeError(`sliceMs: must be 0 or more (got ${String(sliceMs)})`);
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
    const startedAt = performance.now();
    const all: IncidentEvent[] = [];
    let evaluated = 0;
    let failed = 0;
    let fullDiagnoses = 0;
    let targets: string[] | null = null;
    let managed = new Set<string>();
    let opensLeft = opensPerTick;
    let deferredOpens = 0;
    // the work between two yields: the event loop is held up that long at most
    let sliceStart = performance.now();
    let longestSliceMs = 0;
    let slices = 1;
    let judge: ((target: string) => Judged) | null = null;
    // the target that took longest (a window far larger than the rest shows here)
    let slowest = { target: '', ms: 0 };
    const yieldNow = async (): Promise<void> => {
      longestSliceMs = Math.max(longestSliceMs, performance.now() - sliceStart);
      await new Promise<void>((resolve) => setImmediate(resolve));
      slices++;
      sliceStart = performance.now();
      judge = null;
    };
    try {
      managed = new Set(o.store.listTargets().map((t) => t.target.id));
      const ids = new Set(managed);
      // a page of active targets at a time: 10,000 targets' worth is too long to read without a yield
      for (let after = ''; ;) {
        const page = o.store.activeTargets(nowMs - activeWithinMs, { after, limit: 500 });
        for (const id of page) ids.add(id);
        if (page.length < 500) break;
        after = page[page.length - 1]!;
        await yieldNow();
      }
      for (const i of o.store.listIncidents({ state: 'open', limit: MAX_OPEN_INCIDENTS })) ids.add(i.target);
      targets = [...ids].sort();
    } catch (err) {
      logger.error({ event: 'incident-targets-unlisted', err }, 'incident tick: cannot list targets');
    }
    if (targets !== null) {
      const listed = new Set(targets);
      for (const id of pending.keys()) if (!listed.has(id)) pending.delete(id);
      // what no tick judges any more is not kept counted
      try {
        o.store.retainCellCounts(listed);
      } catch (err) {
        logger.error({ err }, 'incident tick: cannot let go of unlisted targets');
      }
    }
    for (const target of targets ?? []) {
      // judging is synchronous SQLite + CPU: ingest and the API run between slices of the tick
      if (performance.now() - sliceStart >= sliceMs) await yieldNow();
      const targetStart = performance.now();
      try {
        let diagnosis: Diagnosis;
        if (o.judge !== undefined) {
          judge ??= o.judge(nowMs);
          const judged = judge(target);
          diagnosis = judged.diagnosis;
          if (judged.full) fullDiagnoses++;
        } else {
          diagnosis = await o.evaluate(target, nowMs);
          fullDiagnoses++;
        }
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
        const incident = step.state.incident;
        // an open incident is saved every tick (its latest diagnosis): never stall the API on the write lock
        if (step.save && incident !== null) {
          const before = performance.now();
          await o.store.writeSoon(() => o.store.recordIncident(incident, step.events.map(historyEntry)));
          // a wait for the lock let the event loop run: it is not part of the slice
          const waited = performance.now() - before;
          if (waited > 1) sliceStart += waited;
        }
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
      const took = performance.now() - targetStart;
      if (took > slowest.ms) slowest = { target, ms: took };
    }
    longestSliceMs = Math.max(longestSliceMs, performance.now() - sliceStart);
    if (deferredOpens > 0) {
      logger.warn({ event: 'incident-opens-deferred', deferred: deferredOpens, maxPerTick: opensPerTick }, 'incidents of targets known only from results left to the next tick (more opened at once than allowed)');
    }
    const agentEvents = await agentTick(nowMs);
    try {
      if (all.length + agentEvents.length > 0) o.alerts.notify([...all, ...agentEvents]);
    } catch (err) {
      logger.error({ err }, 'incident tick: alerts refused the events');
    }
    const report: TickReport = {
      targets: evaluated + failed, evaluated, fullDiagnoses, durationMs: performance.now() - startedAt, longestSliceMs, slices, failed,
      events: all, agentEvents, ...(deferredOpens > 0 ? { deferredOpens } : {}),
    };
    logger.info(
      {
        event: 'incident-tick', durationMs: Math.round(report.durationMs), targets: report.targets, evaluated, failed, fullDiagnoses,
        longestSliceMs: Math.round(longestSliceMs), slices, slowestTarget: slowest.target || undefined, slowestTargetMs: Math.round(slowest.ms),
        events: all.length + agentEvents.length,
      },
      'incident tick',
    );
    try {
      o.onTick?.(report);
    } catch (err) {
      logger.error({ err }, 'incident tick: onTick threw');
    }
    return report;
  }

  /** The fleet's own alerts: judged, saved in one transaction, logged; returned for notifying. */
  async function agentTick(nowMs: number): Promise<AgentAlertEvent[]> {
    if (!agentHealth) return [];
    try {
      const targets = o.store.listTargets().map((t) => ({ id: t.target.id, regions: t.target.regions, updatedAtMs: t.updatedAtMs }));
      const step = stepAgentAlerts(o.store.openAgentAlerts(), o.store.listAgents(), nowMs, { ...agentHealth, resolveAfterMs: options.resolveAfterMs }, targets);
      if (step.save.length + step.resolved.length > 0) await o.store.writeSoon(() => o.store.recordAgentAlerts(step.save, step.resolved));
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
      return { targets: 0, evaluated: 0, fullDiagnoses: 0, durationMs: 0, longestSliceMs: 0, slices: 0, failed: 0, events: [], agentEvents: [] } satisfies TickReport;
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
