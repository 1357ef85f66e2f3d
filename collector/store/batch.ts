import { openDatabase, type Db, type OpenDatabaseOptions } from './db.js';
import { MIGRATIONS, schemaVersion } from './migrations.js';
import { ResultsTable, type ResultRecord } from './results.js';
import { RollupsTable } from './rollups.js';
import { RejectsTable, type RejectRecord } from './rejects.js';

/** What one committed batch added. */
export interface CommittedRows {
  /** Results that were new (the rest were already stored: redeliveries), in batch order. */
  readonly fresh: ResultRecord[];
  /** Their rowids, in the same order. */
  readonly rowids: number[];
}

/**
 * Writes a batch of results (idempotent on result id, rollups updated for the new ones) and rejects in
 * ONE transaction: when `insert` returns, everything is committed; when it throws, nothing is. The one
 * write path of results, whether the store's own connection runs it or the ingest's writer thread.
 */
export class BatchInserter {
  private readonly tx;

  constructor(db: Db) {
    const results = new ResultsTable(db);
    const rollups = new RollupsTable(db);
    const rejects = new RejectsTable(db);
    this.tx = db.transaction((batch: readonly ResultRecord[], rejected: readonly RejectRecord[]): CommittedRows => {
      const rowids: number[] = [];
      const fresh = results.insert(batch, rowids);
      if (fresh.length > 0) rollups.add(fresh);
      if (rejected.length > 0) rejects.insert(rejected);
      return { fresh, rowids };
    });
  }

  insert(results: readonly ResultRecord[], rejects: readonly RejectRecord[] = []): CommittedRows {
    return this.tx(results, rejects);
  }
}

/**
 * A second connection to a store that `openStore` has already opened (and migrated), for writing
 * batches from another thread. Refuses a file whose schema is not the current one.
 */
export function openBatchInserter(path: string, opts: OpenDatabaseOptions = {}): { inserter: BatchInserter; close(): void } {
  const db = openDatabase(path, opts);
  try {
    const version = schemaVersion(db);
    const current = MIGRATIONS.at(-1)!.version;
    if (version !== current) throw new Error(`${path}: schema version ${version}, expected ${current} (open it with openStore first)`);
    return { inserter: new BatchInserter(db), close: () => db.close() };
  } catch (err) {
    db.close();
    throw err;
  }
}
