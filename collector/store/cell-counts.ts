import { lowerBound } from '../../common/index.js';
import { ADDRESS_BLOCKED } from '../../proto/index.js';
import { isDnsFailure, type Observation } from '../diagnosis/index.js';
import type { CommittedBatch, RecentSource } from './recent.js';

/** A half-open time range of result start times: fromMs ≤ started < toMs. */
export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** The smallest double above `x`: `started > x` is `started ≥ nextUp(x)`, exactly. */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const b = new BigInt64Array(f.buffer);
  b[0] = x > 0 ? b[0]! + 1n : b[0]! - 1n;
  return f[0]!;
}

/** The range after `fromMs` up to and including `toMs` (the diagnosis' windows), as a half-open range. */
export function afterThrough(fromMs: number, toMs: number): TimeRange {
  return { fromMs: nextUp(fromMs), toMs: nextUp(toMs) };
}

/** What a result says, for counting: each result counts under exactly one. */
export const RESULT_KINDS = ['ok', 'failed', 'dnsFailed', 'blocked', 'blockedOk'] as const;
/** How many counters each (cell, range) has: one per RESULT_KINDS entry, in that order. */
export const KINDS = RESULT_KINDS.length;
export const [OK, FAILED, DNS_FAILED, BLOCKED, BLOCKED_OK] = [0, 1, 2, 3, 4] as const;

/** How an observation counts: ADDRESS_BLOCKED first (set aside whatever `ok` says), then DNS failures. */
export function kindOf(o: Observation): number {
  if (o.failure === ADDRESS_BLOCKED) return o.ok ? BLOCKED_OK : BLOCKED;
  if (o.ok) return OK;
  return isDnsFailure(o) ? DNS_FAILED : FAILED;
}

/** One serving cell of a target: one agent's probes of one IP that answered with one identity. */
export interface CountedCell {
  readonly region: string;
  readonly agent: string;
  /** "" when the result had no IP (DNS failed, or the agent refused). */
  readonly ip: string;
  readonly identity: Observation['identity'];
}

/**
 * A target's counts over the ranges asked for: `counts[r][cell * KINDS + kind]` is how many results of
 * `cells[cell]` of that kind started in `ranges[r]`. Views of the index's own state: valid until the
 * next call that changes it (read them at once, never keep them).
 */
export interface TargetCounts {
  readonly cells: readonly CountedCell[];
  readonly counts: readonly Int32Array[];
}

export interface CellCountsOptions {
  /** Results held at most over every target; past it the least recently counted targets are dropped (and reloaded when asked for). */
  readonly maxResults: number;
  /** Cells one target may have; a target with more is not counted (`counts` returns null: read it raw). */
  readonly maxCells: number;
}

export const CELL_COUNTS_DEFAULTS: CellCountsOptions = { maxResults: 30_000_000, maxCells: 4_096 };

/** One range being counted, and the range its counters hold now. */
interface Slot {
  fromMs: number;
  toMs: number;
  counts: Int32Array;
}

interface Held {
  /** Start times, sorted, in [start, end) of the buffers; `meta` = cell << 3 | kind. */
  times: Float64Array;
  meta: Uint32Array;
  start: number;
  end: number;
  /** Every stored result of the target started at or after this is held. */
  coverFromMs: number;
  /** The load saw every result up to this rowid: `added` skips commits up to it. */
  readonly throughRowid: number;
  readonly cells: CountedCell[];
  readonly cellIndex: Map<string, number>;
  slots: Slot[];
  /** More cells than allowed: not counted. */
  overflow: boolean;
}

const INITIAL_CAPACITY = 64;

/**
 * Per target, per serving cell, how many results of each kind started in each of a few time ranges —
 * what the incident loop judges every target from — kept current at ingest. Ranges move forward
 * incrementally: a call that moves them only counts the results that entered and left, so judging a
 * healthy target costs per cell, not per result (a target probed every minute by 10 regions × 3 IPs
 * holds ~1,800 results an hour; a tick touches ~30 cells and the ~30 results that came and went).
 *
 * Each target holds its results' start times and cells (12 bytes a result) from the earliest range
 * start it was last asked for: loaded from SQLite the first time it is asked for, then fed by every
 * committed insert reported to `added` (the same rowid bookkeeping as the recent windows). Exact as
 * long as every results insert is reported; retention and rollup rebuilds clear it.
 */
export class CellCounts {
  private readonly targets = new Map<string, Held>();
  private held = 0;

  constructor(private readonly source: Pick<RecentSource, 'observations'>, private readonly opts: CellCountsOptions = CELL_COUNTS_DEFAULTS) {}

  /**
   * The target's counts over `ranges` (each half-open), or null when the target has more cells than
   * allowed. Loads the target from the source when it is not held or a range reaches back past what is.
   */
  counts(target: string, ranges: readonly TimeRange[]): TargetCounts | null {
    let h = this.targets.get(target);
    const lowest = Math.min(...ranges.map((r) => r.fromMs));
    if (h !== undefined) {
      // most recently counted last: eviction takes the first
      this.targets.delete(target);
      this.targets.set(target, h);
    }
    if (h === undefined || lowest < h.coverFromMs) {
      if (h !== undefined) this.drop(target, h);
      h = this.load(target, lowest);
      this.targets.set(target, h);
      this.held += h.end - h.start;
    }
    if (h.overflow) return null;
    if (h.slots.length !== ranges.length) h.slots = ranges.map(() => ({ fromMs: 0, toMs: 0, counts: new Int32Array(h!.cells.length * KINDS) }));
    for (let r = 0; r < ranges.length; r++) this.move(h, h.slots[r]!, ranges[r]!);
    // what no range reaches any more is let go
    if (lowest > h.coverFromMs) {
      const cut = lowerBound(h.times.subarray(h.start, h.end), (t) => t < lowest);
      h.start += cut;
      this.held -= cut;
      h.coverFromMs = lowest;
    }
    this.evict(target);
    return { cells: h.cells, counts: h.slots.map((s) => s.counts) };
  }

  /** Results committed as new (by any connection), each commit reported once, after it. */
  added(batch: CommittedBatch): void {
    let held: Set<string> | null = null;
    for (const target of batch.targets) {
      const h = this.targets.get(target);
      if (h !== undefined && batch.throughRowid > h.throughRowid) (held ??= new Set()).add(target);
    }
    if (held === null) return;
    for (const { target, observation } of batch.observations()) {
      if (!held.has(target)) continue;
      const h = this.targets.get(target)!;
      if (observation.atMs < h.coverFromMs || h.overflow) continue;
      const before = h.end - h.start;
      this.insert(h, observation);
      this.held += h.end - h.start - before;
    }
    if (this.held > this.opts.maxResults) this.evict(null);
  }

  /** Forgets everything (after deletes: retention, rollup rebuilds). */
  clear(): void {
    this.targets.clear();
    this.held = 0;
  }

  /** Lets go of every target not in `keep` (targets no longer judged: deleted, gone quiet). */
  retain(keep: ReadonlySet<string>): void {
    for (const [target, h] of this.targets) if (!keep.has(target)) this.drop(target, h);
  }

  /** Results held now, over every target. */
  get size(): number {
    return this.held;
  }

  /** Targets held now. */
  get targetCount(): number {
    return this.targets.size;
  }

  private load(target: string, fromMs: number): Held {
    const read = this.source.observations(target, fromMs, Number.MAX_SAFE_INTEGER);
    const rows = read.value;
    let capacity = INITIAL_CAPACITY;
    while (capacity < rows.length) capacity *= 2;
    const h: Held = {
      times: new Float64Array(capacity), meta: new Uint32Array(capacity), start: 0, end: 0,
      coverFromMs: fromMs, throughRowid: read.throughRowid, cells: [], cellIndex: new Map(), slots: [], overflow: false,
    };
    // the source gives them sorted by start
    for (const o of rows) {
      const cell = this.cellOf(h, o);
      if (cell < 0) break;
      h.times[h.end] = o.atMs;
      h.meta[h.end] = (cell << 3) | kindOf(o);
      h.end++;
    }
    return h;
  }

  /** The cell's index, added when new; -1 (and the target marked overflowing) past maxCells. */
  private cellOf(h: Held, o: Observation): number {
    const key = `${o.region}\u0000${o.agent}\u0000${o.ip}\u0000${identityKey(o.identity)}`;
    const known = h.cellIndex.get(key);
    if (known !== undefined) return known;
    if (h.cells.length >= this.opts.maxCells) {
      // its results are let go (the caller counts what it holds before and after)
      h.overflow = true;
      h.slots = [];
      h.start = h.end = 0;
      return -1;
    }
    const index = h.cells.length;
    h.cells.push({ region: o.region, agent: o.agent, ip: o.ip, identity: Object.freeze({ ...o.identity }) });
    h.cellIndex.set(key, index);
    for (const s of h.slots) {
      const grown = new Int32Array((index + 1) * KINDS);
      grown.set(s.counts);
      s.counts = grown;
    }
    return index;
  }

  private insert(h: Held, o: Observation): void {
    const cell = this.cellOf(h, o);
    if (cell < 0) return;
    const meta = (cell << 3) | kindOf(o);
    if (h.end === h.times.length) this.grow(h);
    let at = h.end;
    if (at > h.start && h.times[at - 1]! > o.atMs) {
      // a late result (an agent's spool replay): into its place, after equal start times
      at = h.start + lowerBound(h.times.subarray(h.start, h.end), (t) => t <= o.atMs);
      h.times.copyWithin(at + 1, at, h.end);
      h.meta.copyWithin(at + 1, at, h.end);
    }
    h.times[at] = o.atMs;
    h.meta[at] = meta;
    h.end++;
    // a range already counted past this start time counts it now
    for (const s of h.slots) if (o.atMs >= s.fromMs && o.atMs < s.toMs) s.counts[cell * KINDS + (meta & 7)]!++;
  }

  private grow(h: Held): void {
    const n = h.end - h.start;
    const capacity = n * 2 > h.times.length ? h.times.length * 2 : h.times.length;
    const times = new Float64Array(capacity);
    const meta = new Uint32Array(capacity);
    times.set(h.times.subarray(h.start, h.end));
    meta.set(h.meta.subarray(h.start, h.end));
    h.times = times;
    h.meta = meta;
    h.start = 0;
    h.end = n;
  }

  /** Moves a slot's counters to `range`: only the results between the old and new edges when it moved forward. */
  private move(h: Held, slot: Slot, range: TimeRange): void {
    if (range.fromMs === slot.fromMs && range.toMs === slot.toMs) return;
    if (range.fromMs < slot.fromMs || range.toMs < slot.toMs || range.fromMs >= slot.toMs) {
      slot.counts.fill(0);
      this.tally(h, slot.counts, range.fromMs, range.toMs, 1);
    } else {
      this.tally(h, slot.counts, slot.fromMs, range.fromMs, -1);
      this.tally(h, slot.counts, slot.toMs, range.toMs, 1);
    }
    slot.fromMs = range.fromMs;
    slot.toMs = range.toMs;
  }

  /** Adds `sign` to the counters of every result with fromMs ≤ started < toMs. */
  private tally(h: Held, counts: Int32Array, fromMs: number, toMs: number, sign: 1 | -1): void {
    if (toMs <= fromMs) return;
    const times = h.times.subarray(h.start, h.end);
    const from = lowerBound(times, (t) => t < fromMs);
    const to = from + lowerBound(times.subarray(from), (t) => t < toMs);
    for (let i = h.start + from; i < h.start + to; i++) {
      const m = h.meta[i]!;
      counts[(m >>> 3) * KINDS + (m & 7)]! += sign;
    }
  }

  private drop(target: string, h: Held): void {
    this.targets.delete(target);
    this.held -= h.end - h.start;
  }

  /** Drops least recently counted targets (never `keep`) until within the bound. */
  private evict(keep: string | null): void {
    for (const [target, h] of this.targets) {
      if (this.held <= this.opts.maxResults) return;
      if (target !== keep) this.drop(target, h);
    }
  }
}

/** One string per distinct identity, whatever the order of its names. */
function identityKey(identity: Observation['identity']): string {
  const names = Object.keys(identity);
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]!}\u0001${identity[names[0]!]!}`;
  return names.sort().map((n) => `${n}\u0001${identity[n]!}`).join('\u0002');
}
