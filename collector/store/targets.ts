import { parseTarget, targetToSpec, type Target } from '../../proto/index.js';
import type { Db } from './db.js';

/** A target the collector has written to the KV bucket, with when it was created and last changed. */
export interface StoredTarget {
  readonly target: Target;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

interface TargetRow {
  id: string;
  spec: string;
  created_at_ms: number;
  updated_at_ms: number;
}

/** Told of a stored target that no longer validates (skipped): its id and why. */
export type BadTargetHandler = (id: string, err: Error) => void;

/**
 * The `targets` table: the collector's own record of its targets, kept as the user-facing spec JSON.
 * A row that does not validate (written by an older version with looser checks, or by hand) is skipped
 * by `get` and `list`, never thrown: one bad row must not take down listing, the dashboard, /metrics,
 * the incident loop or the collector's start. `onBad` hears of each such row once per content.
 */
export class TargetsTable {
  private readonly reported = new Map<string, string>();
  /** Targets as last listed, by id, with the row they were parsed from: a row that did not change is not parsed again. */
  private listed = new Map<string, { readonly row: TargetRow; readonly stored: StoredTarget }>();
  /** The last list, and the table's fingerprint when it was read. */
  private lastList: { readonly fingerprint: string; readonly targets: readonly StoredTarget[] } | null = null;
  private readonly fingerprintStmt;
  private readonly putStmt;
  private readonly existsStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly deleteStmt;

  constructor(
    db: Db,
    private readonly onBad: BadTargetHandler = () => undefined,
  ) {
    this.putStmt = db.prepare(`INSERT INTO targets (id, spec, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET spec = excluded.spec, updated_at_ms = excluded.updated_at_ms`);
    this.existsStmt = db.prepare('SELECT 1 FROM targets WHERE id = ?').pluck();
    this.getStmt = db.prepare('SELECT * FROM targets WHERE id = ?');
    this.listStmt = db.prepare('SELECT * FROM targets ORDER BY id');
    // every write sets updated_at_ms to its time: a write (on any connection) changes one of these
    this.fingerprintStmt = db.prepare("SELECT count(*) || '/' || total(updated_at_ms) || '/' || total(created_at_ms) || '/' || coalesce(max(rowid), 0) FROM targets").pluck();
    this.deleteStmt = db.prepare('DELETE FROM targets WHERE id = ?');
  }

  /** Creates or replaces; returns whether it was created. Call inside a transaction (exists + put). */
  put(target: Target, nowMs: number): { created: boolean } {
    const created = this.existsStmt.get(target.id) === undefined;
    this.lastList = null;
    this.putStmt.run(target.id, JSON.stringify(targetToSpec(target)), nowMs, nowMs);
    return { created };
  }

  /** The target, or null when there is none or its row does not validate (see `exists`). */
  get(id: string): StoredTarget | null {
    const row = this.getStmt.get(id) as TargetRow | undefined;
    return row ? this.toStored(row) : null;
  }

  /**
   * Every target that validates, by id. The incident loop and /metrics list them every time; parsing and
   * validating 10,000 specs takes ~100 ms, reading their rows ~10: a row unchanged since the last list is
   * not parsed again, and when the table's fingerprint (count and sums of its write times) did not change
   * since the last list, no row is read (the objects are then shared between calls: never mutate them).
   */
  list(): StoredTarget[] {
    const fingerprint = this.fingerprintStmt.get() as string;
    if (this.lastList !== null && this.lastList.fingerprint === fingerprint) return [...this.lastList.targets];
    const out: StoredTarget[] = [];
    const listed = new Map<string, { readonly row: TargetRow; readonly stored: StoredTarget }>();
    for (const row of this.listStmt.all() as TargetRow[]) {
      const before = this.listed.get(row.id);
      const same = before !== undefined && before.row.spec === row.spec && before.row.updated_at_ms === row.updated_at_ms && before.row.created_at_ms === row.created_at_ms;
      const s = same ? before.stored : this.toStored(row);
      if (s === null) continue;
      listed.set(row.id, { row, stored: s });
      out.push(s);
    }
    this.listed = listed;
    this.lastList = { fingerprint, targets: [...out] };
    return out;
  }

  /** Whether a row exists for `id`, valid or not (a bad row can still be deleted or replaced). */
  exists(id: string): boolean {
    return this.existsStmt.get(id) !== undefined;
  }

  delete(id: string): boolean {
    this.lastList = null;
    return this.deleteStmt.run(id).changes === 1;
  }

  private toStored(r: TargetRow): StoredTarget | null {
    try {
      const target = parseTarget(JSON.parse(r.spec), `stored target "${r.id}"`);
      if (target.id !== r.id) throw new Error(`stored target "${r.id}": its spec has id "${target.id}"`);
      this.reported.delete(r.id);
      return { target, createdAtMs: r.created_at_ms, updatedAtMs: r.updated_at_ms };
    } catch (err) {
      // once per row content: callers list targets every tick and every page view
      if (this.reported.get(r.id) !== r.spec) {
        this.reported.set(r.id, r.spec);
        this.onBad(r.id, err instanceof Error ? err : new Error(String(err)));
      }
      return null;
    }
  }
}
