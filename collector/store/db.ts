import Database from 'better-sqlite3';

/** The SQLite connection type the store's tables are built on. */
export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * `NORMAL` (default): in WAL mode a commit survives a process crash (SIGKILL) but the last commits
   * may be lost on power failure. `FULL` fsyncs every commit (survives power loss; slower).
   */
  synchronous?: 'NORMAL' | 'FULL';
  /** Page cache size in KiB. Default 32768 (32 MiB). */
  cacheKiB?: number;
}

/** Opens (creating when missing) a SQLite file in WAL mode with the pragmas the store relies on. */
export function openDatabase(path: string, opts: OpenDatabaseOptions = {}): Db {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
    db.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 5_000)}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = -${Math.trunc(opts.cacheKiB ?? 32_768)}`);
    db.pragma('temp_store = MEMORY');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
