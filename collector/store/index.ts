export { openStore, type Store, type StoreOptions, type BatchOutcome } from './store.js';
export { openDatabase, type Db, type OpenDatabaseOptions } from './db.js';
export { MIGRATIONS, migrate, schemaVersion, type Migration } from './migrations.js';
export {
  MAX_QUERY_LIMIT,
  RESULTS_INSERT_SQL,
  ResultsTable,
  resultRow,
  type ResultRecord,
  type PhaseTimes,
  type BodyMatch,
  type ResultQuery,
  type ResultPage,
  type ObservationRow,
  type AgentFailureRate,
} from './results.js';
export { MINUTE_MS, RollupsTable, type RollupRow, type PhaseAggregate } from './rollups.js';
export { MAX_REJECT_BYTES, type RejectRecord, type StoredReject } from './rejects.js';
export { controlsFailing, type AgentHeartbeat, type AgentRow, type ControlStatus } from './agent-rows.js';
export type { StoredTarget, BadTargetHandler } from './targets.js';
export { AGENT_PROBLEMS, type AgentProblem, type AgentAlertRecord } from './agent-alerts.js';
export { RETENTION_DEFAULTS, type RetentionOptions, type RetentionReport } from './retention.js';
export { StoreError, STORE_ERROR_CODES, type StoreErrorCode } from './errors.js';
export {
  INCIDENT_STATES,
  INCIDENT_EVENT_TYPES,
  type IncidentRecord,
  type IncidentEventRecord,
  type IncidentQuery,
  type IncidentState,
  type IncidentEventType,
  type IncidentVerdict,
  type NamedFinding,
} from './incidents.js';
export {
  HOUR_MS,
  PHASES,
  NEWEST_FAILURES,
  type PhaseName,
  type RollupBucket,
  type CodeCounts,
  type MinuteOfHourCounts,
  type FailureGroup,
  type FailureGroups,
  type DetailRow,
  type Detail,
  type FailureSample,
  type StatusMinute,
} from './report-queries.js';
export { BatchInserter, DEFAULT_MAX_REJECTS, isRowError, openBatchInserter, type BatchInserterOptions, type CommittedRows, type IsolatedRows } from './batch.js';
export { summarizeCommit, type CommitSummary, type CommittedBatch, type CommittedObservation } from './recent.js';
export { CellCounts, CELL_COUNTS_DEFAULTS, kindOf, RESULT_KINDS, KINDS, OK, FAILED, DNS_FAILED, BLOCKED, BLOCKED_OK, afterThrough, nextUp, type CellCountsOptions, type CountedCell, type TargetCounts, type TimeRange } from './cell-counts.js';
export { KnownTargets } from './known-targets.js';
