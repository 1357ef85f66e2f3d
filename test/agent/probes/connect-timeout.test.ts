import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsResolver, probeTarget } from '../../../agent/probes/index.js';
import { dropTcp } from '../../helpers/iptables.js';
import { failureOf, freePort, testContext, testTarget } from '../../helpers/probe-servers.js';

// e2e tier (iptables, root): kept apart from failures.test.ts so that the rest of it stays a unit test.
test('probe - a SYN that is never answered is CONNECT_TIMEOUT', async (t) => {
  const ip = '127.0.0.250';
  const port = await freePort(ip);
  const undo = dropTcp(ip, port);
  if (typeof undo === 'string') {
    t.skip(undo);
    return;
  }
  try {
    // an IP target: the resolver is never asked
    const ctx = testContext(new DnsResolver({ server: '127.0.0.1:1', timeoutMs: 500 }));
    const results = await probeTarget(testTarget({ url: `http://${ip}:${port}/`, timeout: '800ms' }), 1_763_776_000_000, ctx);
    assert.equal(results.length, 1);
    const r = results[0]!;
    assert.equal(r.ok, false);
    assert.equal(failureOf(r), 'CONNECT_TIMEOUT', `got ${failureOf(r) ?? 'ok'}: ${r.failureDetail ?? ''}`);
    assert.ok((r.failureDetail ?? '').length > 0, 'a human-readable detail');
    assert.equal(typeof r.phases?.total, 'number', 'total is always measured');
    assert.equal(r.phases?.dns, 0);
    assert.equal(r.phases?.connect, undefined);
  } finally {
    undo();
  }
});
