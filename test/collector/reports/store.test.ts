import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeResult } from '../../../proto/index.js';
import { readResult } from '../../../collector/ingest/index.js';
import { MIGRATIONS, migrate, openDatabase, openStore, type ResultRecord, type Store } from '../../../collector/store/index.js';
import { RollupsTable } from '../../../collector/store/rollups.js';
import { variedResults } from '../../helpers/collector-fixtures.js';
import { TempDir, readDb, tempStore } from '../../helpers/collector-store.js';
import { craftResults, HOUR_MS, NGINX_502, recordIncident } from '../../helpers/report-fixtures.js';

// Migration v4: hourly sums of the rollups kept by triggers, and the index of failed results; and the
// report reads built on them.

const END = Date.UTC(2024, 5, 1, 6, 0, 0);

/** The hourly sums recomputed from the minute rollups, and as the hourly table holds them. */
function hourly(path: string, withMax: boolean): { want: string; got: string; hours: number } {
  const db = readDb(path);
  try {
    const max = withMax ? ', MAX(total_max), MAX(first_byte_max)' : '';
    const maxCols = withMax ? ', total_max, first_byte_max' : '';
    const sums = 'SUM(n), SUM(failures), SUM(f_http_status), SUM(f_connect_refused), SUM(f_dns_servfail), SUM(total_n), ROUND(SUM(total_sum), 6), SUM(first_byte_n), ROUND(SUM(first_byte_sum), 6)';
    const want = db.prepare(`SELECT target, (minute_ms / 3600000) * 3600000, region, agent, ip, ${sums}${max} FROM rollups GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`).raw().all();
    const got = db
      .prepare(`SELECT target, hour_ms, region, agent, ip, n, failures, f_http_status, f_connect_refused, f_dns_servfail, total_n, ROUND(total_sum, 6), first_byte_n, ROUND(first_byte_sum, 6)${maxCols} FROM rollups_hourly ORDER BY 1, 2, 3, 4, 5`)
      .raw()
      .all();
    return { want: JSON.stringify(want), got: JSON.stringify(got), hours: want.length };
  } finally {
    db.close();
  }
}

const records = (n: number, seed: number, spanMs: number): ResultRecord[] =>
  variedResults(n, seed, END, spanMs).map((r) => readResult(encodeResult(r), END));

describe('report store: hourly rollups (migration v4)', () => {
  const dir = new TempDir();
  let store: Store;
  before(() => {
    store = tempStore(dir);
    // 6,000 results over 5 hours in batches of 250, each batch carrying 50 redeliveries
    const all = records(6_000, 11, 5 * HOUR_MS);
    for (let i = 0; i < all.length; i += 250) store.insertResults([...all.slice(i, i + 250), ...all.slice(Math.max(0, i - 50), i)]);
  });
  after(() => {
    store.close();
    dir.dispose();
  });

  it('hourly rollups - inserts and upserts keep every hour equal to the sum of its minutes', () => {
    const h = hourly(store.path, true);
    assert.ok(h.hours > 100, `hours ${h.hours}`);
    assert.equal(h.got, h.want);
  });

  it('hourly rollups - a rebuild of the minutes keeps them equal', () => {
    store.rebuildRollups(END - 3 * HOUR_MS + 17_000, END - HOUR_MS);
    const h = hourly(store.path, true);
    assert.equal(h.got, h.want);
  });

  it('hourly rollups - retention deleting minutes subtracts them, and drops emptied hours', async () => {
    const before = hourly(store.path, false).hours;
    await store.applyRetention(END, { rawMs: 100 * HOUR_MS, rollupMs: 2.5 * HOUR_MS });
    const h = hourly(store.path, false);
    assert.ok(h.hours < before, `${h.hours} < ${before}`);
    assert.equal(h.got, h.want, 'counts and sums; an hour cut in half may keep the max of a deleted minute');
  });

  it('hourly rollups - buckets of whole hours read from them match the minutes, on a range not on whole hours', () => {
    const from = END - 2 * HOUR_MS - 23 * 60_000;
    const to = END - 7 * 60_000;
    const byMinute = store.reportBuckets('shop', from, to, 60_000);
    for (const bucketMs of [HOUR_MS, 3 * HOUR_MS]) {
      const sums = new Map<string, { n: number; failures: number; totalSum: number; fbMax: number | null }>();
      for (const b of byMinute) {
        const k = `${Math.floor(b.bucketMs / bucketMs) * bucketMs} ${b.region} ${b.agent} ${b.ip}`;
        const s = sums.get(k) ?? { n: 0, failures: 0, totalSum: 0, fbMax: null };
        const fbMax = s.fbMax === null ? b.firstByteMs.max : b.firstByteMs.max === null ? s.fbMax : Math.max(s.fbMax, b.firstByteMs.max);
        sums.set(k, { n: s.n + b.n, failures: s.failures + b.failures, totalSum: Math.round((s.totalSum + b.totalMs.sum) * 1e6) / 1e6, fbMax });
      }
      const got = new Map(
        store.reportBuckets('shop', from, to, bucketMs).map((b) => [
          `${b.bucketMs} ${b.region} ${b.agent} ${b.ip}`,
          { n: b.n, failures: b.failures, totalSum: Math.round(b.totalMs.sum * 1e6) / 1e6, fbMax: b.firstByteMs.max },
        ]),
      );
      assert.deepEqual(got, sums, `bucket ${bucketMs}`);
    }
    // failures by code over the same range: hours and edge minutes added up as the minutes do
    const codes = new Map<string, Record<string, number>>();
    for (const r of store.rollups('shop', from, to)) {
      if (r.failures === 0) continue;
      const k = `${r.region} ${r.agent} ${r.ip}`;
      const c = codes.get(k) ?? {};
      for (const [code, n] of Object.entries(r.failuresByCode)) c[code] = (c[code] ?? 0) + (n ?? 0);
      codes.set(k, c);
    }
    const got = new Map(store.reportCodes('shop', from, to).map((c) => [`${c.region} ${c.agent} ${c.ip}`, Object.fromEntries(Object.entries(c.failuresByCode).sort())]));
    assert.ok(codes.size > 10);
    assert.deepEqual(got, new Map([...codes].map(([k, c]) => [k, Object.fromEntries(Object.entries(c).sort())])));
  });

  it('hourly rollups - a v3 database gets them backfilled from its minutes', () => {
    const path = dir.file('v3.db');
    const db = openDatabase(path);
    assert.deepEqual(migrate(db, MIGRATIONS.slice(0, 3)), { from: 0, to: 3 });
    new RollupsTable(db).add(records(2_000, 5, 3 * HOUR_MS));
    db.close();
    const upgraded = openStore(path);
    try {
      assert.deepEqual(upgraded.schema, { from: 3, to: MIGRATIONS.at(-1)!.version });
    } finally {
      upgraded.close();
    }
    const h = hourly(path, true);
    assert.ok(h.hours > 50);
    assert.equal(h.got, h.want);
  });
});

describe('report store: reads', () => {
  const dir = new TempDir();
  let store: Store;
  before(() => {
    store = tempStore(dir);
    store.insertResults(craftResults({ target: 'shop', endMs: END, minutes: 120, fault: (p) => (p.node === 'lb-2' ? NGINX_502 : null) }));
    store.insertResults(craftResults({ target: 'api', endMs: END, minutes: 120, fault: () => null }));
  });
  after(() => {
    store.close();
    dir.dispose();
  });

  it('report reads - failed results are found through the partial index, the newest first, at most the limit', () => {
    const db = readDb(store.path);
    try {
      const plan = db
        .prepare('EXPLAIN QUERY PLAN SELECT * FROM results WHERE target = ? AND ok = 0 AND started_at_ms >= ? AND started_at_ms < ? ORDER BY started_at_ms DESC LIMIT 10')
        .all('shop', 0, END) as { detail: string }[];
      assert.match(plan.map((p) => p.detail).join(' | '), /USING INDEX results_target_failed/);
    } finally {
      db.close();
    }
    const all = store.reportFailureGroups('shop', END - 2 * HOUR_MS, END, 10_000);
    assert.equal(all.read, 360);
    assert.deepEqual(all.groups.map((g) => [g.region, g.ip, g.status, g.provenance, g.count]), [
      ['us-east', '127.0.0.12', 502, 'nginx', 120],
      ['eu-west', '127.0.0.12', 502, 'nginx', 120],
      ['ap-south', '127.0.0.12', 502, 'nginx', 120],
    ]);
    assert.equal(all.newest.length, 10);
    const capped = store.reportFailureGroups('shop', END - 2 * HOUR_MS, END, 30);
    assert.equal(capped.read, 30);
    assert.ok(capped.groups.every((g) => g.lastMs >= END - 10 * 60_000), 'the newest 30 are from the last 10 minutes');
    const samples = store.reportSamples([...all.newest, 'no-such-id']);
    assert.deepEqual(samples.map((s) => s.resultId), all.newest);
    assert.deepEqual(store.reportFailureGroups('api', END - 2 * HOUR_MS, END, 100), { groups: [], read: 0, newest: [] });
  });

  it('report reads - the detail window: every raw result, or the newest ones from a whole minute when there are more', () => {
    const all = store.reportDetail('shop', END - 2 * HOUR_MS, END, 10_000);
    assert.deepEqual([all.fromMs, all.rows.length], [END - 2 * HOUR_MS, 120 * 9]);
    const eu = all.rows.filter((r) => r.region === 'eu-west' && r.ip === '127.0.0.12');
    assert.deepEqual([eu.length, eu.every((r) => !r.ok && r.identity['x-served-by'] === 'lb-2')], [120, true]);
    assert.deepEqual(all.rows[0]!.phases.length, 6);
    const capped = store.reportDetail('shop', END - 2 * HOUR_MS, END, 100);
    assert.equal(capped.fromMs % 60_000, 0);
    assert.ok(capped.fromMs > END - 2 * HOUR_MS);
    assert.ok(capped.rows.length <= 100 && capped.rows.length >= 100 - 9, `${capped.rows.length}: whole rounds of 9`);
  });

  it('report reads - status minutes of every target for the dashboard', () => {
    const rows = store.statusMinutes(END - 10 * 60_000, END);
    assert.equal(rows.length, 2 * 3 * 10);
    assert.deepEqual(rows.find((r) => r.target === 'shop' && r.region === 'eu-west' && r.minuteMs === END - 60_000), { target: 'shop', region: 'eu-west', minuteMs: END - 60_000, n: 3, failures: 1 });
  });

  it('report reads - targets seen, the oldest raw result, incidents overlapping a range', () => {
    assert.deepEqual([store.targetSeen('shop'), store.targetSeen('nope')], [true, false]);
    assert.equal(store.oldestResultMs(), END - 2 * HOUR_MS + 1_010, "the first probe of the first round");
    const a = recordIncident(store, { target: 'shop', openedAtMs: END - 5 * HOUR_MS, resolvedAtMs: END - 4 * HOUR_MS, verdict: 'origin', suspects: [], summary: 'a' });
    const b = recordIncident(store, { target: 'shop', openedAtMs: END - 3 * HOUR_MS, resolvedAtMs: END - HOUR_MS, verdict: 'origin', suspects: [], summary: 'b' });
    const c = recordIncident(store, { target: 'shop', openedAtMs: END - 30 * 60_000, verdict: 'lb-node', suspects: [], summary: 'c' });
    const ids = (from: number, to: number) => store.incidentsBetween('shop', from, to, 10).map((i) => i.id);
    assert.deepEqual(ids(END - 2 * HOUR_MS, END), [c.id, b.id]);
    assert.deepEqual(ids(END - 6 * HOUR_MS, END - 4.5 * HOUR_MS), [a.id]);
    assert.deepEqual(ids(END - 2 * HOUR_MS, END - 1.5 * HOUR_MS), [b.id], 'open at some point of the range');
    assert.deepEqual(ids(END - 50 * 60_000, END - 40 * 60_000), [], 'none open then');
    assert.deepEqual(ids(END + HOUR_MS, END + 2 * HOUR_MS), [c.id], 'still open');
    assert.deepEqual(store.incidentsBetween('api', END - 6 * HOUR_MS, END, 10), []);
  });
});
