import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MIGRATIONS, migrate, openDatabase, openStore, schemaVersion, StoreError } from '../../../collector/store/index.js';
import { fakeRecord } from '../../helpers/collector-fixtures.js';
import { TempDir, readDb } from '../../helpers/collector-store.js';

const tables = (path: string): string[] => {
  const db = readDb(path);
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]).filter((n) => !n.startsWith('sqlite_'));
  } finally {
    db.close();
  }
};

describe('migrations', () => {
  let dir: TempDir;
  before(() => (dir = new TempDir()));
  after(() => dir.dispose());

  it('migrations - a fresh file gets every step, in WAL mode', () => {
    const path = dir.file('fresh.db');
    const store = openStore(path);
    try {
      assert.deepEqual(store.schema, { from: 0, to: MIGRATIONS.at(-1)!.version });
    } finally {
      store.close();
    }
    assert.deepEqual(tables(path), ['agent_alerts', 'agents', 'incident_events', 'incidents', 'rejects', 'results', 'rollups', 'rollups_hourly', 'schema_migrations', 'targets']);
    const db = readDb(path);
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.deepEqual(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(), MIGRATIONS.map((m) => m.version));
    } finally {
      db.close();
    }
  });

  it('migrations - reopening applies nothing and keeps the data', () => {
    const path = dir.file('reopen.db');
    const first = openStore(path);
    first.insertResults([fakeRecord(), fakeRecord()]);
    first.close();
    const second = openStore(path);
    try {
      assert.deepEqual(second.schema, { from: MIGRATIONS.at(-1)!.version, to: MIGRATIONS.at(-1)!.version });
      assert.equal(second.countResults(), 2);
    } finally {
      second.close();
    }
    const db = readDb(path);
    try {
      assert.equal(db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get(), MIGRATIONS.length);
    } finally {
      db.close();
    }
  });

  it('migrations - a v1 database upgrades, its results backfilled into rollups', () => {
    const path = dir.file('v1.db');
    const db = openDatabase(path);
    assert.deepEqual(migrate(db, MIGRATIONS.slice(0, 1)), { from: 0, to: 1 });
    const t0 = Date.UTC(2024, 0, 1, 12, 0, 0);
    const records = [
      fakeRecord({ startedAtMs: t0 + 1_000 }),
      fakeRecord({ startedAtMs: t0 + 2_000, failure: 'HTTP_STATUS' }),
      fakeRecord({ startedAtMs: t0 + 61_000, totalMs: null }),
    ];
    // What a v1 collector wrote: raw rows only.
    const insert = db.prepare(`INSERT INTO results (result_id, target, region, agent, url, method, ip, ip_family, started_at_ms,
      round_at_ms, ok, failure, status, first_byte_ms, total_ms, source_address, headers, identity, body_bytes, body_truncated,
      ips_in_round, received_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, 4, ?, ?, ?, ?, ?, ?, ?, '', '{}', '{}', 0, 0, 1, ?)`);
    for (const r of records) {
      insert.run(r.resultId, r.target, r.region, r.agent, r.url, r.method, r.ip, r.startedAtMs, r.roundAtMs, r.ok ? 1 : 0, r.failure, r.status,
        r.phases.firstByte, r.phases.total, r.receivedAtMs);
    }
    assert.equal(schemaVersion(db), 1);
    db.close();
    assert.ok(!tables(path).includes('rollups'));

    const store = openStore(path);
    try {
      assert.deepEqual(store.schema, { from: 1, to: MIGRATIONS.at(-1)!.version });
      assert.equal(store.countResults(), 3);
      const rollups = store.rollups('shop', t0, t0 + 120_000);
      assert.deepEqual(
        rollups.map((r) => ({ minuteMs: r.minuteMs, n: r.n, failures: r.failures, codes: r.failuresByCode, totalN: r.totalMs.n })),
        [
          { minuteMs: t0, n: 2, failures: 1, codes: { HTTP_STATUS: 1 }, totalN: 2 },
          { minuteMs: t0 + 60_000, n: 1, failures: 0, codes: {}, totalN: 0 },
        ],
      );
      // and the upgraded store keeps counting from there
      store.insertResults([fakeRecord({ startedAtMs: t0 + 3_000 })]);
      assert.equal(store.rollups('shop', t0, t0 + 60_000)[0]?.n, 3);
    } finally {
      store.close();
    }
  });

  it('migrations - a database newer than the collector is refused', () => {
    const path = dir.file('newer.db');
    openStore(path).close();
    const db = openDatabase(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (99, ?, 0)').run('from the future');
    db.close();
    assert.throws(
      () => openStore(path),
      (err: unknown) => err instanceof StoreError && err.code === 'ERR_STORE_SCHEMA_TOO_NEW' && /version 99/.test(err.message),
    );
  });
});
