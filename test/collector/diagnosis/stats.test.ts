import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  binomialUpper, countKeys, fisherGreater, fisherLess, forgetTails, hypergeometricLower, hypergeometricUpper, logChoose, logFactorial, median, quantile, quantileInPlace,
} from '../../../collector/diagnosis/stats.js';

/** The q-quantile by definition: sorted numerically, interpolated between the two nearest ranks. */
function sortedQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lower = Math.floor(pos);
  const a = sorted[lower]!;
  const b = sorted[Math.ceil(pos)]!;
  return a + (b - a) * (pos - lower);
}

function close(actual: number, expected: number, relative = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= relative * Math.max(Math.abs(expected), 1e-300), `${actual} should be ${expected}`);
}

test('logFactorial - matches n! for small n', () => {
  close(logFactorial(0), 0);
  close(logFactorial(1), 0);
  close(logFactorial(10), Math.log(3_628_800));
  close(logChoose(20, 10), Math.log(184_756));
  assert.equal(logChoose(5, 6), -Infinity);
  assert.throws(() => logFactorial(-1), RangeError);
});

test('fisherGreater - the tea-tasting table by hand', () => {
  // [[3,1],[1,3]]: P(X >= 3) with 4 of 8 marked, 4 drawn = (C(4,3)C(4,1) + C(4,4)C(4,0)) / C(8,4) = 17/70.
  close(fisherGreater({ failures: 3, probes: 4 }, { failures: 1, probes: 4 }), 17 / 70);
  // [[4,0],[0,4]]: only the observed table is as extreme: 1/70.
  close(fisherGreater({ failures: 4, probes: 4 }, { failures: 0, probes: 4 }), 1 / 70);
  // The other tail: P(X <= 1) = (C(4,0)C(4,4) + C(4,1)C(4,3)) / 70 = 17/70.
  close(fisherLess({ failures: 1, probes: 4 }, { failures: 3, probes: 4 }), 17 / 70);
});

test('fisherGreater - 3 failures in 5 probes vs 0 in 10', () => {
  // C(5,3) / C(15,3) = 10 / 455.
  close(fisherGreater({ failures: 3, probes: 5 }, { failures: 0, probes: 10 }), 10 / 455);
});

test('fisherGreater - a large sparse table matches the closed form', () => {
  // Every failure inside: p = C(180,5) / C(1440,5).
  const expected = Math.exp(logChoose(180, 5) - logChoose(1440, 5));
  close(fisherGreater({ failures: 5, probes: 180 }, { failures: 0, probes: 1260 }), expected, 1e-8);
  assert.ok(expected < 1e-4 && expected > 1e-5);
});

test('fisherGreater - no difference gives p near 1 and no probes gives 1', () => {
  assert.ok(fisherGreater({ failures: 5, probes: 1000 }, { failures: 5, probes: 1000 }) > 0.5);
  assert.equal(fisherGreater({ failures: 0, probes: 10 }, { failures: 3, probes: 10 }), 1);
  assert.equal(fisherGreater({ failures: 3, probes: 3 }, { failures: 0, probes: 0 }), 1);
});

test('hypergeometric - the two tails add up to one', () => {
  for (const x of [0, 1, 2, 3, 4, 5]) {
    close(hypergeometricUpper(x, 30, 8, 10) + hypergeometricLower(x - 1, 30, 8, 10), 1, 1e-12);
  }
  assert.equal(hypergeometricUpper(0, 30, 8, 10), 1);
  assert.equal(hypergeometricUpper(9, 30, 8, 10), 0);
});

test('hypergeometric - tails asked again come from a cache that keeps each tail apart and answers as a fresh sum', () => {
  forgetTails();
  const population = 400;
  const successes = 60;
  const draws = 90;
  const first = new Map<number, { upper: number; lower: number }>();
  for (let x = 0; x <= 40; x++) {
    // the same arguments for both tails: one cache for both would answer the second with the first
    const upper = hypergeometricUpper(x, population, successes, draws);
    const lower = hypergeometricLower(x, population, successes, draws);
    first.set(x, { upper, lower });
  }
  for (let x = 0; x < 40; x++) close(first.get(x)!.lower + first.get(x + 1)!.upper, 1, 1e-10);
  // asked again (cached), then after the cache is emptied (summed afresh): the same doubles
  for (const round of ['cached', 'fresh']) {
    if (round === 'fresh') forgetTails();
    for (let x = 40; x >= 0; x--) {
      assert.equal(hypergeometricLower(x, population, successes, draws), first.get(x)!.lower, `${round} lower ${x}`);
      assert.equal(hypergeometricUpper(x, population, successes, draws), first.get(x)!.upper, `${round} upper ${x}`);
    }
  }
});

test('binomialUpper - known values', () => {
  // 1 - P(0) - P(1) - P(2) for Binomial(10, 0.1).
  close(binomialUpper(3, 10, 0.1), 1 - (0.9 ** 10 + 10 * 0.1 * 0.9 ** 9 + 45 * 0.01 * 0.9 ** 8), 1e-10);
  close(binomialUpper(1, 5, 0.5), 1 - 0.5 ** 5);
  close(binomialUpper(5, 5, 0.5), 0.5 ** 5);
  assert.equal(binomialUpper(0, 10, 0.3), 1);
  assert.equal(binomialUpper(11, 10, 0.3), 0);
  assert.equal(binomialUpper(1, 10, 0), 0);
  assert.throws(() => binomialUpper(1, 10, 1.5), RangeError);
});

test('binomialUpper - far tails stay accurate', () => {
  // 30 failures in 100 at a 1% background: P(X >= 30) = P(30) (1 + 70/31 * 0.01/0.99 + ...), the terms
  // shrinking ~44-fold each: between P(30) * 1.0228 and P(30) * 1.0234.
  const first = Math.exp(logChoose(100, 30) + 30 * Math.log(0.01) + 70 * Math.log(0.99));
  const p = binomialUpper(30, 100, 0.01);
  assert.ok(p > first * 1.0228 && p < first * 1.0234, `${p} vs ${first}`);
});

test('quantile - interpolates and handles empty input', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([1, 2, 3, 4]), 2.5);
  assert.equal(quantile([10, 20, 30, 40, 50], 0.9), 46);
  assert.ok(Number.isNaN(median([])));
});

test('quantile - numeric order (a text sort would put 100 before 9), the input left as it was', () => {
  const values = [250, 31, 1_000, 75, 9, 4_096];
  assert.equal(quantile(values, 0.5), 162.5);
  assert.equal(quantile([10, 9, 100, 0.5, -3], 0.5), 9);
  for (const q of [0, 0.1, 0.5, 0.9, 1]) assert.equal(quantile(values, q), sortedQuantile(values, q));
  assert.deepEqual(values, [250, 31, 1_000, 75, 9, 4_096], 'the input is left as it was');
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test('quantileInPlace - the same number as sorting, on shuffled, sorted, reversed and constant data full of ties', () => {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const sets: number[][] = [[], [7], [3, 3], [5, -2], [1, 2, 3, 4], Array.from({ length: 1_000 }, () => 20)];
  for (const n of [3, 10, 57, 1_000, 10_001]) {
    sets.push(Array.from({ length: n }, () => Math.round(30 + 200 * random() ** 3)));
    sets.push(Array.from({ length: n }, () => (random() - 0.5) * 1e6));
    sets.push(Array.from({ length: n }, (_, i) => i % 7));
    const ascending = Array.from({ length: n }, (_, i) => i * 3);
    sets.push(ascending, [...ascending].reverse());
  }
  for (const values of sets) {
    for (const q of [0, 0.1, 0.25, 1 / 3, 0.5, 0.9, 0.99, 1]) {
      const expected = sortedQuantile(values, q);
      const got = quantileInPlace(Float64Array.from(values), q);
      assert.ok(Object.is(got, expected), `n=${values.length} q=${q}: ${got} vs ${expected}`);
    }
    assert.ok(Object.is(median(values), sortedQuantile(values, 0.5)));
  }
});

test('countKeys - each key counted wherever it occurs (runs, or none), null keys left out, keys in the order they first occur', () => {
  let seed = 5;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const keys = ['a', 'b', 'c', null] as const;
  for (let round = 0; round < 200; round++) {
    // long runs, short runs and single items, of a few keys and null
    const items: (string | null)[] = [];
    while (items.length < round) {
      const k = keys[Math.floor(random() * keys.length)]!;
      for (let n = 1 + Math.floor(random() * (round % 3 === 0 ? 20 : 2)); n > 0; n--) items.push(k);
    }
    const want = new Map<string, number>();
    for (const k of items) if (k !== null) want.set(k, (want.get(k) ?? 0) + 1);
    assert.deepEqual([...countKeys(items, (k) => k)], [...want], `round ${round}`);
  }
  assert.deepEqual([...countKeys([{ s: 2 }, { s: 1 }, { s: 2 }], (o) => o.s)], [[2, 2], [1, 1]]);
});
