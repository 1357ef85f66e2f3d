import type { Db } from './db.js';

/**
 * Reads that tell whether a target is known to the collector, on any connection to the store: added
 * through the API (the `targets` table), or already sending results (the rollups).
 */
export class KnownTargets {
  private readonly managedStmt;
  private readonly seenStmt;

  constructor(db: Db) {
    this.managedStmt = db.prepare('SELECT 1 FROM targets WHERE id = ?').pluck();
    // the rollups' primary key starts with (target, minute_ms): one index seek
    this.seenStmt = db.prepare('SELECT 1 FROM rollups WHERE target = ? AND minute_ms >= ? LIMIT 1').pluck();
  }

  /** Whether the target was added through the API. */
  managed(target: string): boolean {
    return this.managedStmt.get(target) !== undefined;
  }

  /** Whether results of the target started in the minute holding `sinceMs` or later are stored. */
  seenSince(target: string, sinceMs: number): boolean {
    return this.seenStmt.get(target, Math.floor(sinceMs / 60_000) * 60_000) !== undefined;
  }
}
