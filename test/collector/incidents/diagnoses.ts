import type { AgentFinding, Diagnosis, Finding, Suspect, TargetFinding } from '../../../collector/diagnosis/index.js';
import type { IncidentRecord } from '../../../collector/store/index.js';
import type { IncidentEvent } from '../../../collector/incidents/index.js';

// Crafted diagnoses for the lifecycle, store and alert tests: the shape the classifier returns, with
// just enough evidence to be complete.

const FROM = '2024-01-01T11:00:00.000Z';
const TO = '2024-01-01T12:00:00.000Z';
const test = { method: 'fisher-exact', compared: 'c', inside: { failures: 9, probes: 9 }, outside: { failures: 0, probes: 18 }, baselineRate: null, p: 1e-6, tests: 3, pAdjusted: 3e-6 } as const;

export function targetFinding(verdict: TargetFinding['verdict'], suspects: readonly Suspect[], summary?: string): TargetFinding {
  return {
    verdict,
    confidence: 0.99,
    suspects,
    summary: summary ?? `${verdict} failing: ${suspects.map((s) => s.value).join(', ') || 'everything'}`,
    hints: ['look at it'],
    evidence: {
      window: 'short',
      from: FROM,
      to: TO,
      test,
      grid: { dimension: 'ip', rows: ['eu-west'], columns: ['203.0.113.7'], cells: [[{ failures: 9, probes: 9 }]], agents: [] },
      codes: { 'HTTP_STATUS 502': 9 },
      provenance: { nginx: 9 },
      firstByteMs: null,
      samples: [],
    },
  };
}

/** The same finding read from other counts: its test found `failures` of `probes` failing in the cells it singled out. */
export function reading(f: TargetFinding, failures: number, probes: number, summary = f.summary): TargetFinding {
  return { ...f, summary, evidence: { ...f.evidence, test: { ...f.evidence.test, inside: { failures, probes } } } };
}

export function agentFinding(agent = 'eu-west-1'): AgentFinding {
  return {
    verdict: 'agent',
    confidence: 0.99,
    suspects: [{ dimension: 'agent', value: agent }],
    summary: `agent ${agent} fails on every target; its results are set aside`,
    hints: [],
    evidence: { reasons: ['controls failing'], test, controlsFailing: true, otherTargets: null, peersOtherTargets: null, setAside: { failures: 5, probes: 5 }, samples: [] },
  };
}

export function diagnosis(findings: readonly Finding[], target = 'shop'): Diagnosis {
  return { target, window: { from: FROM, to: TO }, verdict: findings[0]?.verdict ?? 'healthy', findings };
}

export const LB_SUMMARY = '502s from lb-node 203.0.113.7 seen from 4/4 regions; other nodes healthy — origin fine';
export const healthy = (target = 'shop'): Diagnosis => diagnosis([], target);
export const lbNode = (ip = '203.0.113.7', target = 'shop', summary?: string): Diagnosis =>
  diagnosis([targetFinding('lb-node', [{ dimension: 'ip', value: ip }], summary ?? (ip === '203.0.113.7' ? LB_SUMMARY : `502s from lb-node ${ip}`))], target);
export const origin = (target = 'shop'): Diagnosis => diagnosis([targetFinding('origin', [], '502s from every node in every region: the origin')], target);
/** Failures above the background with no region or node standing out (what a fading fault leaves). */
export const scattered = (target = 'shop'): Diagnosis => diagnosis([targetFinding('inconclusive', [], '502s above the background with no region or node standing out yet')], target);
/** A node and one region's path to it that cannot be told apart. */
export const confounded = (ip: string, target = 'shop'): Diagnosis =>
  diagnosis([targetFinding('inconclusive', [{ dimension: 'ip', value: ip }, { dimension: 'region', value: 'ap-south' }], `502s from ap-south on ${ip}, but no other region reaches ${ip}`)], target);
export const agentOnly = (target = 'shop'): Diagnosis => diagnosis([agentFinding()], target);

/** An incident event as the lifecycle emits it. */
export function event(type: IncidentEvent['type'], incident: Partial<IncidentRecord> = {}): IncidentEvent {
  const d = lbNode();
  const full: IncidentRecord = {
    id: 'shop-1704110400000',
    target: 'shop',
    state: type === 'resolved' ? 'resolved' : 'open',
    verdict: 'lb-node',
    suspects: [{ dimension: 'ip', value: '203.0.113.7' }],
    summary: LB_SUMMARY,
    summaryRate: 1,
    openedAtMs: Date.parse('2024-01-01T12:00:00.000Z'),
    updatedAtMs: Date.parse('2024-01-01T12:00:00.000Z'),
    resolvedAtMs: type === 'resolved' ? Date.parse('2024-01-01T12:10:00.000Z') : null,
    healthySinceMs: null,
    reopens: 0,
    lastDiagnosis: d,
    named: [{ verdict: 'lb-node', suspects: [{ dimension: 'ip', value: '203.0.113.7' }] }],
    ...incident,
  };
  return { type, incident: full, atMs: full.updatedAtMs };
}
