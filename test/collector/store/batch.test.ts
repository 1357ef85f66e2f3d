import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { BatchInserter, openBatchInserter, openStore, type RejectRecord } from '../../../collector/store/index.js';
import { fakeRecord } from '../../helpers/collector-fixtures.js';
import { TempDir, storedIds } from '../../helpers/collector-store.js';

const reject = (i: number, reason = `bad #${i}`): RejectRecord => ({ receivedAtMs: 1_000 + i, subject: `crossprobe.results.eu-west.a${i}`, reason, bytes: Uint8Array.of(i & 0xff) });

describe('store batch inserter', () => {
  it('batch - a row the database refuses is isolated: the rest commit in one transaction, the row becomes a reject', () => {
    const dir = new TempDir();
    const store = openStore(dir.file());
    try {
      const records = Array.from({ length: 50 }, (_, i) => fakeRecord({ startedAtMs: 1_700_000_000_000 + i * 1_000 }));
      const victim = records[20]!;
      const db = new Database(store.path);
      db.exec(`CREATE TRIGGER poison BEFORE INSERT ON results WHEN NEW.result_id = '${victim.resultId}' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`);
      db.close();
      const writer = openBatchInserter(store.path);
      try {
        const got = writer.inserter.insertIsolating(records, [reject(1)], (i, reason) => ({ ...reject(100 + i), reason }));
        assert.equal(got.isolated, true);
        assert.equal(got.fresh.length, 49);
        assert.deepEqual(got.refused.map((r) => r.reason), ['the database refused the result: poisoned row']);
        assert.equal(got.refused[0]!.subject, 'crossprobe.results.eu-west.a120', 'made from the refused row\'s index');
        assert.equal(got.lost, 0);
        assert.deepEqual(new Set(storedIds(store.path)), new Set(records.filter((r) => r !== victim).map((r) => r.resultId)));
        assert.deepEqual(store.listRejects(10).map((r) => r.reason).sort(), ['bad #1', 'the database refused the result: poisoned row']);
        // the rowids of one commit are one range, as the recent windows read them back
        assert.equal(got.rowids.length, 49);
        assert.equal(got.rowids.at(-1)! - got.rowids[0]! + 1, 49);
        // a clean batch takes the one-transaction path
        const clean = writer.inserter.insertIsolating([fakeRecord()], [], () => assert.fail('nothing refused'));
        assert.deepEqual([clean.isolated, clean.fresh.length], [false, 1]);
      } finally {
        writer.close();
      }
    } finally {
      store.close();
      dir.dispose();
    }
  });

  it('batch - a database that is locked fails the batch whole (retried later), never splits it into rejects', () => {
    const dir = new TempDir();
    const store = openStore(dir.file(), { busyTimeoutMs: 50 });
    const writer = openBatchInserter(store.path, { busyTimeoutMs: 50 });
    const lock = new Database(store.path);
    try {
      lock.exec('BEGIN IMMEDIATE');
      assert.throws(() => writer.inserter.insertIsolating([fakeRecord(), fakeRecord()], [reject(1)], () => assert.fail('no row is at fault')), { code: 'SQLITE_BUSY' });
      lock.exec('ROLLBACK');
      assert.equal(store.countResults(), 0);
      assert.equal(store.countRejects(), 0);
    } finally {
      lock.close();
      writer.close();
      store.close();
      dir.dispose();
    }
  });

  it('batch - the rejects table keeps its newest rows up to its bound, on every path that writes it', () => {
    const dir = new TempDir();
    const store = openStore(dir.file(), { maxRejects: 100 });
    try {
      for (let i = 0; i < 250; i++) store.insertReject(reject(i));
      assert.equal(store.countRejects(), 100);
      assert.deepEqual(store.listRejects(1).map((r) => r.reason), ['bad #249']);
      assert.equal(store.listRejects(100).at(-1)!.reason, 'bad #150');
      store.insertBatch({ results: [], rejects: Array.from({ length: 130 }, (_, i) => reject(1_000 + i)) });
      assert.equal(store.countRejects(), 100);
      assert.equal(store.listRejects(100).at(-1)!.reason, 'bad #1030');
      const writer = openBatchInserter(store.path, { maxRejects: 100 });
      try {
        writer.inserter.insertIsolating([], Array.from({ length: 20 }, (_, i) => reject(2_000 + i)), () => assert.fail('no results'));
      } finally {
        writer.close();
      }
      assert.equal(store.countRejects(), 100);
      assert.equal(store.listRejects(1)[0]!.reason, 'bad #2019');
    } finally {
      store.close();
      dir.dispose();
    }
  });

  it('batch - the store checks its rejects bound', () => {
    const dir = new TempDir();
    try {
      assert.throws(() => openStore(dir.file(), { maxRejects: 0 }), /^RangeError: maxRejects must be a positive integer, got 0$/);
      assert.ok(BatchInserter);
    } finally {
      dir.dispose();
    }
  });
});
