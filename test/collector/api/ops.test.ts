import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeHeartbeat, heartbeatSubject, parseTarget, pb } from '../../../proto/index.js';
import { apiRoutes, type ApiContext } from '../../../collector/api/index.js';
import { asMessages, fakeResult, publishPipelined } from '../../helpers/collector-fixtures.js';
import { ApiHarness, API_TOKEN, bearer, errorOf } from '../../helpers/collector-api-harness.js';
import { parsePrometheus } from '../../helpers/collector-api-prom.js';
import { waitFor } from '../../helpers/stream.js';

function heartbeat(agent: string, spoolDepth: number): Uint8Array {
  return encodeHeartbeat({
    agent, region: 'eu-west', version: '9.9.9', sentAtMs: Date.now(), startedAtMs: Date.now() - 60_000, targets: 2, spoolDepth,
    spoolDropped: 0, schedLagMs: 1, resultsPublished: 10, inFlight: 0, spoolBytes: 100, controls: [],
  });
}

describe('operations API', () => {
  let h: ApiHarness;
  before(async () => {
    h = await ApiHarness.start({ ingest: true, heartbeatIntervalMs: 1_000 });
  });
  after(async () => {
    await h?.dispose();
  });

  it('metrics - Prometheus text with ingest counters, lag, per-agent liveness and spool depth, targets', async () => {
    h.store.putTarget(parseTarget({ id: 'shop', url: 'http://shop.test/' }));
    await publishPipelined(h.nc.jetstream(), asMessages([fakeResult({ region: 'eu-west', agent: 'a1' }), fakeResult({ region: 'eu-west', agent: 'a1' })]));
    h.nc.publish(heartbeatSubject('eu-west', 'a1'), heartbeat('a1', 7));
    await waitFor('2 results and a heartbeat ingested', () => h.ingest!.stats().inserted === 2 && h.ingest!.stats().heartbeats === 1);

    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(res.body);
    const value = (name: string, labels: Record<string, string> = {}) => {
      const f = families.get(name);
      assert.ok(f, `${name} is exposed`);
      const s = f.samples.find((x) => JSON.stringify(x.labels) === JSON.stringify(labels));
      assert.ok(s, `${name}${JSON.stringify(labels)} has a sample`);
      return s.value;
    };
    assert.equal(families.get('crossprobe_ingest_received_total')?.type, 'counter');
    assert.equal(value('crossprobe_ingest_received_total'), 2);
    assert.equal(value('crossprobe_ingest_inserted_total'), 2);
    assert.equal(value('crossprobe_ingest_duplicates_total'), 0);
    assert.equal(value('crossprobe_ingest_rejected_total'), 0);
    assert.equal(families.get('crossprobe_ingest_lag_seconds')?.type, 'gauge');
    assert.ok(value('crossprobe_ingest_lag_seconds') >= 0);
    const seen = value('crossprobe_agent_last_seen_timestamp_seconds', { region: 'eu-west', agent: 'a1' });
    assert.ok(Math.abs(seen - Date.now() / 1000) < 60, `last seen ${seen}`);
    assert.equal(value('crossprobe_agent_spool_depth', { region: 'eu-west', agent: 'a1' }), 7);
    assert.equal(value('crossprobe_targets'), 1);
    assert.equal(value('crossprobe_diagnosis_observations'), 0, 'nothing diagnosed yet');
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/targets/shop/diagnosis' })).statusCode, 200);
    const after = parsePrometheus((await h.app.inject({ method: 'GET', url: '/metrics' })).body);
    assert.equal(after.get('crossprobe_diagnosis_observations')?.samples[0]?.value, 2, "shop's 2 results held for the next diagnosis");
  });

  it('rejects - malformed messages are listed with subject, reason, time, size and first bytes in hex', async () => {
    const garbage = Buffer.from('this is not protobuf, it is text\n');
    await h.nc.jetstream().publish('crossprobe.results.eu-west.a1', garbage);
    h.nc.publish(heartbeatSubject('eu-west', 'a2'), new Uint8Array([0xff, 0xff, 0xff]));
    await waitFor('2 rejects', () => h.store.countRejects() === 2);

    const res = await h.app.inject({ method: 'GET', url: '/api/v1/rejects?limit=1&bytes=8' });
    assert.equal(res.statusCode, 200, res.body);
    type Rejects = { total: number; rejects: { id: number; subject: string; reason: string; receivedAt: string; size: number; firstBytesHex: string }[]; nextBefore: number | null };
    const page1 = res.json<Rejects>();
    assert.equal(page1.total, 2);
    assert.equal(page1.rejects.length, 1);
    assert.ok(page1.nextBefore !== null);
    const page2 = (await h.app.inject({ method: 'GET', url: `/api/v1/rejects?limit=1&bytes=8&before=${page1.nextBefore}` })).json<Rejects>();
    assert.equal(page2.nextBefore, null);
    const bySubject = new Map([...page1.rejects, ...page2.rejects].map((r) => [r.subject, r]));
    const result = bySubject.get('crossprobe.results.eu-west.a1');
    assert.ok(result, 'the bad result is listed');
    assert.equal(result.size, garbage.byteLength);
    assert.equal(result.firstBytesHex, garbage.subarray(0, 8).toString('hex'));
    assert.ok(result.reason.length > 0);
    assert.ok(Math.abs(Date.parse(result.receivedAt) - Date.now()) < 60_000);
    assert.equal(bySubject.get(heartbeatSubject('eu-west', 'a2'))?.firstBytesHex, 'ffffff');

    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/rejects?limit=5000' });
    assert.equal(bad.statusCode, 400);
    assert.equal(errorOf(bad.body).message, 'querystring.limit: must be a whole number from 1 to 1000 (got 5000)');
  });

  it('agents - last heartbeat, version and spool depth; stale after 3 missed heartbeats', async () => {
    const now = Date.now();
    const base = { region: 'us-east', version: '1.0.0', sentAtMs: now, startedAtMs: now - 1_000, targets: 1, spoolDepth: 3, spoolDropped: 0, spoolBytes: 10, schedLagMs: 0, resultsPublished: 5, inFlight: 0, controls: [] };
    h.store.upsertHeartbeat({ ...base, agent: 'fresh', receivedAtMs: now - 1_000 });
    h.store.upsertHeartbeat({ ...base, agent: 'silent', receivedAtMs: now - 10_000 });
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/agents' });
    assert.equal(res.statusCode, 200);
    const body = res.json<{ heartbeatIntervalMs: number; agents: { region: string; agent: string; stale: boolean; version: string; spoolDepth: number; lastSeen: string }[] }>();
    assert.equal(body.heartbeatIntervalMs, 1_000);
    const byName = new Map(body.agents.map((a) => [`${a.region}/${a.agent}`, a]));
    assert.equal(byName.get('us-east/fresh')?.stale, false);
    assert.equal(byName.get('us-east/silent')?.stale, true);
    assert.equal(byName.get('us-east/fresh')?.spoolDepth, 3);
    assert.equal(byName.get('us-east/fresh')?.version, '1.0.0');
    assert.equal(byName.get('us-east/silent')?.lastSeen, new Date(now - 10_000).toISOString());
    const metrics = parsePrometheus((await h.app.inject({ method: 'GET', url: '/metrics' })).body);
    const stale = metrics.get('crossprobe_agent_stale')?.samples.find((s) => s.labels.agent === 'silent');
    assert.equal(stale?.value, 1);
  });

  it('agents - spool health travels from the heartbeat to GET /api/v1/agents; an older agent\'s heartbeat without it reads ok', async () => {
    const before = h.ingest!.stats().heartbeats;
    h.nc.publish(heartbeatSubject('eu-west', 'disk-full'), encodeHeartbeat({
      ...pb.Heartbeat.toObject(pb.Heartbeat.decode(heartbeat('disk-full', 0))),
      spoolDegraded: true, spoolError: 'ENOSPC', memoryQueueDepth: 12, memoryQueueBytes: 6_720, memoryQueueDropped: 340,
    }));
    h.nc.publish(heartbeatSubject('eu-west', 'older'), heartbeat('older', 0)); // an agent from before these fields
    await waitFor('2 heartbeats ingested', () => h.ingest!.stats().heartbeats === before + 2);
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/agents' });
    assert.equal(res.statusCode, 200);
    const pick = ({ spoolState, spoolError, memoryQueueDepth, memoryQueueBytes, memoryQueueDropped }: Record<string, unknown>) => ({ spoolState, spoolError, memoryQueueDepth, memoryQueueBytes, memoryQueueDropped });
    const byName = new Map(res.json<{ agents: Record<string, unknown>[] }>().agents.map((a) => [`${String(a.region)}/${String(a.agent)}`, a]));
    assert.deepEqual(pick(byName.get('eu-west/disk-full')!), { spoolState: 'degraded', spoolError: 'ENOSPC', memoryQueueDepth: 12, memoryQueueBytes: 6_720, memoryQueueDropped: 340 });
    assert.deepEqual(pick(byName.get('eu-west/older')!), { spoolState: 'ok', spoolError: null, memoryQueueDepth: 0, memoryQueueBytes: 0, memoryQueueDropped: 0 });
    const metrics = parsePrometheus((await h.app.inject({ method: 'GET', url: '/metrics' })).body);
    const sample = (name: string, agent: string) => metrics.get(name)?.samples.find((x) => x.labels.agent === agent)?.value;
    assert.equal(sample('crossprobe_agent_spool_degraded', 'disk-full'), 1);
    assert.equal(sample('crossprobe_agent_spool_degraded', 'older'), 0);
    assert.equal(sample('crossprobe_agent_memory_queue_depth', 'disk-full'), 12);
    assert.equal(sample('crossprobe_agent_memory_queue_dropped', 'disk-full'), 340);
  });

  it('agents - DELETE forgets a retired agent and closes its open alert; an unknown one is 404, a bad name 400, no token 401', async () => {
    const secured = await ApiHarness.start({ tokens: { api: API_TOKEN } });
    try {
      const now = Date.now();
      const base = { version: '1.0.0', sentAtMs: now, startedAtMs: now, targets: 1, spoolDepth: 0, spoolDropped: 0, spoolBytes: 0, schedLagMs: 0, resultsPublished: 5, inFlight: 0, controls: [] };
      secured.store.upsertHeartbeat({ ...base, region: 'us-east', agent: 'retired', receivedAtMs: now - 3_600_000 });
      secured.store.upsertHeartbeat({ ...base, region: 'us-east', agent: 'kept', receivedAtMs: now });
      const alert = { problem: 'silent' as const, summary: 'agent us-east/retired silent', openedAtMs: now, updatedAtMs: now, healthySinceMs: null };
      secured.store.recordAgentAlerts([{ region: 'us-east', agent: 'retired', ...alert }, { region: 'us-east', agent: 'kept', ...alert }], []);

      const anonymous = await secured.app.inject({ method: 'DELETE', url: '/api/v1/agents/us-east/retired' });
      assert.equal(anonymous.statusCode, 401);
      const del = await secured.app.inject({ method: 'DELETE', url: '/api/v1/agents/us-east/retired', headers: bearer(API_TOKEN) });
      assert.equal(del.statusCode, 200, del.body);
      assert.deepEqual(del.json(), { deleted: 'us-east/retired' });
      assert.deepEqual(secured.store.listAgents().map((a) => a.agent), ['kept']);
      assert.deepEqual(secured.store.openAgentAlerts().map((a) => a.agent), ['kept'], 'its alert closed, the other one kept');

      const again = await secured.app.inject({ method: 'DELETE', url: '/api/v1/agents/us-east/retired', headers: bearer(API_TOKEN) });
      assert.equal(again.statusCode, 404);
      assert.deepEqual(errorOf(again.body), { code: 'CP_NOT_FOUND', message: 'agent "us-east/retired" is not known (GET /api/v1/agents lists them)' });
      const bad = await secured.app.inject({ method: 'DELETE', url: '/api/v1/agents/US_EAST/kept', headers: bearer(API_TOKEN) });
      assert.equal(bad.statusCode, 400);
      assert.match(errorOf(bad.body).message, /^params\.region: must be 1–63 characters of a–z, 0–9 and "-"/);
    } finally {
      await secured.dispose();
    }
  });

  it('openapi - the document lists every route the API serves, with its parameters and schemas', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, { parameters: { name: string; in: string }[]; requestBody?: unknown; responses: Record<string, unknown> }>> }>();
    assert.equal(doc.openapi, '3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    assert.deepEqual(documented, [
      'DELETE /api/v1/agents/{region}/{agent}',
      'DELETE /api/v1/targets/{id}',
      'GET /',
      'GET /api/v1/agents',
      'GET /api/v1/incidents',
      'GET /api/v1/incidents/{id}',
      'GET /api/v1/openapi.json',
      'GET /api/v1/rejects',
      'GET /api/v1/results',
      'GET /api/v1/targets',
      'GET /api/v1/targets/{id}',
      'GET /api/v1/targets/{id}/diagnosis',
      'GET /api/v1/targets/{id}/grid',
      'GET /api/v1/targets/{id}/report',
      'GET /healthz',
      'GET /metrics',
      'POST /api/v1/targets',
      'PUT /api/v1/targets/{id}',
    ]);
    // every route fastify serves is in the document, and the other way round
    const ctx = {} as ApiContext;
    const routes = apiRoutes(ctx);
    assert.equal(routes.length, documented.length);
    for (const r of routes) assert.ok(h.app.hasRoute({ method: r.method, url: r.url }), `${r.method} ${r.url} is served`);
    const results = doc.paths['/api/v1/results']!.get!;
    assert.deepEqual(results.parameters.map((p) => p.name), ['target', 'region', 'agent', 'ip', 'ok', 'failure', 'from', 'to', 'limit', 'order', 'cursor']);
    assert.ok(results.responses['400'], 'a bad query is documented');
    const post = doc.paths['/api/v1/targets']!.post!;
    assert.ok(post.requestBody, 'the target spec is the request body');
    assert.ok(post.responses['401'] && post.responses['201'] && post.responses['409']);
    assert.deepEqual(doc.paths['/api/v1/targets/{id}/diagnosis']!.get!.parameters.map((p) => `${p.in}:${p.name}`), ['path:id', 'query:window']);
    assert.doesNotMatch(res.body, /errorMessage/, 'our validation annotations stay out of the document');
  });

  it('incidents - ?limit= and ?state= work through the API\'s own validator; a bad or repeated limit is 400', async () => {
    const ok = await h.app.inject({ method: 'GET', url: '/api/v1/incidents?limit=5&state=open' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(JSON.parse(ok.body), { incidents: [] });
    for (const q of ['limit=0', 'limit=x', 'limit=1&limit=2']) {
      const bad = await h.app.inject({ method: 'GET', url: `/api/v1/incidents?${q}` });
      assert.equal(bad.statusCode, 400, q);
      assert.match(errorOf(bad.body).message, /^querystring\.limit/, q);
    }
  });

  it('errors - an unknown route is a 404 in the API error shape', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/nothing?x=1' });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(errorOf(res.body), { code: 'CP_NOT_FOUND', message: 'no route GET /api/v1/nothing' });
  });

  it('healthz - 200 while the database and NATS answer; 503 naming NATS when it is down, the database when it is closed', async () => {
    const ok = await h.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json<{ status: string }>().status, 'ok');

    await h.nats.stop();
    const down = await h.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(down.statusCode, 503);
    const body = down.json<{ status: string; checks: { db: { ok: boolean }; nats: { ok: boolean; detail: string } }; error: { code: string; message: string } }>();
    assert.equal(body.status, 'unavailable');
    assert.equal(body.checks.db.ok, true);
    assert.equal(body.checks.nats.ok, false);
    assert.equal(body.error.code, 'CP_UNAVAILABLE');
    assert.match(body.error.message, /^nats: /);

    await h.nats.start();
    await waitFor('NATS back', async () => (await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode === 200, 30_000);

    h.store.close();
    const closed = await h.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(closed.statusCode, 503);
    assert.match(closed.json<{ error: { message: string } }>().error.message, /^database: /);
  });
});
