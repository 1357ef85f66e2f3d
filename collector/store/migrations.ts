import type { Db } from './db.js';
import { StoreError, STORE_ERROR_CODES } from './errors.js';

/** One schema step. Steps are append-only: never edit or reorder a released one, add a new one. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const V1_BASE = `
CREATE TABLE results (
  result_id TEXT NOT NULL PRIMARY KEY,
  target TEXT NOT NULL,
  region TEXT NOT NULL,
  agent TEXT NOT NULL,
  url TEXT NOT NULL,
  method TEXT NOT NULL,
  ip TEXT NOT NULL,
  ip_family INTEGER NOT NULL,
  started_at_ms INTEGER NOT NULL,
  round_at_ms INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  failure TEXT,
  failure_detail TEXT,
  status INTEGER,
  dns_ms REAL,
  connect_ms REAL,
  tls_ms REAL,
  first_byte_ms REAL,
  download_ms REAL,
  total_ms REAL,
  source_address TEXT NOT NULL,
  headers TEXT NOT NULL,
  identity TEXT NOT NULL,
  body_match TEXT,
  body_bytes INTEGER NOT NULL,
  body_truncated INTEGER NOT NULL,
  provenance TEXT,
  tls_cert_not_after_ms INTEGER,
  ips_in_round INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL
);
CREATE INDEX results_target_time ON results (target, started_at_ms);
CREATE INDEX results_agent_time ON results (agent, started_at_ms);
CREATE INDEX results_time_id ON results (started_at_ms, result_id);

CREATE TABLE rejects (
  id INTEGER PRIMARY KEY,
  received_at_ms INTEGER NOT NULL,
  subject TEXT NOT NULL,
  reason TEXT NOT NULL,
  size INTEGER NOT NULL,
  bytes BLOB NOT NULL
);
CREATE INDEX rejects_received ON rejects (received_at_ms);

CREATE TABLE agents (
  region TEXT NOT NULL,
  agent TEXT NOT NULL,
  version TEXT NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  sent_at_ms INTEGER NOT NULL,
  started_at_ms INTEGER NOT NULL,
  targets INTEGER NOT NULL,
  spool_depth INTEGER NOT NULL,
  spool_dropped INTEGER NOT NULL,
  spool_bytes INTEGER NOT NULL,
  sched_lag_ms REAL NOT NULL,
  results_published INTEGER NOT NULL,
  in_flight INTEGER NOT NULL,
  controls TEXT NOT NULL,
  controls_failing INTEGER NOT NULL,
  PRIMARY KEY (region, agent)
);

CREATE TABLE targets (
  id TEXT NOT NULL PRIMARY KEY,
  spec TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
`;

// Rollups arrived in v2; the step backfills them from the raw rows a v1 database already holds.
const V2_ROLLUPS = `
CREATE TABLE rollups (
  target TEXT NOT NULL,
  minute_ms INTEGER NOT NULL,
  region TEXT NOT NULL,
  agent TEXT NOT NULL,
  ip TEXT NOT NULL,
  n INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  f_dns_nxdomain INTEGER NOT NULL DEFAULT 0,
  f_dns_servfail INTEGER NOT NULL DEFAULT 0,
  f_dns_timeout INTEGER NOT NULL DEFAULT 0,
  f_connect_refused INTEGER NOT NULL DEFAULT 0,
  f_connect_timeout INTEGER NOT NULL DEFAULT 0,
  f_connect_reset INTEGER NOT NULL DEFAULT 0,
  f_net_unreachable INTEGER NOT NULL DEFAULT 0,
  f_tls_handshake INTEGER NOT NULL DEFAULT 0,
  f_tls_cert_expired INTEGER NOT NULL DEFAULT 0,
  f_tls_cert_invalid INTEGER NOT NULL DEFAULT 0,
  f_headers_timeout INTEGER NOT NULL DEFAULT 0,
  f_body_timeout INTEGER NOT NULL DEFAULT 0,
  f_reset_mid_body INTEGER NOT NULL DEFAULT 0,
  f_http_status INTEGER NOT NULL DEFAULT 0,
  f_body_mismatch INTEGER NOT NULL DEFAULT 0,
  total_n INTEGER NOT NULL DEFAULT 0,
  total_sum REAL NOT NULL DEFAULT 0,
  total_max REAL,
  first_byte_n INTEGER NOT NULL DEFAULT 0,
  first_byte_sum REAL NOT NULL DEFAULT 0,
  first_byte_max REAL,
  PRIMARY KEY (target, minute_ms, region, agent, ip)
) WITHOUT ROWID;
CREATE INDEX rollups_minute ON rollups (minute_ms);

INSERT INTO rollups (target, minute_ms, region, agent, ip, n, failures,
  f_dns_nxdomain, f_dns_servfail, f_dns_timeout, f_connect_refused, f_connect_timeout, f_connect_reset,
  f_net_unreachable, f_tls_handshake, f_tls_cert_expired, f_tls_cert_invalid, f_headers_timeout,
  f_body_timeout, f_reset_mid_body, f_http_status, f_body_mismatch,
  total_n, total_sum, total_max, first_byte_n, first_byte_sum, first_byte_max)
SELECT target, (started_at_ms / 60000) * 60000, region, agent, ip, COUNT(*), SUM(ok = 0),
  SUM(failure IS 'DNS_NXDOMAIN'), SUM(failure IS 'DNS_SERVFAIL'), SUM(failure IS 'DNS_TIMEOUT'),
  SUM(failure IS 'CONNECT_REFUSED'), SUM(failure IS 'CONNECT_TIMEOUT'), SUM(failure IS 'CONNECT_RESET'),
  SUM(failure IS 'NET_UNREACHABLE'), SUM(failure IS 'TLS_HANDSHAKE'), SUM(failure IS 'TLS_CERT_EXPIRED'),
  SUM(failure IS 'TLS_CERT_INVALID'), SUM(failure IS 'HEADERS_TIMEOUT'), SUM(failure IS 'BODY_TIMEOUT'),
  SUM(failure IS 'RESET_MID_BODY'), SUM(failure IS 'HTTP_STATUS'), SUM(failure IS 'BODY_MISMATCH'),
  COUNT(total_ms), COALESCE(SUM(total_ms), 0), MAX(total_ms),
  COUNT(first_byte_ms), COALESCE(SUM(first_byte_ms), 0), MAX(first_byte_ms)
FROM results
GROUP BY 1, 2, 3, 4, 5;
`;

// Incidents arrived in v3: one row per incident (its current state) and its history, append-only.
const V3_INCIDENTS = `
CREATE TABLE incidents (
  id TEXT NOT NULL PRIMARY KEY,
  target TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
  verdict TEXT NOT NULL CHECK (verdict IN ('origin', 'lb-node', 'routing', 'dns', 'tls', 'inconclusive')),
  suspects TEXT NOT NULL,
  summary TEXT NOT NULL,
  opened_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  resolved_at_ms INTEGER,
  healthy_since_ms INTEGER,
  reopens INTEGER NOT NULL DEFAULT 0,
  last_diagnosis TEXT NOT NULL
);
CREATE INDEX incidents_target_opened ON incidents (target, opened_at_ms);
CREATE INDEX incidents_state_opened ON incidents (state, opened_at_ms);

CREATE TABLE incident_events (
  id INTEGER PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  at_ms INTEGER NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('opened', 'changed', 'reopened', 'resolved')),
  verdict TEXT NOT NULL,
  suspects TEXT NOT NULL,
  summary TEXT NOT NULL
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);
`;

// Reports read long ranges (30 days = 43,200 minutes per region and node) from hourly sums, kept up to
// date by triggers on `rollups` so the code that writes rollups stays as it is: an insert adds its row
// to its hour, an update (the rollup upsert) adds the difference, a delete (retention, rebuild)
// subtracts it and drops an hour that reaches zero probes. Maxima can only grow: after a delete an
// hour's max may still be a deleted minute's. The partial index finds a target's failures without
// walking its successes (report samples, provenance). These column lists are part of a released step:
// never change them; a new column needs a new step.
const V4_SUMMED = [
  'n', 'failures', 'f_dns_nxdomain', 'f_dns_servfail', 'f_dns_timeout', 'f_connect_refused', 'f_connect_timeout',
  'f_connect_reset', 'f_net_unreachable', 'f_tls_handshake', 'f_tls_cert_expired', 'f_tls_cert_invalid',
  'f_headers_timeout', 'f_body_timeout', 'f_reset_mid_body', 'f_http_status', 'f_body_mismatch',
  'total_n', 'total_sum', 'first_byte_n', 'first_byte_sum',
] as const;
const V4_MAXED = ['total_max', 'first_byte_max'] as const;
const V4_KEY = ['target', 'hour_ms', 'region', 'agent', 'ip'] as const;
const V4_HOUR = (minute: string) => `(${minute} / 3600000) * 3600000`;
const V4_MATCH = (row: 'NEW' | 'OLD') =>
  `target = ${row}.target AND hour_ms = ${V4_HOUR(`${row}.minute_ms`)} AND region = ${row}.region AND agent = ${row}.agent AND ip = ${row}.ip`;
const V4_MAX = (c: string, v: string) => `${c} = max(coalesce(${c}, ${v}), coalesce(${v}, ${c}))`;
const V4_COLS = [...V4_KEY, ...V4_SUMMED, ...V4_MAXED].join(', ');
const V4_HOURLY = `
CREATE TABLE rollups_hourly (
  target TEXT NOT NULL,
  hour_ms INTEGER NOT NULL,
  region TEXT NOT NULL,
  agent TEXT NOT NULL,
  ip TEXT NOT NULL,
  ${V4_SUMMED.map((c) => `${c} ${c.endsWith('_sum') ? 'REAL' : 'INTEGER'} NOT NULL DEFAULT 0`).join(',\n  ')},
  total_max REAL,
  first_byte_max REAL,
  PRIMARY KEY (target, hour_ms, region, agent, ip)
) WITHOUT ROWID;

INSERT INTO rollups_hourly (${V4_COLS})
SELECT target, ${V4_HOUR('minute_ms')}, region, agent, ip, ${V4_SUMMED.map((c) => `SUM(${c})`).join(', ')}, MAX(total_max), MAX(first_byte_max)
FROM rollups GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER rollups_hourly_insert AFTER INSERT ON rollups BEGIN
  INSERT INTO rollups_hourly (${V4_COLS})
  VALUES (NEW.target, ${V4_HOUR('NEW.minute_ms')}, NEW.region, NEW.agent, NEW.ip, ${[...V4_SUMMED, ...V4_MAXED].map((c) => `NEW.${c}`).join(', ')})
  ON CONFLICT (${V4_KEY.join(', ')}) DO UPDATE SET
  ${[...V4_SUMMED.map((c) => `${c} = ${c} + excluded.${c}`), ...V4_MAXED.map((c) => V4_MAX(c, `excluded.${c}`))].join(', ')};
END;

CREATE TRIGGER rollups_hourly_update AFTER UPDATE ON rollups BEGIN
  UPDATE rollups_hourly SET
  ${[...V4_SUMMED.map((c) => `${c} = ${c} + NEW.${c} - OLD.${c}`), ...V4_MAXED.map((c) => V4_MAX(c, `NEW.${c}`))].join(', ')}
  WHERE ${V4_MATCH('NEW')};
END;

CREATE TRIGGER rollups_hourly_delete AFTER DELETE ON rollups BEGIN
  UPDATE rollups_hourly SET ${V4_SUMMED.map((c) => `${c} = ${c} - OLD.${c}`).join(', ')} WHERE ${V4_MATCH('OLD')};
  DELETE FROM rollups_hourly WHERE ${V4_MATCH('OLD')} AND n <= 0;
END;

CREATE INDEX results_target_failed ON results (target, started_at_ms) WHERE ok = 0;
`;

// Alerts about the probing fleet itself (an agent silent or cut off, or every agent silent), while
// they are open: a resolved one is deleted (its story is in the webhooks and the log).
const V5_AGENT_ALERTS = `
CREATE TABLE agent_alerts (
  region TEXT NOT NULL,
  agent TEXT NOT NULL,
  problem TEXT NOT NULL,
  summary TEXT NOT NULL,
  opened_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  healthy_since_ms INTEGER,
  PRIMARY KEY (region, agent)
) WITHOUT ROWID;
`;

// What an incident's alerts have named (see IncidentRecord.named). An incident open at the upgrade has
// named its own finding; what stood beside it was never announced, and will be once.
const V6_INCIDENTS_NAMED = `
ALTER TABLE incidents ADD COLUMN named TEXT NOT NULL DEFAULT '[]';
UPDATE incidents SET named = json_array(json_object('verdict', verdict, 'suspects', json(suspects)));
`;

// The failure rate of the reading an incident's summary quotes (see IncidentRecord.summaryRate). An
// incident open at the upgrade has none: its next reading of the same finding replaces the summary.
const V7_INCIDENTS_SUMMARY_RATE = `
ALTER TABLE incidents ADD COLUMN summary_rate REAL;
`;

const V8_AGENT_SPOOL_HEALTH = `
ALTER TABLE agents ADD COLUMN spool_state TEXT NOT NULL DEFAULT 'ok';
ALTER TABLE agents ADD COLUMN spool_error TEXT;
ALTER TABLE agents ADD COLUMN memory_queue_depth INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN memory_queue_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN memory_queue_dropped INTEGER NOT NULL DEFAULT 0;
`;

/** Every schema step, in order. */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  { version: 1, name: 'results, rejects, agents, targets', sql: V1_BASE },
  { version: 2, name: 'per-minute rollups (backfilled)', sql: V2_ROLLUPS },
  { version: 3, name: 'incidents and their history', sql: V3_INCIDENTS },
  { version: 4, name: 'hourly rollups (backfilled, kept by triggers) and an index of failed results', sql: V4_HOURLY },
  { version: 5, name: 'open alerts about the agents themselves', sql: V5_AGENT_ALERTS },
  { version: 6, name: 'the findings each incident has named', sql: V6_INCIDENTS_NAMED },
  { version: 7, name: "the failure rate of each incident's summary", sql: V7_INCIDENTS_SUMMARY_RATE },
  { version: 8, name: "each agent's spool health: degraded disk, memory queue", sql: V8_AGENT_SPOOL_HEALTH },
]);

/** The schema version a database is at (0: empty). */
export function schemaVersion(db: Db): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Applies the steps of `steps` above the database's version, all in one IMMEDIATE transaction (a
 * second collector opening the same file waits instead of migrating twice). Returns the versions
 * before and after. Throws when the database is newer than the newest step (a newer collector wrote it).
 */
export function migrate(db: Db, steps: readonly Migration[] = MIGRATIONS, nowMs = Date.now()): { from: number; to: number } {
  const run = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)');
    const from = schemaVersion(db);
    const latest = steps.at(-1)?.version ?? 0;
    if (from > latest) {
      throw new StoreError(
        `database schema is at version ${from}, newer than this collector knows (${latest}); upgrade the collector`,
        STORE_ERROR_CODES.schemaTooNew,
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)');
    for (const step of steps) {
      if (step.version <= from) continue;
      db.exec(step.sql);
      record.run(step.version, step.name, nowMs);
    }
    return { from, to: Math.max(from, latest) };
  });
  return run.immediate();
}
