import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, backoffCeiling, backoffDelay, jittered } from '../../common/index.js';
import { seededRandom } from '../../lab/faults.js';

const JUST_BELOW_ONE = 1 - 2 ** -53;

test('backoff - ceilings double from the base up to the cap, as each retry loop had them', () => {
  // the agent's spool retry (1 s → 10 s), its JetStream replay (500 ms → 5 s), the collector's consumer
  // (250 ms → 5 s), the agent's first NATS connect (250 ms from attempt 1 → 2 s)
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((a) => backoffCeiling(a, 1_000, 10_000)), [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((a) => backoffCeiling(a, 500, 5_000)), [500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((a) => backoffCeiling(a, 250, 5_000)), [250, 500, 1_000, 2_000, 4_000, 5_000]);
  assert.deepEqual([1, 2, 3, 4, 9].map((a) => backoffCeiling(a, 250, 2_000)), [500, 1_000, 2_000, 2_000, 2_000]);
});

test('backoff - an attempt count far past the cap still gives the cap, never NaN or Infinity', () => {
  for (const attempt of [53, 1_023, 1_024, 10_000, Number.MAX_SAFE_INTEGER]) {
    assert.equal(backoffCeiling(attempt, 250, 5_000), 5_000, `attempt ${attempt}`);
    assert.equal(backoffCeiling(attempt, 0, 5_000), 0, `attempt ${attempt}, base 0`);
  }
  assert.equal(backoffCeiling(-3, 250, 5_000), 250, 'a negative attempt counts as the first');
});

test('backoff - jitter bounds: equal waits between half the ceiling and the ceiling, full between 0 and it', () => {
  for (const ceiling of [0, 1, 7, 250, 1_000, 5_000]) {
    assert.equal(jittered(ceiling, 'equal', () => 0), Math.round(ceiling / 2), `equal, lowest, ${ceiling}`);
    assert.equal(jittered(ceiling, 'equal', () => JUST_BELOW_ONE), ceiling, `equal, highest, ${ceiling}`);
    assert.equal(jittered(ceiling, 'full', () => 0), 0, `full, lowest, ${ceiling}`);
    assert.equal(jittered(ceiling, 'full', () => JUST_BELOW_ONE), ceiling, `full, highest, ${ceiling}`);
    assert.equal(jittered(ceiling, 'none', () => 0), ceiling, `none, ${ceiling}`);
  }
  const random = seededRandom(23);
  for (let i = 0; i < 2_000; i++) {
    const ceiling = Math.floor(random() * 10_000);
    const equal = jittered(ceiling, 'equal', random);
    const full = jittered(ceiling, 'full', random);
    assert.ok(Number.isInteger(equal) && equal >= Math.floor(ceiling / 2) && equal <= ceiling, `equal ${equal} of ${ceiling}`);
    assert.ok(Number.isInteger(full) && full >= 0 && full <= ceiling, `full ${full} of ${ceiling}`);
  }
});

test('backoff - jitter spreads the delays: clients failing together do not retry in lockstep', () => {
  const random = seededRandom(5);
  const delays = new Set(Array.from({ length: 100 }, () => backoffDelay(3, { baseMs: 500, maxMs: 5_000, random })));
  assert.ok(delays.size > 50, `${delays.size} distinct delays of 100`);
  assert.ok([...delays].every((d) => d >= 2_000 && d <= 4_000), 'equal jitter is the default');
});

test('backoff - Backoff gives base, 2×base, ... up to the cap, and starts over after reset()', () => {
  const b = new Backoff({ baseMs: 500, maxMs: 5_000, jitter: 'none' });
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  assert.equal(b.attempts, 6);
  b.reset();
  assert.equal(b.attempts, 0);
  assert.deepEqual([b.next(), b.next()], [500, 1_000]);

  const lowest = new Backoff({ baseMs: 1_000, maxMs: 10_000, random: () => 0 });
  assert.deepEqual([lowest.next(), lowest.next(), lowest.next(), lowest.next(), lowest.next()], [500, 1_000, 2_000, 4_000, 5_000]);
  const full = new Backoff({ baseMs: 1_000, maxMs: 10_000, jitter: 'full', random: () => 0.5 });
  assert.deepEqual([full.next(), full.next(), full.next(), full.next(), full.next()], [500, 1_000, 2_000, 4_000, 5_000]);
});
