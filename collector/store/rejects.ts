import type { Db } from './db.js';

/** Raw bytes kept per rejected message; the rest is cut (its full size is kept in `size`). */
export const MAX_REJECT_BYTES = 64 * 1024;

/** A message the collector could not use: kept for inspection, never retried. */
export interface RejectRecord {
  readonly receivedAtMs: number;
  readonly subject: string;
  /** Why it was rejected, for humans ("undecodable ProbeResult: …", "subject region … does not match …"). */
  readonly reason: string;
  readonly bytes: Uint8Array;
}

export interface StoredReject {
  readonly id: number;
  readonly receivedAtMs: number;
  readonly subject: string;
  readonly reason: string;
  /** The message's full size in bytes. */
  readonly size: number;
  /** Its first MAX_REJECT_BYTES bytes. */
  readonly bytes: Buffer;
}

interface RejectRow {
  id: number;
  received_at_ms: number;
  subject: string;
  reason: string;
  size: number;
  bytes: Buffer;
}

/** The `rejects` table. */
export class RejectsTable {
  private readonly insertStmt;
  private readonly countStmt;
  private readonly listStmt;
  private readonly deleteStmt;
  private readonly trimStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare('INSERT INTO rejects (received_at_ms, subject, reason, size, bytes) VALUES (?, ?, ?, ?, ?)');
    this.countStmt = db.prepare('SELECT COUNT(*) FROM rejects').pluck();
    this.listStmt = db.prepare('SELECT * FROM rejects WHERE id < ? ORDER BY id DESC LIMIT ?');
    // ids are rowids, given as max(id) + 1: the newest `maxRows` rows have the ids above max(id) - maxRows
    this.trimStmt = db.prepare('DELETE FROM rejects WHERE id <= (SELECT max(id) FROM rejects) - ?');
    this.deleteStmt = db.prepare(
      'DELETE FROM rejects WHERE id IN (SELECT id FROM rejects WHERE received_at_ms < ? ORDER BY received_at_ms LIMIT ?)',
    );
  }

  /** Call inside a transaction when batching. */
  insert(records: readonly RejectRecord[]): void {
    for (const r of records) {
      const bytes = r.bytes.byteLength > MAX_REJECT_BYTES ? r.bytes.subarray(0, MAX_REJECT_BYTES) : r.bytes;
      this.insertStmt.run(r.receivedAtMs, r.subject, r.reason, r.bytes.byteLength, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    }
  }

  count(): number {
    return this.countStmt.get() as number;
  }

  /** Newest first; pass the last id seen as `beforeId` for the next page. */
  list(limit: number, beforeId = Number.MAX_SAFE_INTEGER): StoredReject[] {
    return (this.listStmt.all(beforeId, limit) as RejectRow[]).map((r) => ({
      id: r.id,
      receivedAtMs: r.received_at_ms,
      subject: r.subject,
      reason: r.reason,
      size: r.size,
      bytes: r.bytes,
    }));
  }

  /**
   * Deletes the oldest rows beyond the newest `maxRows`; returns how many. The bound holds whatever
   * arrives: a hostile or broken agent cannot fill the disk through the rejects table.
   */
  trim(maxRows: number): number {
    return this.trimStmt.run(maxRows).changes;
  }

  deleteBefore(cutoffMs: number, limit: number): number {
    return this.deleteStmt.run(cutoffMs, limit).changes;
  }
}
