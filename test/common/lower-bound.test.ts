import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowerBound } from '../../common/index.js';
import { seededRandom } from '../../lab/faults.js';

test('lower bound - the first item not below the bound, as a linear scan finds it', () => {
  const random = seededRandom(7);
  for (let round = 0; round < 300; round++) {
    // few distinct values: runs of equal ones
    const values = Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 10)).sort((a, b) => a - b);
    const rows = values.map((atMs) => ({ atMs }));
    for (let ms = -1; ms <= 11; ms++) {
      const atOrAfter = values.findIndex((v) => v >= ms);
      const after = values.findIndex((v) => v > ms);
      assert.equal(lowerBound(rows, (r) => r.atMs < ms), atOrAfter === -1 ? values.length : atOrAfter, `${values.join(',')} ≥ ${ms}`);
      assert.equal(lowerBound(values, (v) => v <= ms), after === -1 ? values.length : after, `${values.join(',')} > ${ms}`);
    }
  }
});

test('lower bound - typed arrays and the empty array', () => {
  assert.equal(lowerBound(new Float64Array([1, 2, 2, 5]), (v) => v < 2), 1);
  assert.equal(lowerBound(new Float64Array([1, 2, 2, 5]), (v) => v <= 2), 3);
  assert.equal(lowerBound([] as number[], () => true), 0);
  assert.equal(lowerBound([1, 2, 3], () => true), 3);
  assert.equal(lowerBound([1, 2, 3], () => false), 0);
});
