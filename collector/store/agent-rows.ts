import type { FailureCode } from '../../proto/index.js';
import type { Db } from './db.js';

/** One control target's health, as the agent's heartbeat reported it. */
export interface ControlStatus {
  readonly url: string;
  readonly ok: boolean;
  readonly failure: FailureCode | null;
  readonly checkedAtMs: number;
  readonly consecutiveFailures: number;
  readonly totalMs: number | null;
}

/** A heartbeat, decoded, plus when the collector received it. */
export interface AgentHeartbeat {
  readonly region: string;
  readonly agent: string;
  readonly version: string;
  /** Collector clock: liveness is judged by it, never by the agent's clock. */
  readonly receivedAtMs: number;
  /** Agent clock. */
  readonly sentAtMs: number;
  readonly startedAtMs: number;
  readonly targets: number;
  readonly spoolDepth: number;
  readonly spoolDropped: number;
  readonly spoolBytes: number;
  readonly schedLagMs: number;
  readonly resultsPublished: number;
  readonly inFlight: number;
  readonly controls: readonly ControlStatus[];
  /** `degraded`: its disk refuses the spool, results wait in memory. Absent (older agents): ok. */
  readonly spoolState?: SpoolState;
  /** The system error code of the disk's last refusal (ENOSPC, EROFS, ...). */
  readonly spoolError?: string | null;
  /** Results waiting in its memory queue. */
  readonly memoryQueueDepth?: number;
  readonly memoryQueueBytes?: number;
  /** Results dropped past its memory queue's bound since it started. */
  readonly memoryQueueDropped?: number;
}

/** Whether an agent's disk takes its spool. */
export type SpoolState = 'ok' | 'degraded';

/** What the collector last heard from an agent. */
export interface AgentRow extends Omit<AgentHeartbeat, 'receivedAtMs'> {
  /** When its last heartbeat arrived (collector clock). */
  readonly lastSeenMs: number;
  /** Every control target it reported is failing: its own network or resolver is broken. */
  readonly controlsFailing: boolean;
}

interface AgentDbRow {
  region: string;
  agent: string;
  version: string;
  last_seen_ms: number;
  sent_at_ms: number;
  started_at_ms: number;
  targets: number;
  spool_depth: number;
  spool_dropped: number;
  spool_bytes: number;
  sched_lag_ms: number;
  results_published: number;
  in_flight: number;
  controls: string;
  controls_failing: number;
  spool_state: string;
  spool_error: string | null;
  memory_queue_depth: number;
  memory_queue_bytes: number;
  memory_queue_dropped: number;
}

/** True when the agent reported controls and every one of them is failing. */
export function controlsFailing(controls: readonly ControlStatus[]): boolean {
  return controls.length > 0 && controls.every((c) => !c.ok);
}

/** The `agents` table: one row per (region, agent), replaced by each heartbeat. */
export class AgentsTable {
  private readonly upsertStmt;
  private readonly listStmt;
  private readonly deleteStmt;

  constructor(db: Db) {
    this.upsertStmt = db.prepare(`INSERT INTO agents (region, agent, version, last_seen_ms, sent_at_ms, started_at_ms, targets,
      spool_depth, spool_dropped, spool_bytes, sched_lag_ms, results_published, in_flight, controls, controls_failing,
      spool_state, spool_error, memory_queue_depth, memory_queue_bytes, memory_queue_dropped)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (region, agent) DO UPDATE SET version = excluded.version, last_seen_ms = excluded.last_seen_ms,
      sent_at_ms = excluded.sent_at_ms, started_at_ms = excluded.started_at_ms, targets = excluded.targets,
      spool_depth = excluded.spool_depth, spool_dropped = excluded.spool_dropped, spool_bytes = excluded.spool_bytes,
      sched_lag_ms = excluded.sched_lag_ms, results_published = excluded.results_published, in_flight = excluded.in_flight,
      controls = excluded.controls, controls_failing = excluded.controls_failing, spool_state = excluded.spool_state,
      spool_error = excluded.spool_error, memory_queue_depth = excluded.memory_queue_depth,
      memory_queue_bytes = excluded.memory_queue_bytes, memory_queue_dropped = excluded.memory_queue_dropped`);
    this.listStmt = db.prepare('SELECT * FROM agents ORDER BY region, agent');
    this.deleteStmt = db.prepare('DELETE FROM agents WHERE region = ? AND agent = ?');
  }

  /** Forgets an agent; false when it was not known. */
  delete(region: string, agent: string): boolean {
    return this.deleteStmt.run(region, agent).changes > 0;
  }

  upsert(h: AgentHeartbeat): void {
    this.upsertStmt.run(
      h.region, h.agent, h.version, h.receivedAtMs, h.sentAtMs, h.startedAtMs, h.targets, h.spoolDepth, h.spoolDropped,
      h.spoolBytes, h.schedLagMs, h.resultsPublished, h.inFlight, JSON.stringify(h.controls), controlsFailing(h.controls) ? 1 : 0,
      h.spoolState ?? 'ok', h.spoolError ?? null, h.memoryQueueDepth ?? 0, h.memoryQueueBytes ?? 0, h.memoryQueueDropped ?? 0,
    );
  }

  list(): AgentRow[] {
    return (this.listStmt.all() as AgentDbRow[]).map((r) => ({
      region: r.region,
      agent: r.agent,
      version: r.version,
      lastSeenMs: r.last_seen_ms,
      sentAtMs: r.sent_at_ms,
      startedAtMs: r.started_at_ms,
      targets: r.targets,
      spoolDepth: r.spool_depth,
      spoolDropped: r.spool_dropped,
      spoolBytes: r.spool_bytes,
      schedLagMs: r.sched_lag_ms,
      resultsPublished: r.results_published,
      inFlight: r.in_flight,
      controls: JSON.parse(r.controls) as ControlStatus[],
      controlsFailing: r.controls_failing === 1,
      spoolState: r.spool_state === 'degraded' ? 'degraded' : 'ok',
      spoolError: r.spool_error,
      memoryQueueDepth: r.memory_queue_depth,
      memoryQueueBytes: r.memory_queue_bytes,
      memoryQueueDropped: r.memory_queue_dropped,
    }));
  }
}
