import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import { WriterThread } from '../../../collector/ingest/writer.js';
import { writerSettings } from '../../../collector/ingest/index.js';
import { MAX_RESULT_BYTES, RESULT_TIME_BOUNDS } from '../../../collector/ingest/decode.js';

const SETTINGS = { maxMessageBytes: MAX_RESULT_BYTES, timeBounds: RESULT_TIME_BOUNDS, maxResultTargets: 20_000, maxServingNodes: 1_000, synchronous: 'FULL' } as const;
import { asMessages, variedResults } from '../../helpers/collector-fixtures.js';
import { TempDir, tempStore } from '../../helpers/collector-store.js';

describe('ingest writer thread', () => {
  it('writer - commits batches on its own connection and reports them to the store\'s windows', async () => {
    const dir = new TempDir();
    const store = tempStore(dir);
    const writer = new WriterThread(store, SETTINGS);
    try {
      await writer.start();
      const first = variedResults(200, 1);
      const a = await writer.write(asMessages(first), Date.now());
      assert.deepEqual([a.inserted, a.duplicates, a.rejected], [200, 0, 0]);
      const target = first[0]!.target!;
      const from = Math.min(...first.map((r) => r.startedAtMs!));
      const held = store.observations(target, from, from + 86_400_000).length;
      assert.ok(held > 0);
      // the same batch again, plus one undecodable message: duplicates and a reject, nothing new
      const again = await writer.write([...asMessages(first), { subject: 'crossprobe.results.eu-west.a1', data: new Uint8Array([0xff, 0xff]) }], Date.now());
      assert.deepEqual([again.inserted, again.duplicates, again.rejected], [0, 200, 1]);
      assert.equal(store.countResults(), 200);
      assert.equal(store.countRejects(), 1);
      const second = variedResults(200, 2).map((r) => ({ ...r, target }));
      await writer.write(asMessages(second), Date.now());
      const to = Math.max(...[...first, ...second].map((r) => r.startedAtMs!)) + 1;
      const sql = tempStore(dir, undefined, { recent: { maxObservations: 0 } });
      try {
        assert.deepEqual(store.observations(target, from, to), sql.observations(target, from, to), 'the held window took the second commit in');
      } finally {
        sql.close();
      }
    } finally {
      await writer.close();
      store.close();
      dir.dispose();
    }
  });

  it('writer - a thread that dies fails its batch in flight, resets the windows, and the next batch starts a new thread', async () => {
    const dir = new TempDir();
    const store = tempStore(dir);
    const writer = new WriterThread(store, SETTINGS);
    try {
      await writer.start();
      const first = variedResults(100, 3);
      assert.equal((await writer.write(asMessages(first), Date.now())).inserted, 100);
      assert.ok(store.observations(first[0]!.target!, 0, Number.MAX_SAFE_INTEGER).length > 0);
      assert.ok(store.recentSize > 0);

      // A bug in the thread: a message it cannot handle throws there, uncaught, and the thread dies
      // before the batch queued behind it. (Not worker.terminate(): stopping a thread inside a native
      // SQLite call aborts the whole process, which is why close() waits for the batches in flight.)
      (writer as unknown as { worker: Worker }).worker.postMessage({ id: -1, receivedAtMs: 0, subjects: null });
      const inFlight = writer.write(asMessages(variedResults(100, 4)), Date.now());
      await assert.rejects(inFlight, /the ingest writer thread (failed|exited)/);
      assert.equal(store.recentSize, 0, 'windows dropped: a lost thread may have committed rows it never reported');

      const third = await writer.write(asMessages(variedResults(100, 5)), Date.now());
      assert.equal(third.inserted, 100, 'a new thread');
      assert.equal(store.countResults(), 200, 'the failed batch left nothing behind; NATS redelivers its messages');
    } finally {
      await writer.close();
      store.close();
      dir.dispose();
    }
  });

  it('writer - commits with synchronous=FULL by default, so a batch acked after its commit survives a host crash', async () => {
    assert.equal(writerSettings({}).synchronous, 'FULL');
    assert.equal(writerSettings({ synchronous: 'NORMAL' }).synchronous, 'NORMAL');
    const dir = new TempDir();
    // the store's own connection stays NORMAL (the API's writes); the writer's is its own
    const store = tempStore(dir);
    const full = new WriterThread(store, writerSettings({}));
    const normal = new WriterThread(store, writerSettings({ synchronous: 'NORMAL' }));
    try {
      await full.start();
      await normal.start();
      assert.equal(full.synchronous, 2, 'PRAGMA synchronous on the writer thread\'s connection: FULL');
      assert.equal(normal.synchronous, 1, 'NORMAL when told');
      assert.equal((await full.write(asMessages(variedResults(10, 6)), Date.now())).inserted, 10);
    } finally {
      await full.close();
      await normal.close();
      store.close();
      dir.dispose();
    }
  });

  it('writer - its settings are checked', () => {
    assert.throws(() => writerSettings({ maxResultTargets: -1 }), /^RangeError: maxResultTargets must be a whole number ≥ 0, got -1$/);
    assert.throws(() => writerSettings({ maxClockAheadMs: 0 }), /^RangeError: maxClockAheadMs must be a positive integer, got 0$/);
    assert.throws(() => writerSettings({ maxServingNodes: 0 }), /^RangeError: maxServingNodes must be a positive integer, got 0$/);
  });
});
