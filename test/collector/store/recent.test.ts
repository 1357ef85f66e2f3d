import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openBatchInserter, openStore, summarizeCommit, type ResultRecord, type Store } from '../../../collector/store/index.js';
import { fakeRecord, rng } from '../../helpers/collector-fixtures.js';
import { TempDir } from '../../helpers/collector-store.js';

const T0 = Date.UTC(2024, 5, 1, 0, 0, 0);
const MIN = 60_000;
const REGIONS = ['eu-west', 'us-east', 'ap-south'];
const TARGETS = ['shop', 'api', 'www'];

/** Results of every target from every region over [fromMs, toMs), one per agent every 5 s, ~5% failing. */
function results(random: () => number, fromMs: number, toMs: number): ResultRecord[] {
  const out: ResultRecord[] = [];
  for (let t = fromMs; t < toMs; t += 5_000) {
    for (const target of TARGETS) {
      for (const region of REGIONS) {
        out.push(fakeRecord({
          target, region, agent: `${region}-1`, ip: `192.0.2.${1 + Math.floor(random() * 3)}`,
          startedAtMs: t + Math.floor(random() * 4_000), failure: random() < 0.05 ? 'HTTP_STATUS' : null,
          ...(random() < 0.5 ? { identity: { pop: random() < 0.5 ? 'FRA' : 'AMS' } } : {}),
        }));
      }
    }
  }
  return out;
}

describe('recent windows', () => {
  const dir = new TempDir();
  let store: Store;
  let sql: Store;
  let clock = 0;
  before(() => {
    store = openStore(dir.file(), { recent: { maxObservations: 100_000, keepMs: 10 * MIN, clock: () => clock } });
    sql = openStore(dir.file(), { recent: { maxObservations: 0 } });
  });
  after(() => {
    store.close();
    sql.close();
    dir.dispose();
  });

  it('recent - observations read from memory equal what SQLite holds, as windows slide and results arrive late or twice', () => {
    const random = rng(11);
    store.insertResults(results(random, T0, T0 + 30 * MIN));
    for (let step = 0; step < 20; step++) {
      const now = T0 + 30 * MIN + step * MIN;
      clock = step * MIN;
      // the next minute arrives, plus a late batch from one agent's spool and a redelivery
      const fresh = results(random, now, now + MIN);
      const late = results(random, now - 20 * MIN, now - 19 * MIN).filter((r) => r.region === 'ap-south');
      store.insertBatch({ results: [...fresh, ...late, ...fresh.slice(0, 5)] });
      for (const [target, windowMs] of [['shop', 15 * MIN], ['shop', 5 * MIN], ['api', 25 * MIN]] as const) {
        const to = now + MIN;
        const got = store.observations(target, to - windowMs, to);
        const want = sql.observations(target, to - windowMs, to);
        assert.ok(want.length > 100, 'the window holds results');
        assert.deepEqual(got, want, `${target} over ${windowMs / MIN} min at step ${step}`);
      }
    }
    assert.ok(store.observations('shop', T0, T0 + 60 * MIN).length > 0);
  });

  it('recent - agent totals over whole minutes equal the SQL counts of the same minutes', () => {
    const now = T0 + 52 * MIN + 17_000;
    const from = now - 20 * MIN;
    const totals = store.agentTotals(from, now);
    assert.equal(totals.fromMs, T0 + 32 * MIN, 'the minute holding the start');
    assert.equal(totals.toMs, T0 + 53 * MIN, 'up to the end of the minute holding the end');
    assert.deepEqual(totals.rates, sql.agentFailureRates(totals.fromMs, totals.toMs, 'no-such-target'));
    assert.equal(totals.rates.length, REGIONS.length);
    assert.ok(totals.rates.every((r) => r.failed > 0 && r.total > r.failed));
    // results committed after the totals were first read are counted
    const before = totals.rates.find((r) => r.region === 'eu-west')!;
    store.insertResults([fakeRecord({ target: 'www', region: 'eu-west', agent: 'eu-west-1', startedAtMs: now - 1_000, failure: 'CONNECT_REFUSED' })]);
    const again = store.agentTotals(from, now).rates.find((r) => r.region === 'eu-west')!;
    assert.deepEqual([again.failed, again.total], [before.failed + 1, before.total + 1]);
  });

  it('recent - a batch that rolls back never reaches memory', () => {
    const now = T0 + 52 * MIN;
    const seen = store.observations('shop', now - 5 * MIN, now + MIN).length;
    const good = fakeRecord({ target: 'shop', startedAtMs: now - 1_000 });
    const bad = { ...fakeRecord({ target: 'shop', startedAtMs: now - 2_000 }), url: null as unknown as string };
    assert.throws(() => store.insertBatch({ results: [good, bad] }), /NOT NULL/);
    assert.equal(store.observations('shop', now - 5 * MIN, now + MIN).length, seen);
    assert.ok(!store.observations('shop', now - 5 * MIN, now + MIN).some((o) => o.resultId === good.resultId));
  });

  it('recent - retention clears memory: deleted results are not served', async () => {
    const now = T0 + 52 * MIN;
    assert.ok(store.observations('api', T0, now).length > 0);
    await store.applyRetention(T0 + 40 * MIN, { rawMs: 1 });
    assert.deepEqual(store.observations('api', T0, now), sql.observations('api', T0, now));
    assert.ok(store.observations('api', T0, now).every((o) => o.atMs >= T0 + 40 * MIN - 1));
  });

  it('recent - the bound on observations held is kept by dropping the least recently read target', () => {
    const small = openStore(dir.file(), { recent: { maxObservations: 300, keepMs: 10 * MIN, clock: () => clock } });
    try {
      const from = T0 + 45 * MIN;
      const to = T0 + 50 * MIN;
      const shop = small.observations('shop', from, to).length;
      assert.ok(shop > 0 && shop < 300, `one target's window fits (${shop})`);
      small.observations('api', from, to);
      small.observations('www', from, to);
      assert.ok(small.recentSize > 0 && small.recentSize <= 300, `held ${small.recentSize}`);
      assert.deepEqual(small.observations('shop', from, to), sql.observations('shop', from, to), 'an evicted target is read again');
      const wide = small.observations('shop', T0, T0 + 80 * MIN);
      assert.deepEqual(wide, sql.observations('shop', T0, T0 + 80 * MIN));
      assert.ok(wide.length > 300, `${wide.length}`);
      assert.ok(small.recentSize <= 300, 'a window larger than the bound alone is served but not kept');
    } finally {
      small.close();
    }
  });

  it('recent - commits by another connection, reported after a load already saw them, are counted once', () => {
    // The collector's ingest commits on a writer thread's own connection and reports each commit
    // afterwards; a window loaded in between already holds that commit.
    const other = new TempDir();
    const reader = openStore(other.file(), { recent: { maxObservations: 100_000, keepMs: 10 * MIN, clock: () => clock } });
    const truth = openStore(other.file(), { recent: { maxObservations: 0 } });
    const writer = openBatchInserter(reader.path);
    try {
      const random = rng(23);
      const commit = (from: number) => {
        const batch = results(random, from, from + MIN);
        const { fresh, rowids } = writer.inserter.insert(batch);
        assert.equal(fresh.length, batch.length);
        return summarizeCommit(fresh, rowids);
      };
      reader.noteCommitted(commit(T0));
      const now = T0 + 10 * MIN;
      // shop and the agent totals are held before the next commit; api is loaded after it
      assert.ok(reader.observations('shop', T0, now).length > 0);
      reader.agentTotals(T0 + 2 * MIN, now);
      const late = commit(T0 + MIN);
      assert.ok(reader.observations('api', T0, now).length > 0, 'api loaded with the unreported commit in it');
      const wider = reader.agentTotals(T0, now);
      assert.ok(wider.rates.length > 0, 'totals reloaded from further back, with the unreported commit in them');
      reader.noteCommitted(late);
      for (const target of ['shop', 'api', 'www']) {
        assert.deepEqual(reader.observations(target, T0, now), truth.observations(target, T0, now), target);
      }
      const totals = reader.agentTotals(T0, now);
      assert.deepEqual(totals.rates, truth.agentFailureRates(totals.fromMs, totals.toMs, 'no-such-target'));
      assert.equal(totals.rates.reduce((n, r) => n + r.total, 0), truth.countResults());
    } finally {
      writer.close();
      reader.close();
      truth.close();
      other.dispose();
    }
  });
});
