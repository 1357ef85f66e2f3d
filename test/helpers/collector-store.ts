import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import Database from 'better-sqlite3';
import { openStore, type Store, type StoreOptions } from '../../collector/store/index.js';

/** A temp directory for SQLite files, removed by `dispose()`. */
export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'crossprobe-store-'));
  file(name = 'collector.db'): string {
    return join(this.path, name);
  }
  dispose(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** A store on a fresh file in `dir`. */
export function tempStore(dir: TempDir, name?: string, opts?: StoreOptions): Store {
  return openStore(dir.file(name), opts);
}

/** A second, independent read connection to a store file: assertions check what is on disk. */
export function readDb(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true });
}

/** Every result id the file holds, read on a connection of its own. */
export function storedIds(path: string): string[] {
  const db = readDb(path);
  try {
    return db.prepare('SELECT result_id FROM results').pluck().all() as string[];
  } finally {
    db.close();
  }
}

/**
 * For a whole suite: a store on a fresh temp file, opened in `before`, closed and removed in `after`.
 * Read `fixture.store` inside tests (it exists once the hooks ran).
 */
export function suiteStore(): { readonly store: Store; readonly dir: TempDir } {
  let dir: TempDir | null = null;
  let store: Store | null = null;
  before(() => {
    dir = new TempDir();
    store = tempStore(dir);
  });
  after(() => {
    store?.close();
    dir?.dispose();
  });
  return {
    get store(): Store {
      if (!store) throw new Error('suiteStore: used before its before() hook ran');
      return store;
    },
    get dir(): TempDir {
      if (!dir) throw new Error('suiteStore: used before its before() hook ran');
      return dir;
    },
  };
}
