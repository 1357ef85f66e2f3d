import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnosis } from '../../../collector/diagnosis/index.js';
import {
  EMPTY_LIFECYCLE_STATE,
  IncidentOptionsError,
  historyEntry,
  otherFindings,
  resolveIncidentOptions,
  stepLifecycle,
  type IncidentOptions,
  type LifecycleState,
} from '../../../collector/incidents/index.js';
import type { Finding } from '../../../collector/diagnosis/index.js';
import { agentFinding, agentOnly, confounded, diagnosis, healthy, lbNode, origin, reading, scattered, targetFinding, LB_SUMMARY } from './diagnoses.js';

const T0 = Date.parse('2024-01-01T12:00:00.000Z');
const OPTS: IncidentOptions = { confirmEvaluations: 2, resolveAfterMs: 10_000 };

interface Want {
  /** Events emitted over the whole run, as "type verdict suspect-values". */
  readonly events: readonly string[];
  /** The incident's state at the end, or null for none. */
  readonly final: 'open' | 'resolved' | null;
}

interface Scenario {
  readonly name: string;
  /** Evaluations: seconds after T0 and the diagnosis of that evaluation. */
  readonly steps: readonly (readonly [number, Diagnosis])[];
  readonly options?: Partial<IncidentOptions>;
  readonly want: Want;
}

function run(steps: Scenario['steps'], options: IncidentOptions): { state: LifecycleState; events: string[]; ids: string[] } {
  let state = EMPTY_LIFECYCLE_STATE;
  const events: string[] = [];
  const ids: string[] = [];
  for (const [s, d] of steps) {
    const step = stepLifecycle(state, d, T0 + s * 1_000, options);
    if (!step.save) assert.equal(step.state.incident, state.incident, 'an unsaved step keeps the very same incident');
    state = step.state;
    for (const e of step.events) {
      // the other problems the event's alert names: " + routing ap-south"
      const others = otherFindings(e.incident.lastDiagnosis).map((f) => ` + ${f.verdict} ${f.suspects.map((x) => x.value).join(',')}`.trimEnd());
      events.push(`${e.type} ${e.incident.verdict} ${e.incident.suspects.map((x) => x.value).join(',')}`.trim() + (e.type === 'resolved' ? '' : others.join('')));
      ids.push(e.incident.id);
    }
  }
  return { state, events, ids };
}

// a node's 502s, and beside them other problems of the same target
const LB = targetFinding('lb-node', [{ dimension: 'ip', value: '203.0.113.7' }], LB_SUMMARY);
const ROUTE = targetFinding('routing', [{ dimension: 'region', value: 'ap-south' }]);
const beside = (...findings: Finding[]): Diagnosis => diagnosis(findings);

const SCENARIOS: Scenario[] = [
  { name: 'healthy stays quiet', steps: [[0, healthy()], [30, healthy()], [60, healthy()]], want: { events: [], final: null } },
  { name: 'one bad evaluation does not open (N=2)', steps: [[0, healthy()], [30, lbNode()], [60, healthy()]], want: { events: [], final: null } },
  { name: 'two bad evaluations in a row open', steps: [[0, lbNode()], [30, lbNode()]], want: { events: ['opened lb-node 203.0.113.7'], final: 'open' } },
  {
    name: 'bad evaluations must be consecutive',
    steps: [[0, lbNode()], [30, healthy()], [60, lbNode()], [90, agentOnly()], [120, lbNode()]],
    want: { events: [], final: null },
  },
  { name: 'N=1 opens on the first bad evaluation', steps: [[0, lbNode()]], options: { confirmEvaluations: 1 }, want: { events: ['opened lb-node 203.0.113.7'], final: 'open' } },
  { name: 'N=3 needs three', steps: [[0, lbNode()], [30, lbNode()]], options: { confirmEvaluations: 3 }, want: { events: [], final: null } },
  {
    name: 'the kind may change while confirming: the incident opens with the latest',
    steps: [[0, lbNode()], [30, origin()]],
    want: { events: ['opened origin'], final: 'open' },
  },
  {
    name: 'a kind change is a changed event',
    steps: [[0, lbNode()], [30, lbNode()], [60, origin()]],
    want: { events: ['opened lb-node 203.0.113.7', 'changed origin'], final: 'open' },
  },
  {
    name: 'a suspects change is a changed event',
    steps: [[0, lbNode()], [30, lbNode()], [60, lbNode('203.0.113.8')]],
    want: { events: ['opened lb-node 203.0.113.7', 'changed lb-node 203.0.113.8'], final: 'open' },
  },
  {
    name: 'the same verdict naming only some of its suspects is a weaker reading; a new suspect is a change',
    steps: [
      [0, diagnosis([targetFinding('lb-node', [{ dimension: 'ip', value: '203.0.113.7' }, { dimension: 'x-served-by', value: 'lb-2' }])])],
      [30, diagnosis([targetFinding('lb-node', [{ dimension: 'ip', value: '203.0.113.7' }, { dimension: 'x-served-by', value: 'lb-2' }])])],
      // a region that cannot connect took the IP's evidence away: the same node, by its header alone
      [60, diagnosis([targetFinding('lb-node', [{ dimension: 'x-served-by', value: 'lb-2' }])])],
      [90, diagnosis([targetFinding('lb-node', [{ dimension: 'x-served-by', value: 'lb-2' }, { dimension: 'ip', value: '203.0.113.7' }])])],
      [120, diagnosis([targetFinding('lb-node', [{ dimension: 'x-served-by', value: 'lb-2' }, { dimension: 'x-served-by', value: 'lb-3' }])])],
    ],
    want: { events: ['opened lb-node 203.0.113.7,lb-2', 'changed lb-node lb-2,lb-3'], final: 'open' },
  },
  {
    name: 'a reworded summary with the same verdict and suspects is no event',
    steps: [[0, lbNode()], [30, lbNode()], [60, lbNode('203.0.113.7', 'shop', '502s from lb-node 203.0.113.7 seen from 3/4 regions')]],
    want: { events: ['opened lb-node 203.0.113.7'], final: 'open' },
  },
  {
    name: 'suspects in another order are the same suspects',
    steps: [
      [0, diagnosis([targetFinding('routing', [{ dimension: 'region', value: 'a' }, { dimension: 'region', value: 'b' }])])],
      [30, diagnosis([targetFinding('routing', [{ dimension: 'region', value: 'a' }, { dimension: 'region', value: 'b' }])])],
      [60, diagnosis([targetFinding('routing', [{ dimension: 'region', value: 'b' }, { dimension: 'region', value: 'a' }])])],
    ],
    want: { events: ['opened routing a,b'], final: 'open' },
  },
  {
    name: 'an inconclusive finding naming no suspect is a weaker reading: a conclusive incident keeps its verdict',
    steps: [[0, lbNode()], [30, lbNode()], [60, scattered()], [61, healthy()], [71, healthy()]],
    want: { events: ['opened lb-node 203.0.113.7', 'resolved lb-node 203.0.113.7'], final: 'resolved' },
  },
  {
    name: 'an inconclusive finding naming one of its suspects is a weaker reading too',
    steps: [[0, lbNode()], [30, lbNode()], [60, confounded('203.0.113.7')]],
    want: { events: ['opened lb-node 203.0.113.7'], final: 'open' },
  },
  {
    name: 'an inconclusive finding elsewhere is a change',
    steps: [[0, lbNode()], [30, lbNode()], [60, confounded('203.0.113.9')]],
    want: { events: ['opened lb-node 203.0.113.7', 'changed inconclusive 203.0.113.9,ap-south'], final: 'open' },
  },
  {
    name: 'an inconclusive incident that becomes conclusive changes',
    steps: [[0, scattered()], [30, scattered()], [60, lbNode()]],
    want: { events: ['opened inconclusive', 'changed lb-node 203.0.113.7'], final: 'open' },
  },
  {
    name: 'a weaker reading still restarts the healthy clock',
    steps: [[0, lbNode()], [30, lbNode()], [60, healthy()], [65, scattered()], [66, healthy()], [75, healthy()]],
    want: { events: ['opened lb-node 203.0.113.7'], final: 'open' },
  },
  {
    name: 'healthy for less than the resolve time stays open',
    steps: [[0, lbNode()], [30, lbNode()], [60, healthy()], [65, healthy()], [69, healthy()]],
    want: { events: ['opened lb-node 203.0.113.7'], final: 'open' },
  },
  {
    name: 'healthy for the resolve time resolves',
    steps: [[0, lbNode()], [30, lbNode()], [60, healthy()], [65, healthy()], [70, healthy()]],
    want: { events: ['opened lb-node 203.0.113.7', 'resolved lb-node 203.0.113.7'], final: 'resolved' },
  },
  {
    name: 'a bad evaluation restarts the healthy clock',
    steps: [[0, lbNode()], [30, lbNode()], [60, healthy()], [68, lbNode()], [69, healthy()], [75, healthy()]],
    want: { events: ['opened lb-node 203.0.113.7'], final: 'open' },
  },
  { name: 'an agent-only verdict never opens', steps: [[0, agentOnly()], [30, agentOnly()], [60, agentOnly()]], want: { events: [], final: null } },
  {
    name: 'an agent-only verdict counts as healthy for an open incident',
    steps: [[0, lbNode()], [30, lbNode()], [60, agentOnly()], [90, agentOnly()]],
    want: { events: ['opened lb-node 203.0.113.7', 'resolved lb-node 203.0.113.7'], final: 'resolved' },
  },
  {
    name: 'an agent finding ranked first does not hide the target finding behind it',
    steps: [
      [0, diagnosis([agentFinding(), targetFinding('lb-node', [{ dimension: 'ip', value: '203.0.113.7' }], LB_SUMMARY)])],
      [30, diagnosis([agentFinding(), targetFinding('lb-node', [{ dimension: 'ip', value: '203.0.113.7' }], LB_SUMMARY)])],
    ],
    want: { events: ['opened lb-node 203.0.113.7'], final: 'open' },
  },
  {
    name: 'the same kind back within the resolve time re-opens the incident (flapping)',
    steps: [[0, lbNode()], [30, lbNode()], [40, healthy()], [50, healthy()], [52, lbNode()], [55, lbNode()]],
    want: { events: ['opened lb-node 203.0.113.7', 'resolved lb-node 203.0.113.7', 'reopened lb-node 203.0.113.7'], final: 'open' },
  },
  {
    name: 'the same kind back after the resolve time is a new incident',
    steps: [[0, lbNode()], [30, lbNode()], [40, healthy()], [50, healthy()], [59, lbNode()], [61, lbNode()]],
    want: { events: ['opened lb-node 203.0.113.7', 'resolved lb-node 203.0.113.7', 'opened lb-node 203.0.113.7'], final: 'open' },
  },
  {
    name: 'a problem appearing beside the one the incident follows is a change, once: coming and going with the evidence it is no news again',
    steps: [[0, lbNode()], [30, lbNode()], [60, beside(LB, ROUTE)], [90, lbNode()], [120, beside(LB, ROUTE)], [150, beside(LB, ROUTE, agentFinding())]],
    want: { events: ['opened lb-node 203.0.113.7', 'changed lb-node 203.0.113.7 + routing ap-south'], final: 'open' },
  },
  {
    name: 'what stood beside the finding when the incident opened was named then',
    steps: [[0, beside(LB, ROUTE)], [30, beside(LB, ROUTE)], [60, beside(LB, ROUTE)], [90, lbNode()], [120, beside(LB, ROUTE)]],
    want: { events: ['opened lb-node 203.0.113.7 + routing ap-south'], final: 'open' },
  },
  {
    name: 'beside the incident, an inconclusive finding is no news, nor a weaker reading of a named one; a second node is',
    steps: [
      [0, beside(LB, ROUTE)],
      [30, beside(LB, ROUTE)],
      [60, beside(LB, targetFinding('inconclusive', [{ dimension: 'ip', value: '203.0.113.9' }]))],
      [90, beside(targetFinding('lb-node', [{ dimension: 'ip', value: '203.0.113.7' }, { dimension: 'x-served-by', value: 'lb-2' }]), targetFinding('routing', []))],
      [120, beside(LB, targetFinding('lb-node', [{ dimension: 'ip', value: '203.0.113.8' }]))],
    ],
    want: {
      events: ['opened lb-node 203.0.113.7 + routing ap-south', 'changed lb-node 203.0.113.7,lb-2 + routing', 'changed lb-node 203.0.113.7,lb-2 + lb-node 203.0.113.8'],
      final: 'open',
    },
  },
  {
    name: 'the finding an incident followed before, beside its new one, was named already',
    steps: [[0, lbNode()], [30, lbNode()], [60, beside(targetFinding('origin', []), LB)], [90, origin()], [120, beside(targetFinding('origin', []), LB)]],
    want: { events: ['opened lb-node 203.0.113.7', 'changed origin + lb-node 203.0.113.7'], final: 'open' },
  },
  {
    name: 'a re-opened incident names afresh',
    steps: [[0, beside(LB, ROUTE)], [30, beside(LB, ROUTE)], [40, healthy()], [50, healthy()], [52, lbNode()], [55, lbNode()], [60, beside(LB, ROUTE)]],
    want: { events: ['opened lb-node 203.0.113.7 + routing ap-south', 'resolved lb-node 203.0.113.7', 'reopened lb-node 203.0.113.7', 'changed lb-node 203.0.113.7 + routing ap-south'], final: 'open' },
  },
  {
    name: 'another kind back within the resolve time is a new incident',
    steps: [[0, lbNode()], [30, lbNode()], [40, healthy()], [50, healthy()], [52, origin()], [55, origin()]],
    want: { events: ['opened lb-node 203.0.113.7', 'resolved lb-node 203.0.113.7', 'opened origin'], final: 'open' },
  },
];

describe('incident lifecycle', () => {
  for (const s of SCENARIOS) {
    it(`lifecycle - ${s.name}`, () => {
      const { state, events } = run(s.steps, { ...OPTS, ...s.options });
      assert.deepEqual(events, s.want.events);
      assert.equal(state.incident?.state ?? null, s.want.final);
    });
  }

  it('lifecycle - an opened incident carries the finding, its id and times', () => {
    const { state, ids } = run([[0, lbNode()], [30, lbNode()]], OPTS);
    const i = state.incident!;
    assert.deepEqual(
      { id: i.id, target: i.target, verdict: i.verdict, suspects: i.suspects, summary: i.summary, openedAtMs: i.openedAtMs, resolvedAtMs: i.resolvedAtMs, reopens: i.reopens },
      { id: `shop-${T0 + 30_000}`, target: 'shop', verdict: 'lb-node', suspects: [{ dimension: 'ip', value: '203.0.113.7' }], summary: LB_SUMMARY, openedAtMs: T0 + 30_000, resolvedAtMs: null, reopens: 0 },
    );
    assert.deepEqual(ids, [i.id]);
    assert.equal(i.lastDiagnosis.verdict, 'lb-node');
  });

  it('lifecycle - a change keeps the incident id and takes the new summary', () => {
    const { state, ids } = run([[0, lbNode()], [30, lbNode()], [60, origin()]], OPTS);
    assert.equal(ids[0], ids[1]);
    assert.equal(state.incident!.summary, '502s from every node in every region: the origin');
    assert.equal(state.incident!.openedAtMs, T0 + 30_000);
  });

  it('lifecycle - the summary quotes the worst reading of the finding the incident follows, without an event', () => {
    const node = targetFinding('lb-node', [{ dimension: 'ip', value: '203.0.113.7' }, { dimension: 'x-served-by', value: 'lb-2' }]);
    const at = (failures: number, probes: number) => diagnosis([reading(node, failures, probes, `${node.verdict} ${failures}/${probes}`)]);
    const steps: [number, Diagnosis][] = [
      [0, at(2, 20)],
      [30, at(3, 20)], // opens with 15%
      [60, at(12, 30)], // 40%: the summary follows
      [90, at(4, 40)], // 10%: it stays at 40%
      [100, at(20, 50)], // 40% again, with more probes: the later reading
      // the same node by its header alone (a weaker reading), and an inconclusive one: failing more, neither is quoted
      [110, diagnosis([reading(targetFinding('lb-node', [{ dimension: 'x-served-by', value: 'lb-2' }]), 9, 9, 'by header')])],
      [120, diagnosis([reading(targetFinding('inconclusive', []), 9, 9, 'scattered')])],
      [130, at(1, 60)],
      [140, healthy()],
      [150, healthy()],
    ];
    const { state, events } = run(steps, OPTS);
    assert.deepEqual(events, ['opened lb-node 203.0.113.7,lb-2', 'resolved lb-node 203.0.113.7,lb-2']);
    assert.equal(state.incident!.summary, 'lb-node 20/50');
    assert.equal(state.incident!.summaryRate, 0.4);
    const resolved = stepLifecycle(run(steps.slice(0, -1), OPTS).state, healthy(), T0 + 150_000, OPTS).events[0]!;
    assert.equal(historyEntry(resolved).summary, 'lb-node 20/50', 'the resolve alert tells the outage at its height');
  });

  it('lifecycle - a change takes the new finding\'s summary and rate, however low', () => {
    const { state, events } = run([[0, diagnosis([reading(LB, 9, 9)])], [30, diagnosis([reading(LB, 9, 9)])], [60, diagnosis([reading(ROUTE, 1, 50, 'route 2%')])], [90, diagnosis([reading(ROUTE, 2, 50, 'route 4%')])]], OPTS);
    assert.deepEqual(events, ['opened lb-node 203.0.113.7', 'changed routing ap-south']);
    assert.equal(state.incident!.summary, 'route 4%');
    assert.equal(state.incident!.summaryRate, 0.04);
  });

  it('lifecycle - a re-opened incident keeps its id and counts the re-open', () => {
    const { state, ids } = run([[0, lbNode()], [30, lbNode()], [40, healthy()], [50, healthy()], [52, lbNode()], [55, lbNode()]], OPTS);
    assert.equal(new Set(ids).size, 1);
    assert.equal(state.incident!.reopens, 1);
    assert.equal(state.incident!.resolvedAtMs, null);
  });

  it('lifecycle - a resolved incident stays quiet while the target is healthy', () => {
    const { state } = run([[0, lbNode()], [30, lbNode()], [40, healthy()], [50, healthy()]], OPTS);
    const step = stepLifecycle(state, healthy(), T0 + 600_000, OPTS);
    assert.equal(step.save, false);
    assert.deepEqual(step.events, []);
    assert.equal(step.state.incident, state.incident);
  });

  it('lifecycle options - defaults are 2 evaluations and 5 minutes; bad values are refused with the field named', () => {
    assert.deepEqual(resolveIncidentOptions(), { confirmEvaluations: 2, resolveAfterMs: 300_000 });
    assert.throws(() => resolveIncidentOptions({ confirmEvaluations: 0 }), {
      name: 'IncidentOptionsError',
      message: 'confirmEvaluations: must be an integer of at least 1 (got 0)',
    });
    assert.throws(() => resolveIncidentOptions({ resolveAfterMs: -1 }), (err: unknown) => err instanceof IncidentOptionsError && /^resolveAfterMs:/.test(err.message));
  });
});
