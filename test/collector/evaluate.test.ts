import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateTarget, EXACT_AGENT_RATES_BELOW_MS } from '../../collector/evaluate.js';
import type { ResultRecord, Store } from '../../collector/store/index.js';
import { fakeRecord } from '../helpers/collector-fixtures.js';
import { TempDir, tempStore } from '../helpers/collector-store.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 30);
const AGENTS = [['eu-west', 'eu-1'], ['eu-west', 'eu-2'], ['us-east', 'us-1'], ['us-east', 'us-2']] as const;
const IPS = ['192.0.2.1', '192.0.2.2'];

/** 20 minutes of both targets from every agent every 10 s; eu-2's own network drops every probe it makes. */
function results(): ResultRecord[] {
  const out: ResultRecord[] = [];
  for (let t = NOW - 20 * 60_000; t < NOW; t += 10_000) {
    for (const target of ['shop', 'api']) {
      for (const [region, agent] of AGENTS) {
        for (const ip of IPS) out.push(fakeRecord({ target, region, agent, ip, startedAtMs: t, failure: agent === 'eu-2' ? 'CONNECT_TIMEOUT' : null }));
      }
    }
  }
  return out;
}

describe('evaluateTarget', () => {
  const dir = new TempDir();
  let store: Store;
  before(() => {
    store = tempStore(dir);
    store.insertResults(results());
  });
  after(() => {
    store.close();
    dir.dispose();
  });

  it('evaluate - an agent failing on every target is set aside, from exact counts (short window) and from the in-memory minute totals (long window) alike', () => {
    const verdicts = [];
    for (const longWindowMs of [5 * 60_000, 15 * 60_000]) {
      const d = evaluateTarget(store, 'shop', NOW, { shortWindowMs: 60_000, longWindowMs });
      verdicts.push(d.findings.map((f) => [f.verdict, f.suspects.map((s) => `${s.dimension}=${s.value}`)]));
      assert.equal(d.verdict, 'agent', `long window ${longWindowMs / 60_000} min: ${JSON.stringify(d.findings.map((f) => f.summary))}`);
    }
    assert.ok(5 * 60_000 < EXACT_AGENT_RATES_BELOW_MS && 15 * 60_000 >= EXACT_AGENT_RATES_BELOW_MS, 'one window on each path');
    assert.deepEqual(verdicts[0], [['agent', ['agent=eu-2']]]);
    assert.deepEqual(verdicts[1], verdicts[0]);
  });

  it('evaluate - the hints\' commands use the URL and method of the target\'s newest result', () => {
    const web: ResultRecord[] = [];
    for (let t = NOW - 10 * 60_000; t < NOW; t += 10_000) {
      for (const [region, agent] of AGENTS.filter(([, a]) => a !== 'eu-2')) {
        for (const ip of IPS) {
          const failure = ip === '192.0.2.2' ? 'HTTP_STATUS' : null;
          // the target's URL changed 5 minutes ago (a new port): the hints follow the newest
          const url = t < NOW - 5 * 60_000 ? 'http://web.test/health' : 'http://web.test:8080/health?deep=1&from=crossprobe';
          web.push({ ...fakeRecord({ target: 'web', region, agent, ip, startedAtMs: t, failure }), url, method: 'HEAD' });
        }
      }
    }
    store.insertResults(web);
    const d = evaluateTarget(store, 'web', NOW, { shortWindowMs: 60_000, longWindowMs: 15 * 60_000 });
    const node = d.findings.find((f) => f.verdict === 'lb-node');
    assert.ok(node, JSON.stringify(d.findings.map((f) => f.summary)));
    assert.ok(
      node.hints.some((h) => h.includes("curl -sv -I --connect-to ::192.0.2.2 'http://web.test:8080/health?deep=1&from=crossprobe'")),
      node.hints.join('\n'),
    );
    assert.deepEqual(store.probedAs('web'), { url: 'http://web.test:8080/health?deep=1&from=crossprobe', method: 'HEAD' });
    assert.equal(store.probedAs('nothing-yet'), null);
  });
});
