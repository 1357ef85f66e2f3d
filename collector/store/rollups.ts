import type { ADDRESS_BLOCKED, FailureCode } from '../../proto/index.js';
import type { Db } from './db.js';
import type { ResultRecord } from './results.js';

export const MINUTE_MS = 60_000;

/** One minute of one agent's results over every target, as read from the rollups. */
export interface AgentMinuteRow {
  readonly minuteMs: number;
  readonly region: string;
  readonly agent: string;
  readonly total: number;
  readonly failed: number;
}

/** Count, sum and maximum of one phase over the probes that reached it. */
export interface PhaseAggregate {
  readonly n: number;
  readonly sum: number;
  readonly max: number | null;
}

/** One minute of one (target, region, agent, ip): what long-range charts and reports read. */
export interface RollupRow {
  readonly target: string;
  /** Start of the minute (ms since the epoch, a multiple of 60,000). */
  readonly minuteMs: number;
  readonly region: string;
  readonly agent: string;
  readonly ip: string;
  readonly n: number;
  readonly failures: number;
  /** Failures by code; codes that did not occur are absent. */
  readonly failuresByCode: Readonly<Partial<Record<FailureCode, number>>>;
  readonly totalMs: PhaseAggregate;
  readonly firstByteMs: PhaseAggregate;
}

// Typed as a Record so that a failure code added to the wire contract fails to compile here until it
// gets a column (and a migration adding it). ADDRESS_BLOCKED has none: the agent refused to probe, which
// says nothing about the target; such results count in n and failures (an agent that may not reach a
// target is still seen failing it) and are listed as raw results, and the diagnosis sets them aside.
const CODE_COLUMNS: Readonly<Record<Exclude<FailureCode, typeof ADDRESS_BLOCKED>, string>> = {
  DNS_NXDOMAIN: 'f_dns_nxdomain',
  DNS_SERVFAIL: 'f_dns_servfail',
  DNS_TIMEOUT: 'f_dns_timeout',
  CONNECT_REFUSED: 'f_connect_refused',
  CONNECT_TIMEOUT: 'f_connect_timeout',
  CONNECT_RESET: 'f_connect_reset',
  NET_UNREACHABLE: 'f_net_unreachable',
  TLS_HANDSHAKE: 'f_tls_handshake',
  TLS_CERT_EXPIRED: 'f_tls_cert_expired',
  TLS_CERT_INVALID: 'f_tls_cert_invalid',
  HEADERS_TIMEOUT: 'f_headers_timeout',
  BODY_TIMEOUT: 'f_body_timeout',
  RESET_MID_BODY: 'f_reset_mid_body',
  HTTP_STATUS: 'f_http_status',
  BODY_MISMATCH: 'f_body_mismatch',
};
const CODES = Object.keys(CODE_COLUMNS) as (keyof typeof CODE_COLUMNS)[];
const CODE_INDEX: ReadonlyMap<FailureCode, number> = new Map(CODES.map((c, i) => [c, i]));
const CODE_COLS = CODES.map((c) => CODE_COLUMNS[c]);

const KEY_COLS = ['target', 'minute_ms', 'region', 'agent', 'ip'];
const ALL_COLS = [...KEY_COLS, 'n', 'failures', ...CODE_COLS, 'total_n', 'total_sum', 'total_max', 'first_byte_n', 'first_byte_sum', 'first_byte_max'];
const ADDED = ['n', 'failures', ...CODE_COLS, 'total_n', 'total_sum', 'first_byte_n', 'first_byte_sum'];
const maxOf = (c: string) => `${c} = max(coalesce(${c}, excluded.${c}), coalesce(excluded.${c}, ${c}))`;
const UPSERT_SQL = `INSERT INTO rollups (${ALL_COLS.join(', ')}) VALUES (${ALL_COLS.map(() => '?').join(', ')})
  ON CONFLICT (${KEY_COLS.join(', ')}) DO UPDATE SET
  ${[...ADDED.map((c) => `${c} = ${c} + excluded.${c}`), maxOf('total_max'), maxOf('first_byte_max')].join(',\n  ')}`;

const RECOUNT_SQL = `INSERT INTO rollups (${ALL_COLS.join(', ')})
  SELECT target, (started_at_ms / ${MINUTE_MS}) * ${MINUTE_MS}, region, agent, ip, COUNT(*), SUM(ok = 0),
  ${CODES.map((c) => `SUM(failure IS '${c}')`).join(', ')},
  COUNT(total_ms), COALESCE(SUM(total_ms), 0), MAX(total_ms), COUNT(first_byte_ms), COALESCE(SUM(first_byte_ms), 0), MAX(first_byte_ms)
  FROM results WHERE started_at_ms >= ? AND started_at_ms < ? GROUP BY 1, 2, 3, 4, 5`;

interface Aggregate {
  target: string;
  minuteMs: number;
  region: string;
  agent: string;
  ip: string;
  n: number;
  failures: number;
  codes: number[];
  totalN: number;
  totalSum: number;
  totalMax: number | null;
  firstByteN: number;
  firstByteSum: number;
  firstByteMax: number | null;
}

type RollupDbRow = Record<string, number | string | null>;

/**
 * The `rollups` table: per-minute aggregates, kept up to date at insert time. `add` folds the newly
 * inserted results of a batch into one aggregate per key in memory, then upserts each key once, so a
 * batch of 500 results costs a few dozen upserts, inside the batch's transaction.
 */
export class RollupsTable {
  private readonly upsertStmt;
  private readonly queryStmt;
  private readonly deleteStmt;
  private readonly clearRangeStmt;
  private readonly recountStmt;
  private readonly agentMinutesStmt;
  private readonly nextTargetStmt;
  private readonly activeSinceStmt;

  constructor(db: Db) {
    this.upsertStmt = db.prepare(UPSERT_SQL);
    this.queryStmt = db.prepare('SELECT * FROM rollups WHERE target = ? AND minute_ms >= ? AND minute_ms < ? ORDER BY minute_ms, region, agent, ip');
    this.deleteStmt = db.prepare(
      `DELETE FROM rollups WHERE (target, minute_ms, region, agent, ip) IN
       (SELECT target, minute_ms, region, agent, ip FROM rollups WHERE minute_ms < ? ORDER BY minute_ms LIMIT ?)`,
    );
    this.clearRangeStmt = db.prepare('DELETE FROM rollups WHERE minute_ms >= ? AND minute_ms < ?');
    this.recountStmt = db.prepare(RECOUNT_SQL);
    this.agentMinutesStmt = db.prepare(
      `SELECT minute_ms AS minuteMs, region, agent, SUM(n) AS total, SUM(failures) AS failed FROM rollups
       WHERE minute_ms >= ? AND minute_ms < ? GROUP BY minute_ms, region, agent`,
    );
    // a skip scan over the primary key (target, minute_ms, …): two index seeks per target, however many
    // rows each has (a DISTINCT over the last hour's rows reads ~18 million of them at 10,000 targets)
    this.nextTargetStmt = db.prepare('SELECT target FROM rollups WHERE target > ? ORDER BY target LIMIT 1').pluck();
    this.activeSinceStmt = db.prepare('SELECT 1 FROM rollups WHERE target = ? AND minute_ms >= ? LIMIT 1').pluck();
  }

  /** Adds newly inserted results to their minutes. Call inside the transaction that inserted them. */
  add(records: readonly ResultRecord[]): void {
    const byKey = new Map<string, Aggregate>();
    for (const r of records) {
      const minuteMs = Math.floor(r.startedAtMs / MINUTE_MS) * MINUTE_MS;
      const key = `${r.target}\0${minuteMs}\0${r.region}\0${r.agent}\0${r.ip}`;
      let a = byKey.get(key);
      if (!a) {
        a = {
          target: r.target, minuteMs, region: r.region, agent: r.agent, ip: r.ip, n: 0, failures: 0,
          codes: new Array<number>(CODES.length).fill(0),
          totalN: 0, totalSum: 0, totalMax: null, firstByteN: 0, firstByteSum: 0, firstByteMax: null,
        };
        byKey.set(key, a);
      }
      a.n++;
      if (!r.ok) a.failures++;
      if (r.failure !== null) {
        const i = CODE_INDEX.get(r.failure);
        if (i !== undefined) a.codes[i]!++;
      }
      const total = r.phases.total;
      if (total !== null) {
        a.totalN++;
        a.totalSum += total;
        a.totalMax = a.totalMax === null ? total : Math.max(a.totalMax, total);
      }
      const fb = r.phases.firstByte;
      if (fb !== null) {
        a.firstByteN++;
        a.firstByteSum += fb;
        a.firstByteMax = a.firstByteMax === null ? fb : Math.max(a.firstByteMax, fb);
      }
    }
    for (const a of byKey.values()) {
      this.upsertStmt.run(
        a.target, a.minuteMs, a.region, a.agent, a.ip, a.n, a.failures, ...a.codes,
        a.totalN, a.totalSum, a.totalMax, a.firstByteN, a.firstByteSum, a.firstByteMax,
      );
    }
  }

  /** A target's minutes overlapping [fromMs, toMs): the minute holding `fromMs` is included. */
  query(target: string, fromMs: number, toMs: number): RollupRow[] {
    const rows = this.queryStmt.all(target, Math.floor(fromMs / MINUTE_MS) * MINUTE_MS, toMs) as RollupDbRow[];
    return rows.map(toRollup);
  }

  /**
   * Targets with results in the minute holding `sinceMs` or later, sorted: those after `after` (default
   * all), `limit` of them at most (default all).
   */
  activeTargets(sinceMs: number, after = '', limit = Infinity): string[] {
    const minute = Math.floor(sinceMs / MINUTE_MS) * MINUTE_MS;
    const out: string[] = [];
    for (let target = this.nextTargetStmt.get(after) as string | undefined; target !== undefined && out.length < limit; target = this.nextTargetStmt.get(target) as string | undefined) {
      if (this.activeSinceStmt.get(target, minute) !== undefined) out.push(target);
    }
    return out;
  }

  /** Per (minute, region, agent), failed / total over every target, for fromMinuteMs ≤ minute < toMinuteMs. */
  agentMinutes(fromMinuteMs: number, toMinuteMs: number): AgentMinuteRow[] {
    return this.agentMinutesStmt.all(fromMinuteMs, toMinuteMs) as AgentMinuteRow[];
  }

  /**
   * Recomputes the minutes in [fromMs, toMs) from the raw results (a repair, and the "rollup pass"
   * alternative the benchmark compares against). Only as good as the raw rows retention has kept.
   * Call inside a transaction.
   */
  rebuild(fromMs: number, toMs: number): void {
    const from = Math.floor(fromMs / MINUTE_MS) * MINUTE_MS;
    const to = Math.ceil(toMs / MINUTE_MS) * MINUTE_MS;
    this.clearRangeStmt.run(from, to);
    this.recountStmt.run(from, to);
  }

  /** Deletes up to `limit` minutes older than `cutoffMs`; returns how many. */
  deleteBefore(cutoffMs: number, limit: number): number {
    return this.deleteStmt.run(cutoffMs, limit).changes;
  }
}

function toRollup(r: RollupDbRow): RollupRow {
  const num = (c: string) => r[c] as number;
  const failuresByCode: Partial<Record<FailureCode, number>> = {};
  for (const code of CODES) {
    const n = num(CODE_COLUMNS[code]);
    if (n > 0) failuresByCode[code] = n;
  }
  return {
    target: r.target as string,
    minuteMs: num('minute_ms'),
    region: r.region as string,
    agent: r.agent as string,
    ip: r.ip as string,
    n: num('n'),
    failures: num('failures'),
    failuresByCode,
    totalMs: { n: num('total_n'), sum: num('total_sum'), max: r.total_max as number | null },
    firstByteMs: { n: num('first_byte_n'), sum: num('first_byte_sum'), max: r.first_byte_max as number | null },
  };
}
