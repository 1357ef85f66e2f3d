import { lowerBound } from '../../common/index.js';
import type { AgentFailureRate, ObservationRow, ResultRecord } from './results.js';
import { MINUTE_MS, type AgentMinuteRow } from './rollups.js';

/** What a read of the store saw, and the highest results rowid committed as of that read. */
export interface Snapshot<T> {
  readonly value: T;
  readonly throughRowid: number;
}

/**
 * Where the recent windows load what they do not hold yet (the SQLite tables). Each read comes with the
 * highest results rowid of the same read snapshot: committed results are reported to `added` too, maybe
 * after a read already saw them, and the rowid tells which ones a read held.
 */
export interface RecentSource {
  /** A target's observations with fromMs ≤ started < toMs, ordered by (started, result id). */
  observations(target: string, fromMs: number, toMs: number): Snapshot<ObservationRow[]>;
  /** Per (minute, region, agent) totals over every target for fromMinuteMs ≤ minute < toMinuteMs. */
  agentMinutes(fromMinuteMs: number, toMinuteMs: number): Snapshot<AgentMinuteRow[]>;
}

/** A result committed as new: its target and the observation the classifier reads. */
export interface CommittedObservation {
  readonly target: string;
  readonly observation: ObservationRow;
}

/**
 * What one commit added, in brief: a read snapshot holds all of a commit or none of it, so its rowids
 * tell whether a load already saw it. SQLite gives the new rows of one transaction consecutive rowids.
 */
export interface CommitSummary {
  /** The lowest and highest rowid of the new results. */
  readonly fromRowid: number;
  readonly throughRowid: number;
  /** New results per (minute, region, agent). */
  readonly minutes: readonly AgentMinuteRow[];
  /** The targets of the new results, each once. */
  readonly targets: readonly string[];
}

/** What one commit added, as the recent windows take it. */
export interface CommittedBatch extends CommitSummary {
  /** The new results' observations; only called when a target of the batch is held (it may read them back). */
  observations(): readonly CommittedObservation[];
}

export interface RecentOptions {
  /** Observations held in memory at most, over every target (least recently read targets go first). 0 = no cache. */
  readonly maxObservations: number;
  /**
   * What a window reaches back to is kept for this long after it was last asked for: the incidents loop's
   * long window and the API's shorter ones then share one copy instead of evicting each other.
   */
  readonly keepMs: number;
  /** Wall clock for `keepMs` (tests pass their own). */
  readonly clock: () => number;
}

export const RECENT_DEFAULTS: RecentOptions = { maxObservations: 500_000, keepMs: 10 * 60_000, clock: Date.now };

/**
 * The lowest `fromMs` asked for over the last `keepMs` or so: two half-periods, so a window asked for
 * every few minutes keeps its reach while one asked for once is forgotten after 1–2 periods.
 */
class LowWater {
  private current = Infinity;
  private previous = Infinity;
  private rotatedAt: number;

  constructor(private readonly periodMs: number, private readonly clock: () => number) {
    this.rotatedAt = clock();
  }

  /** Records a window starting at `fromMs`; returns the lowest start still wanted. */
  note(fromMs: number): number {
    const now = this.clock();
    if (now - this.rotatedAt >= this.periodMs) {
      // a whole idle period forgets both halves
      this.previous = now - this.rotatedAt >= 2 * this.periodMs ? Infinity : this.current;
      this.current = Infinity;
      this.rotatedAt = now;
    }
    this.current = Math.min(this.current, fromMs);
    return Math.min(this.current, this.previous);
  }
}

function compareObservations(a: ObservationRow, b: ObservationRow): number {
  return a.atMs - b.atMs || (a.resultId < b.resultId ? -1 : a.resultId > b.resultId ? 1 : 0);
}

/** First index in sorted `rows` whose atMs ≥ ms. */
function firstFrom(rows: readonly ObservationRow[], ms: number): number {
  return lowerBound(rows, (r) => r.atMs < ms);
}

interface TargetWindow {
  /** Every stored observation of the target started at or after this is in `rows`. */
  coverFromMs: number;
  /** The load saw every result up to this rowid: `added` skips those. */
  readonly throughRowid: number;
  rows: ObservationRow[];
  readonly low: LowWater;
}

interface AgentTally {
  readonly region: string;
  readonly agent: string;
  total: number;
  failed: number;
}

const EMPTY_IDENTITY: Readonly<Record<string, string>> = Object.freeze({});
const MAX_INTERNED = 50_000;

/**
 * The diagnosis reads the same recent results again and again (the incidents loop every few seconds,
 * the API and reports on demand); reading them from SQLite each time costs tens of milliseconds per
 * target. This keeps, in memory:
 * - per target, its observations from the earliest start recently asked for onwards;
 * - per minute and agent, failed / total over every target (what agent health compares),
 * both loaded once from SQLite and then kept current by every committed insert reported to `added`.
 * The writer may be another connection (the ingest's writer thread) whose reports arrive after a load
 * already saw what they report: rowids tell them apart. It is exact as long as every results insert
 * is reported — the collector's case; retention and rollup rebuilds clear it.
 */
export class RecentWindows {
  private readonly targets = new Map<string, TargetWindow>();
  private held = 0;
  /** minute → "region\0agent" → tally over every target. */
  private readonly minutes = new Map<number, Map<string, AgentTally>>();
  private minutesFromMs = Infinity;
  /** The minute tallies' load saw every result up to this rowid. */
  private minutesThroughRowid = 0;
  private readonly minutesLow: LowWater;
  private readonly strings = new Map<string, string>();
  private readonly identities = new Map<string, Readonly<Record<string, string>>>();

  constructor(private readonly source: RecentSource, private readonly opts: RecentOptions = RECENT_DEFAULTS) {
    this.minutesLow = new LowWater(opts.keepMs / 2, opts.clock);
  }

  /** The target's observations with fromMs ≤ started < toMs, oldest first (as `RecentSource.observations`). */
  observations(target: string, fromMs: number, toMs: number): ObservationRow[] {
    if (this.opts.maxObservations <= 0) return this.source.observations(target, fromMs, toMs).value;
    let w = this.targets.get(target);
    if (w !== undefined) {
      // most recently read last: eviction takes the first
      this.targets.delete(target);
      this.targets.set(target, w);
    }
    const low = w?.low ?? new LowWater(this.opts.keepMs / 2, this.opts.clock);
    const keepFrom = low.note(fromMs);
    if (w === undefined || fromMs < w.coverFromMs) {
      const read = this.source.observations(target, fromMs, Number.MAX_SAFE_INTEGER);
      const rows = read.value.map((o) => this.intern(o));
      if (w !== undefined) this.drop(target, w);
      w = { coverFromMs: fromMs, throughRowid: read.throughRowid, rows, low };
      this.targets.set(target, w);
      this.held += rows.length;
    } else if (keepFrom > w.coverFromMs) {
      const cut = firstFrom(w.rows, keepFrom);
      if (cut > 0) {
        w.rows = w.rows.slice(cut);
        this.held -= cut;
      }
      w.coverFromMs = keepFrom;
    }
    const slice = w.rows.slice(firstFrom(w.rows, fromMs), firstFrom(w.rows, toMs));
    this.evict(target);
    return slice;
  }

  /**
   * Per agent, failed / total over every target, over the whole minutes that [fromMs, toMs) touches
   * (the rollups' resolution), with the minute range they cover.
   */
  agentTotals(fromMs: number, toMs: number): { rates: AgentFailureRate[]; fromMs: number; toMs: number } {
    const fromMinute = Math.floor(fromMs / MINUTE_MS) * MINUTE_MS;
    const toMinute = Math.ceil(toMs / MINUTE_MS) * MINUTE_MS;
    const keepFrom = this.minutesLow.note(fromMinute);
    if (fromMinute < this.minutesFromMs) {
      // reaching further back reloads every minute, all from one snapshot
      const read = this.source.agentMinutes(fromMinute, Number.MAX_SAFE_INTEGER);
      this.minutes.clear();
      for (const r of read.value) this.tally(r.minuteMs, r.region, r.agent, r.total, r.failed);
      this.minutesFromMs = fromMinute;
      this.minutesThroughRowid = read.throughRowid;
    } else if (keepFrom > this.minutesFromMs) {
      for (const minute of this.minutes.keys()) if (minute < keepFrom) this.minutes.delete(minute);
      this.minutesFromMs = keepFrom;
    }
    const sums = new Map<string, AgentTally>();
    for (let minute = fromMinute; minute < toMinute; minute += MINUTE_MS) {
      const m = this.minutes.get(minute);
      if (m === undefined) continue;
      for (const [key, t] of m) {
        const s = sums.get(key);
        if (s === undefined) sums.set(key, { region: t.region, agent: t.agent, total: t.total, failed: t.failed });
        else {
          s.total += t.total;
          s.failed += t.failed;
        }
      }
    }
    const rates = [...sums.values()]
      .sort((a, b) => (a.region < b.region ? -1 : a.region > b.region ? 1 : a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0))
      .map((s) => ({ agent: s.agent, region: s.region, failed: s.failed, total: s.total }));
    return { rates, fromMs: fromMinute, toMs: toMinute };
  }

  /** Results committed as new (by any connection), each commit reported once, after it. */
  added(batch: CommittedBatch): void {
    if (batch.throughRowid > this.minutesThroughRowid) {
      for (const m of batch.minutes) if (m.minuteMs >= this.minutesFromMs) this.tally(m.minuteMs, m.region, m.agent, m.total, m.failed);
    }
    let held: Set<string> | null = null;
    for (const target of batch.targets) {
      const w = this.targets.get(target);
      if (w !== undefined && batch.throughRowid > w.throughRowid) (held ??= new Set()).add(target);
    }
    if (held === null) return;
    for (const { target, observation } of batch.observations()) {
      if (!held.has(target)) continue;
      const w = this.targets.get(target)!;
      if (observation.atMs < w.coverFromMs) continue;
      const o = this.intern(observation);
      const last = w.rows[w.rows.length - 1];
      if (last === undefined || compareObservations(last, o) <= 0) w.rows.push(o);
      else {
        // a late result (an agent's spool replay): into its place
        let i = firstFrom(w.rows, o.atMs);
        while (i < w.rows.length && compareObservations(w.rows[i]!, o) < 0) i++;
        w.rows.splice(i, 0, o);
      }
      this.held++;
    }
    if (this.held > this.opts.maxObservations) this.evict(null);
  }

  /** Forgets everything (after deletes: retention, rollup rebuilds). */
  clear(): void {
    this.targets.clear();
    this.held = 0;
    this.minutes.clear();
    this.minutesFromMs = Infinity;
    this.minutesThroughRowid = 0;
    this.strings.clear();
    this.identities.clear();
  }

  /** Observations held now (for tests and metrics). */
  get size(): number {
    return this.held;
  }

  private tally(minute: number, region: string, agent: string, total: number, failed: number): void {
    let m = this.minutes.get(minute);
    if (m === undefined) {
      m = new Map();
      this.minutes.set(minute, m);
    }
    const key = `${region}\u0000${agent}`;
    const t = m.get(key);
    if (t === undefined) m.set(key, { region, agent, total, failed });
    else {
      t.total += total;
      t.failed += failed;
    }
  }

  private drop(target: string, w: TargetWindow): void {
    this.targets.delete(target);
    this.held -= w.rows.length;
  }

  /** Evicts least recently read targets (never `keep`) until within the bound. */
  private evict(keep: string | null): void {
    for (const [target, w] of this.targets) {
      if (this.held <= this.opts.maxObservations) return;
      if (target !== keep) this.drop(target, w);
    }
    // one target larger than the bound alone is not kept either
    if (this.held > this.opts.maxObservations) {
      for (const [target, w] of this.targets) this.drop(target, w);
    }
  }

  /** Shares repeated strings and identity objects between observations (memory). */
  private intern(o: ObservationRow): ObservationRow {
    if (this.strings.size > MAX_INTERNED) this.strings.clear();
    if (this.identities.size > MAX_INTERNED) this.identities.clear();
    let identity = EMPTY_IDENTITY;
    const names = Object.keys(o.identity);
    if (names.length > 0) {
      const key = JSON.stringify(o.identity);
      identity = this.identities.get(key) ?? Object.freeze({ ...o.identity });
      this.identities.set(key, identity);
    }
    return {
      atMs: o.atMs,
      region: this.str(o.region),
      agent: this.str(o.agent),
      ip: this.str(o.ip),
      identity,
      ok: o.ok,
      failure: o.failure,
      status: o.status,
      provenance: o.provenance,
      firstByteMs: o.firstByteMs,
      totalMs: o.totalMs,
      resultId: o.resultId,
    };
  }

  private str(s: string): string {
    const had = this.strings.get(s);
    if (had !== undefined) return had;
    this.strings.set(s, s);
    return s;
  }
}

/** A stored result as the classifier sees it (the same shape `ResultsTable.observations` returns). */
export function toObservation(r: ResultRecord): ObservationRow {
  return {
    atMs: r.startedAtMs,
    region: r.region,
    agent: r.agent,
    ip: r.ip,
    identity: r.identity,
    ok: r.ok,
    failure: r.failure,
    status: r.status,
    provenance: r.provenance,
    firstByteMs: r.phases.firstByte,
    totalMs: r.phases.total,
    resultId: r.resultId,
  };
}

/** A commit's summary, from its new results and their rowids (in the same order, so ascending). */
export function summarizeCommit(fresh: readonly ResultRecord[], rowids: readonly number[]): CommitSummary {
  const fromRowid = rowids[0] ?? 0;
  const throughRowid = rowids.at(-1) ?? 0;
  const minutes = new Map<string, { minuteMs: number; region: string; agent: string; total: number; failed: number }>();
  const targets = new Set<string>();
  for (const r of fresh) {
    targets.add(r.target);
    const minuteMs = Math.floor(r.startedAtMs / MINUTE_MS) * MINUTE_MS;
    const key = `${minuteMs}\u0000${r.region}\u0000${r.agent}`;
    const m = minutes.get(key);
    if (m === undefined) minutes.set(key, { minuteMs, region: r.region, agent: r.agent, total: 1, failed: r.ok ? 0 : 1 });
    else {
      m.total++;
      if (!r.ok) m.failed++;
    }
  }
  return { fromRowid, throughRowid, minutes: [...minutes.values()], targets: [...targets] };
}
