import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeResult } from '../../../proto/index.js';
import { readResult } from '../../../collector/ingest/index.js';
import type { RollupRow, Store } from '../../../collector/store/index.js';
import { variedResults } from '../../helpers/collector-fixtures.js';
import { TempDir, readDb, tempStore } from '../../helpers/collector-store.js';

const END = Date.UTC(2024, 5, 1, 6, 0, 0);

/** The rollups recomputed independently, with SQL over the raw rows of the file. */
function recount(path: string, target: string): Map<string, { n: number; failures: number; http: number; refused: number; totalN: number; totalSum: number; totalMax: number | null; fbMax: number | null }> {
  const db = readDb(path);
  try {
    const rows = db
      .prepare(
        `SELECT region, agent, ip, (started_at_ms / 60000) * 60000 AS minute, COUNT(*) AS n, SUM(ok = 0) AS failures,
         SUM(failure IS 'HTTP_STATUS') AS http, SUM(failure IS 'CONNECT_REFUSED') AS refused, COUNT(total_ms) AS totalN,
         TOTAL(total_ms) AS totalSum, MAX(total_ms) AS totalMax, MAX(first_byte_ms) AS fbMax
         FROM results WHERE target = ? GROUP BY 1, 2, 3, 4`,
      )
      .all(target) as { region: string; agent: string; ip: string; minute: number; n: number; failures: number; http: number; refused: number; totalN: number; totalSum: number; totalMax: number | null; fbMax: number | null }[];
    return new Map(rows.map((r) => [`${r.region}|${r.agent}|${r.ip}|${r.minute}`, { n: r.n, failures: r.failures, http: r.http, refused: r.refused, totalN: r.totalN, totalSum: r.totalSum, totalMax: r.totalMax, fbMax: r.fbMax }]));
  } finally {
    db.close();
  }
}

function view(rows: readonly RollupRow[]) {
  return new Map(
    rows.map((r) => [
      `${r.region}|${r.agent}|${r.ip}|${r.minuteMs}`,
      { n: r.n, failures: r.failures, http: r.failuresByCode.HTTP_STATUS ?? 0, refused: r.failuresByCode.CONNECT_REFUSED ?? 0, totalN: r.totalMs.n, totalSum: r.totalMs.sum, totalMax: r.totalMs.max, fbMax: r.firstByteMs.max },
    ]),
  );
}

function roundSums<T extends { totalSum: number }>(m: Map<string, T>): Map<string, T> {
  return new Map([...m].map(([k, v]) => [k, { ...v, totalSum: Math.round(v.totalSum * 1e6) / 1e6 }]));
}

describe('rollups', () => {
  let dir: TempDir;
  let store: Store;
  before(() => {
    dir = new TempDir();
    store = tempStore(dir);
    // 6,000 results in batches of 250, each batch also carrying 50 redeliveries of earlier results
    const wire = variedResults(6_000, 7, END, 2 * 3_600_000);
    const records = wire.map((r) => readResult(encodeResult(r), END));
    let inserted = 0;
    for (let i = 0; i < records.length; i += 250) {
      const redelivered = records.slice(Math.max(0, i - 50), i);
      inserted += store.insertResults([...records.slice(i, i + 250), ...redelivered]);
    }
    assert.equal(inserted, 6_000);
  });
  after(() => {
    store.close();
    dir.dispose();
  });

  it('rollups - match a recount from the raw rows, duplicates counted once', () => {
    for (const target of ['shop', 'api']) {
      const want = roundSums(recount(store.path, target));
      const got = roundSums(view(store.rollups(target, END - 3 * 3_600_000, END + 60_000)));
      assert.ok(want.size > 100, `enough cells to mean something (${want.size})`);
      assert.deepEqual(got, want, target);
    }
  });

  it('rollups - a window returns only the minutes it overlaps', () => {
    const from = END - 30 * 60_000 + 15_000; // mid-minute: that minute is included
    const rows = store.rollups('shop', from, END - 20 * 60_000);
    assert.ok(rows.length > 0);
    assert.ok(rows.every((r) => r.target === 'shop' && r.minuteMs >= END - 30 * 60_000 && r.minuteMs < END - 20 * 60_000));
    assert.equal(new Set(rows.map((r) => r.minuteMs)).size, 10);
  });

  it('rollups - rebuilding from raw rows reproduces the incremental rollups', () => {
    const before = store.rollups('api', 0, END + 60_000);
    store.rebuildRollups(END - 3 * 3_600_000, END + 60_000);
    assert.deepEqual(roundSums(view(store.rollups('api', 0, END + 60_000))), roundSums(view(before)));
  });
});
