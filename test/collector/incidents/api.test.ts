import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { openStore, type Store } from '../../../collector/store/index.js';
import { EMPTY_LIFECYCLE_STATE, historyEntry, stepLifecycle } from '../../../collector/incidents/index.js';
import { registerIncidentRoutes } from '../../../collector/api/incidents.js';
import { TempDir } from '../../helpers/collector-store.js';
import { diagnosis, lbNode, origin, targetFinding } from './diagnoses.js';

const ROUTE = targetFinding('routing', [{ dimension: 'region', value: 'ap-south' }], 'CONNECT_RESET failures from region ap-south');

const T0 = Date.parse('2024-01-01T12:00:00.000Z');

describe('incidents API', () => {
  let dir: TempDir;
  let store: Store;
  let app: FastifyInstance;
  before(async () => {
    dir = new TempDir();
    store = openStore(dir.file());
    const opts = { confirmEvaluations: 1, resolveAfterMs: 10_000 };
    let step = stepLifecycle(EMPTY_LIFECYCLE_STATE, lbNode(), T0, opts);
    store.recordIncident(step.state.incident!, step.events.map(historyEntry));
    // the origin fails, and beside it one region's route
    step = stepLifecycle(step.state, diagnosis([...origin().findings, ROUTE]), T0 + 30_000, opts);
    store.recordIncident(step.state.incident!, step.events.map(historyEntry));
    step = stepLifecycle(EMPTY_LIFECYCLE_STATE, lbNode('203.0.113.9', 'api'), T0 + 60_000, opts);
    store.recordIncident({ ...step.state.incident!, state: 'resolved', resolvedAtMs: T0 + 90_000 }, step.events.map(historyEntry));
    app = Fastify();
    registerIncidentRoutes(app, { store });
    await app.ready();
  });
  after(async () => {
    await app?.close();
    store?.close();
    dir?.dispose();
  });

  it('incidents API - lists newest first, filtered by target and state', async () => {
    const all = (await app.inject({ method: 'GET', url: '/api/v1/incidents' })).json<{ incidents: { id: string; state: string }[] }>();
    assert.deepEqual(all.incidents.map((i) => i.id), [`api-${T0 + 60_000}`, `shop-${T0}`]);
    const shop = (await app.inject({ method: 'GET', url: '/api/v1/incidents?target=shop&state=open&limit=5' })).json<{ incidents: Record<string, unknown>[] }>();
    assert.deepEqual(shop.incidents, [
      {
        id: `shop-${T0}`,
        target: 'shop',
        state: 'open',
        verdict: 'origin',
        suspects: [],
        summary: '502s from every node in every region: the origin',
        others: [{ verdict: 'routing', suspects: [{ dimension: 'region', value: 'ap-south' }], summary: 'CONNECT_RESET failures from region ap-south' }],
        openedAt: '2024-01-01T12:00:00.000Z',
        updatedAt: '2024-01-01T12:00:30.000Z',
        resolvedAt: null,
        reopens: 0,
      },
    ]);
    const resolved = (await app.inject({ method: 'GET', url: '/api/v1/incidents?state=resolved' })).json<{ incidents: { id: string }[] }>();
    assert.deepEqual(resolved.incidents.map((i) => i.id), [`api-${T0 + 60_000}`]);
  });

  it('incidents API - one incident comes with its history and last diagnosis', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/incidents/shop-${T0}` });
    assert.equal(res.statusCode, 200);
    const body = res.json<{ history: { at: string; type: string; verdict: string }[]; lastDiagnosis: { verdict: string } }>();
    assert.deepEqual(body.history.map((h) => [h.at, h.type, h.verdict]), [
      ['2024-01-01T12:00:00.000Z', 'opened', 'lb-node'],
      ['2024-01-01T12:00:30.000Z', 'changed', 'origin'],
    ]);
    assert.equal(body.lastDiagnosis.verdict, 'origin');
  });

  it('incidents API - bad filters are 400 and unknown ids 404, as { error: { code, message } }', async () => {
    const cases: [string, number, string, string][] = [
      ['/api/v1/incidents?state=closed', 400, 'CP_BAD_REQUEST', 'querystring.state: must be one of open, resolved (got "closed")'],
      ['/api/v1/incidents?limit=0', 400, 'CP_BAD_REQUEST', 'querystring.limit: must be an integer from 1 to 1000 (got "0")'],
      ['/api/v1/incidents?target=Shop', 400, 'CP_BAD_REQUEST', 'querystring.target: must be 1–63 characters of a–z, 0–9 and "-" (got "Shop")'],
      ['/api/v1/incidents/shop-1', 404, 'CP_NOT_FOUND', 'incident "shop-1" does not exist'],
    ];
    for (const [url, status, code, message] of cases) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, status, url);
      assert.deepEqual(res.json(), { error: { code, message } }, url);
    }
  });
});
