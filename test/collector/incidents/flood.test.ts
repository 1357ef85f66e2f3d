import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTarget } from '../../../proto/index.js';
import { openStore, type ResultRecord } from '../../../collector/store/index.js';
import { startIncidentLoop } from '../../../collector/incidents/index.js';
import type { Alerts } from '../../../collector/alerts/index.js';
import { fakeRecord } from '../../helpers/collector-fixtures.js';
import { memoryLogger } from '../../helpers/logger.js';
import { TempDir } from '../../helpers/collector-store.js';
import { diagnosis, targetFinding } from './diagnoses.js';

const T0 = Date.parse('2024-01-01T12:00:00.000Z');

describe('incident loop bounds', () => {
  it('incident loop - an agent inventing failing targets opens a bounded number of incidents per tick; targets added through the API are never held back', async () => {
    const dir = new TempDir();
    const store = openStore(dir.file());
    const log = memoryLogger('info');
    const notified: number[] = [];
    const alerts = { notify: (events: readonly unknown[]) => notified.push(events.length) } as unknown as Alerts;
    try {
      store.putTarget(parseTarget({ id: 'shop', url: 'http://shop.test/' }), T0 - 600_000);
      const invented = ['inv-1', 'inv-2', 'inv-3', 'inv-4', 'inv-5'];
      const results: ResultRecord[] = ['shop', ...invented].map((target) => fakeRecord({ target, startedAtMs: T0 - 30_000, failure: 'HTTP_STATUS' }, T0));
      store.insertResults(results);
      const loop = startIncidentLoop({
        store,
        logger: log.logger,
        alerts,
        // every target fails at its origin
        evaluate: (target) => diagnosis([targetFinding('origin', [])], target),
        options: { confirmEvaluations: 1, resolveAfterMs: 30_000 },
        maxResultTargetOpensPerTick: 2,
        activeWithinMs: 3_600_000,
        autoStart: false,
      });
      try {
        const first = await loop.tick(T0);
        assert.deepEqual(first.events.map((e) => e.incident.target), ['inv-1', 'inv-2', 'shop']);
        assert.equal(first.deferredOpens, 3);
        assert.equal(first.evaluated, 6);
        assert.ok(log.lines.some((l) => l.event === 'incident-opens-deferred' && l.deferred === 3));
        const second = await loop.tick(T0 + 1_000);
        assert.deepEqual(second.events.map((e) => e.incident.target), ['inv-3', 'inv-4']);
        assert.equal(second.deferredOpens, 1);
        const third = await loop.tick(T0 + 2_000);
        assert.deepEqual(third.events.map((e) => e.incident.target), ['inv-5']);
        assert.equal(third.deferredOpens, undefined);
        assert.deepEqual(notified, [3, 2, 1]);
        assert.deepEqual(store.listIncidents({ state: 'open', limit: 10 }).map((i) => i.target).sort(), ['inv-1', 'inv-2', 'inv-3', 'inv-4', 'inv-5', 'shop']);
      } finally {
        await loop.stop();
      }
    } finally {
      store.close();
      dir.dispose();
    }
  });
});
