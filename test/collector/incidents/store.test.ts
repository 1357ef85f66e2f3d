import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MIGRATIONS, migrate, openDatabase, openStore } from '../../../collector/store/index.js';
import { EMPTY_LIFECYCLE_STATE, historyEntry, stepLifecycle, type IncidentOptions, type LifecycleState } from '../../../collector/incidents/index.js';
import type { Diagnosis, TargetFinding } from '../../../collector/diagnosis/index.js';
import { TempDir, readDb } from '../../helpers/collector-store.js';
import { diagnosis, healthy, lbNode, origin, reading } from './diagnoses.js';

const T0 = Date.parse('2024-01-01T12:00:00.000Z');
const OPTS: IncidentOptions = { confirmEvaluations: 2, resolveAfterMs: 10_000 };

describe('incident store', () => {
  let dir: TempDir;
  before(() => (dir = new TempDir()));
  after(() => dir.dispose());

  it('incident store - migration v3 adds incidents and incident_events', () => {
    const path = dir.file('schema.db');
    openStore(path).close();
    const db = readDb(path);
    try {
      const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'incident%' ORDER BY name").pluck().all();
      assert.deepEqual(names, ['incident_events', 'incidents']);
      assert.ok((MIGRATIONS.at(-1)?.version ?? 0) >= 3);
      assert.equal(db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get(), MIGRATIONS.at(-1)?.version);
    } finally {
      db.close();
    }
  });

  it('incident store - incidents and their history persist across reopening the file', () => {
    const path = dir.file('persist.db');
    let store = openStore(path);
    // drive a lifecycle through the store as the loop does: open, change, resolve
    const feed: (readonly [number, Diagnosis])[] = [[0, lbNode()], [30, lbNode()], [60, origin()], [90, healthy()], [100, healthy()]];
    let state: LifecycleState = EMPTY_LIFECYCLE_STATE;
    for (const [s, d] of feed) {
      const step = stepLifecycle({ incident: store.latestIncident('shop'), pending: state.pending }, d, T0 + s * 1_000, OPTS);
      if (step.save && step.state.incident) store.recordIncident(step.state.incident, step.events.map(historyEntry));
      state = step.state;
    }
    store.close();

    store = openStore(path);
    try {
      assert.deepEqual(store.schema, { from: MIGRATIONS.at(-1)!.version, to: MIGRATIONS.at(-1)!.version });
      const id = `shop-${T0 + 30_000}`;
      const incident = store.getIncident(id);
      assert.ok(incident, 'the incident is on disk');
      assert.deepEqual(incident, state.incident, 'every field round-trips, the last diagnosis included');
      assert.equal(incident.state, 'resolved');
      assert.equal(incident.verdict, 'origin');
      assert.equal(incident.resolvedAtMs, T0 + 100_000);
      assert.deepEqual(
        store.incidentHistory(id).map((e) => [e.type, e.atMs - T0, e.verdict, e.suspects, e.summary]),
        [
          ['opened', 30_000, 'lb-node', [{ dimension: 'ip', value: '203.0.113.7' }], '502s from lb-node 203.0.113.7 seen from 4/4 regions; other nodes healthy — origin fine'],
          ['changed', 60_000, 'origin', [], '502s from every node in every region: the origin'],
          ['resolved', 100_000, 'origin', [], '502s from every node in every region: the origin'],
        ],
      );
      assert.equal(store.latestIncident('shop')?.id, id);
      assert.equal(store.latestIncident('other'), null);
      assert.equal(store.getIncident('nope-1'), null);
      assert.deepEqual(store.incidentHistory('nope-1'), []);
    } finally {
      store.close();
    }
  });

  it('incident store - migrations v6 and v7: an incident open at the upgrade has named its own finding, and only it; its next reading sets its summary', () => {
    const path = dir.file('v5.db');
    const db = openDatabase(path);
    migrate(db, MIGRATIONS.filter((m) => m.version <= 5));
    const d = lbNode();
    // what a v5 collector wrote
    db.prepare(`INSERT INTO incidents (id, target, state, verdict, suspects, summary, opened_at_ms, updated_at_ms, resolved_at_ms, healthy_since_ms, reopens, last_diagnosis)
      VALUES ('shop-1', 'shop', 'open', 'lb-node', ?, 'x', 1, 1, NULL, NULL, 0, ?)`).run(JSON.stringify(d.findings[0]!.suspects), JSON.stringify(d));
    db.close();
    const store = openStore(path);
    try {
      assert.equal(store.schema.from, 5);
      const upgraded = store.getIncident('shop-1')!;
      assert.deepEqual(upgraded.named, [{ verdict: 'lb-node', suspects: [{ dimension: 'ip', value: '203.0.113.7' }] }]);
      assert.equal(upgraded.summaryRate, null, 'the rate of the summary a v5 collector wrote is not known');
      // any reading of its finding replaces that summary, however few failures it counts
      const faint = diagnosis([reading(d.findings[0] as TargetFinding, 1, 90, '502s from lb-node 203.0.113.7 (1% of its probes)')]);
      const step = stepLifecycle({ incident: upgraded, pending: 0 }, faint, T0, OPTS);
      assert.deepEqual(step.events, []);
      store.recordIncident(step.state.incident!, []);
      const after = store.getIncident('shop-1')!;
      assert.equal(after.summary, '502s from lb-node 203.0.113.7 (1% of its probes)');
      assert.equal(after.summaryRate, 1 / 90);
    } finally {
      store.close();
    }
  });

  it('incident store - list filters by target and state, newest first, limited', () => {
    const store = openStore(dir.file('list.db'));
    try {
      const open = (target: string, s: number): void => {
        const first = stepLifecycle(EMPTY_LIFECYCLE_STATE, lbNode('203.0.113.7', target), T0 + s * 1_000, { ...OPTS, confirmEvaluations: 1 });
        store.recordIncident(first.state.incident!, first.events.map(historyEntry));
      };
      open('shop', 0);
      open('api', 10);
      open('shop', 20);
      const resolved = { ...store.getIncident(`shop-${T0}`)!, state: 'resolved' as const, resolvedAtMs: T0 + 15_000 };
      store.recordIncident(resolved, []);
      assert.deepEqual(store.listIncidents({ limit: 10 }).map((i) => i.id), [`shop-${T0 + 20_000}`, `api-${T0 + 10_000}`, `shop-${T0}`]);
      assert.deepEqual(store.listIncidents({ target: 'shop', limit: 10 }).map((i) => i.id), [`shop-${T0 + 20_000}`, `shop-${T0}`]);
      assert.deepEqual(store.listIncidents({ state: 'resolved', limit: 10 }).map((i) => i.id), [`shop-${T0}`]);
      assert.deepEqual(store.listIncidents({ target: 'shop', state: 'open', limit: 10 }).map((i) => i.id), [`shop-${T0 + 20_000}`]);
      assert.equal(store.listIncidents({ limit: 1 }).length, 1);
      assert.equal(store.latestIncident('shop')?.id, `shop-${T0 + 20_000}`);
    } finally {
      store.close();
    }
  });
});
