import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTarget } from '../../../proto/index.js';
import { openStore, type ResultRecord, type Store } from '../../../collector/store/index.js';
import { evaluateTarget } from '../../../collector/evaluate.js';
import { createAlerts, type Alerts } from '../../../collector/alerts/index.js';
import { startIncidentLoop, type IncidentLoop } from '../../../collector/incidents/index.js';
import type { Diagnosis } from '../../../collector/diagnosis/index.js';
import { fakeRecord } from '../../helpers/collector-fixtures.js';
import { memoryLogger } from '../../helpers/logger.js';
import { TempDir } from '../../helpers/collector-store.js';
import { WebhookServer, type Answer } from '../alerts/webhook-server.js';
import { lbNode, origin } from './diagnoses.js';
import { heartbeat } from '../../helpers/report-fixtures.js';

const REGIONS = ['eu-west', 'us-east', 'ap-south'];
const IPS = ['127.0.0.31', '127.0.0.32', '127.0.0.33'];
const T0 = Date.parse('2024-01-01T12:00:00.000Z');
const WINDOWS = { shortWindowMs: 60_000, longWindowMs: 120_000 };

/** Every region probes every IP every 10 s over [fromMs, toMs); IP `bad` (if any) answers 502. */
function rounds(target: string, fromMs: number, toMs: number, bad: string | null): ResultRecord[] {
  const out: ResultRecord[] = [];
  for (let t = fromMs; t < toMs; t += 10_000) {
    for (const region of REGIONS) {
      for (const ip of IPS) {
        out.push(fakeRecord({ target, region, agent: `${region}-1`, ip, startedAtMs: t, failure: ip === bad ? 'HTTP_STATUS' : null, identity: {} }, t + 100));
      }
    }
  }
  return out;
}

interface JsonBody {
  type: string;
  incident: { id: string; target: string; state: string; verdict: string; suspects: { dimension: string; value: string }[] };
  summary: string;
  reportUrl: string;
}

describe('incident loop', () => {
  let dir: TempDir;
  let store: Store;
  let server: WebhookServer | null = null;
  let alerts: Alerts | null = null;
  let loop: IncidentLoop | null = null;
  beforeEach(() => {
    dir = new TempDir();
    store = openStore(dir.file());
  });
  afterEach(async () => {
    await loop?.stop();
    await alerts?.close();
    await server?.close();
    store.close();
    dir.dispose();
    loop = alerts = server = null;
  });

  async function webhooks(answer: (n: number) => Answer, timeoutMs = 5_000): Promise<{ server: WebhookServer; alerts: Alerts }> {
    server = await WebhookServer.start(answer);
    alerts = createAlerts({ webhooks: [{ url: server.url(), format: 'json' }], publicUrl: 'http://collector.test:8080', logger: memoryLogger().logger, timeoutMs, maxAttempts: 1 });
    return { server, alerts };
  }

  it('incident loop - an lb-node fault opens an incident after 2 ticks, healthy results resolve it; both are posted', async () => {
    const { server, alerts } = await webhooks(() => 200);
    const log = memoryLogger();
    store.putTarget(parseTarget({ id: 'shop', url: 'http://shop.test/' }), T0 - 600_000);
    store.insertResults(rounds('shop', T0 - 180_000, T0, '127.0.0.32'));
    loop = startIncidentLoop({
      store,
      logger: log.logger,
      evaluate: (target, nowMs) => evaluateTarget(store, target, nowMs, WINDOWS),
      alerts,
      options: { confirmEvaluations: 2, resolveAfterMs: 30_000 },
      autoStart: false,
    });

    const first = await loop.tick(T0);
    const { evaluated, failed, events, agentEvents, targets, fullDiagnoses } = first;
    assert.deepEqual({ evaluated, failed, events, agentEvents, targets, fullDiagnoses }, { evaluated: 1, failed: 0, events: [], agentEvents: [], targets: 1, fullDiagnoses: 1 }, 'one bad evaluation is not confirmed');
    assert.equal(store.latestIncident('shop'), null);

    const second = await loop.tick(T0 + 5_000);
    assert.deepEqual(second.events.map((e) => e.type), ['opened']);
    const opened = store.latestIncident('shop');
    assert.ok(opened);
    assert.equal(opened.state, 'open');
    assert.equal(opened.verdict, 'lb-node');
    assert.deepEqual(opened.suspects, [{ dimension: 'ip', value: '127.0.0.32' }]);
    await alerts.idle();
    const body = server.received[0]?.body as JsonBody;
    assert.equal(body.type, 'opened');
    assert.equal(body.incident.id, opened.id);
    assert.equal(body.incident.verdict, 'lb-node');
    assert.match(body.summary, /^\[OPENED\] shop: .*127\.0\.0\.32/);
    assert.equal(body.reportUrl, 'http://collector.test:8080/api/v1/targets/shop/report?since=24h&format=html');
    assert.ok(log.lines.some((l) => l.event === 'incident-opened' && l.target === 'shop' && l.incident === opened.id));

    // the node is fixed: from T0 on every probe succeeds; the failures leave the 2-minute window
    store.insertResults(rounds('shop', T0, T0 + 300_000, null));
    await loop.tick(T0 + 60_000); // still failures in the window
    assert.equal(store.latestIncident('shop')?.state, 'open');
    const healthyFrom = T0 + 130_000;
    assert.deepEqual((await loop.tick(healthyFrom)).events, [], 'healthy, not yet for the resolve time');
    assert.deepEqual((await loop.tick(healthyFrom + 20_000)).events, [], 'healthy for less than the resolve time');
    const resolvedTick = await loop.tick(healthyFrom + 30_000);
    assert.deepEqual(resolvedTick.events.map((e) => e.type), ['resolved']);
    const resolved = store.getIncident(opened.id);
    assert.equal(resolved?.state, 'resolved');
    assert.equal(resolved?.resolvedAtMs, healthyFrom + 30_000);
    assert.deepEqual(store.incidentHistory(opened.id).map((e) => e.type), ['opened', 'resolved']);

    await alerts.idle();
    assert.deepEqual(server.received.map((r) => (r.body as JsonBody).type), ['opened', 'resolved']);
    const last = server.received[1]!.body as JsonBody;
    assert.equal(last.incident.state, 'resolved');
    assert.match(last.summary, /^\[RESOLVED\] shop: /);
    assert.deepEqual(alerts.stats(), { sent: 2, failed: 0, dropped: 0, queued: 0, retries: 0 });
  });

  it('incident loop - targets only in agents\' files are judged from their results; one gone quiet still resolves', async () => {
    const { server, alerts } = await webhooks(() => 200);
    // never added through the API: the agents' own --targets files probe it
    store.insertResults(rounds('from-file', T0 - 180_000, T0, '127.0.0.33'));
    loop = startIncidentLoop({
      store,
      logger: memoryLogger().logger,
      evaluate: (target, nowMs) => evaluateTarget(store, target, nowMs, WINDOWS),
      alerts,
      activeWithinMs: WINDOWS.longWindowMs,
      options: { confirmEvaluations: 1, resolveAfterMs: 30_000 },
      autoStart: false,
    });
    const opened = await loop.tick(T0);
    assert.deepEqual(opened.events.map((e) => [e.type, e.incident.target, e.incident.verdict]), [['opened', 'from-file', 'lb-node']]);
    // the agents stop probing it (removed from their files): no results any more
    const quiet = T0 + 10 * WINDOWS.longWindowMs;
    assert.deepEqual(store.activeTargets(quiet - WINDOWS.longWindowMs), [], 'no longer active');
    assert.equal((await loop.tick(quiet)).evaluated, 1, 'still judged while its incident is open');
    const resolved = await loop.tick(quiet + 30_000);
    assert.deepEqual(resolved.events.map((e) => [e.type, e.incident.target]), [['resolved', 'from-file']]);
    assert.equal((await loop.tick(quiet + 60_000)).evaluated, 0, 'resolved and quiet: nothing left to judge');
    await alerts.idle();
    assert.deepEqual(server.received.map((r) => (r.body as JsonBody).type), ['opened', 'resolved']);
  });

  it('incident loop - a silent agent is posted (JSON and Slack), stays open across a restart of the loop, and resolves once heard again', async () => {
    server = await WebhookServer.start(() => 200);
    alerts = createAlerts({
      webhooks: [{ url: server.url('/json'), format: 'json' }, { url: server.url('/slack'), format: 'slack' }],
      publicUrl: 'http://collector.test:8080/',
      logger: memoryLogger().logger,
      maxAttempts: 1,
    });
    const log = memoryLogger();
    const beat = (agent: string, atMs: number): void => store.upsertHeartbeat(heartbeat({ region: agent.split('-')[0]!, agent, receivedAtMs: atMs }));
    const start = (listeningSinceMs: number): IncidentLoop =>
      startIncidentLoop({
        store,
        logger: log.logger,
        evaluate: () => { throw new Error('no target here'); },
        alerts: alerts!,
        options: { resolveAfterMs: 30_000 },
        agentHealth: { staleAfterMs: 15_000, listeningSinceMs },
        autoStart: false,
      });
    loop = start(T0 - 60_000);
    for (const a of ['eu-1', 'eu-2', 'us-1']) beat(a, T0);
    assert.deepEqual((await loop.tick(T0 + 10_000)).agentEvents, []);
    beat('eu-2', T0 + 20_000);
    beat('us-1', T0 + 20_000);
    const opened = await loop.tick(T0 + 20_000);
    assert.deepEqual(opened.agentEvents.map((e) => [e.type, e.alert.region, e.alert.agent, e.alert.problem]), [['opened', 'eu', 'eu-1', 'silent']]);
    assert.deepEqual(store.openAgentAlerts().map((a) => [a.agent, a.problem, a.openedAtMs]), [['eu-1', 'silent', T0 + 20_000]]);
    assert.ok(log.lines.some((l) => l.event === 'agent-alert-opened' && l.agent === 'eu-1' && l.problem === 'silent'));
    await alerts.idle();
    const byPath = (path: string) => server!.received.filter((r) => r.path === path).map((r) => r.body as Record<string, unknown>);
    assert.deepEqual(byPath('/json')[0], {
      type: 'opened',
      agentAlert: { region: 'eu', agent: 'eu-1', problem: 'silent', openedAt: new Date(T0 + 20_000).toISOString(), resolvedAt: null },
      summary: byPath('/json')[0]!.summary,
      dashboardUrl: 'http://collector.test:8080/#agents',
    });
    assert.match(String(byPath('/json')[0]!.summary), /^\[OPENED\] agent eu\/eu-1 silent for 20 s \(last heartbeat 2024-01-01T12:00Z\); eu is still probed by 1 other agent — /);
    assert.match(String(byPath('/slack')[0]!.text), /^\[OPENED\] agent eu\/eu-1 silent for 20 s .* <http:\/\/collector\.test:8080\/#agents\|dashboard>$/);

    // the collector restarts at +60 s: the alert is in the database, and the agent gets its grace again
    await loop.stop();
    loop = start(T0 + 60_000);
    beat('eu-2', T0 + 65_000);
    beat('us-1', T0 + 65_000);
    assert.deepEqual((await loop.tick(T0 + 65_000)).agentEvents, [], 'within the grace after a restart');
    beat('eu-2', T0 + 80_000);
    beat('us-1', T0 + 80_000);
    assert.deepEqual((await loop.tick(T0 + 80_000)).agentEvents, [], 'still silent: the alert is already open');
    assert.equal(store.openAgentAlerts()[0]?.openedAtMs, T0 + 20_000);
    for (const a of ['eu-1', 'eu-2', 'us-1']) beat(a, T0 + 90_000);
    assert.deepEqual((await loop.tick(T0 + 90_000)).agentEvents, [], 'heard again: resolves after resolve-after');
    for (const a of ['eu-1', 'eu-2', 'us-1']) beat(a, T0 + 120_000);
    const resolved = await loop.tick(T0 + 120_000);
    assert.deepEqual(resolved.agentEvents.map((e) => [e.type, e.alert.agent]), [['resolved', 'eu-1']]);
    assert.deepEqual(store.openAgentAlerts(), []);
    await alerts.idle();
    const last = byPath('/json')[1]!;
    assert.equal(last.summary, `[RESOLVED] agent eu/eu-1: fine again after 2 min (open since 2024-01-01T12:00Z); it was: ${String(byPath('/json')[0]!.summary).slice('[OPENED] '.length)}`);
    assert.equal((last.agentAlert as { resolvedAt: string }).resolvedAt, new Date(T0 + 120_000).toISOString());
    assert.equal(byPath('/slack').length, 2);
    assert.deepEqual(alerts.stats(), { sent: 4, failed: 0, dropped: 0, queued: 0, retries: 0 });
  });

  it('incident loop - an agent probing no target while the store has targets for its region is posted, and resolves once it probes them', async () => {
    const { server, alerts } = await webhooks(() => 200);
    const log = memoryLogger();
    // eu-1 should probe eu-only, us-1 us-only (which it does)
    store.putTarget(parseTarget({ id: 'eu-only', url: 'http://eu.test/', regions: ['eu'] }), T0 - 600_000);
    store.putTarget(parseTarget({ id: 'us-only', url: 'http://us.test/', regions: ['us'] }), T0 - 600_000);
    const beat = (agent: string, atMs: number, targets: number): void => store.upsertHeartbeat(heartbeat({ region: agent.split('-')[0]!, agent, receivedAtMs: atMs, targets }));
    loop = startIncidentLoop({
      store,
      logger: log.logger,
      evaluate: () => { throw new Error('not judged here'); },
      alerts,
      options: { resolveAfterMs: 30_000 },
      agentHealth: { staleAfterMs: 15_000, listeningSinceMs: T0 - 60_000 },
      autoStart: false,
    });
    beat('eu-1', T0, 0);
    beat('us-1', T0, 1);
    const opened = await loop.tick(T0 + 1_000);
    assert.deepEqual(opened.agentEvents.map((e) => [e.type, e.alert.region, e.alert.agent, e.alert.problem]), [['opened', 'eu', 'eu-1', 'no-targets']]);
    assert.deepEqual(store.openAgentAlerts().map((a) => [a.agent, a.problem]), [['eu-1', 'no-targets']]);
    assert.ok(log.lines.some((l) => l.event === 'agent-alert-opened' && l.agent === 'eu-1' && l.problem === 'no-targets'));

    // still 0: the same alert, no new word; then it probes its target again: resolved after resolve-after
    beat('eu-1', T0 + 10_000, 0);
    beat('us-1', T0 + 10_000, 1);
    assert.deepEqual((await loop.tick(T0 + 10_000)).agentEvents, []);
    beat('eu-1', T0 + 20_000, 1);
    beat('us-1', T0 + 20_000, 1);
    assert.deepEqual((await loop.tick(T0 + 20_000)).agentEvents, []);
    beat('eu-1', T0 + 50_000, 1);
    beat('us-1', T0 + 50_000, 1);
    const resolved = await loop.tick(T0 + 50_000);
    assert.deepEqual(resolved.agentEvents.map((e) => [e.type, e.alert.agent, e.alert.problem]), [['resolved', 'eu-1', 'no-targets']]);
    assert.deepEqual(store.openAgentAlerts(), []);

    await alerts.idle();
    const bodies = server.received.map((r) => r.body as { type: string; agentAlert: { region: string; agent: string; problem: string }; summary: string });
    assert.deepEqual(bodies.map((b) => [b.type, b.agentAlert.region, b.agentAlert.agent, b.agentAlert.problem]), [['opened', 'eu', 'eu-1', 'no-targets'], ['resolved', 'eu', 'eu-1', 'no-targets']]);
    assert.equal(
      bodies[0]!.summary,
      '[OPENED] agent eu/eu-1 probes no target, while 1 target is meant for eu (eu-only): it heartbeats but sees none of them — check its access to the targets bucket ' +
        '(the hub\'s log for "Permissions Violation" of its NATS user, whose entry crossprobe enroll wrote), its --targets file if it has one, and its log (journalctl -u crossprobe-agent)',
    );
    assert.match(bodies[1]!.summary, /^\[RESOLVED\] agent eu\/eu-1: fine again after 49 s \(open since 2024-01-01T12:00Z\); it was: agent eu\/eu-1 probes no target/);
  });

  // the timeout turns a regression (a tick awaiting the webhook) into a failure instead of a hang
  it('incident loop - a webhook that hangs never holds up a tick', { timeout: 20_000 }, async () => {
    const { server, alerts } = await webhooks(() => 'hang', 60_000);
    store.putTarget(parseTarget({ id: 'shop', url: 'http://shop.test/' }), T0);
    const script: Diagnosis[] = [lbNode(), origin()];
    loop = startIncidentLoop({ store, logger: memoryLogger().logger, evaluate: () => script.shift() ?? origin(), alerts, options: { confirmEvaluations: 1 }, autoStart: false });

    assert.deepEqual((await loop.tick(T0)).events.map((e) => e.type), ['opened']);
    await server.arrived(1); // the "opened" alert is now held by the server, unanswered
    const report = await loop.tick(T0 + 30_000);
    // the tick resolved while the first webhook request is still held open by its handler
    assert.equal(server.held, 1);
    assert.deepEqual(report.events.map((e) => e.type), ['changed']);
    assert.deepEqual(store.incidentHistory(store.latestIncident('shop')!.id).map((e) => e.type), ['opened', 'changed']);
    assert.deepEqual(alerts.stats(), { sent: 0, failed: 0, dropped: 0, queued: 2, retries: 0 }, 'one in flight, one waiting');
  });

  it('incident loop - a target whose evaluation throws is logged and skipped; the others go on', async () => {
    const { alerts } = await webhooks(() => 200);
    const log = memoryLogger();
    store.putTarget(parseTarget({ id: 'api', url: 'http://api.test/' }), T0);
    store.putTarget(parseTarget({ id: 'shop', url: 'http://shop.test/' }), T0);
    loop = startIncidentLoop({
      store,
      logger: log.logger,
      evaluate: (target) => {
        if (target === 'api') throw new Error('classifier bug');
        return lbNode('203.0.113.7', target);
      },
      alerts,
      options: { confirmEvaluations: 1 },
      autoStart: false,
    });
    const report = await loop.tick(T0);
    assert.equal(report.evaluated, 1);
    assert.equal(report.failed, 1);
    assert.deepEqual(report.events.map((e) => `${e.type} ${e.incident.target}`), ['opened shop']);
    const err = log.lines.find((l) => l.event === 'incident-target-skipped');
    assert.equal(err?.target, 'api');
    assert.equal((err?.err as { message?: string } | undefined)?.message, 'classifier bug');
  });

  it('incident loop - the timer ticks on its own until stopped', async () => {
    const { alerts } = await webhooks(() => 200);
    store.putTarget(parseTarget({ id: 'shop', url: 'http://shop.test/' }), T0);
    let evaluations = 0;
    let reached!: () => void;
    const twice = new Promise<void>((resolve) => (reached = resolve));
    loop = startIncidentLoop({
      store,
      logger: memoryLogger().logger,
      intervalMs: 5,
      evaluate: (target) => {
        if (++evaluations === 2) reached();
        return lbNode('203.0.113.7', target);
      },
      alerts,
      now: () => T0 + evaluations * 1_000,
    });
    await twice;
    await loop.stop();
    const after = evaluations;
    assert.ok(store.latestIncident('shop'), 'two timer ticks confirmed the incident');
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(evaluations, after, 'no tick after stop');
  });

  it('incident loop - bad options fail at start-up', () => {
    const alerts = createAlerts({ webhooks: [], publicUrl: 'http://c', logger: memoryLogger().logger });
    assert.throws(
      () => startIncidentLoop({ store, logger: memoryLogger().logger, evaluate: () => origin(), alerts, options: { confirmEvaluations: 1.5 }, autoStart: false }),
      { message: 'confirmEvaluations: must be an integer of at least 1 (got 1.5)' },
    );
  });
});
