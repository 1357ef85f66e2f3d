import type { FailureCode, ProvenanceName } from '../../proto/index.js';
import type Database from 'better-sqlite3';
import type { Observation } from '../diagnosis/index.js';
import type { Db } from './db.js';
import { StoreError, STORE_ERROR_CODES } from './errors.js';

export type BodyMatch = 'matched' | 'mismatched';

/** Phase durations in ms; null = the phase was not reached. */
export interface PhaseTimes {
  readonly dns: number | null;
  readonly connect: number | null;
  readonly tls: number | null;
  readonly firstByte: number | null;
  readonly download: number | null;
  readonly total: number | null;
}

/** One probe result as the collector stores and serves it (one row of `results`). */
export interface ResultRecord {
  readonly resultId: string;
  readonly target: string;
  readonly region: string;
  readonly agent: string;
  readonly url: string;
  readonly method: string;
  /** "" when DNS failed. */
  readonly ip: string;
  /** 4, 6, or 0 when DNS failed. */
  readonly ipFamily: number;
  readonly startedAtMs: number;
  readonly roundAtMs: number;
  readonly ok: boolean;
  readonly failure: FailureCode | null;
  readonly failureDetail: string | null;
  readonly status: number | null;
  readonly phases: PhaseTimes;
  readonly sourceAddress: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly identity: Readonly<Record<string, string>>;
  readonly bodyMatch: BodyMatch | null;
  readonly bodyBytes: number;
  readonly bodyTruncated: boolean;
  readonly provenance: ProvenanceName | null;
  readonly tlsCertNotAfterMs: number | null;
  readonly ipsInRound: number;
  /** When the collector received it (collector clock). */
  readonly receivedAtMs: number;
}

/** Filters of `queryResults`; every one optional except `limit`. `from` inclusive, `to` exclusive (started_at ms). */
export interface ResultQuery {
  readonly target?: string;
  readonly region?: string;
  readonly agent?: string;
  readonly ip?: string;
  readonly ok?: boolean;
  readonly failure?: FailureCode;
  readonly from?: number;
  readonly to?: number;
  /** 1–10,000. */
  readonly limit: number;
  /** `nextCursor` of the previous page; opaque. */
  readonly cursor?: string;
  /** By (startedAtMs, resultId); default `desc` (newest first). */
  readonly order?: 'asc' | 'desc';
}

export interface ResultPage {
  readonly results: ResultRecord[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** One result shaped for the classifier: the diagnosis' own `Observation`. */
export type ObservationRow = Observation;

/** An agent's failed / total results over a window. */
export interface AgentFailureRate {
  readonly agent: string;
  readonly region: string;
  readonly failed: number;
  readonly total: number;
}

export const MAX_QUERY_LIMIT = 10_000;

interface ResultRow {
  result_id: string;
  target: string;
  region: string;
  agent: string;
  url: string;
  method: string;
  ip: string;
  ip_family: number;
  started_at_ms: number;
  round_at_ms: number;
  ok: number;
  failure: string | null;
  failure_detail: string | null;
  status: number | null;
  dns_ms: number | null;
  connect_ms: number | null;
  tls_ms: number | null;
  first_byte_ms: number | null;
  download_ms: number | null;
  total_ms: number | null;
  source_address: string;
  headers: string;
  identity: string;
  body_match: string | null;
  body_bytes: number;
  body_truncated: number;
  provenance: string | null;
  tls_cert_not_after_ms: number | null;
  ips_in_round: number;
  received_at_ms: number;
}

// ON CONFLICT (result_id) DO NOTHING is INSERT OR IGNORE narrowed to the id: OR IGNORE would also
// silently skip a row breaking a NOT NULL constraint, and count it as a duplicate.
export const RESULTS_INSERT_SQL = `INSERT INTO results (result_id, target, region, agent, url, method, ip, ip_family,
  started_at_ms, round_at_ms, ok, failure, failure_detail, status, dns_ms, connect_ms, tls_ms, first_byte_ms,
  download_ms, total_ms, source_address, headers, identity, body_match, body_bytes, body_truncated, provenance,
  tls_cert_not_after_ms, ips_in_round, received_at_ms)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (result_id) DO NOTHING`;

/** The columns an observation is read from: one list for the SQL and the row type. */
const OBSERVATION_KEYS = ['started_at_ms', 'region', 'agent', 'ip', 'identity', 'ok', 'failure', 'status', 'provenance', 'first_byte_ms', 'total_ms', 'result_id'] as const;
const OBSERVATION_COLUMNS = OBSERVATION_KEYS.join(', ');
type ObservationColumns = Pick<ResultRow, (typeof OBSERVATION_KEYS)[number]>;

/** The identity of most results (no identity rules): one frozen object, not one parse per row. */
const NO_IDENTITY: Readonly<Record<string, string>> = Object.freeze({});

function toObservationRow(r: ObservationColumns): ObservationRow {
  return {
    atMs: r.started_at_ms,
    region: r.region,
    agent: r.agent,
    ip: r.ip,
    identity: r.identity === '{}' ? NO_IDENTITY : (JSON.parse(r.identity) as Record<string, string>),
    ok: r.ok === 1,
    failure: r.failure as FailureCode | null,
    status: r.status,
    provenance: r.provenance as ProvenanceName | null,
    firstByteMs: r.first_byte_ms,
    totalMs: r.total_ms,
    resultId: r.result_id,
  };
}

/** The `results` table: idempotent inserts and the reads the API and diagnosis need. */
export class ResultsTable {
  private readonly insertStmt;
  private readonly observationsStmt;
  private readonly committedStmt;
  private readonly agentRatesStmt;
  private readonly countStmt;
  private readonly maxRowidStmt;
  private readonly probedAsStmt;
  private readonly deleteStmt;
  /** Prepared query statements by SQL text (the filter combinations in use are few). */
  private readonly queries = new Map<string, Database.Statement<unknown[]>>();

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(RESULTS_INSERT_SQL);
    this.observationsStmt = db.prepare(
      `SELECT ${OBSERVATION_COLUMNS} FROM results
       WHERE target = ? AND started_at_ms >= ? AND started_at_ms < ? ORDER BY started_at_ms, result_id`,
    );
    this.committedStmt = db.prepare(`SELECT target, ${OBSERVATION_COLUMNS} FROM results WHERE rowid BETWEEN ? AND ? ORDER BY rowid`);
    this.agentRatesStmt = db.prepare(
      `SELECT agent, region, SUM(ok = 0) AS failed, COUNT(*) AS total FROM results
       WHERE started_at_ms >= ? AND started_at_ms < ? AND target != ? GROUP BY region, agent ORDER BY region, agent`,
    );
    this.countStmt = db.prepare('SELECT COUNT(*) AS n FROM results').pluck();
    this.maxRowidStmt = db.prepare('SELECT max(rowid) FROM results').pluck();
    this.probedAsStmt = db.prepare('SELECT url, method FROM results WHERE target = ? ORDER BY started_at_ms DESC LIMIT 1');
    this.deleteStmt = db.prepare(
      'DELETE FROM results WHERE rowid IN (SELECT rowid FROM results WHERE started_at_ms < ? ORDER BY started_at_ms LIMIT ?)',
    );
  }

  /**
   * Inserts each record unless its id is already stored; returns the records that were new, and pushes
   * their rowids onto `rowids` when given. Call inside a transaction.
   */
  insert(records: readonly ResultRecord[], rowids?: number[]): ResultRecord[] {
    const fresh: ResultRecord[] = [];
    const stmt = this.insertStmt;
    for (const r of records) {
      // spread, not the array: better-sqlite3 reads an array's 30 values one V8 lookup at a time (~15% of the insert)
      const info = stmt.run(...resultRow(r));
      if (info.changes === 1) {
        fresh.push(r);
        rowids?.push(Number(info.lastInsertRowid));
      }
    }
    return fresh;
  }

  /**
   * The highest rowid stored (0 when empty). SQLite gives a new row max(rowid) + 1 and writers commit one
   * at a time, so rows committed later have higher rowids (retention deletes old rows, not the newest).
   */
  maxRowid(): number {
    return (this.maxRowidStmt.get() as number | null) ?? 0;
  }

  count(): number {
    return this.countStmt.get() as number;
  }

  /** The URL and method of the target's newest result, or null. */
  probedAs(target: string): { url: string; method: string } | null {
    return (this.probedAsStmt.get(target) as { url: string; method: string } | undefined) ?? null;
  }

  query(q: ResultQuery): ResultPage {
    if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_QUERY_LIMIT) {
      throw new StoreError(`limit must be an integer from 1 to ${MAX_QUERY_LIMIT} (got ${q.limit})`, STORE_ERROR_CODES.badQuery);
    }
    const order = q.order ?? 'desc';
    const where: string[] = [];
    const params: (string | number)[] = [];
    const eq = (column: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      params.push(value);
    };
    eq('target', q.target);
    eq('region', q.region);
    eq('agent', q.agent);
    eq('ip', q.ip);
    eq('ok', q.ok === undefined ? undefined : q.ok ? 1 : 0);
    eq('failure', q.failure);
    if (q.from !== undefined) {
      where.push('started_at_ms >= ?');
      params.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('started_at_ms < ?');
      params.push(q.to);
    }
    if (q.cursor !== undefined) {
      const c = decodeCursor(q.cursor, order);
      where.push(`(started_at_ms, result_id) ${order === 'desc' ? '<' : '>'} (?, ?)`);
      params.push(c.startedAtMs, c.resultId);
    }
    const dir = order === 'desc' ? 'DESC' : 'ASC';
    const sql = `SELECT * FROM results ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY started_at_ms ${dir}, result_id ${dir} LIMIT ?`;
    let stmt = this.queries.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.queries.set(sql, stmt);
    }
    const rows = stmt.all(...params, q.limit + 1) as ResultRow[];
    const more = rows.length > q.limit;
    const results = rows.slice(0, q.limit).map(toRecord);
    const last = results.at(-1);
    return { results, nextCursor: more && last ? encodeCursor(order, last.startedAtMs, last.resultId) : null };
  }

  /** The results with fromRowid ≤ rowid ≤ throughRowid (one commit's new rows), with their targets. */
  committedBetween(fromRowid: number, throughRowid: number): { target: string; observation: ObservationRow }[] {
    const rows = this.committedStmt.all(fromRowid, throughRowid) as (ObservationColumns & { target: string })[];
    return rows.map((r) => ({ target: r.target, observation: toObservationRow(r) }));
  }

  /** A target's results with `fromMs` ≤ started < `toMs`, oldest first, shaped for the classifier. */
  observations(target: string, fromMs: number, toMs: number): ObservationRow[] {
    return (this.observationsStmt.all(target, fromMs, toMs) as ObservationColumns[]).map(toObservationRow);
  }

  /** Per agent, failed / total results with `fromMs` ≤ started < `toMs` on every target except `excludeTarget`. */
  agentFailureRates(fromMs: number, toMs: number, excludeTarget: string): AgentFailureRate[] {
    return (this.agentRatesStmt.all(fromMs, toMs, excludeTarget) as AgentFailureRate[]).map((r) => ({ ...r }));
  }

  /** Deletes up to `limit` results started before `cutoffMs`, oldest first; returns how many. */
  deleteBefore(cutoffMs: number, limit: number): number {
    return this.deleteStmt.run(cutoffMs, limit).changes;
  }
}

/** The parameters of RESULTS_INSERT_SQL for one record, in column order. */
export function resultRow(r: ResultRecord): (string | number | null)[] {
  const p = r.phases;
  return [
    r.resultId, r.target, r.region, r.agent, r.url, r.method, r.ip, r.ipFamily,
    r.startedAtMs, r.roundAtMs, r.ok ? 1 : 0, r.failure, r.failureDetail, r.status,
    p.dns, p.connect, p.tls, p.firstByte, p.download, p.total,
    r.sourceAddress, JSON.stringify(r.headers), JSON.stringify(r.identity), r.bodyMatch,
    r.bodyBytes, r.bodyTruncated ? 1 : 0, r.provenance, r.tlsCertNotAfterMs, r.ipsInRound, r.receivedAtMs,
  ];
}

function toRecord(r: ResultRow): ResultRecord {
  return {
    resultId: r.result_id,
    target: r.target,
    region: r.region,
    agent: r.agent,
    url: r.url,
    method: r.method,
    ip: r.ip,
    ipFamily: r.ip_family,
    startedAtMs: r.started_at_ms,
    roundAtMs: r.round_at_ms,
    ok: r.ok === 1,
    failure: r.failure as FailureCode | null,
    failureDetail: r.failure_detail,
    status: r.status,
    phases: { dns: r.dns_ms, connect: r.connect_ms, tls: r.tls_ms, firstByte: r.first_byte_ms, download: r.download_ms, total: r.total_ms },
    sourceAddress: r.source_address,
    headers: JSON.parse(r.headers) as Record<string, string>,
    identity: JSON.parse(r.identity) as Record<string, string>,
    bodyMatch: r.body_match as BodyMatch | null,
    bodyBytes: r.body_bytes,
    bodyTruncated: r.body_truncated === 1,
    provenance: r.provenance as ProvenanceName | null,
    tlsCertNotAfterMs: r.tls_cert_not_after_ms,
    ipsInRound: r.ips_in_round,
    receivedAtMs: r.received_at_ms,
  };
}

// The cursor is the sort key of the last row served plus the order it was served in; base64url keeps
// it opaque and URL-safe.
function encodeCursor(order: 'asc' | 'desc', startedAtMs: number, resultId: string): string {
  return Buffer.from(JSON.stringify([order, startedAtMs, resultId])).toString('base64url');
}

function decodeCursor(cursor: string, order: 'asc' | 'desc'): { startedAtMs: number; resultId: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  if (!Array.isArray(value) || value.length !== 3 || typeof value[1] !== 'number' || typeof value[2] !== 'string') {
    throw new StoreError(`cursor ${JSON.stringify(cursor)} is not one this server issued`, STORE_ERROR_CODES.badCursor);
  }
  if (value[0] !== order) {
    throw new StoreError(`cursor was issued for order "${String(value[0])}", not "${order}"`, STORE_ERROR_CODES.badCursor);
  }
  return { startedAtMs: value[1], resultId: value[2] };
}
