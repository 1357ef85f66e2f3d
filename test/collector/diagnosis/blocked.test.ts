import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../../collector/diagnosis/index.js';
import { BAD_GATEWAY, HOUR, NOW, code, everywhere, generate, ipNames, onNode } from './scenarios.js';

const BLOCKED = code('ADDRESS_BLOCKED');

function verdictOf(observations: ReturnType<typeof generate>) {
  return diagnose({ target: 'shop', observations, agents: [], nowMs: NOW, options: { longWindowMs: HOUR } });
}

test('blocked probes - a target every probe of which the agents refused (ADDRESS_BLOCKED) gets no verdict against it', () => {
  const observations = generate({ seed: 7, regions: 4, ips: 3, durationMs: HOUR, faults: [everywhere(1, BLOCKED)] });
  assert.ok(observations.length > 100 && observations.every((o) => o.failure === 'ADDRESS_BLOCKED'));
  const d = verdictOf(observations);
  assert.equal(d.verdict, 'healthy');
  assert.deepEqual(d.findings, []);
});

test('blocked probes - the agents that were refused on one node do not make that node an lb-node', () => {
  const [a] = ipNames(3) as [string];
  const observations = generate({ seed: 8, regions: 4, ips: 3, durationMs: HOUR, faults: [onNode(a, 1, BLOCKED)] });
  assert.equal(verdictOf(observations).verdict, 'healthy');
  // the same grid failing for real is an lb-node: the filter is what made the difference
  const failing = generate({ seed: 8, regions: 4, ips: 3, durationMs: HOUR, faults: [onNode(a, 1, BAD_GATEWAY)] });
  assert.equal(verdictOf(failing).verdict, 'lb-node');
});
