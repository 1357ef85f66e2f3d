import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failureKey, samplesOf } from '../../../collector/diagnosis/findings.js';
import type { Observation } from '../../../collector/diagnosis/index.js';
import { seededRandom } from '../../../lab/faults.js';
import { NOW } from './scenarios.js';

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
