import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RETENTION_DEFAULTS } from '../../../collector/store/index.js';
import { fakeRecord } from '../../helpers/collector-fixtures.js';
import { suiteStore } from '../../helpers/collector-store.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 5, 30, 0, 0, 0);

describe('retention', () => {
  const fx = suiteStore();

  it('retention - deletes expired rows in bounded chunks and keeps the rest', async () => {
    const old = Array.from({ length: 2_345 }, (_, i) => fakeRecord({ startedAtMs: NOW - 20 * DAY + i * 1_000 }));
    const edge = fakeRecord({ startedAtMs: NOW - RETENTION_DEFAULTS.rawMs }); // exactly at the cutoff: kept
    const fresh = Array.from({ length: 500 }, (_, i) => fakeRecord({ startedAtMs: NOW - DAY + i * 1_000 }));
    fx.store.insertResults([...old, edge, ...fresh]);
    fx.store.insertBatch({
      results: [],
      rejects: [
        { receivedAtMs: NOW - 30 * DAY, subject: 'crossprobe.results.x.y', reason: 'old', bytes: new Uint8Array([1]) },
        { receivedAtMs: NOW - 1_000, subject: 'crossprobe.results.x.y', reason: 'new', bytes: new Uint8Array([2]) },
      ],
    });
    const oldRollups = fx.store.rollups('shop', 0, NOW - RETENTION_DEFAULTS.rawMs).length;
    assert.ok(oldRollups > 30);

    const report = await fx.store.applyRetention(NOW, { chunkRows: 500 });
    assert.equal(report.results, 2_345);
    assert.equal(report.rejects, 1);
    assert.equal(report.rollups, 0, 'rollups outlive raw rows');
    assert.ok(report.chunks >= 5 + 1 + 1, `deleted in chunks (${report.chunks})`);
    assert.equal(fx.store.countResults(), 501);
    const left = fx.store.queryResults({ limit: 10_000, order: 'asc' }).results;
    assert.equal(left[0]?.resultId, edge.resultId);
    assert.deepEqual(new Set(left.map((r) => r.resultId)), new Set([edge, ...fresh].map((r) => r.resultId)));
    assert.deepEqual(fx.store.listRejects(10).map((r) => r.reason), ['new']);
    assert.equal(fx.store.rollups('shop', 0, NOW - RETENTION_DEFAULTS.rawMs).length, oldRollups);

    const later = await fx.store.applyRetention(NOW + 400 * DAY, { chunkRows: 7 });
    assert.equal(later.results, 501);
    assert.ok(later.rollups >= oldRollups);
    assert.deepEqual(fx.store.rollups('shop', 0, NOW + DAY), []);
  });

  it('retention - lets other work run between chunks', async () => {
    fx.store.insertResults(Array.from({ length: 3_000 }, (_, i) => fakeRecord({ target: 'yield', startedAtMs: NOW - 30 * DAY + i })));
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    let insertedMeanwhile = 0;
    const inserter = setImmediate(() => (insertedMeanwhile = fx.store.insertResults([fakeRecord({ target: 'yield', startedAtMs: NOW })])));
    try {
      const report = await fx.store.applyRetention(NOW, { chunkRows: 100 });
      assert.equal(report.results, 3_000);
    } finally {
      clearInterval(ticker);
      clearImmediate(inserter);
    }
    assert.equal(insertedMeanwhile, 1, 'an insert ran while retention was under way');
    assert.ok(ticks > 0);
  });

  it('retention - refuses nonsense options', async () => {
    await assert.rejects(fx.store.applyRetention(NOW, { rawMs: 0 }), /rawMs must be a positive integer/);
  });
});
