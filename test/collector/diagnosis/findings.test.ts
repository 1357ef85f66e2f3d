import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFailures, failureKey, samplesOf } from '../../../collector/diagnosis/findings.js';
import { diagnose, type Observation, type TargetFinding } from '../../../collector/diagnosis/index.js';
import { seededRandom } from '../../../lab/faults.js';
import { HOUR, MINUTE, NOW, code, generate, http, ipNames } from './scenarios.js';

function failure(atMs: number, resultId: string, status = 502): Observation {
  return {
    atMs, region: 'eu-west', agent: 'eu-west-1', ip: '203.0.113.7', identity: {}, ok: false, failure: 'HTTP_STATUS', status,
    provenance: 'nginx', firstByteMs: 5, totalMs: 6, resultId,
  };
}

test('samplesOf - the newest failures first, on the same millisecond by result id, as a full sort would give', () => {
  const random = seededRandom(11);
  for (let round = 0; round < 50; round++) {
    // few distinct times: many ties, in no particular order, some result ids repeated
    const failures = Array.from({ length: 1 + Math.floor(random() * 60) }, () => failure(NOW - Math.floor(random() * 8) * 1_000, `r${Math.floor(random() * 40)}`));
    const reference = [...failures].sort((a, b) => b.atMs - a.atMs || (a.resultId < b.resultId ? -1 : a.resultId > b.resultId ? 1 : 0));
    for (const max of [0, 1, 5, failures.length, failures.length + 3]) {
      assert.deepEqual(
        samplesOf(failures, max).map((s) => `${s.at} ${s.resultId}`),
        reference.slice(0, max).map((o) => `${new Date(o.atMs).toISOString()} ${o.resultId}`),
        `round ${round}, max ${max}`,
      );
    }
  }
});

test('failureKey - an HTTP status names its code, whatever the status', () => {
  assert.equal(failureKey(failure(NOW, 'a', 502)), 'HTTP_STATUS 502');
  assert.equal(failureKey(failure(NOW, 'b', 502)), 'HTTP_STATUS 502');
  assert.equal(failureKey(failure(NOW, 'c', 504)), 'HTTP_STATUS 504');
  assert.equal(failureKey({ ...failure(NOW, 'd'), failure: null, status: 1_234_567 }), 'HTTP_STATUS 1234567');
  assert.equal(failureKey({ ...failure(NOW, 'e'), failure: 'CONNECT_RESET', status: null }), 'CONNECT_RESET');
  assert.equal(failureKey({ ...failure(NOW, 'f'), failure: null, status: null }), 'UNKNOWN');
});

test('describeFailures - counts each kind wherever it occurs, not only in one unbroken run', () => {
  const reset = (at: number): Observation => ({ ...failure(NOW - at, `c${at}`), failure: 'CONNECT_RESET', status: null });
  const bad = (at: number): Observation => failure(NOW - at, `b${at}`);
  // resets: 2 of 8 (a quarter) in two runs
  assert.equal(describeFailures([reset(1), bad(2), reset(3), bad(4), bad(5), bad(6), bad(7), bad(8)]), '502s and CONNECT_RESET failures');
  // resets: 5 of 8 in three runs, more than the 502s
  assert.equal(describeFailures([bad(1), reset(2), reset(3), bad(4), reset(5), bad(6), reset(7), reset(8)]), 'CONNECT_RESET and 502s');
  assert.equal(describeFailures([bad(1), reset(2), bad(3), bad(4), bad(5), bad(6), bad(7), bad(8)]), '502s', '1 of 8 resets is under a quarter');
});

test('the evidence counts every failure by code and by provenance, however the kinds interleave', () => {
  const [a] = ipNames(4) as [string];
  // node a fails half its probes, with a 502 from nginx, a 504 from haproxy or a reset, at random
  const shapes = [http(502, 'nginx'), http(504, 'haproxy'), code('CONNECT_RESET')];
  const observations = generate({
    seed: 71, regions: 4, ips: 4, durationMs: HOUR, faults: [(c) => (c.ip === a && c.rng() < 0.5 ? shapes[Math.floor(c.rng() * shapes.length)]! : null)],
  });
  const d = diagnose({ target: 'shop', observations, agents: [], nowMs: NOW });
  const f = d.findings.find((x): x is TargetFinding => x.verdict === 'lb-node');
  assert.ok(f !== undefined, JSON.stringify(d.findings.map((x) => x.summary)));
  const fromMs = NOW - (f.evidence.window === 'short' ? 5 : 60) * MINUTE;
  const failed = observations.filter((o) => !o.ok && o.ip === a && o.atMs > fromMs);
  const count = (key: (o: Observation) => string | null): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const o of failed) {
      const k = key(o);
      if (k !== null) counts[k] = (counts[k] ?? 0) + 1;
    }
    return counts;
  };
  assert.ok(Object.keys(count(failureKey)).length === 3, 'all three kinds occur');
  assert.deepEqual({ ...f.evidence.codes }, count(failureKey));
  assert.deepEqual({ ...f.evidence.provenance }, count((o) => o.provenance));
});
