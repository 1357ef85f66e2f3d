import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
