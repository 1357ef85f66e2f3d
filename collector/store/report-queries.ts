import { ADDRESS_BLOCKED, FAILURE_CODES, type FailureCode, type ProvenanceName } from '../../proto/index.js';
import type { Db } from './db.js';
import { MINUTE_MS, type PhaseAggregate } from './rollups.js';

export const HOUR_MS = 60 * MINUTE_MS;

/** One time bucket of one (region, agent, ip) of a target: the rollups summed over the bucket. */
export interface RollupBucket {
  /** Start of the bucket: a multiple of the bucket length since the epoch. */
  readonly bucketMs: number;
  readonly region: string;
  readonly agent: string;
  /** "" for probes whose DNS resolution failed. */
  readonly ip: string;
  readonly n: number;
  readonly failures: number;
  readonly totalMs: PhaseAggregate;
  readonly firstByteMs: PhaseAggregate;
}

/** Failures by code of one (region, agent, ip) of a target over a range. */
export interface CodeCounts {
  readonly region: string;
  readonly agent: string;
  readonly ip: string;
  /** Codes that did not occur are absent. */
  readonly failuresByCode: Readonly<Partial<Record<FailureCode, number>>>;
}

/** Probes and failures of a target in one minute of the hour (0–59), summed over a range. */
export interface MinuteOfHourCounts {
  readonly minute: number;
  readonly n: number;
  readonly failures: number;
  /** In how many different hours this minute had a failure (a schedule comes back; a burst does not). */
  readonly hours: number;
}

/** Failed results of one kind: same region, agent, IP, identity, status, code and provenance. */
export interface FailureGroup {
  readonly region: string;
  readonly agent: string;
  readonly ip: string;
  readonly identity: Readonly<Record<string, string>>;
  readonly status: number | null;
  readonly failure: FailureCode | null;
  readonly provenance: ProvenanceName | null;
  readonly count: number;
  /** Mean time to first byte of those that had one, else null. */
  readonly firstByteMeanMs: number | null;
  /** The newest of them: when it started and its result id. */
  readonly lastMs: number;
  readonly lastResultId: string;
}

/** What `failureGroups` read: the groups, and how many failed results went into them. */
export interface FailureGroups {
  readonly groups: FailureGroup[];
  /** Failed results read (at most the limit asked for: the newest ones). */
  readonly read: number;
  /** Ids of the newest failed results (up to NEWEST_FAILURES), newest first. */
  readonly newest: string[];
}

/** How many of the newest failures `failureGroups` names besides the groups. */
export const NEWEST_FAILURES = 10;

export const PHASES = ['dns', 'connect', 'tls', 'firstByte', 'download', 'total'] as const;
export type PhaseName = (typeof PHASES)[number];

/** A raw result as the report's detail sections read it: where it went, its identity, its phases. */
export interface DetailRow {
  readonly region: string;
  readonly ip: string;
  /** Shared between rows with the same identity: never mutate. */
  readonly identity: Readonly<Record<string, string>>;
  readonly ok: boolean;
  /** In PHASES order; null = not reached. */
  readonly phases: readonly (number | null)[];
}

/** The newest raw results of a target, at most a number of them, from a whole minute on. */
export interface Detail {
  /** Where the rows start: the asked start, or later when the newest rows asked for begin later. */
  readonly fromMs: number;
  readonly rows: readonly DetailRow[];
}

/** A failed result as a report quotes it for the logs hunt. */
export interface FailureSample {
  readonly resultId: string;
  readonly startedAtMs: number;
  readonly region: string;
  readonly agent: string;
  readonly ip: string;
  readonly status: number | null;
  readonly failure: FailureCode | null;
  readonly failureDetail: string | null;
  readonly provenance: ProvenanceName | null;
  readonly firstByteMs: number | null;
  readonly totalMs: number | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly identity: Readonly<Record<string, string>>;
}

/** Probes and failures of one (target, region) in one minute: a dashboard status strip cell. */
export interface StatusMinute {
  readonly target: string;
  readonly region: string;
  readonly minuteMs: number;
  readonly n: number;
  readonly failures: number;
}

/** The codes rollups count by column: every one but ADDRESS_BLOCKED, which has none (see rollups.ts). */
const ROLLED_UP_CODES: readonly FailureCode[] = FAILURE_CODES.filter((c) => c !== ADDRESS_BLOCKED);
const CODE_COLUMNS: Readonly<Partial<Record<FailureCode, string>>> = Object.fromEntries(ROLLED_UP_CODES.map((c) => [c, `f_${c.toLowerCase()}`]));
const PHASE_COLUMNS: Readonly<Record<PhaseName, string>> = {
  dns: 'dns_ms',
  connect: 'connect_ms',
  tls: 'tls_ms',
  firstByte: 'first_byte_ms',
  download: 'download_ms',
  total: 'total_ms',
};

type Table = { readonly table: 'rollups' | 'rollups_hourly'; readonly time: 'minute_ms' | 'hour_ms' };
const MINUTES: Table = { table: 'rollups', time: 'minute_ms' };
const HOURS: Table = { table: 'rollups_hourly', time: 'hour_ms' };

// better-sqlite3 binds every JS number as REAL: the bucket length is cast back, or `/` would not floor.
// Codes are summed apart, over the rows that failed only: 15 sums on every row of a month cost more
// than everything else the report reads.
const bucketSql = ({ table, time }: Table) => `
  SELECT (${time} / CAST(@bucket AS INTEGER)) * CAST(@bucket AS INTEGER) AS b, region, agent, ip,
    SUM(n) AS n, SUM(failures) AS failures, SUM(total_n) AS total_n, SUM(total_sum) AS total_sum, MAX(total_max) AS total_max,
    SUM(first_byte_n) AS first_byte_n, SUM(first_byte_sum) AS first_byte_sum, MAX(first_byte_max) AS first_byte_max
  FROM ${table} WHERE target = @target AND ${time} >= @from AND ${time} < @to
  GROUP BY b, region, agent, ip`;
const codesSql = ({ table, time }: Table) => `
  SELECT region, agent, ip, ${ROLLED_UP_CODES.map((c) => `SUM(${CODE_COLUMNS[c]!}) AS ${CODE_COLUMNS[c]!}`).join(', ')}
  FROM ${table} WHERE target = @target AND ${time} >= @from AND ${time} < @to AND failures > 0
  GROUP BY region, agent, ip`;

type Row = Record<string, number | string | null>;

/**
 * The reads behind regional failure reports and the dashboard: aggregates over the rollups (per-minute,
 * and the hourly sums of migration v4 for whole hours) and bounded reads of raw results.
 */
export class ReportQueries {
  private readonly bucketStmts;
  private readonly codeStmts;
  private readonly minuteOfHourStmt;
  private readonly failureGroupsStmt;
  private readonly newestFailedStmt;
  private readonly nthNewestStmt;
  private readonly detailStmt;
  private readonly samplesStmt;
  private readonly oldestStmt;
  private readonly seenStmt;
  private readonly incidentIdsStmt;
  private readonly recentTargetsStmt;
  private readonly targetMinutesStmt;

  constructor(db: Db) {
    this.bucketStmts = { minutes: db.prepare(bucketSql(MINUTES)), hours: db.prepare(bucketSql(HOURS)) };
    this.codeStmts = { minutes: db.prepare(codesSql(MINUTES)), hours: db.prepare(codesSql(HOURS)) };
    this.minuteOfHourStmt = db.prepare(
      `SELECT (minute_ms / ${MINUTE_MS}) % 60 AS minute, SUM(n) AS n, SUM(failures) AS failures,
         COUNT(DISTINCT CASE WHEN failures > 0 THEN minute_ms / ${60 * MINUTE_MS} END) AS hours FROM rollups
       WHERE target = ? AND minute_ms >= ? AND minute_ms < ? GROUP BY 1 ORDER BY 1`,
    );
    // `ok = 0` written out (not bound) so that the partial index of failed results applies; the newest
    // `limit` failures are grouped, and SQLite fills the bare result_id from the row holding MAX().
    this.failureGroupsStmt = db.prepare(
      `SELECT region, agent, ip, identity, status, failure, provenance, COUNT(*) AS count,
         AVG(first_byte_ms) AS first_byte_mean, MAX(started_at_ms) AS last_ms, result_id AS last_id
       FROM (SELECT * FROM results WHERE target = ? AND ok = 0 AND started_at_ms >= ? AND started_at_ms < ?
             ORDER BY started_at_ms DESC LIMIT ?)
       GROUP BY region, agent, ip, identity, status, failure, provenance ORDER BY last_ms DESC`,
    );
    this.newestFailedStmt = db
      .prepare(
        `SELECT result_id FROM results WHERE target = ? AND ok = 0 AND started_at_ms >= ? AND started_at_ms < ?
         ORDER BY started_at_ms DESC, result_id DESC LIMIT ${NEWEST_FAILURES}`,
      )
      .pluck();
    // answered from the (target, started_at_ms) index alone: where the newest N rows begin
    this.nthNewestStmt = db
      .prepare('SELECT started_at_ms FROM results WHERE target = ? AND started_at_ms >= ? AND started_at_ms < ? ORDER BY started_at_ms DESC LIMIT 1 OFFSET ?')
      .pluck();
    this.detailStmt = db
      .prepare(
        `SELECT region, ip, identity, ok, ${PHASES.map((p) => PHASE_COLUMNS[p]).join(', ')} FROM results
         WHERE target = ? AND started_at_ms >= ? AND started_at_ms < ?`,
      )
      .raw();
    this.samplesStmt = db.prepare(
      `SELECT result_id, started_at_ms, region, agent, ip, status, failure, failure_detail, provenance, first_byte_ms, total_ms,
         headers, identity FROM results WHERE result_id IN (SELECT value FROM json_each(?)) ORDER BY started_at_ms DESC, result_id`,
    );
    this.oldestStmt = db.prepare('SELECT MIN(started_at_ms) FROM results').pluck();
    this.seenStmt = db
      .prepare('SELECT EXISTS (SELECT 1 FROM rollups WHERE target = ?) OR EXISTS (SELECT 1 FROM results WHERE target = ?)')
      .pluck();
    this.incidentIdsStmt = db
      .prepare(
        `SELECT id FROM incidents WHERE target = ? AND opened_at_ms < ? AND (resolved_at_ms IS NULL OR resolved_at_ms >= ?)
         ORDER BY opened_at_ms DESC, id DESC LIMIT ?`,
      )
      .pluck();
    // the dashboard: which targets have minutes in the window (from the minute index alone), then each
    // target's own contiguous stretch of the primary key — cheaper than one scan through the index
    this.recentTargetsStmt = db.prepare('SELECT DISTINCT target FROM rollups WHERE minute_ms >= ? AND minute_ms < ?').pluck();
    this.targetMinutesStmt = db.prepare('SELECT region, minute_ms, n, failures FROM rollups WHERE target = ? AND minute_ms >= ? AND minute_ms < ?').raw();
  }

  /**
   * Runs `stmt` of the minutes and of the hours over [fromMs, toMs): whole hours from the hourly sums
   * when `hourly` allows, the partial hours at either end (or everything) from the minutes.
   */
  private split(stmts: { minutes: Statement; hours: Statement }, params: Record<string, number | string>, fromMs: number, toMs: number, hourly: boolean): Row[] {
    const firstHour = Math.ceil(fromMs / HOUR_MS) * HOUR_MS;
    const lastHour = Math.floor(toMs / HOUR_MS) * HOUR_MS;
    if (!hourly || firstHour >= lastHour) return stmts.minutes.all({ ...params, from: fromMs, to: toMs }) as Row[];
    return [
      ...(stmts.minutes.all({ ...params, from: fromMs, to: firstHour }) as Row[]),
      ...(stmts.hours.all({ ...params, from: firstHour, to: lastHour }) as Row[]),
      ...(stmts.minutes.all({ ...params, from: lastHour, to: toMs }) as Row[]),
    ];
  }

  /**
   * A target's rollups over [fromMs, toMs) summed per bucket of `bucketMs` (aligned to the epoch) and
   * (region, agent, ip). Whole hours come from the hourly sums when the bucket is a whole number of
   * hours; the partial hours at either end, and every bucket shorter than an hour, from the minutes.
   */
  buckets(target: string, fromMs: number, toMs: number, bucketMs: number): RollupBucket[] {
    if (!Number.isInteger(bucketMs) || bucketMs < MINUTE_MS || bucketMs % MINUTE_MS !== 0) {
      throw new RangeError(`bucketMs must be a whole number of minutes (got ${bucketMs})`);
    }
    const rows = this.split(this.bucketStmts, { target, bucket: bucketMs }, fromMs, toMs, bucketMs % HOUR_MS === 0);
    return merge(rows, ['b', 'region', 'agent', 'ip'])
      .map(toBucket)
      .sort((a, b) => a.bucketMs - b.bucketMs || cmp(a.region, b.region) || cmp(a.agent, b.agent) || cmp(a.ip, b.ip));
  }

  /** A target's failures by code per (region, agent, ip) over [fromMs, toMs); keys without failures absent. */
  codes(target: string, fromMs: number, toMs: number): CodeCounts[] {
    return merge(this.split(this.codeStmts, { target }, fromMs, toMs, true), ['region', 'agent', 'ip']).map((r) => {
      const failuresByCode: Partial<Record<FailureCode, number>> = {};
      for (const code of ROLLED_UP_CODES) {
        const n = (r[CODE_COLUMNS[code]!] as number | null) ?? 0;
        if (n > 0) failuresByCode[code] = n;
      }
      return { region: r.region as string, agent: r.agent as string, ip: r.ip as string, failuresByCode };
    });
  }

  /** Probes and failures per minute of the hour over a target's rollups in [fromMs, toMs); minutes without probes absent. */
  minuteOfHour(target: string, fromMs: number, toMs: number): MinuteOfHourCounts[] {
    return (this.minuteOfHourStmt.all(target, fromMs, toMs) as MinuteOfHourCounts[]).map((r) => ({ ...r }));
  }

  /** The newest `limit` failed results of a target in [fromMs, toMs), grouped by kind; newest group first. */
  failureGroups(target: string, fromMs: number, toMs: number, limit: number): FailureGroups {
    const rows = this.failureGroupsStmt.all(target, fromMs, toMs, limit) as Row[];
    let read = 0;
    const groups = rows.map((r): FailureGroup => {
      read += r.count as number;
      return {
        region: r.region as string,
        agent: r.agent as string,
        ip: r.ip as string,
        identity: JSON.parse(r.identity as string) as Record<string, string>,
        status: r.status as number | null,
        failure: r.failure as FailureCode | null,
        provenance: r.provenance as ProvenanceName | null,
        count: r.count as number,
        firstByteMeanMs: r.first_byte_mean as number | null,
        lastMs: r.last_ms as number,
        lastResultId: r.last_id as string,
      };
    });
    return { groups, read, newest: this.newestFailedStmt.all(target, fromMs, toMs) as string[] };
  }

  /**
   * A target's raw results in [fromMs, toMs), at most `maxRows` of them: when there are more, the
   * window starts later, on the first whole minute of the newest `maxRows`.
   */
  detail(target: string, fromMs: number, toMs: number, maxRows: number): Detail {
    const nth = this.nthNewestStmt.get(target, fromMs, toMs, maxRows) as number | undefined;
    const from = nth === undefined ? fromMs : Math.max(fromMs, Math.ceil((nth + 1) / MINUTE_MS) * MINUTE_MS);
    const identities = new Map<string, Readonly<Record<string, string>>>();
    const rows = (this.detailStmt.all(target, from, toMs) as (string | number | null)[][]).map((r): DetailRow => {
      const text = r[2] as string;
      let identity = identities.get(text);
      if (identity === undefined) identities.set(text, (identity = JSON.parse(text) as Record<string, string>));
      return { region: r[0] as string, ip: r[1] as string, identity, ok: r[3] === 1, phases: r.slice(4) as (number | null)[] };
    });
    return { fromMs: from, rows };
  }

  /** The failed results with these ids (unknown ids skipped), newest first. */
  samples(resultIds: readonly string[]): FailureSample[] {
    if (resultIds.length === 0) return [];
    return (this.samplesStmt.all(JSON.stringify(resultIds)) as Row[]).map((r) => ({
      resultId: r.result_id as string,
      startedAtMs: r.started_at_ms as number,
      region: r.region as string,
      agent: r.agent as string,
      ip: r.ip as string,
      status: r.status as number | null,
      failure: r.failure as FailureCode | null,
      failureDetail: r.failure_detail as string | null,
      provenance: r.provenance as ProvenanceName | null,
      firstByteMs: r.first_byte_ms as number | null,
      totalMs: r.total_ms as number | null,
      headers: JSON.parse(r.headers as string) as Record<string, string>,
      identity: JSON.parse(r.identity as string) as Record<string, string>,
    }));
  }

  /** When the oldest raw result kept started (any target), or null when there is none. */
  oldestResultMs(): number | null {
    return (this.oldestStmt.get() as number | null) ?? null;
  }

  /** Whether any rollup or raw result names the target. */
  targetSeen(target: string): boolean {
    return this.seenStmt.get(target, target) === 1;
  }

  /** Ids of a target's incidents open at some point of [fromMs, toMs), newest opened first. */
  incidentIds(target: string, fromMs: number, toMs: number, limit: number): string[] {
    return this.incidentIdsStmt.all(target, toMs, fromMs, limit) as string[];
  }

  /** Probes and failures per (target, region, minute) of every target in [fromMs, toMs). */
  statusMinutes(fromMs: number, toMs: number): StatusMinute[] {
    const out: StatusMinute[] = [];
    for (const target of this.recentTargetsStmt.all(fromMs, toMs) as string[]) {
      const sums = new Map<string, { region: string; minuteMs: number; n: number; failures: number }>();
      for (const [region, minuteMs, n, failures] of this.targetMinutesStmt.all(target, fromMs, toMs) as [string, number, number, number][]) {
        const k = `${region}\0${minuteMs}`;
        const s = sums.get(k);
        if (s === undefined) sums.set(k, { region, minuteMs, n, failures });
        else {
          s.n += n;
          s.failures += failures;
        }
      }
      for (const s of sums.values()) out.push({ target, ...s });
    }
    return out;
  }
}

type Statement = ReturnType<Db['prepare']>;

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Rows of the same key (from the minutes and the hours) added up: counts and sums added, maxima kept. */
function merge(rows: readonly Row[], keys: readonly string[]): Row[] {
  const merged = new Map<string, Row>();
  for (const r of rows) {
    const key = keys.map((k) => String(r[k])).join('\0');
    const seen = merged.get(key);
    if (seen === undefined) {
      merged.set(key, { ...r });
      continue;
    }
    for (const [k, v] of Object.entries(r)) {
      if (keys.includes(k) || v === null) continue;
      const old = seen[k] as number | null;
      seen[k] = old === null ? v : k.endsWith('_max') ? Math.max(old, v as number) : old + (v as number);
    }
  }
  return [...merged.values()];
}

function toBucket(r: Row): RollupBucket {
  const num = (c: string) => (r[c] as number | null) ?? 0;
  return {
    bucketMs: r.b as number,
    region: r.region as string,
    agent: r.agent as string,
    ip: r.ip as string,
    n: num('n'),
    failures: num('failures'),
    totalMs: { n: num('total_n'), sum: num('total_sum'), max: r.total_max as number | null },
    firstByteMs: { n: num('first_byte_n'), sum: num('first_byte_sum'), max: r.first_byte_max as number | null },
  };
}
