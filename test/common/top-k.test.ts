import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topK } from '../../common/index.js';
import { seededRandom } from '../../lab/faults.js';

interface Item {
  readonly atMs: number;
  readonly id: string;
  readonly ok: boolean;
}

const newestFirst = (a: Item, b: Item): number => b.atMs - a.atMs;

test('top k - the first k of a stable sort, scanning from either end, ties in input order', () => {
  const random = seededRandom(3);
  for (let round = 0; round < 200; round++) {
    // few distinct times: many ties; sometimes oldest first (the order the diagnosis gets)
    const items: Item[] = Array.from({ length: Math.floor(random() * 50) }, (_, i) => ({ atMs: Math.floor(random() * 6), id: `r${i}`, ok: random() < 0.3 }));
    if (round % 2 === 0) items.sort((a, b) => a.atMs - b.atMs);
    const sorted = [...items].sort(newestFirst);
    for (const k of [0, 1, 3, 7, items.length, items.length + 2]) {
      const want = sorted.slice(0, k).map((o) => o.id);
      assert.deepEqual(topK(items, k, newestFirst).map((o) => o.id), want, `round ${round}, k ${k}`);
      assert.deepEqual(topK(items, k, newestFirst, { fromEnd: true }).map((o) => o.id), want, `round ${round}, k ${k}, from the end`);
      const failed = sorted.filter((o) => !o.ok).slice(0, k).map((o) => o.id);
      assert.deepEqual(topK(items, k, newestFirst, { where: (o) => !o.ok }).map((o) => o.id), failed, `round ${round}, k ${k}, where`);
      assert.deepEqual(topK(items, k, newestFirst, { where: (o) => !o.ok, fromEnd: true }).map((o) => o.id), failed, `round ${round}, k ${k}, where, from the end`);
    }
  }
});

test('top k - a comparator returning fractions, and k of zero or below', () => {
  const items = [0.5, 0.25, 0.75, 0.25].map((atMs, i) => ({ atMs, id: `r${i}`, ok: false }));
  assert.deepEqual(topK(items, 3, (a, b) => a.atMs - b.atMs).map((o) => o.id), ['r1', 'r3', 'r0']);
  assert.deepEqual(topK(items, 3, (a, b) => a.atMs - b.atMs, { fromEnd: true }).map((o) => o.id), ['r1', 'r3', 'r0']);
  assert.deepEqual(topK(items, 0, newestFirst), []);
  assert.deepEqual(topK(items, -1, newestFirst), []);
});
