import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCollectorConfig } from '../../../collector/config.js';

describe('collector ingest config', () => {
  it('ingest config - the bounds of what ingest takes, from flags and environment, checked', () => {
    assert.deepEqual(parseCollectorConfig([], {}).ingest, { maxResultTargets: 20_000, maxServingNodes: 1_000, maxRejects: 100_000, maxClockSkewMs: 300_000 });
    const c = parseCollectorConfig(['--max-result-targets', '0', '--max-serving-nodes', '64', '--max-rejects', '5000'], { CROSSPROBE_MAX_CLOCK_SKEW: '30s' });
    assert.deepEqual(c.ingest, { maxResultTargets: 0, maxServingNodes: 64, maxRejects: 5_000, maxClockSkewMs: 30_000 });
    assert.throws(() => parseCollectorConfig(['--max-rejects', '0'], {}), { message: /^maxRejects \(--max-rejects, CROSSPROBE_MAX_REJECTS\): must be a whole number from 1 to 10000000/ });
    assert.throws(() => parseCollectorConfig(['--max-result-targets=-1'], {}), { message: /^maxResultTargets \(--max-result-targets, CROSSPROBE_MAX_RESULT_TARGETS\): must be a whole number from 0 to 1000000/ });
    assert.throws(() => parseCollectorConfig(['--max-clock-skew', 'soon'], {}), { message: /^maxClockSkew \(--max-clock-skew, CROSSPROBE_MAX_CLOCK_SKEW\): must be a duration/ });
    assert.throws(() => parseCollectorConfig(['--max-clock-skew', '0s'], {}), { message: 'maxClockSkew (--max-clock-skew, CROSSPROBE_MAX_CLOCK_SKEW): must be more than 0 (got "0s")' });
  });
});
