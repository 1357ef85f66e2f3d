import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentHealth, DiagnosisOptions, Observation } from '../../collector/diagnosis/index.js';
import { countedOtherTargetRates, evaluateTarget, judgeContext, judgeTarget, otherTargetRates } from '../../collector/index.js';
import { openStore, type ResultRecord, type Store } from '../../collector/store/index.js';
import { fakeRecord, rng } from '../helpers/collector-fixtures.js';
import { TempDir } from '../helpers/collector-store.js';
import { heartbeat } from '../helpers/report-fixtures.js';
import { detectionSpecs, noiseSpecs, scenarios } from './diagnosis/scenario-table.js';
import { generate, NOW, type ScenarioSpec } from './diagnosis/scenarios.js';

interface Case {
  readonly name: string;
  readonly spec: ScenarioSpec;
  readonly agents: readonly AgentHealth[];
  readonly options: Partial<DiagnosisOptions>;
  /** Changes the generated observations. */
  readonly change?: (observations: Observation[]) => Observation[];
}

/** One agent refused one IP (ADDRESS_BLOCKED, which the diagnosis sets aside but the agent totals count). */
function blockedOnFirstIp(observations: Observation[]): Observation[] {
  const first = observations.find((o) => o.ip !== '')!;
  return observations.map((o) =>
    o.agent === first.agent && o.ip === first.ip ? { ...o, ok: false, failure: 'ADDRESS_BLOCKED', status: null, firstByteMs: null, identity: {} } : o,
  );
}

// the whole table; every fifth noise and detection seed (the pure screen test takes them all)
const cases: Case[] = [
  ...scenarios.map((s) => ({ name: `table: ${s.name}`, spec: s.spec, agents: s.agents ?? [], options: { longWindowMs: s.spec.durationMs, ...s.options } })),
  ...noiseSpecs().filter((_, i) => i % 5 === 0).map(({ label, spec }) => ({ name: `noise: ${label}`, spec, agents: [], options: { longWindowMs: spec.durationMs } })),
  ...detectionSpecs().filter((_, i) => i % 5 === 0).map(({ label, spec }) => ({ name: `detection: ${label}`, spec, agents: [], options: { longWindowMs: spec.durationMs } })),
  ...[scenarios[2]!, ...scenarios.filter((s) => s.name.startsWith('healthy')).slice(0, 2)].map((s) => ({
    name: `blocked: ${s.name}`, spec: s.spec, agents: [], options: { longWindowMs: s.spec.durationMs, ...s.options }, change: blockedOnFirstIp,
  })),
];

function record(target: string, o: Pick<Observation, 'atMs' | 'region' | 'agent' | 'ip' | 'identity' | 'failure' | 'status' | 'firstByteMs' | 'totalMs'>): ResultRecord {
  return fakeRecord({ target, region: o.region, agent: o.agent, ip: o.ip, identity: { ...o.identity }, startedAtMs: o.atMs, failure: o.failure, status: o.status, firstByteMs: o.firstByteMs, totalMs: o.totalMs }, o.atMs + 100);
}

/**
 * The scenario's results as target `shop` in a real store, with what agent health reads from it: another
 * target `www` probed by the same agents (1% failing), an agent the scenario says fails other targets
 * failing them so (its region peers as the scenario says), and heartbeats of agents whose controls fail.
 */
function load(store: Store, c: Case): void {
  const observations = (c.change ?? ((o) => o))(generate(c.spec));
  store.insertResults(observations.map((o) => record('shop', o)));
  const random = rng(7);
  const agents = new Map(observations.map((o) => [`${o.region}/${o.agent}`, o]));
  const fromMs = NOW - (c.options.longWindowMs ?? 3_600_000);
  const www: ResultRecord[] = [];
  for (const o of agents.values()) {
    for (let t = fromMs + 30_000; t < NOW; t += 300_000) {
      www.push(record('www', { ...o, atMs: t, ip: '192.0.2.80', identity: {}, failure: random() < 0.01 ? 'HTTP_STATUS' : null, status: null, firstByteMs: 20, totalMs: 30 }));
    }
  }
  for (const a of c.agents) {
    const spread = (agent: string, failed: number, total: number) => {
      for (let i = 0; i < total; i++) {
        const atMs = fromMs + 1 + Math.floor(((NOW - fromMs - 2) * i) / total);
        www.push(record('www', { atMs, region: a.region, agent, ip: '192.0.2.81', identity: {}, failure: i < failed ? 'HTTP_STATUS' : null, status: null, firstByteMs: 20, totalMs: 30 }));
      }
    };
    if (a.otherTargets) spread(a.agent, a.otherTargets.failed, a.otherTargets.total);
    if (a.peersOtherTargets) spread(`${a.agent}-peer`, a.peersOtherTargets.failed, a.peersOtherTargets.total);
    if (a.controlsFailing) {
      store.upsertHeartbeat(heartbeat({
        region: a.region, agent: a.agent, receivedAtMs: NOW - 1_000,
        controls: [{ url: 'https://control.example/', ok: false, failure: 'CONNECT_TIMEOUT', checkedAtMs: NOW - 2_000, consecutiveFailures: 5, totalMs: null }],
      }));
    }
  }
  store.insertResults(www);
}

describe('judging targets from their counts', () => {
  const dir = new TempDir();
  before(() => undefined);
  after(() => dir.dispose());

  it('judge - on a real store, every scenario judged from counts diagnoses byte for byte as evaluateTarget, raw rows read only for findings', () => {
    let fromCounts = 0;
    cases.forEach((c, i) => {
      const store = openStore(dir.file(`case-${i}.db`));
      try {
        load(store, c);
        const expected = evaluateTarget(store, 'shop', NOW, c.options);
        const ctx = judgeContext(store, NOW, c.options);
        const judged = judgeTarget(store, 'shop', ctx);
        assert.equal(JSON.stringify(judged.diagnosis), JSON.stringify(expected), c.name);
        // the agents' health from counts is the one evaluateTarget reads from the raw rows
        const counted = store.cellCounts('shop', ctx.ranges)!;
        assert.deepEqual(countedOtherTargetRates(counted, ctx.totals.rates), otherTargetRates(store.observations('shop', ctx.totals.fromMs, ctx.totals.toMs), ctx.totals), `${c.name}: other-target rates`);
        assert.equal(judged.full, expected.verdict !== 'healthy', `${c.name}: raw rows read for a ${expected.verdict} verdict`);
        if (!judged.full) fromCounts++;
        // the other target too: it shares the agents, and most of its judgements come from counts
        const www = judgeTarget(store, 'www', judgeContext(store, NOW, c.options));
        assert.equal(JSON.stringify(www.diagnosis), JSON.stringify(evaluateTarget(store, 'www', NOW, c.options)), `${c.name} (www)`);
      } finally {
        store.close();
      }
    });
    assert.ok(fromCounts >= 20 && fromCounts < cases.length, `${fromCounts} of ${cases.length} judged from counts`);
  });

  it('judge - a store kept current by inserts judges as evaluateTarget at every tick, while results arrive', () => {
    const store = openStore(dir.file('ticks.db'));
    try {
      const spec = scenarios.find((s) => s.name.startsWith('lb-node'))!.spec;
      const observations = generate(spec).sort((a, b) => a.atMs - b.atMs);
      const options = { longWindowMs: spec.durationMs };
      // the first half stored before the first judgement (loaded from SQLite), the rest inserted tick by tick
      const half = observations[Math.floor(observations.length / 2)]!.atMs;
      store.insertResults(observations.filter((o) => o.atMs < half).map((o) => record('shop', o)));
      const verdicts = new Set<string>();
      for (let nowMs = half; nowMs <= NOW; nowMs += 97_000) {
        store.insertResults(observations.filter((o) => o.atMs >= nowMs - 97_000 && o.atMs < nowMs && o.atMs >= half).map((o) => record('shop', o)));
        const judged = judgeTarget(store, 'shop', judgeContext(store, nowMs, options));
        const expected = evaluateTarget(store, 'shop', nowMs, options);
        assert.equal(JSON.stringify(judged.diagnosis), JSON.stringify(expected), `at ${new Date(nowMs).toISOString()}`);
        assert.equal(judged.full, expected.verdict !== 'healthy');
        verdicts.add(expected.verdict);
      }
      assert.ok(verdicts.has('healthy') && verdicts.size >= 2, `verdicts seen: ${[...verdicts].join(', ')}`);
      assert.ok(store.cellCountsSize.targets === 1 && store.cellCountsSize.results > 0, 'judged from memory');
    } finally {
      store.close();
    }
  });
});
