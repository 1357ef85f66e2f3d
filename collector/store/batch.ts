import Database from 'better-sqlite3';
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

/** What a batch committed row by row (`insertIsolating`) did beyond `CommittedRows`. */
export interface IsolatedRows extends CommittedRows {
  /** Whether the batch as a whole failed and was committed row by row. */
  readonly isolated: boolean;
  /** Results the database refused, as the rejects they became (reason: the SQLite error). */
  readonly refused: RejectRecord[];
  /** Rejects the database refused too: not kept anywhere (counted, logged). */
  readonly lost: number;
  /** Why the first lost reject was refused, or null. */
  readonly firstLost: string | null;
}

/** The rejects table keeps this many rows at most unless told otherwise (the oldest go first). */
export const DEFAULT_MAX_REJECTS = 100_000;

// What the database says about itself rather than about a row: a batch failing so is retried whole
// (nak'd and redelivered), never split into rejects. Anything else that fails one row — a constraint,
// a trigger's RAISE, a type or size refused, a value JavaScript cannot bind — is the row's own.
const NOT_THE_ROW = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|NOMEM|CORRUPT|READONLY|CANTOPEN|INTERRUPT|PERM|NOTADB|PROTOCOL|AUTH|ABORT_ROLLBACK)/;

/** Whether `err`, thrown while writing one row, is that row's fault (and not the database's state). */
export function isRowError(err: unknown): boolean {
  if (err instanceof Database.SqliteError) return !NOT_THE_ROW.test(err.code);
  return err instanceof Error;
}

/**
 * Writes a batch of results (idempotent on result id, rollups updated for the new ones) and rejects in
 * ONE transaction: when `insert` returns, everything is committed; when it throws, nothing is. The one
 * write path of results, whether the store's own connection runs it or the ingest's writer thread.
 */
export class BatchInserter {
  private readonly tx;
  private readonly isolatingTx;
  private readonly rowTx;
  private readonly rejectTx;
  private readonly rejects: RejectsTable;

  constructor(db: Db, private readonly maxRejects = DEFAULT_MAX_REJECTS) {
    const results = new ResultsTable(db);
    const rollups = new RollupsTable(db);
    const rejects = (this.rejects = new RejectsTable(db));
    this.tx = db.transaction((batch: readonly ResultRecord[], rejected: readonly RejectRecord[]): CommittedRows => {
      const rowids: number[] = [];
      const fresh = results.insert(batch, rowids);
      if (fresh.length > 0) rollups.add(fresh);
      if (rejected.length > 0) {
        rejects.insert(rejected);
        rejects.trim(this.maxRejects);
      }
      return { fresh, rowids };
    });
    // Called inside `isolatingTx`, these run as savepoints: one failing rolls back its own row only.
    this.rowTx = db.transaction((r: ResultRecord, rowids: number[]): ResultRecord | null => {
      const fresh = results.insert([r], rowids);
      if (fresh.length > 0) rollups.add(fresh);
      return fresh[0] ?? null;
    });
    this.rejectTx = db.transaction((r: RejectRecord) => rejects.insert([r]));
    this.isolatingTx = db.transaction(
      (batch: readonly ResultRecord[], rejected: readonly RejectRecord[], asReject: (i: number, reason: string) => RejectRecord): IsolatedRows => {
        const rowids: number[] = [];
        const fresh: ResultRecord[] = [];
        const refused: RejectRecord[] = [];
        for (let i = 0; i < batch.length; i++) {
          try {
            const r = this.rowTx(batch[i]!, rowids);
            if (r !== null) fresh.push(r);
          } catch (err) {
            if (!isRowError(err)) throw err;
            refused.push(asReject(i, `the database refused the result: ${(err as Error).message}`));
          }
        }
        let lost = 0;
        let firstLost: string | null = null;
        for (const r of [...rejected, ...refused]) {
          try {
            this.rejectTx(r);
          } catch (err) {
            if (!isRowError(err)) throw err;
            // losing one reject is better than holding back every agent's results behind it
            lost++;
            firstLost ??= `${(err as Error).message} (reject: ${r.reason})`;
          }
        }
        rejects.trim(this.maxRejects);
        return { fresh, rowids, isolated: true, refused, lost, firstLost };
      },
    );
  }

  insert(results: readonly ResultRecord[], rejects: readonly RejectRecord[] = []): CommittedRows {
    return this.tx(results, rejects);
  }

  /**
   * `insert`, and when the batch fails for one of its rows (`isRowError`), the same batch again in ONE
   * transaction, each result and reject in a savepoint of its own: a result the database refuses
   * becomes a reject (made by `asReject` from its index and the error), a reject it refuses is lost
   * (counted); the rest commit. One bad row never holds back its batch-mates. A failure of the database
   * itself (locked, disk full, I/O) throws as `insert` does: nothing is committed, the batch is retried.
   */
  insertIsolating(results: readonly ResultRecord[], rejects: readonly RejectRecord[], asReject: (i: number, reason: string) => RejectRecord): IsolatedRows {
    try {
      const c = this.tx(results, rejects);
      return { ...c, isolated: false, refused: [], lost: 0, firstLost: null };
    } catch (err) {
      if (!isRowError(err)) throw err;
    }
    // IMMEDIATE: the write lock is taken at BEGIN, so a busy database fails the batch there, whole,
    // instead of in the first row's savepoint as if that row were at fault
    return this.isolatingTx.immediate(results, rejects, asReject);
  }

  /** Keeps the rejects table within its bound (after rejects written on another path). */
  trimRejects(): void {
    this.rejects.trim(this.maxRejects);
  }
}

/** How a second connection writes (see `openBatchInserter`). */
export interface BatchInserterOptions extends OpenDatabaseOptions {
  /** Rows the rejects table keeps at most. Default DEFAULT_MAX_REJECTS. */
  readonly maxRejects?: number;
}

/**
 * A second connection to a store that `openStore` has already opened (and migrated), for writing
 * batches from another thread. Refuses a file whose schema is not the current one.
 */
export function openBatchInserter(path: string, opts: BatchInserterOptions = {}): { inserter: BatchInserter; db: Db; close(): void } {
  const { maxRejects, ...openOptions } = opts;
  const db = openDatabase(path, openOptions);
  try {
    const version = schemaVersion(db);
    const current = MIGRATIONS.at(-1)!.version;
    if (version !== current) throw new Error(`${path}: schema version ${version}, expected ${current} (open it with openStore first)`);
    return { inserter: new BatchInserter(db, maxRejects), db, close: () => db.close() };
  } catch (err) {
    db.close();
    throw err;
  }
}
