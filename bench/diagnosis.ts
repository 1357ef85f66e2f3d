/**
 * node dist/bench/diagnosis.js — diagnosis latency for one target over a 1 h window: 10 regions × 4
 * IPs at 1 probe per 10 s (14,400 results), in a real SQLite file next to 4 other targets' results, in
 * two states of the target: one node failing 10% of probes over a 1.5% background, and an origin
 * outage (20% of probes failing on every node). Prints, per state, from one run (median of RUNS):
 *   - baseline: the same reads straight from SQLite (observations + exact agent rates), no memory;
 *   - cold: evaluateTarget on a store that has read nothing yet (what the first diagnosis after a
 *     start costs: it loads the window into memory);
 *   - warm: evaluateTarget in the steady state — 10 s of new results from every target inserted
 *     between two calls, the clock advanced (what the incidents loop and the API pay);
 *   - classify: the pure classifier alone on the same observations.
 * Target (issue #3): warm ≤ 10 ms. Env: BENCH_RUNS (default 30).
 *
 * Performance notes on the classifier (what the "classify" line measures):
 *   - findings.ts probesOf walks every probe of a pattern's cells in its own small function: V8
 *     optimizes a small hot function sooner than the long one that words the finding, whose loops
 *     otherwise ran unoptimized, allocating for every probe (the origin-outage state shows it most).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore, type ResultRecord, type Store } from '../collector/store/index.js';
import { evaluateTarget, agentHealth, otherTargetRates } from '../collector/index.js';
import { diagnose, DEFAULT_DIAGNOSIS_OPTIONS } from '../collector/diagnosis/index.js';
import { seededRandom } from '../lab/index.js';
import { fakeRecord } from '../test/helpers/collector-fixtures.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const HOUR = 3_600_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = (fn: () => unknown) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};

const TARGETS = ['shop', 'api', 'www', 'cdn', 'auth'];
const regions = Array.from({ length: 10 }, (_, i) => `region-${i}`);
const ips = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'];

interface Scenario {
  readonly name: string;
  /** The chance that a probe of 'shop' on this IP fails (other targets: 1.5%). */
  readonly failRate: (ip: string) => number;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'one node at 10%, 1.5% background', failRate: (ip) => (ip === '203.0.113.3' ? 0.1 : 0.015) },
  // the moment the diagnosis matters most: every finding's evidence and hints then cover every probe
  { name: 'origin outage, 20% on every node', failRate: () => 0.2 },
];

/**
 * Every target's results of the 10 s round starting at `t`, as a fleet reports them: latencies spread
 * (30–230 ms, most near the low end), each node naming itself in an identity header (a second serving
 * dimension), failures as nginx's fast 502s.
 */
function round(scenario: Scenario, random: () => number, t: number, now: number): ResultRecord[] {
  const out: ResultRecord[] = [];
  for (const target of TARGETS) {
    for (const region of regions) {
      for (const [n, ip] of ips.entries()) {
        const failing = random() < (target === 'shop' ? scenario.failRate(ip) : 0.015);
        const latency = Math.round(30 + 200 * random() ** 3);
        out.push(
          fakeRecord(
            {
              target,
              region,
              agent: `${region}-1`,
              ip,
              startedAtMs: t + Math.floor(random() * 500),
              failure: failing ? 'HTTP_STATUS' : null,
              firstByteMs: failing ? 3 : latency,
              totalMs: failing ? 4 : latency + 5,
              identity: { 'x-served-by': `lb-${n + 1}` },
            },
            now,
          ),
        );
      }
    }
  }
  return out;
}

function measure(dir: string, scenario: Scenario, index: number): void {
  const random = seededRandom(7 + index);
  const path = join(dir, `collector-${index}.db`);
  let now = Date.now();
  {
    const seed = openStore(path);
    const batch: ResultRecord[] = [];
    for (let t = now - HOUR; t < now; t += 10_000) {
      batch.push(...round(scenario, random, t, now));
      if (batch.length >= 5_000) seed.insertResults(batch.splice(0));
    }
    seed.insertResults(batch.splice(0));
    seed.close();
  }
  const options = { ...DEFAULT_DIAGNOSIS_OPTIONS, longWindowMs: HOUR };
  const sqlOnly = openStore(path, { recent: { maxObservations: 0 } });
  const n = sqlOnly.observations('shop', now - HOUR, now).length;

  const baseline: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  const classify: number[] = [];
  let verdict = '';
  const store: Store = openStore(path);
  evaluateTarget(store, 'shop', now, options);
  for (let i = 0; i < RUNS + 3; i++) {
    const b = time(() => {
      sqlOnly.observations('shop', now - HOUR, now);
      sqlOnly.agentFailureRates(now - HOUR, now, 'shop');
    });
    const fresh = openStore(path);
    const c = time(() => evaluateTarget(fresh, 'shop', now, options));
    fresh.close();
    // the next 10 s arrive, the clock moves on: the steady state of a running collector
    store.insertResults(round(scenario, random, now, now + 10_000));
    now += 10_000;
    const w = time(() => (verdict = evaluateTarget(store, 'shop', now, options).verdict));
    const totals = store.agentTotals(now - HOUR, now);
    const obs = store.observations('shop', totals.fromMs, totals.toMs);
    const agents = agentHealth(store, otherTargetRates(obs, totals), now - HOUR);
    const k = time(() => diagnose({ target: 'shop', observations: obs, agents, nowMs: now, options }));
    if (i >= 3) {
      // the first 3 runs warm up the JIT and SQLite's cache
      baseline.push(b);
      cold.push(c);
      warm.push(w);
      classify.push(k);
    }
  }
  store.close();
  sqlOnly.close();
  const base = median(baseline);
  out(`${scenario.name}: ${n} results of 'shop' in the hour (10 regions × 4 IPs, 1 probe/10 s; 5 targets stored), verdict ${verdict}; median of ${RUNS}`);
  out(`  baseline: the reads straight from SQLite   ${base.toFixed(2)} ms`);
  out(`  cold evaluateTarget (loads the window)      ${median(cold).toFixed(2)} ms   = ${(median(cold) / base).toFixed(2)}× baseline`);
  out(`  warm evaluateTarget (steady state)          ${median(warm).toFixed(2)} ms   = ${(median(warm) / base).toFixed(2)}× baseline`);
  out(`  classify alone (pure diagnosis, same input) ${median(classify).toFixed(2)} ms`);
  out(`  target warm ≤ 10 ms: ${median(warm) <= 10 ? 'met' : 'NOT met'} (${median(warm).toFixed(2)} ms)`);
}

const out = (s: string) => process.stdout.write(`${s}\n`);
const dir = mkdtempSync(join(tmpdir(), 'crossprobe-bench-diag-'));
try {
  SCENARIOS.forEach((scenario, i) => {
    if (i > 0) out('');
    measure(dir, scenario, i);
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
