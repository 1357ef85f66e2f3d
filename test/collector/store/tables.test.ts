import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { parseTarget } from '../../../proto/index.js';
import { MAX_REJECT_BYTES, type AgentHeartbeat } from '../../../collector/store/index.js';
import { suiteStore } from '../../helpers/collector-store.js';

const heartbeat = (over: Partial<AgentHeartbeat> = {}): AgentHeartbeat => ({
  region: 'eu-west', agent: 'a1', version: '0.1.0', receivedAtMs: 1_000, sentAtMs: 990, startedAtMs: 10, targets: 3,
  spoolDepth: 0, spoolDropped: 0, spoolBytes: 0, schedLagMs: 1.5, resultsPublished: 42, inFlight: 1,
  controls: [{ url: 'https://example.com/', ok: true, failure: null, checkedAtMs: 900, consecutiveFailures: 0, totalMs: 12 }],
  ...over,
});

describe('store tables', () => {
  const fx = suiteStore();

  it('targets - put, get, list and delete round-trip the normalized target', () => {
    const shop = parseTarget({ id: 'shop', url: 'https://shop.example.com/health', interval: '30s', identity: [{ header: 'cf-ray', pattern: '-(\\w+)$', name: 'pop' }] });
    assert.deepEqual(fx.store.putTarget(shop, 100), { created: true });
    assert.deepEqual(fx.store.getTarget('shop'), { target: shop, createdAtMs: 100, updatedAtMs: 100 });
    const changed = parseTarget({ id: 'shop', url: 'https://shop.example.com/health', interval: '10s' });
    assert.deepEqual(fx.store.putTarget(changed, 200), { created: false });
    assert.deepEqual(fx.store.getTarget('shop'), { target: changed, createdAtMs: 100, updatedAtMs: 200 });
    fx.store.putTarget(parseTarget({ id: 'api', url: 'http://api.example.com/' }), 300);
    assert.deepEqual(fx.store.listTargets().map((t) => t.target.id), ['api', 'shop']);
    assert.equal(fx.store.deleteTarget('shop'), true);
    assert.equal(fx.store.deleteTarget('shop'), false);
    assert.equal(fx.store.getTarget('shop'), null);
  });

  it('targets - a put while another process holds the write lock (as the ingest writer does) waits for it instead of failing', async () => {
    // the other connection: BEGIN IMMEDIATE, a write, 300 ms, then ROLLBACK (nothing changes)
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const holder = spawn(process.execPath, ['-e', `
      const db = new (require(${JSON.stringify(sqlite)}))(${JSON.stringify(fx.store.path)});
      db.exec('BEGIN IMMEDIATE'); db.exec('CREATE TABLE lock_probe (a)');
      process.stdout.write('locked\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      db.exec('ROLLBACK'); db.close();`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await once(holder.stdout!, 'data');
      // a deferred transaction that reads (exists?) before it writes got SQLITE_BUSY at once here
      assert.deepEqual(fx.store.putTarget(parseTarget({ id: 'locked-out', url: 'http://shop.test/' }), 100), { created: true });
      assert.equal(fx.store.getTarget('locked-out')?.createdAtMs, 100);
    } finally {
      if (holder.exitCode === null) holder.kill('SIGKILL');
    }
  });

  it('agents - a heartbeat creates the row and the next one replaces it', () => {
    fx.store.upsertHeartbeat(heartbeat());
    fx.store.upsertHeartbeat(heartbeat({ region: 'us-east' }));
    fx.store.upsertHeartbeat(heartbeat({ receivedAtMs: 6_000, resultsPublished: 50, controls: [{ url: 'https://example.com/', ok: false, failure: 'CONNECT_TIMEOUT', checkedAtMs: 5_900, consecutiveFailures: 3, totalMs: null }] }));
    const agents = fx.store.listAgents();
    assert.deepEqual(agents.map((a) => [a.region, a.agent, a.lastSeenMs, a.resultsPublished, a.controlsFailing]), [
      ['eu-west', 'a1', 6_000, 50, true],
      ['us-east', 'a1', 1_000, 42, false],
    ]);
    assert.equal(agents[0]!.controls[0]!.failure, 'CONNECT_TIMEOUT');
  });

  it('rejects - are kept with their size, bytes capped', () => {
    const big = new Uint8Array(MAX_REJECT_BYTES + 10).fill(7);
    fx.store.insertReject({ receivedAtMs: 1, subject: 's.1', reason: 'too big', bytes: big });
    fx.store.insertBatch({ results: [], rejects: [{ receivedAtMs: 2, subject: 's.2', reason: 'empty', bytes: new Uint8Array() }] });
    assert.equal(fx.store.countRejects(), 2);
    const [newest, oldest] = fx.store.listRejects(10);
    assert.equal(newest?.reason, 'empty');
    assert.equal(newest?.bytes.length, 0);
    assert.equal(oldest?.size, MAX_REJECT_BYTES + 10);
    assert.equal(oldest?.bytes.length, MAX_REJECT_BYTES);
    assert.deepEqual(fx.store.listRejects(10, newest!.id).map((r) => r.reason), ['too big']);
  });
});
