import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, type Diagnosis, type Finding, type Observation, type Suspect, type TargetFinding } from '../../../collector/diagnosis/index.js';
import { BAD_GATEWAY, HOUR, MINUTE, NOW, code, dnsFault, generate, ipNames, onNode, onPath } from './scenarios.js';
import { A, B, C, detectionSpecs, lastMinutes, noiseSpecs, run, scenarios, type WantFinding } from './scenario-table.js';

function describe(d: Diagnosis): string {
  return d.findings.map((f) => `\n  [${f.verdict} ${f.confidence} ${JSON.stringify(f.suspects)}] ${f.summary}`).join('') || ' (no findings)';
}

function suspectKey(suspects: readonly Suspect[]): string {
  return suspects.map((s) => `${s.dimension}=${s.value}`).sort().join(' ');
}

function matches(f: Finding, want: WantFinding): boolean {
  if (f.verdict !== want.verdict) return false;
  if (want.suspects !== undefined && suspectKey(f.suspects) !== suspectKey(want.suspects)) return false;
  if (want.summary !== undefined && !want.summary.test(f.summary)) return false;
  if (want.hints !== undefined && !want.hints.every((h) => f.hints.some((text) => h.test(text)))) return false;
  if (want.window !== undefined && (f.verdict === 'agent' || f.evidence.window !== want.window)) return false;
  return true;
}

test('diagnose scenarios - there are at least 40, with unique names', () => {
  assert.ok(scenarios.length >= 40, `${scenarios.length} scenarios`);
  assert.equal(new Set(scenarios.map((s) => s.name)).size, scenarios.length);
});

for (const s of scenarios) {
  test(s.name, () => {
    const d = run(s);
    assert.equal(d.verdict, s.want.verdict, `verdict${describe(d)}`);
    const unmatched = [...d.findings];
    for (const want of s.want.findings) {
      const i = unmatched.findIndex((f) => matches(f, want));
      assert.ok(i >= 0, `no finding matches ${JSON.stringify({ ...want, summary: want.summary?.source, hints: want.hints?.map((h) => h.source) })}${describe(d)}\n  hints: ${JSON.stringify(d.findings.map((f) => f.hints))}`);
      unmatched.splice(i, 1);
    }
    if (s.want.more !== true) assert.deepEqual(unmatched.map((f) => f.summary), [], `unexpected findings${describe(d)}`);
    for (const f of d.findings) {
      assert.ok(f.confidence >= 0 && f.confidence <= 1, `confidence ${f.confidence}`);
      assert.ok(f.summary.length > 0 && f.hints.length > 0, 'summary and hints');
    }
  });
}

test('diagnose - healthy noise never opens a finding, across seeds and grid shapes', () => {
  for (const { label, spec } of noiseSpecs()) {
    const d = run({ spec });
    assert.equal(d.verdict, 'healthy', `${label}${describe(d)}`);
  }
});

/*
 * Detection limits, measured with these generators (1 probe/min/IP, defaults, alpha 0.01): the fewest
 * probes per faulty node at which it was named lb-node in >= 95% of 20 seeds, without / with 0.5% noise
 * on every node. More nodes help (a cleaner comparison group), more regions cost a little (more tests).
 *
 *   rate  nodes  regions   probes/node (clean)   probes/node (0.5% noise)
 *   10%   2      2-6       180-240               270-360
 *   10%   4-8    2-6       90-180                90-180
 *   5%    2      2-6       360-480               600-720
 *   5%    4-8    2-6       180-270               240-360
 *   2%    2      2-6       900-960               1800-2400
 *   2%    4-8    2-6       480-720               900-1080
 *
 * So with the default 1 h long window and 1 probe/min/IP, 10% is found from 2+ regions, 5% from 4+
 * regions on 4+ nodes; 2% needs 4-8 h (a longer window) unless many regions probe.
 */
test('diagnose - intermittent node faults are found at the measured probe counts, across seeds', () => {
  for (const { label, target, spec } of detectionSpecs()) {
    const d = run({ spec });
    assert.ok(
      d.findings.some((f) => f.verdict === 'lb-node' && f.suspects.some((s) => s.value === target)),
      `${label}${describe(d)}`,
    );
  }
});

test('diagnose - the JSON shape of DESIGN §5', () => {
  const d = diagnose({
    target: 'shop',
    observations: generate({ seed: 7, regions: 4, ips: 4, durationMs: HOUR, faults: [lastMinutes(4, onNode(B, 1, BAD_GATEWAY))] }),
    agents: [],
    nowMs: NOW,
  });
  const json = JSON.parse(JSON.stringify(d)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json), ['target', 'window', 'verdict', 'findings']);
  assert.deepEqual(json['window'], { from: '2025-11-22T11:00:00.000Z', to: '2025-11-22T12:00:00.000Z' });
  const [f] = d.findings;
  assert.ok(f !== undefined && f.verdict === 'lb-node');
  assert.deepEqual(Object.keys(f), ['verdict', 'confidence', 'suspects', 'summary', 'hints', 'evidence']);
  assert.deepEqual(Object.keys(f.evidence), ['window', 'from', 'to', 'test', 'grid', 'codes', 'provenance', 'firstByteMs', 'samples']);
  assert.deepEqual(f.evidence.codes, { 'HTTP_STATUS 502': 16 });
  assert.deepEqual(f.evidence.grid.columns, ipNames(4));
  assert.deepEqual(f.evidence.grid.rows, ['ap-south', 'eu-west', 'sa-east', 'us-east']);
  assert.deepEqual(f.evidence.grid.cells[0]?.[1], { failures: 4, probes: 5 });
  assert.equal(f.evidence.samples.length, 5);
  assert.deepEqual(Object.keys(f.evidence.samples[0] ?? {}), ['resultId', 'at', 'region', 'agent', 'ip', 'status', 'code', 'provenance', 'firstByteMs']);
});

test('diagnose - the verdict is the most severe finding and findings come most severe first', () => {
  const d = run({
    spec: {
      seed: 60, regions: 4, ips: 4, durationMs: HOUR,
      faults: [onPath('eu-west', A, 1, code('CONNECT_TIMEOUT')), onNode(C, 1)],
      dns: [dnsFault(() => true, 0.3, 'DNS_SERVFAIL')],
    },
  });
  assert.deepEqual(d.findings.map((f) => f.verdict), ['dns', 'lb-node', 'routing'], describe(d));
  assert.equal(d.verdict, 'dns');
});

test('diagnose - the same input gives the same output', () => {
  const s = scenarios.find((x) => x.name.startsWith('mixed - a node and a region'));
  assert.ok(s !== undefined);
  assert.deepEqual(run(s), run(s));
});

/** The observations by start, as the store hands them over (a stable sort: one agent's probes keep their order). */
const byStart = (observations: readonly Observation[]): Observation[] => [...observations].sort((a, b) => a.atMs - b.atMs);

test('diagnose - observations sorted by start (the store\'s order, whose windows are slices) diagnose as in any other order', () => {
  // generate() lists them region by region: every scenario's table test above reads them unsorted
  for (const s of scenarios) {
    const observations = generate(s.spec);
    const input = { target: 'shop', agents: s.agents ?? [], nowMs: NOW, options: { longWindowMs: s.spec.durationMs, ...s.options } };
    assert.deepEqual(diagnose({ ...input, observations: byStart(observations) }), diagnose({ ...input, observations }), s.name);
  }
});

test('diagnose - a window holds what started after its start and up to its end, sorted or not', () => {
  // probes at :00.5 each minute; now and both windows' starts fall on probes: from is out, now is in
  const observations = generate({ seed: 62, regions: 4, ips: 2, durationMs: 2 * HOUR, faults: [onNode(A, 0.5)] });
  const nowMs = NOW - 10 * MINUTE + 500;
  const options = { shortWindowMs: 5 * MINUTE, longWindowMs: 30 * MINUTE };
  assert.ok([nowMs, nowMs - 5 * MINUTE, nowMs - 30 * MINUTE].every((t) => observations.some((o) => o.atMs === t)), 'probes on the bounds');
  const sorted = diagnose({ target: 'shop', observations: byStart(observations), agents: [], nowMs, options });
  assert.deepEqual(sorted, diagnose({ target: 'shop', observations, agents: [], nowMs, options }));
  // 4 regions x 2 IPs a minute: 5 or 30 whole minutes, the probes at the end counted, those at the start not
  const f = sorted.findings.find((x): x is TargetFinding => x.verdict === 'lb-node');
  assert.ok(f !== undefined, describe(sorted));
  const probes = f.evidence.grid.cells.flat().reduce((n, c) => n + c.probes, 0);
  assert.equal(probes, (f.evidence.window === 'short' ? 5 : 30) * 8, f.evidence.window);
});

test('diagnose - observations after now are ignored', () => {
  const observations = generate({ seed: 61, regions: 4, ips: 4, durationMs: HOUR, faults: [onNode(A, 1)] });
  const d = diagnose({ target: 'shop', observations, agents: [], nowMs: NOW - 2 * HOUR });
  assert.equal(d.verdict, 'healthy');
  assert.deepEqual(d.findings, []);
});

test('diagnose - a bad option throws at once with the message a user sees', () => {
  assert.throws(() => diagnose({ target: 'shop', observations: [], agents: [], nowMs: NOW, options: { alpha: 2 } }), {
    name: 'DiagnosisOptionsError',
    message: 'diagnosis option alpha must be in (0, 1), got 2',
  });
});

test('diagnose - no observations is healthy', () => {
  const d = diagnose({ target: 'shop', observations: [], agents: [], nowMs: NOW });
  assert.deepEqual(d, { target: 'shop', window: { from: '2025-11-22T11:00:00.000Z', to: '2025-11-22T12:00:00.000Z' }, verdict: 'healthy', findings: [] });
});

test('diagnose - a broken agent that never probed this target is not this target\'s finding', () => {
  const d = diagnose({
    target: 'shop',
    observations: generate({ seed: 62, regions: 2, ips: 2, durationMs: HOUR }),
    agents: [{ agent: 'ap-south-1', region: 'ap-south', controlsFailing: true }],
    nowMs: NOW,
  });
  assert.equal(d.verdict, 'healthy');
});
