import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FailureCode } from '../../../proto/index.js';
import type { Observation } from '../../../collector/diagnosis/index.js';
import { CellCounts, KINDS, afterThrough, kindOf, nextUp, type TargetCounts, type TimeRange } from '../../../collector/store/index.js';
import { rng } from '../../helpers/collector-fixtures.js';

const FAILURES: readonly (FailureCode | null)[] = [null, null, null, null, 'HTTP_STATUS', 'CONNECT_TIMEOUT', 'DNS_TIMEOUT', 'ADDRESS_BLOCKED'];

function observation(random: () => number, atMs: number, n: number): Observation {
  const failure = FAILURES[Math.floor(random() * FAILURES.length)]!;
  const dns = failure === 'DNS_TIMEOUT';
  return {
    atMs,
    region: `r${Math.floor(random() * 3)}`,
    agent: `a${Math.floor(random() * 2)}`,
    ip: dns ? '' : `10.0.0.${Math.floor(random() * 3)}`,
    identity: random() < 0.3 ? { pop: random() < 0.5 ? 'FRA' : 'AMS' } : {},
    // an ADDRESS_BLOCKED result that says ok: nonsense a hostile agent could send, set aside all the same
    ok: failure === null || (failure === 'ADDRESS_BLOCKED' && random() < 0.2),
    failure,
    status: null,
    provenance: null,
    firstByteMs: null,
    totalMs: null,
    resultId: `r${n}`,
  };
}

/** The counts by brute force: every known observation in the range, by cell and kind. */
function bruteForce(known: readonly Observation[], counted: TargetCounts, range: TimeRange): number[] {
  const index = new Map(counted.cells.map((c, i) => [`${c.region}/${c.agent}/${c.ip}/${JSON.stringify(c.identity)}`, i]));
  const out = new Array<number>(counted.cells.length * KINDS).fill(0);
  for (const o of known) {
    if (o.atMs < range.fromMs || o.atMs >= range.toMs) continue;
    const cell = index.get(`${o.region}/${o.agent}/${o.ip}/${JSON.stringify(o.identity)}`);
    assert.ok(cell !== undefined, `a cell for ${JSON.stringify(o)}`);
    out[cell * KINDS + kindOf(o)]!++;
  }
  return out;
}

describe('cell counts', () => {
  it('cell counts - moved forward, back and past the data, with late and new results, every count equals a recount', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = rng(seed);
      const stored: Observation[] = [];
      let n = 0;
      for (let t = 0; t < 3_600_000; t += Math.floor(random() * 4_000)) stored.push(observation(random, 1_000_000 + t, n++));
      const known = [...stored];
      // as SQLite gives them: sorted by start
      const counts = new CellCounts({ observations: (_t, fromMs, toMs) => ({ value: stored.filter((o) => o.atMs >= fromMs && o.atMs < toMs).sort((a, b) => a.atMs - b.atMs), throughRowid: 0 }) });
      let nowMs = 1_000_000 + 1_800_000;
      for (let step = 0; step < 60; step++) {
        // mostly forward by up to a minute; now and then back (a test's clock), or far ahead
        const r = random();
        nowMs += r < 0.1 ? -Math.floor(random() * 600_000) : r < 0.15 ? 2_000_000 : Math.floor(random() * 60_000);
        const ranges = [afterThrough(nowMs - 300_000, nowMs), afterThrough(nowMs - 1_200_000, nowMs), { fromMs: Math.floor((nowMs - 1_200_000) / 60_000) * 60_000, toMs: Math.ceil(nowMs / 60_000) * 60_000 }];
        const counted = counts.counts('shop', ranges);
        assert.ok(counted !== null);
        ranges.forEach((range, i) => assert.deepEqual([...counted.counts[i]!], bruteForce(known, counted, range), `seed ${seed} step ${step} range ${i}`));
        // then new results: some now, some late (an agent's spool), some far back (before what is held)
        const fresh = Array.from({ length: Math.floor(random() * 30) }, () => {
          const age = random() < 0.7 ? Math.floor(random() * 5_000) : Math.floor(random() * 2_400_000);
          return observation(random, nowMs - age, n++);
        });
        stored.push(...fresh);
        counts.added({ fromRowid: 1, throughRowid: 1, minutes: [], targets: ['shop'], observations: () => fresh.map((observation) => ({ target: 'shop', observation })) });
        // what the counts hold from here on: everything, less what fell before the lowest range start
        // (a later range reaching back that far reloads from the source, which has all of it)
        known.push(...fresh);
      }
    }
  });

  it('cell counts - commits a load already saw are not counted twice, and other targets are not held', () => {
    const at = (ms: number, n: number): Observation => ({ atMs: ms, region: 'r', agent: 'a', ip: '10.0.0.1', identity: {}, ok: false, failure: 'HTTP_STATUS', status: 502, provenance: null, firstByteMs: null, totalMs: null, resultId: `r${n}` });
    const stored = [at(1_000, 1), at(2_000, 2)];
    const counts = new CellCounts({ observations: () => ({ value: stored, throughRowid: 7 }) });
    const range = [{ fromMs: 0, toMs: 10_000 }];
    assert.equal(counts.counts('shop', range)!.counts[0]![1], 2);
    // rowids 6–7 were in the load already; 8 is new; 'www' is not held
    counts.added({ fromRowid: 6, throughRowid: 7, minutes: [], targets: ['shop'], observations: () => [{ target: 'shop', observation: at(2_000, 2) }] });
    counts.added({ fromRowid: 8, throughRowid: 9, minutes: [], targets: ['shop', 'www'], observations: () => [{ target: 'shop', observation: at(3_000, 3) }, { target: 'www', observation: at(3_000, 4) }] });
    assert.equal(counts.counts('shop', range)!.counts[0]![1], 3);
    assert.equal(counts.targetCount, 1);
    assert.equal(counts.size, 3);
  });

  it('cell counts - a target with more cells than allowed is not counted (null), and held results stay within the bound', () => {
    const many = Array.from({ length: 20 }, (_, i): Observation => ({ atMs: 1_000 + i, region: 'r', agent: 'a', ip: `10.0.0.${i}`, identity: {}, ok: true, failure: null, status: 200, provenance: null, firstByteMs: null, totalMs: null, resultId: `r${i}` }));
    const counts = new CellCounts({ observations: () => ({ value: many, throughRowid: 0 }) }, { maxCells: 10, maxResults: 30 });
    assert.equal(counts.counts('wide', [{ fromMs: 0, toMs: 5_000 }]), null);
    assert.equal(counts.size, 0, 'an overflowing target holds nothing');
    const few = new CellCounts({ observations: (t) => ({ value: many.slice(0, t === 'a' ? 20 : 15).map((o) => ({ ...o, ip: '10.0.0.1' })), throughRowid: 0 }) }, { maxCells: 10, maxResults: 30 });
    few.counts('a', [{ fromMs: 0, toMs: 5_000 }]);
    few.counts('b', [{ fromMs: 0, toMs: 5_000 }]);
    assert.equal(few.targetCount, 1, 'the least recently counted target is let go past the bound');
    assert.equal(few.size, 15);
    assert.equal(few.counts('a', [{ fromMs: 0, toMs: 5_000 }])!.counts[0]![0], 20, 'and loads again when asked for');
    few.retain(new Set(['b']));
    assert.equal(few.targetCount, 0, 'a target no longer judged is let go');
    assert.equal(few.size, 0);
  });

  it('cell counts - nextUp gives the next double: (a, b] is [nextUp(a), nextUp(b)) exactly', () => {
    for (const x of [0, 1, -1, 1.5, 1_700_000_000_000, 1_700_000_000_000.25, -1_700_000_000_000, Number.MAX_SAFE_INTEGER]) {
      const up = nextUp(x);
      assert.ok(up > x, `${up} > ${x}`);
      assert.equal((x + up) / 2 === x || (x + up) / 2 === up, true, `nothing between ${x} and ${up}`);
    }
  });
});
