/**
 * node dist/bench/diagnosis.js — diagnosis latency for one target over a 1 h window: 10 regions × 4
 * IPs at 1 probe per 10 s (14,400 results, 1.5% background failures and one node at 10%), in a real
 * SQLite file next to 4 other targets' results. Prints, from one run (median of RUNS):
 *   - read: store.observations + agent rates (the baseline every diagnosis pays),
 *   - classify: the pure classifier on those observations,
 *   - total: evaluateTarget (what GET /targets/:id/diagnosis costs), and total / read.
 * Target (issue #3): total ≤ 10 ms. Env: BENCH_RUNS (default 30).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore, type ResultRecord } from '../collector/store/index.js';
import { evaluateTarget, agentHealth } from '../collector/evaluate.js';
import { diagnose, DEFAULT_DIAGNOSIS_OPTIONS } from '../collector/diagnosis/index.js';
import { seededRandom } from '../lab/faults.js';
import { fakeRecord } from '../test/helpers/collector-fixtures.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const HOUR = 3_600_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = (fn: () => unknown) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};

const dir = mkdtempSync(join(tmpdir(), 'crossprobe-bench-diag-'));
try {
  const store = openStore(join(dir, 'collector.db'));
  const now = Date.now();
  const random = seededRandom(7);
  const regions = Array.from({ length: 10 }, (_, i) => `region-${i}`);
  const ips = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'];
  const batch: ResultRecord[] = [];
  for (const target of ['shop', 'api', 'www', 'cdn', 'auth']) {
    for (let t = now - HOUR; t < now; t += 10_000) {
      for (const region of regions) {
        for (const ip of ips) {
          const failing = random() < (target === 'shop' && ip === '203.0.113.3' ? 0.1 : 0.015);
          batch.push(fakeRecord({ target, region, agent: `${region}-1`, ip, startedAtMs: t + Math.floor(random() * 500), failure: failing ? 'HTTP_STATUS' : null }, now));
        }
      }
      if (batch.length >= 5_000) store.insertResults(batch.splice(0));
    }
  }
  store.insertResults(batch.splice(0));
  const options = { ...DEFAULT_DIAGNOSIS_OPTIONS, longWindowMs: HOUR };
  const n = store.observations('shop', now - HOUR, now).length;

  const readObs: number[] = [];
  const readRates: number[] = [];
  const read: number[] = [];
  const classify: number[] = [];
  const total: number[] = [];
  let verdict = '';
  for (let i = 0; i < RUNS + 3; i++) {
    const obs = store.observations('shop', now - HOUR, now);
    const agents = agentHealth(store, 'shop', now - HOUR, now);
    const r = time(() => {
      store.observations('shop', now - HOUR, now);
      agentHealth(store, 'shop', now - HOUR, now);
    });
    const ro = time(() => store.observations('shop', now - HOUR, now));
    const rr = time(() => agentHealth(store, 'shop', now - HOUR, now));
    const c = time(() => diagnose({ target: 'shop', observations: obs, agents, nowMs: now, options }));
    const e = time(() => (verdict = evaluateTarget(store, 'shop', now, options).verdict));
    if (i >= 3) {
      read.push(r);
      readObs.push(ro);
      readRates.push(rr);
      classify.push(c);
      total.push(e); // the first 3 runs warm up the JIT and SQLite's cache
    }
  }
  store.close();
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`diagnosis of a 1 h window: ${n} results (10 regions × 4 IPs, 1 probe/10 s), verdict ${verdict}; median of ${RUNS}`);
  out(`  read (store.observations + agent rates)  ${median(read).toFixed(2)} ms   (baseline)`);
  out(`    of which observations ${median(readObs).toFixed(2)} ms, agent health ${median(readRates).toFixed(2)} ms`);
  out(`  classify (pure diagnosis)                ${median(classify).toFixed(2)} ms`);
  out(`  total (evaluateTarget)                   ${median(total).toFixed(2)} ms   = ${(median(total) / median(read)).toFixed(2)}× read`);
  out(`target total ≤ 10 ms: ${median(total) <= 10 ? 'met' : 'NOT met'} (${median(total).toFixed(2)} ms)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
