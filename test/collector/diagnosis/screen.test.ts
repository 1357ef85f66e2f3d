import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, mayFind, resolveOptions, type AgentHealth, type DiagnosisOptions, type Observation } from '../../../collector/diagnosis/index.js';
import { CellCounts, afterThrough } from '../../../collector/store/index.js';
import { cellTallies } from '../../../collector/index.js';
import { detectionSpecs, noiseSpecs, scenarios } from './scenario-table.js';
import { generate, NOW, type ScenarioSpec } from './scenarios.js';

interface Case {
  readonly name: string;
  readonly spec: ScenarioSpec;
  readonly agents: readonly AgentHealth[];
  readonly options: Partial<DiagnosisOptions>;
}

const cases: Case[] = [
  ...scenarios.map((s) => ({ name: `table: ${s.name}`, spec: s.spec, agents: s.agents ?? [], options: { longWindowMs: s.spec.durationMs, ...s.options } })),
  ...noiseSpecs().map(({ label, spec }) => ({ name: `noise: ${label}`, spec, agents: [], options: { longWindowMs: spec.durationMs } })),
  ...detectionSpecs().map(({ label, spec }) => ({ name: `detection: ${label}`, spec, agents: [], options: { longWindowMs: spec.durationMs } })),
];

/** The cell counts of one target whose stored results are `observations` (a source without SQLite: the class is the store's own). */
function countsOf(observations: readonly Observation[]): CellCounts {
  const sorted = [...observations].sort((a, b) => a.atMs - b.atMs || (a.resultId < b.resultId ? -1 : a.resultId > b.resultId ? 1 : 0));
  return new CellCounts({
    observations: (_target, fromMs, toMs) => ({ value: sorted.filter((o) => o.atMs >= fromMs && o.atMs < toMs), throughRowid: 0 }),
  });
}

/** What the screen says at `nowMs`: could the diagnosis find anything? */
function screen(counts: CellCounts, agents: readonly AgentHealth[], options: Partial<DiagnosisOptions>, nowMs: number): boolean {
  const o = resolveOptions(options);
  const counted = counts.counts('shop', [afterThrough(nowMs - o.shortWindowMs, nowMs), afterThrough(nowMs - o.longWindowMs, nowMs)]);
  assert.ok(counted !== null);
  return mayFind({ windows: [cellTallies(counted, 0), cellTallies(counted, 1)], agents, options: o });
}

describe('diagnosis screen', () => {
  it('diagnosis screen - on every scenario, noise and detection seed, counts alone tell healthy from not, exactly as diagnose', () => {
    let healthy = 0;
    for (const c of cases) {
      const observations = generate(c.spec);
      const d = diagnose({ target: 'shop', observations, agents: c.agents, nowMs: NOW, options: c.options });
      // a target the screen passes is reported healthy without its observations: it must BE healthy;
      // and a healthy one the screen could not pass would cost a raw read for nothing
      assert.equal(screen(countsOf(observations), c.agents, c.options, NOW), d.verdict !== 'healthy', `${c.name}: screen vs verdict ${d.verdict}`);
      if (d.verdict === 'healthy') healthy++;
    }
    // both sides of the answer are exercised
    assert.ok(healthy >= 100 && healthy < cases.length, `${healthy} healthy of ${cases.length}`);
  });

  it('diagnosis screen - moving forward through time (counts moved incrementally, late results added) it agrees at every step', () => {
    for (const s of scenarios) {
      const options = { longWindowMs: s.spec.durationMs, ...s.options };
      const observations = generate(s.spec);
      // a tenth of the results arrive late: after the first steps counted past them
      const late = observations.filter((_, i) => i % 10 === 3);
      const early = observations.filter((_, i) => i % 10 !== 3);
      const counts = countsOf(early);
      const steps = [NOW - 20 * 60_000, NOW - 7 * 60_000 - 123, NOW - 60_000 - 1, NOW];
      for (const [i, nowMs] of steps.entries()) {
        if (i === 2) counts.added({ fromRowid: 1, throughRowid: 1, minutes: [], targets: ['shop'], observations: () => late.map((observation) => ({ target: 'shop', observation })) });
        const known = i >= 2 ? observations : early;
        const d = diagnose({ target: 'shop', observations: known, agents: s.agents ?? [], nowMs, options });
        assert.equal(screen(counts, s.agents ?? [], options, nowMs), d.verdict !== 'healthy', `${s.name} at step ${i}: screen vs verdict ${d.verdict}`);
      }
    }
  });
});
