import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../../../collector/diagnosis/types.js';
import { StoreError, type ResultRecord } from '../../../collector/store/index.js';
import { fakeRecord } from '../../helpers/collector-fixtures.js';
import { readDb, suiteStore } from '../../helpers/collector-store.js';

const T0 = Date.UTC(2024, 5, 1, 0, 0, 0);

describe('results', () => {
  const fx = suiteStore();

  it('results - insertResults stores every field and is idempotent on the result id', () => {
    const r = fakeRecord({ target: 'idem', startedAtMs: T0, failure: 'HTTP_STATUS', identity: { pop: 'FRA' } });
    assert.equal(fx.store.insertResults([r, fakeRecord({ target: 'idem', startedAtMs: T0 + 1 })]), 2);
    assert.equal(fx.store.insertResults([r]), 0);
    assert.equal(fx.store.insertResults([{ ...r, status: 504 }]), 0, 'a redelivery never overwrites');
    const page = fx.store.queryResults({ target: 'idem', limit: 10, order: 'asc' });
    assert.equal(page.results.length, 2);
    assert.deepEqual(page.results[0], r);
    assert.equal(page.results[0]!.status, 502);
    assert.equal(page.nextCursor, null);
  });

  it('results - a batch that cannot be stored commits nothing', () => {
    const before = fx.store.countResults();
    const good = fakeRecord({ target: 'atomic', startedAtMs: T0 });
    const bad = { ...fakeRecord({ target: 'atomic', startedAtMs: T0 }), url: null as unknown as string };
    assert.throws(() => fx.store.insertBatch({ results: [good, bad] }), /NOT NULL/);
    assert.equal(fx.store.countResults(), before);
    assert.deepEqual(fx.store.rollups('atomic', T0, T0 + 60_000), []);
    assert.equal(fx.store.insertResults([good]), 1, 'the good row was not half-committed before');
  });

  it('results - queryResults filters, and pages every row exactly once in both orders', () => {
    const rows: ResultRecord[] = [];
    for (let i = 0; i < 57; i++) {
      // several rows share a start time, so the cursor must break ties by id
      rows.push(fakeRecord({ target: 'paged', region: i % 3 === 0 ? 'us-east' : 'eu-west', startedAtMs: T0 + Math.floor(i / 4) * 1_000, failure: i % 5 === 0 ? 'CONNECT_RESET' : null }));
    }
    fx.store.insertResults(rows);
    const key = (r: ResultRecord) => [r.startedAtMs, r.resultId] as const;
    const sorted = [...rows].sort((a, b) => a.startedAtMs - b.startedAtMs || (a.resultId < b.resultId ? -1 : 1));
    for (const order of ['asc', 'desc'] as const) {
      const seen: ResultRecord[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = fx.store.queryResults({ target: 'paged', limit: 10, order, ...(cursor === null ? {} : { cursor }) });
        seen.push(...page.results);
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null);
      assert.equal(pages, 6);
      const want = order === 'asc' ? sorted : [...sorted].reverse();
      assert.deepEqual(seen.map(key), want.map(key), order);
    }
    const failed = fx.store.queryResults({ target: 'paged', ok: false, limit: 100 }).results;
    assert.equal(failed.length, 12);
    assert.ok(failed.every((r) => r.failure === 'CONNECT_RESET'));
    assert.equal(fx.store.queryResults({ target: 'paged', failure: 'CONNECT_RESET', region: 'us-east', limit: 100 }).results.length, rows.filter((r, i) => i % 5 === 0 && i % 3 === 0).length);
    const ranged = fx.store.queryResults({ target: 'paged', from: T0 + 2_000, to: T0 + 4_000, limit: 100 }).results;
    assert.equal(ranged.length, 8);
    assert.ok(ranged.every((r) => r.startedAtMs >= T0 + 2_000 && r.startedAtMs < T0 + 4_000));
  });

  it('results - a cursor the server did not issue, or for the other order, is refused', () => {
    const page = fx.store.queryResults({ target: 'paged', limit: 5, order: 'asc' });
    assert.ok(page.nextCursor);
    assert.throws(() => fx.store.queryResults({ target: 'paged', limit: 5, order: 'desc', cursor: page.nextCursor! }), (e: unknown) => e instanceof StoreError && e.code === 'ERR_STORE_BAD_CURSOR');
    assert.throws(() => fx.store.queryResults({ limit: 5, cursor: 'bm9wZQ' }), (e: unknown) => e instanceof StoreError && e.code === 'ERR_STORE_BAD_CURSOR');
    assert.throws(() => fx.store.queryResults({ limit: 0 }), (e: unknown) => e instanceof StoreError && e.code === 'ERR_STORE_BAD_QUERY');
  });

  it('results - observations are the window of one target, oldest first, shaped for the classifier', () => {
    const a = fakeRecord({ target: 'obs', startedAtMs: T0 + 5_000, failure: 'HTTP_STATUS', identity: { pop: 'FRA' } });
    const b = fakeRecord({ target: 'obs', startedAtMs: T0 + 1_000, ip: '', failure: 'DNS_SERVFAIL', totalMs: null });
    const outside = fakeRecord({ target: 'obs', startedAtMs: T0 + 10_000 });
    fx.store.insertResults([a, b, outside, fakeRecord({ target: 'other', startedAtMs: T0 + 2_000 })]);
    const obs: readonly Observation[] = fx.store.observations('obs', T0, T0 + 10_000);
    assert.deepEqual(obs, [
      { atMs: b.startedAtMs, region: b.region, agent: b.agent, ip: '', identity: b.identity, ok: false, failure: 'DNS_SERVFAIL', status: null, provenance: null, firstByteMs: null, totalMs: null, resultId: b.resultId },
      { atMs: a.startedAtMs, region: a.region, agent: a.agent, ip: a.ip, identity: { pop: 'FRA' }, ok: false, failure: 'HTTP_STATUS', status: 502, provenance: 'nginx', firstByteMs: 20, totalMs: 30, resultId: a.resultId },
    ]);
  });

  it('results - agentFailureRates counts each agent over every other target in the window', () => {
    const w = T0 + 86_400_000;
    fx.store.insertResults([
      fakeRecord({ target: 'x', agent: 'ag1', region: 'r1', startedAtMs: w, failure: 'CONNECT_REFUSED' }),
      fakeRecord({ target: 'y', agent: 'ag1', region: 'r1', startedAtMs: w + 1 }),
      fakeRecord({ target: 'y', agent: 'ag1', region: 'r1', startedAtMs: w + 2, failure: 'CONNECT_TIMEOUT' }),
      fakeRecord({ target: 'y', agent: 'ag2', region: 'r1', startedAtMs: w + 3 }),
      fakeRecord({ target: 'excluded', agent: 'ag2', region: 'r1', startedAtMs: w + 4, failure: 'HTTP_STATUS' }),
      fakeRecord({ target: 'y', agent: 'ag3', region: 'r2', startedAtMs: w + 1_000 }), // outside the window
    ]);
    assert.deepEqual(fx.store.agentFailureRates(w, w + 1_000, 'excluded'), [
      { agent: 'ag1', region: 'r1', failed: 2, total: 3 },
      { agent: 'ag2', region: 'r1', failed: 0, total: 1 },
    ]);
  });

  it('results - the query plans use the indexes', () => {
    const db = readDb(fx.store.path);
    try {
      const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
      assert.match(plan("SELECT * FROM results WHERE target = 'x' AND started_at_ms >= 1 AND started_at_ms < 2 ORDER BY started_at_ms, result_id"), /results_target_time/);
      assert.match(plan("SELECT * FROM results WHERE agent = 'x' AND started_at_ms >= 1"), /results_agent_time/);
      assert.match(plan('SELECT * FROM results WHERE (started_at_ms, result_id) < (1, \'x\') ORDER BY started_at_ms DESC, result_id DESC LIMIT 5'), /results_time_id/);
    } finally {
      db.close();
    }
  });
});
