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

/** The `targets` table: the collector's own record of its targets, kept as the user-facing spec JSON. */
export class TargetsTable {
  private readonly putStmt;
  private readonly existsStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly deleteStmt;

  constructor(db: Db) {
    this.putStmt = db.prepare(`INSERT INTO targets (id, spec, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET spec = excluded.spec, updated_at_ms = excluded.updated_at_ms`);
    this.existsStmt = db.prepare('SELECT 1 FROM targets WHERE id = ?').pluck();
    this.getStmt = db.prepare('SELECT * FROM targets WHERE id = ?');
    this.listStmt = db.prepare('SELECT * FROM targets ORDER BY id');
    this.deleteStmt = db.prepare('DELETE FROM targets WHERE id = ?');
  }

  /** Creates or replaces; returns whether it was created. Call inside a transaction (exists + put). */
  put(target: Target, nowMs: number): { created: boolean } {
    const created = this.existsStmt.get(target.id) === undefined;
    this.putStmt.run(target.id, JSON.stringify(targetToSpec(target)), nowMs, nowMs);
    return { created };
  }

  get(id: string): StoredTarget | null {
    const row = this.getStmt.get(id) as TargetRow | undefined;
    return row ? toStored(row) : null;
  }

  list(): StoredTarget[] {
    return (this.listStmt.all() as TargetRow[]).map(toStored);
  }

  delete(id: string): boolean {
    return this.deleteStmt.run(id).changes === 1;
  }
}

function toStored(r: TargetRow): StoredTarget {
  return { target: parseTarget(JSON.parse(r.spec), `stored target "${r.id}"`), createdAtMs: r.created_at_ms, updatedAtMs: r.updated_at_ms };
}
