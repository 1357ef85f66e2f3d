import type { Target } from '../../proto/index.js';
import { openDatabase, type Db, type OpenDatabaseOptions } from './db.js';
import { migrate } from './migrations.js';
import { ResultsTable, type AgentFailureRate, type ObservationRow, type ResultPage, type ResultQuery, type ResultRecord } from './results.js';
import { RollupsTable, type AgentMinuteRow, type RollupRow } from './rollups.js';
import { RejectsTable, type RejectRecord, type StoredReject } from './rejects.js';
import { AgentsTable, type AgentHeartbeat, type AgentRow } from './agent-rows.js';
import { AgentAlertsTable, type AgentAlertRecord } from './agent-alerts.js';
import { TargetsTable, type BadTargetHandler, type StoredTarget } from './targets.js';
import { RECENT_DEFAULTS, RecentWindows, summarizeCommit, toObservation, type CommitSummary, type CommittedBatch, type CommittedObservation, type RecentOptions, type Snapshot } from './recent.js';
import { CELL_COUNTS_DEFAULTS, CellCounts, type CellCountsOptions, type TargetCounts, type TimeRange } from './cell-counts.js';
import { BatchInserter, DEFAULT_MAX_REJECTS } from './batch.js';
import { applyRetention, type RetentionOptions, type RetentionReport } from './retention.js';
import { IncidentsTable, type IncidentEventRecord, type IncidentQuery, type IncidentRecord } from './incidents.js';
import { ReportQueries, type CodeCounts, type Detail, type FailureGroups, type FailureSample, type MinuteOfHourCounts, type RollupBucket, type StatusMinute } from './report-queries.js';

export interface StoreOptions extends OpenDatabaseOptions {
  /** Told once of each stored target that does not validate (it is skipped); default: nothing. */
  readonly onBadTarget?: BadTargetHandler;
  /** The in-memory recent windows the diagnosis reads (see recent.ts); `maxObservations: 0` turns them off. */
  readonly recent?: Partial<RecentOptions>;
  /** The in-memory per-cell counts the incident loop judges targets from (see cell-counts.ts). */
  readonly cellCounts?: Partial<CellCountsOptions>;
  /** Rows the rejects table keeps at most, the oldest deleted first. Default DEFAULT_MAX_REJECTS (100,000). */
  readonly maxRejects?: number;
}

/** What one `insertBatch` did. */
export interface BatchOutcome {
  /** Results that were new (the rest were already stored: redeliveries). */
  readonly inserted: number;
  readonly rejected: number;
}

/** The collector's SQLite store. Every method is synchronous except retention; one connection, one process. */
export interface Store {
  readonly path: string;
  /** Schema version after opening, and the version the file was at before. */
  readonly schema: { readonly from: number; readonly to: number };
  /**
   * Inserts results (idempotent on result id; rollups updated for the new ones) and rejects, all in ONE
   * transaction: after it returns, everything is committed; if it throws, nothing is.
   */
  insertBatch(batch: { readonly results: readonly ResultRecord[]; readonly rejects?: readonly RejectRecord[] }): BatchOutcome;
  /** `insertBatch` without rejects; returns how many results were new. */
  insertResults(results: readonly ResultRecord[]): number;
  /**
   * What another connection to this file committed (the ingest's writer thread, see `openBatchInserter`),
   * each commit reported once after it, so the in-memory windows stay exact.
   */
  noteCommitted(commit: CommitSummary): void;
  /**
   * Drops the in-memory windows (they load again from SQLite when next read): for when commits may have
   * gone unreported (a writer thread that died between its commit and its report).
   */
  resetRecent(): void;
  /** Whether `noteCommitted` is wanted (always: the cell counts need every commit, even with the recent windows off). */
  readonly tracksRecent: boolean;
  /** The options the file was opened with (a second connection uses the same). */
  readonly openOptions: OpenDatabaseOptions;
  /** Rows the rejects table keeps at most (a second connection writing rejects keeps to it too). */
  readonly maxRejects: number;
  insertReject(reject: RejectRecord): void;
  countResults(): number;
  countRejects(): number;
  /** Newest first. */
  listRejects(limit: number, beforeId?: number): StoredReject[];
  /** Filtered results, paginated by an opaque cursor. Throws StoreError (ERR_STORE_BAD_QUERY / ERR_STORE_BAD_CURSOR). */
  queryResults(q: ResultQuery): ResultPage;
  /**
   * A target's results with fromMs ≤ started < toMs, oldest first, as the classifier reads them: served
   * from memory once read (see recent.ts), the objects shared between calls (never mutate them).
   */
  observations(target: string, fromMs: number, toMs: number): ObservationRow[];
  /** The URL and method of the target's newest result (what its agents probe now), or null before its first. */
  probedAs(target: string): { url: string; method: string } | null;
  /** Per agent, failed / total on every target except `excludeTarget`, fromMs ≤ started < toMs (exact; reads SQLite). */
  agentFailureRates(fromMs: number, toMs: number, excludeTarget: string): AgentFailureRate[];
  /**
   * Per agent, failed / total on every target over the whole minutes [fromMs, toMs) touches, from memory
   * (loaded from the rollups once, then kept current by inserts); `fromMs`/`toMs` of the answer are the
   * minute range it covers. What the diagnosis' agent health reads.
   */
  agentTotals(fromMs: number, toMs: number): { rates: AgentFailureRate[]; fromMs: number; toMs: number };
  /** Observations held in memory for the diagnosis now. */
  readonly recentSize: number;
  /**
   * A target's results counted per serving cell over each of `ranges` (half-open), kept current at
   * insert (see cell-counts.ts: loaded from SQLite once, then moved forward incrementally); null when the
   * target has too many cells to count. The answer is a view, valid until the next call.
   */
  cellCounts(target: string, ranges: readonly TimeRange[]): TargetCounts | null;
  /**
   * Runs `write` (one of this store's writes) without holding up the thread while another connection
   * (the ingest's writer thread) holds the write lock: it tries with no busy wait, and while the lock is
   * taken it retries after a pause of 1–20 ms, letting the event loop run meanwhile; after `maxWaitMs`
   * (default 10 s) it waits in SQLite's busy handler as any write does. SQLite's busy handler sleeps in
   * steps of up to 100 ms, and a writer committing back to back can keep it waiting through several
   * commits: the API would stall that long.
   */
  writeSoon<T>(write: () => T, maxWaitMs?: number): Promise<T>;
  /** Results and targets held by `cellCounts` now. */
  readonly cellCountsSize: { readonly results: number; readonly targets: number };
  /** Lets `cellCounts` go of every target not in `targets` (the incident loop's list: the rest is no longer judged). */
  retainCellCounts(targets: ReadonlySet<string>): void;
  /**
   * Targets with results since `sinceMs` (minute resolution), sorted: with targets only in agents'
   * files (never added through the API) too. A page of them with `page`: those after `page.after`,
   * `page.limit` at most.
   */
  activeTargets(sinceMs: number, page?: { readonly after?: string; readonly limit?: number }): string[];
  /** A target's per-minute rollups for the minutes overlapping [fromMs, toMs). */
  rollups(target: string, fromMs: number, toMs: number): RollupRow[];
  /** Recomputes rollups of [fromMs, toMs) from raw rows (repair; one transaction). */
  rebuildRollups(fromMs: number, toMs: number): void;
  upsertHeartbeat(h: AgentHeartbeat): void;
  listAgents(): AgentRow[];
  /**
   * Forgets a retired agent and closes its open alert, in ONE transaction (no alert is sent); false when
   * the agent was not known. A running agent comes back with its next heartbeat.
   */
  deleteAgent(region: string, agent: string): boolean;
  /** The open alerts about agents (and the fleet), by region and agent. */
  openAgentAlerts(): AgentAlertRecord[];
  /** Saves changed open agent alerts and deletes resolved ones, in ONE transaction. */
  recordAgentAlerts(save: readonly AgentAlertRecord[], resolved: readonly AgentAlertRecord[]): void;
  putTarget(target: Target, nowMs?: number): { created: boolean };
  /** null when absent, or when its stored row does not validate (skipped, told to `onBadTarget`). */
  getTarget(id: string): StoredTarget | null;
  /** Every stored target that validates; bad rows are skipped (told to `onBadTarget` once). */
  listTargets(): StoredTarget[];
  /** Whether a target row exists, valid or not: a bad one can still be replaced or deleted. */
  hasTarget(id: string): boolean;
  deleteTarget(id: string): boolean;
  /** Deletes expired rows in bounded chunks, yielding to the event loop between them. */
  applyRetention(nowMs: number, opts?: RetentionOptions): Promise<RetentionReport>;
  /** Creates or replaces an incident and appends its new history entries, in ONE transaction. */
  recordIncident(incident: IncidentRecord, events: readonly IncidentEventRecord[]): void;
  /** A target's most recently opened incident (open or resolved), or null. */
  latestIncident(target: string): IncidentRecord | null;
  getIncident(id: string): IncidentRecord | null;
  /** Newest opened first. */
  listIncidents(q: IncidentQuery): IncidentRecord[];
  /** An incident's history, oldest first. */
  incidentHistory(id: string): IncidentEventRecord[];
  /**
   * A target's rollups over [fromMs, toMs) summed per bucket of `bucketMs` (epoch-aligned, whole
   * minutes) and (region, agent, ip); whole hours are read from the hourly sums. For reports.
   */
  reportBuckets(target: string, fromMs: number, toMs: number, bucketMs: number): RollupBucket[];
  /** A target's failures by code per (region, agent, ip) over [fromMs, toMs), from the rollups. */
  reportCodes(target: string, fromMs: number, toMs: number): CodeCounts[];
  /** A target's probes and failures per minute of the hour over [fromMs, toMs), from the rollups. */
  reportMinuteOfHour(target: string, fromMs: number, toMs: number): MinuteOfHourCounts[];
  /** The newest `limit` failed raw results of a target in [fromMs, toMs), grouped by region, agent, IP, identity, status, code, provenance. */
  reportFailureGroups(target: string, fromMs: number, toMs: number, limit: number): FailureGroups;
  /** A target's newest raw results in [fromMs, toMs), at most `maxRows` (the window then starts later). */
  reportDetail(target: string, fromMs: number, toMs: number, maxRows: number): Detail;
  /** Failed raw results by id, newest first (ids no longer stored are skipped). */
  reportSamples(resultIds: readonly string[]): FailureSample[];
  /** When the oldest raw result kept started (any target); null when none is. */
  oldestResultMs(): number | null;
  /** Whether any rollup or raw result names the target (a target known from an agent's own file). */
  targetSeen(target: string): boolean;
  /** A target's incidents open at some point of [fromMs, toMs), newest opened first. */
  incidentsBetween(target: string, fromMs: number, toMs: number, limit: number): IncidentRecord[];
  /** Probes and failures per (target, region, minute) of every target in [fromMs, toMs), from the rollups. */
  statusMinutes(fromMs: number, toMs: number): StatusMinute[];
  close(): void;
}

/** Opens (creating when missing) the store at `path`, applying pending migrations. */
export function openStore(path: string, opts: StoreOptions = {}): Store {
  const db = openDatabase(path, opts);
  try {
    const schema = migrate(db);
    const { recent, cellCounts, onBadTarget, maxRejects = DEFAULT_MAX_REJECTS, ...openOptions } = opts;
    if (!Number.isSafeInteger(maxRejects) || maxRejects < 1) throw new RangeError(`maxRejects must be a positive integer, got ${maxRejects}`);
    return new SqliteStore(db, path, schema, { ...RECENT_DEFAULTS, ...recent }, { ...CELL_COUNTS_DEFAULTS, ...cellCounts }, openOptions, maxRejects, onBadTarget);
  } catch (err) {
    db.close();
    throw err;
  }
}

class SqliteStore implements Store {
  private readonly results: ResultsTable;
  private readonly rollupsTable: RollupsTable;
  private readonly rejects: RejectsTable;
  private readonly agents: AgentsTable;
  private readonly agentAlerts: AgentAlertsTable;
  private readonly targets: TargetsTable;
  private readonly incidents: IncidentsTable;
  private readonly inserter: BatchInserter;
  private readonly snapshot;
  private readonly putTargetTx;
  private readonly rebuildTx;
  private readonly recordIncidentTx;
  private readonly recordAgentAlertsTx;
  private readonly deleteAgentTx;
  private readonly recent: RecentWindows;
  private readonly counted: CellCounts;
  private readonly reports: ReportQueries;
  readonly tracksRecent: boolean;
  private readonly recentOn: boolean;

  constructor(
    private readonly db: Db,
    readonly path: string,
    readonly schema: { readonly from: number; readonly to: number },
    recent: RecentOptions,
    cellCounts: CellCountsOptions,
    readonly openOptions: OpenDatabaseOptions,
    readonly maxRejects: number,
    onBadTarget?: BadTargetHandler,
  ) {
    this.results = new ResultsTable(db);
    this.rollupsTable = new RollupsTable(db);
    // one read transaction: the rows and the highest rowid come from the same snapshot
    this.snapshot = db.transaction((read: () => unknown): Snapshot<unknown> => ({ value: read(), throughRowid: this.results.maxRowid() }));
    this.recent = new RecentWindows(
      {
        observations: (target, fromMs, toMs) => this.snapshot(() => this.results.observations(target, fromMs, toMs)) as Snapshot<ObservationRow[]>,
        agentMinutes: (fromMs, toMs) => this.snapshot(() => this.rollupsTable.agentMinutes(fromMs, toMs)) as Snapshot<AgentMinuteRow[]>,
      },
      recent,
    );
    this.counted = new CellCounts(
      { observations: (target, fromMs, toMs) => this.snapshot(() => this.results.observations(target, fromMs, toMs)) as Snapshot<ObservationRow[]> },
      cellCounts,
    );
    // the cell counts need every commit reported too
    this.tracksRecent = true;
    this.recentOn = recent.maxObservations > 0;
    this.rejects = new RejectsTable(db);
    this.agents = new AgentsTable(db);
    this.agentAlerts = new AgentAlertsTable(db);
    this.targets = new TargetsTable(db, onBadTarget);
    this.incidents = new IncidentsTable(db);
    this.reports = new ReportQueries(db);
    this.inserter = new BatchInserter(db, maxRejects);
    // Writes on this connection begin IMMEDIATE: the ingest's writer thread commits on its own
    // connection all the time, and a deferred transaction that reads before it writes (putTarget's
    // exists + upsert) fails at once with SQLITE_BUSY when that connection holds the write lock —
    // the busy timeout never applies to a read upgrading to a write. IMMEDIATE waits for the lock.
    this.putTargetTx = db.transaction((target: Target, nowMs: number) => this.targets.put(target, nowMs));
    this.rebuildTx = db.transaction((fromMs: number, toMs: number) => this.rollupsTable.rebuild(fromMs, toMs));
    this.recordIncidentTx = db.transaction((incident: IncidentRecord, events: readonly IncidentEventRecord[]) =>
      this.incidents.record(incident, events),
    );
    this.recordAgentAlertsTx = db.transaction((save: readonly AgentAlertRecord[], resolved: readonly AgentAlertRecord[]) => {
      for (const a of save) this.agentAlerts.save(a);
      for (const a of resolved) this.agentAlerts.remove(a);
    });
    this.deleteAgentTx = db.transaction((region: string, agent: string) => {
      this.agentAlerts.remove({ region, agent });
      return this.agents.delete(region, agent);
    });
  }

  insertBatch(batch: { readonly results: readonly ResultRecord[]; readonly rejects?: readonly RejectRecord[] }): BatchOutcome {
    const rejects = batch.rejects ?? [];
    const { fresh, rowids } = this.inserter.insert(batch.results, rejects);
    // after the commit: a rolled-back batch must not reach memory
    if (fresh.length > 0) this.added({ ...summarizeCommit(fresh, rowids), observations: once(() => fresh.map((r) => ({ target: r.target, observation: toObservation(r) }))) });
    return { inserted: fresh.length, rejected: rejects.length };
  }

  resetRecent(): void {
    this.clearMemory();
  }

  noteCommitted(commit: CommitSummary): void {
    // read back only when memory holds one of the commit's targets, and once for both
    this.added({ ...commit, observations: once(() => this.results.committedBetween(commit.fromRowid, commit.throughRowid)) });
  }

  private added(batch: CommittedBatch): void {
    if (this.recentOn) this.recent.added(batch);
    this.counted.added(batch);
  }

  /** After deletes, or commits that may have gone unreported: memory loads again from SQLite. */
  private clearMemory(): void {
    this.recent.clear();
    this.counted.clear();
  }

  insertResults(results: readonly ResultRecord[]): number {
    return this.insertBatch({ results }).inserted;
  }

  insertReject(reject: RejectRecord): void {
    this.rejects.insert([reject]);
    this.rejects.trim(this.maxRejects);
  }

  countResults(): number {
    return this.results.count();
  }

  countRejects(): number {
    return this.rejects.count();
  }

  listRejects(limit: number, beforeId?: number): StoredReject[] {
    return this.rejects.list(limit, beforeId);
  }

  queryResults(q: ResultQuery): ResultPage {
    return this.results.query(q);
  }

  observations(target: string, fromMs: number, toMs: number): ObservationRow[] {
    return this.recent.observations(target, fromMs, toMs);
  }

  probedAs(target: string): { url: string; method: string } | null {
    return this.results.probedAs(target);
  }

  agentTotals(fromMs: number, toMs: number): { rates: AgentFailureRate[]; fromMs: number; toMs: number } {
    return this.recent.agentTotals(fromMs, toMs);
  }

  get recentSize(): number {
    return this.recent.size;
  }

  cellCounts(target: string, ranges: readonly TimeRange[]): TargetCounts | null {
    return this.counted.counts(target, ranges);
  }

  async writeSoon<T>(write: () => T, maxWaitMs = 10_000): Promise<T> {
    const busyMs = Math.trunc(this.openOptions.busyTimeoutMs ?? 5_000);
    const deadline = performance.now() + maxWaitMs;
    for (let pause = 1; performance.now() < deadline; pause = Math.min(pause * 2, 20)) {
      this.db.pragma('busy_timeout = 0');
      try {
        return write();
      } catch (err) {
        if (!String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw err;
      } finally {
        this.db.pragma(`busy_timeout = ${busyMs}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    return write();
  }

  retainCellCounts(targets: ReadonlySet<string>): void {
    this.counted.retain(targets);
  }

  get cellCountsSize(): { results: number; targets: number } {
    return { results: this.counted.size, targets: this.counted.targetCount };
  }

  agentFailureRates(fromMs: number, toMs: number, excludeTarget: string): AgentFailureRate[] {
    return this.results.agentFailureRates(fromMs, toMs, excludeTarget);
  }

  activeTargets(sinceMs: number, page: { readonly after?: string; readonly limit?: number } = {}): string[] {
    return this.rollupsTable.activeTargets(sinceMs, page.after, page.limit);
  }

  rollups(target: string, fromMs: number, toMs: number): RollupRow[] {
    return this.rollupsTable.query(target, fromMs, toMs);
  }

  rebuildRollups(fromMs: number, toMs: number): void {
    this.rebuildTx.immediate(fromMs, toMs);
    this.clearMemory();
  }

  upsertHeartbeat(h: AgentHeartbeat): void {
    this.agents.upsert(h);
  }

  listAgents(): AgentRow[] {
    return this.agents.list();
  }

  deleteAgent(region: string, agent: string): boolean {
    return this.deleteAgentTx.immediate(region, agent);
  }

  openAgentAlerts(): AgentAlertRecord[] {
    return this.agentAlerts.list();
  }

  recordAgentAlerts(save: readonly AgentAlertRecord[], resolved: readonly AgentAlertRecord[]): void {
    this.recordAgentAlertsTx.immediate(save, resolved);
  }

  putTarget(target: Target, nowMs = Date.now()): { created: boolean } {
    return this.putTargetTx.immediate(target, nowMs);
  }

  getTarget(id: string): StoredTarget | null {
    return this.targets.get(id);
  }

  listTargets(): StoredTarget[] {
    return this.targets.list();
  }

  hasTarget(id: string): boolean {
    return this.targets.exists(id);
  }

  deleteTarget(id: string): boolean {
    return this.targets.delete(id);
  }

  async applyRetention(nowMs: number, opts?: RetentionOptions): Promise<RetentionReport> {
    try {
      return await applyRetention({ results: this.results, rollups: this.rollupsTable, rejects: this.rejects }, nowMs, opts);
    } finally {
      // rows it deleted may still be held in memory (a window reaching back past the raw retention)
      this.clearMemory();
    }
  }

  recordIncident(incident: IncidentRecord, events: readonly IncidentEventRecord[]): void {
    this.recordIncidentTx.immediate(incident, events);
  }

  latestIncident(target: string): IncidentRecord | null {
    return this.incidents.latest(target);
  }

  getIncident(id: string): IncidentRecord | null {
    return this.incidents.get(id);
  }

  listIncidents(q: IncidentQuery): IncidentRecord[] {
    return this.incidents.list(q);
  }

  incidentHistory(id: string): IncidentEventRecord[] {
    return this.incidents.history(id);
  }

  reportBuckets(target: string, fromMs: number, toMs: number, bucketMs: number): RollupBucket[] {
    return this.reports.buckets(target, fromMs, toMs, bucketMs);
  }

  reportCodes(target: string, fromMs: number, toMs: number): CodeCounts[] {
    return this.reports.codes(target, fromMs, toMs);
  }

  reportMinuteOfHour(target: string, fromMs: number, toMs: number): MinuteOfHourCounts[] {
    return this.reports.minuteOfHour(target, fromMs, toMs);
  }

  reportFailureGroups(target: string, fromMs: number, toMs: number, limit: number): FailureGroups {
    return this.reports.failureGroups(target, fromMs, toMs, limit);
  }

  reportDetail(target: string, fromMs: number, toMs: number, maxRows: number): Detail {
    return this.reports.detail(target, fromMs, toMs, maxRows);
  }

  reportSamples(resultIds: readonly string[]): FailureSample[] {
    return this.reports.samples(resultIds);
  }

  oldestResultMs(): number | null {
    return this.reports.oldestResultMs();
  }

  targetSeen(target: string): boolean {
    return this.reports.targetSeen(target);
  }

  incidentsBetween(target: string, fromMs: number, toMs: number, limit: number): IncidentRecord[] {
    return this.reports.incidentIds(target, fromMs, toMs, limit).flatMap((id) => this.incidents.get(id) ?? []);
  }

  statusMinutes(fromMs: number, toMs: number): StatusMinute[] {
    return this.reports.statusMinutes(fromMs, toMs);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** `read`, called at most once: the recent windows and the cell counts share one read-back of a commit. */
function once(read: () => readonly CommittedObservation[]): () => readonly CommittedObservation[] {
  let rows: readonly CommittedObservation[] | null = null;
  return () => (rows ??= read());
}
