import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
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
