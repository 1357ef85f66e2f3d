import type { Diagnosis, FindingVerdict, Suspect } from '../diagnosis/index.js';
import type { Db } from './db.js';

/** The verdicts an incident can have: every finding verdict except `agent` (our own agent, not the target). */
export type IncidentVerdict = Exclude<FindingVerdict, 'agent'>;

export const INCIDENT_STATES = ['open', 'resolved'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** What an incident's history records. `reopened`: a resolved incident of the same kind came back soon. */
export const INCIDENT_EVENT_TYPES = ['opened', 'changed', 'reopened', 'resolved'] as const;
export type IncidentEventType = (typeof INCIDENT_EVENT_TYPES)[number];

/** One incident of one target, as stored. */
export interface IncidentRecord {
  /** `<target>-<openedAtMs>`: stable, chosen by the (pure) lifecycle without asking the database. */
  readonly id: string;
  readonly target: string;
  readonly state: IncidentState;
  /** The current kind: the verdict of the target finding of the last event. */
  readonly verdict: IncidentVerdict;
  readonly suspects: readonly Suspect[];
  /**
   * The one-sentence summary of the finding it follows, at its worst: set when the incident opens or
   * takes another verdict or other suspects, then replaced by each later reading of the same finding
   * with a failure rate as high or higher (`summaryRate`). So the resolve alert, the API and an alert
   * about a problem beside it quote the outage at its height ("100% of 171 probes"), not as it was
   * first confirmed ("10% of 120 probes").
   */
  readonly summary: string;
  /**
   * The failure rate (failures / probes of the cells its test singled out) of the reading `summary`
   * quotes; null for an incident stored before schema v7, whose next reading of its finding replaces it.
   */
  readonly summaryRate: number | null;
  readonly openedAtMs: number;
  /** The last evaluation that changed the stored row. */
  readonly updatedAtMs: number;
  readonly resolvedAtMs: number | null;
  /** While open: since when the target has had no target finding (null while it has one). */
  readonly healthySinceMs: number | null;
  /** How many times it re-opened after resolving (flapping). */
  readonly reopens: number;
  /** The last diagnosis that had a target finding (the evidence behind the incident). */
  readonly lastDiagnosis: Diagnosis;
  /**
   * The target findings its alerts have named since it opened: the one it followed at each event and
   * the others beside it ("also: …"). A problem appearing beside the one it follows is announced once.
   */
  readonly named: readonly NamedFinding[];
}

/** A finding as an incident's alert named it. */
export interface NamedFinding {
  readonly verdict: IncidentVerdict;
  readonly suspects: readonly Suspect[];
}

/** One entry of an incident's history. */
export interface IncidentEventRecord {
  readonly incidentId: string;
  readonly atMs: number;
  readonly type: IncidentEventType;
  readonly verdict: IncidentVerdict;
  readonly suspects: readonly Suspect[];
  readonly summary: string;
}

/** Filters of `listIncidents`; newest (by opened time) first. */
export interface IncidentQuery {
  readonly target?: string | undefined;
  readonly state?: IncidentState | undefined;
  readonly limit: number;
}

interface IncidentRow {
  id: string;
  target: string;
  state: string;
  verdict: string;
  suspects: string;
  summary: string;
  opened_at_ms: number;
  updated_at_ms: number;
  resolved_at_ms: number | null;
  healthy_since_ms: number | null;
  reopens: number;
  last_diagnosis: string;
  named: string;
  summary_rate: number | null;
}

interface EventRow {
  incident_id: string;
  at_ms: number;
  type: string;
  verdict: string;
  suspects: string;
  summary: string;
}

/** The `incidents` and `incident_events` tables (schema v3; `named` since v6, `summary_rate` since v7). */
export class IncidentsTable {
  private readonly upsertStmt;
  private readonly eventStmt;
  private readonly latestStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly historyStmt;

  constructor(db: Db) {
    this.upsertStmt = db.prepare(`INSERT INTO incidents (id, target, state, verdict, suspects, summary, opened_at_ms, updated_at_ms,
      resolved_at_ms, healthy_since_ms, reopens, last_diagnosis, named, summary_rate) VALUES (@id, @target, @state, @verdict, @suspects,
      @summary, @opened_at_ms, @updated_at_ms, @resolved_at_ms, @healthy_since_ms, @reopens, @last_diagnosis, @named, @summary_rate)
      ON CONFLICT (id) DO UPDATE SET state = excluded.state, verdict = excluded.verdict, suspects = excluded.suspects,
      summary = excluded.summary, updated_at_ms = excluded.updated_at_ms, resolved_at_ms = excluded.resolved_at_ms,
      healthy_since_ms = excluded.healthy_since_ms, reopens = excluded.reopens, last_diagnosis = excluded.last_diagnosis,
      named = excluded.named, summary_rate = excluded.summary_rate`);
    this.eventStmt = db.prepare(`INSERT INTO incident_events (incident_id, at_ms, type, verdict, suspects, summary)
      VALUES (?, ?, ?, ?, ?, ?)`);
    this.latestStmt = db.prepare('SELECT * FROM incidents WHERE target = ? ORDER BY opened_at_ms DESC, id DESC LIMIT 1');
    this.getStmt = db.prepare('SELECT * FROM incidents WHERE id = ?');
    this.listStmt = db.prepare(`SELECT * FROM incidents WHERE (@target IS NULL OR target = @target) AND (@state IS NULL OR state = @state)
      ORDER BY opened_at_ms DESC, id DESC LIMIT @limit`);
    this.historyStmt = db.prepare('SELECT * FROM incident_events WHERE incident_id = ? ORDER BY id');
  }

  /** Creates or replaces the incident row, then appends `events`. Call inside a transaction. */
  record(incident: IncidentRecord, events: readonly IncidentEventRecord[]): void {
    this.upsertStmt.run({
      id: incident.id,
      target: incident.target,
      state: incident.state,
      verdict: incident.verdict,
      suspects: JSON.stringify(incident.suspects),
      summary: incident.summary,
      opened_at_ms: incident.openedAtMs,
      updated_at_ms: incident.updatedAtMs,
      resolved_at_ms: incident.resolvedAtMs,
      healthy_since_ms: incident.healthySinceMs,
      reopens: incident.reopens,
      last_diagnosis: JSON.stringify(incident.lastDiagnosis),
      named: JSON.stringify(incident.named),
      summary_rate: incident.summaryRate,
    });
    for (const e of events) this.eventStmt.run(e.incidentId, e.atMs, e.type, e.verdict, JSON.stringify(e.suspects), e.summary);
  }

  latest(target: string): IncidentRecord | null {
    const row = this.latestStmt.get(target) as IncidentRow | undefined;
    return row ? toIncident(row) : null;
  }

  get(id: string): IncidentRecord | null {
    const row = this.getStmt.get(id) as IncidentRow | undefined;
    return row ? toIncident(row) : null;
  }

  list(q: IncidentQuery): IncidentRecord[] {
    const rows = this.listStmt.all({ target: q.target ?? null, state: q.state ?? null, limit: q.limit }) as IncidentRow[];
    return rows.map(toIncident);
  }

  /** Oldest first. */
  history(id: string): IncidentEventRecord[] {
    return (this.historyStmt.all(id) as EventRow[]).map((r) => ({
      incidentId: r.incident_id,
      atMs: r.at_ms,
      type: r.type as IncidentEventType,
      verdict: r.verdict as IncidentVerdict,
      suspects: JSON.parse(r.suspects) as Suspect[],
      summary: r.summary,
    }));
  }
}

// The CHECK constraints of migration v3 keep state, verdict and type within their unions: the casts hold.
function toIncident(r: IncidentRow): IncidentRecord {
  return {
    id: r.id,
    target: r.target,
    state: r.state as IncidentState,
    verdict: r.verdict as IncidentVerdict,
    suspects: JSON.parse(r.suspects) as Suspect[],
    summary: r.summary,
    openedAtMs: r.opened_at_ms,
    updatedAtMs: r.updated_at_ms,
    resolvedAtMs: r.resolved_at_ms,
    healthySinceMs: r.healthy_since_ms,
    reopens: r.reopens,
    lastDiagnosis: JSON.parse(r.last_diagnosis) as Diagnosis,
    named: JSON.parse(r.named) as NamedFinding[],
    summaryRate: r.summary_rate,
  };
}
