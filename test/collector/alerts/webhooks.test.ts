import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AlertsConfigError, alertSentence, backoffMs, createAlerts, jsonAlert, type Alerts, type AlertsOptions } from '../../../collector/alerts/index.js';
import { memoryLogger } from '../../helpers/logger.js';
import { agentFinding, diagnosis, event, LB_SUMMARY, targetFinding } from '../incidents/diagnoses.js';
import { WebhookServer, type Answer } from './webhook-server.js';

const PUBLIC = 'https://crossprobe.example.com/';
const REPORT = 'https://crossprobe.example.com/api/v1/targets/shop/report?since=24h&format=html';

describe('alerts', () => {
  let server: WebhookServer | null = null;
  let alerts: Alerts | null = null;
  afterEach(async () => {
    await alerts?.close();
    await server?.close();
    alerts = null;
    server = null;
  });

  async function start(answer: (n: number) => Answer, opts: Partial<AlertsOptions> = {}, format: 'json' | 'slack' = 'json') {
    server = await WebhookServer.start(answer);
    const log = memoryLogger();
    alerts = createAlerts({ webhooks: [{ url: server.url('/hook/T000/SECRET'), format }], publicUrl: PUBLIC, logger: log.logger, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5_000, ...opts });
    return { server, alerts, lines: log.lines };
  }

  it('alerts - a json webhook receives type, incident, the one sentence and the report URL', async () => {
    const { server, alerts } = await start(() => 200);
    alerts.notify([event('opened')]);
    await alerts.idle();
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0]!.path, '/hook/T000/SECRET');
    assert.match(server.received[0]!.contentType, /^application\/json/);
    assert.deepEqual(server.received[0]!.body, {
      type: 'opened',
      incident: {
        id: 'shop-1704110400000',
        target: 'shop',
        state: 'open',
        verdict: 'lb-node',
        suspects: [{ dimension: 'ip', value: '203.0.113.7' }],
        summary: LB_SUMMARY,
        others: [],
        openedAt: '2024-01-01T12:00:00.000Z',
        updatedAt: '2024-01-01T12:00:00.000Z',
        resolvedAt: null,
        reopens: 0,
      },
      summary: `[OPENED] shop: ${LB_SUMMARY}`,
      reportUrl: REPORT,
    });
    assert.deepEqual(alerts.stats(), { sent: 1, failed: 0, dropped: 0, queued: 0, retries: 0 });
  });

  it('alerts - a slack webhook receives one sentence and a report link', async () => {
    const { server, alerts } = await start(() => 200, {}, 'slack');
    const everywhere = '502s & resets <everywhere>';
    alerts.notify([event('opened'), event('changed', { verdict: 'origin', suspects: [], summary: everywhere, lastDiagnosis: diagnosis([targetFinding('origin', [], everywhere)]) }), event('resolved')]);
    await alerts.idle();
    assert.deepEqual(
      server.received.map((r) => r.body),
      [
        { text: `[OPENED] shop: 502s from lb-node 203.0.113.7 seen from 4/4 regions; other nodes healthy — origin fine. <${REPORT.replace('&', '&amp;')}|report>` },
        { text: `[CHANGED] shop: 502s &amp; resets &lt;everywhere&gt;. <${REPORT.replace('&', '&amp;')}|report>` },
        { text: `[RESOLVED] shop: healthy again after 10 min (open since 2024-01-01T12:00Z); it was: 502s from lb-node 203.0.113.7 seen from 4/4 regions; other nodes healthy — origin fine. <${REPORT.replace('&', '&amp;')}|report>` },
      ],
      'in order, Slack control characters escaped',
    );
  });

  it('alerts - a resolved incident says it is healthy again and for how long it was open, then what it was', () => {
    const opened = Date.parse('2024-01-01T12:00:00.000Z');
    const resolved = (afterMs: number) => alertSentence(event('resolved', { resolvedAtMs: opened + afterMs, updatedAtMs: opened + afterMs }));
    assert.equal(resolved(45_000), `[RESOLVED] shop: healthy again after 45 s (open since 2024-01-01T12:00Z); it was: ${LB_SUMMARY}`);
    assert.match(resolved(7_500_000), /^\[RESOLVED\] shop: healthy again after 2 h 5 min \(/);
    assert.match(resolved(7_200_000), /^\[RESOLVED\] shop: healthy again after 2 h \(/);
    assert.equal(alertSentence(event('changed')), `[CHANGED] shop: ${LB_SUMMARY}`, 'the other events are the finding\'s summary');
  });

  it('alerts - the target\'s other problems follow the one the incident follows; agents set aside do not', () => {
    const route = 'CONNECT_RESET failures from region ap-south on 3/3 nodes — the network path from ap-south';
    const both = diagnosis([
      targetFinding('routing', [{ dimension: 'region', value: 'ap-south' }], route),
      targetFinding('lb-node', [{ dimension: 'ip', value: '203.0.113.7' }, { dimension: 'x-served-by', value: 'lb-2' }]),
      agentFinding('us-east-1'),
    ]);
    const changed = event('changed', { verdict: 'routing', suspects: [{ dimension: 'region', value: 'ap-south' }], summary: route, lastDiagnosis: both });
    assert.equal(alertSentence(changed), `[CHANGED] shop: ${route}; also: lb-node 203.0.113.7 x-served-by lb-2`);
    assert.equal(alertSentence({ ...changed, type: 'resolved' }).includes('also'), false, 'a resolved incident has nothing else open');
    // the JSON webhook lists them too, for a receiver that routes on the verdict
    assert.deepEqual(jsonAlert(changed, 'http://c').incident.others, [
      { verdict: 'lb-node', suspects: [{ dimension: 'ip', value: '203.0.113.7' }, { dimension: 'x-served-by', value: 'lb-2' }], summary: 'lb-node failing: 203.0.113.7, lb-2' },
    ]);
    const resolved = { ...changed, type: 'resolved' as const, incident: { ...changed.incident, state: 'resolved' as const } };
    assert.deepEqual(jsonAlert(resolved, 'http://c').incident.others, []);
  });

  it('alerts - 500 twice then 200: delivered on the 3rd attempt', async () => {
    const { server, alerts, lines } = await start((n) => (n < 2 ? 500 : 200));
    alerts.notify([event('opened')]);
    await alerts.idle();
    assert.equal(server.received.length, 3);
    assert.deepEqual(server.received[2]!.body, server.received[0]!.body, 'the same alert each time');
    assert.deepEqual(alerts.stats(), { sent: 1, failed: 0, dropped: 0, queued: 0, retries: 2 });
    const failures = lines.filter((l) => l.event === 'alert-delivery-failed');
    assert.deepEqual(failures.map((l) => [l.attempt, l.reason, l.giveUp]), [[1, 'HTTP 500', false], [2, 'HTTP 500', false]]);
    assert.ok(failures.every((l) => l.webhook === `http://127.0.0.1:${server.port}`), 'logs name the webhook by origin only: its path is a secret');
    assert.ok(!JSON.stringify(lines).includes('SECRET'));
  });

  it('alerts - a webhook failing every attempt is given up after maxAttempts and counted failed', async () => {
    const { server, alerts } = await start(() => 503, { maxAttempts: 3 });
    alerts.notify([event('opened')]);
    await alerts.idle();
    assert.equal(server.received.length, 3);
    assert.deepEqual(alerts.stats(), { sent: 0, failed: 1, dropped: 0, queued: 0, retries: 2 });
  });

  it('alerts - a client error (400) is not retried; a 429 is', async () => {
    const { server, alerts } = await start((n) => (n === 0 ? 400 : n === 1 ? 429 : 200));
    alerts.notify([event('opened'), event('resolved')]);
    await alerts.idle();
    assert.deepEqual(server.received.map((r) => (r.body as { type: string }).type), ['opened', 'resolved', 'resolved']);
    assert.deepEqual(alerts.stats(), { sent: 1, failed: 1, dropped: 0, queued: 0, retries: 1 });
  });

  it('alerts - a webhook that never answers: each attempt times out, then the alert fails', { timeout: 20_000 }, async () => {
    const { server, alerts, lines } = await start(() => 'hang', { maxAttempts: 2, timeoutMs: 50 });
    alerts.notify([event('opened')]);
    await alerts.idle();
    assert.equal(server.received.length, 2, 'both attempts reached the server');
    assert.deepEqual(alerts.stats(), { sent: 0, failed: 1, dropped: 0, queued: 0, retries: 1 });
    assert.deepEqual(lines.filter((l) => l.event === 'alert-delivery-failed').map((l) => l.reason), ['no answer within 50 ms', 'no answer within 50 ms']);
  });

  it('alerts - the queue is bounded: past it the oldest waiting alert is dropped and counted', async () => {
    const { server, alerts } = await start((n) => (n === 0 ? 'hang' : 200), { maxQueued: 2, timeoutMs: 60_000 });
    const targets = ['t1', 't2', 't3', 't4', 't5'];
    alerts.notify(targets.map((t) => event('opened', { target: t })));
    // t1 is in flight (held by the server); t2..t5 competed for 2 places: t2 and t3 were dropped
    assert.deepEqual(alerts.stats(), { sent: 0, failed: 0, dropped: 2, queued: 3, retries: 0 });
    await server.arrived(1);
    server.release();
    await alerts.idle();
    assert.deepEqual(server.received.map((r) => (r.body as { incident: { target: string } }).incident.target), ['t1', 't4', 't5']);
    assert.deepEqual(alerts.stats(), { sent: 3, failed: 0, dropped: 2, queued: 0, retries: 0 });
  });

  it('alerts - close aborts the attempt in flight and drops what waits', { timeout: 20_000 }, async () => {
    const { server, alerts } = await start(() => 'hang', { timeoutMs: 60_000 });
    alerts.notify([event('opened'), event('changed'), event('resolved')]);
    await server.arrived(1);
    await alerts.close();
    assert.deepEqual(alerts.stats(), { sent: 0, failed: 0, dropped: 3, queued: 0, retries: 0 });
    alerts.notify([event('opened')]);
    assert.equal(alerts.stats().dropped, 4, 'after close, alerts are dropped, not sent');
    assert.equal(server.received.length, 1);
  });

  it('alerts - several webhooks each get every alert in their own format', async () => {
    server = await WebhookServer.start(() => 200);
    alerts = createAlerts({
      webhooks: [{ url: server.url('/json'), format: 'json' }, { url: server.url('/slack'), format: 'slack' }],
      publicUrl: 'http://collector:8080',
      logger: memoryLogger().logger,
    });
    alerts.notify([event('opened')]);
    await alerts.idle();
    const byPath = new Map(server.received.map((r) => [r.path, r.body as Record<string, unknown>]));
    assert.equal(byPath.get('/json')?.reportUrl, 'http://collector:8080/api/v1/targets/shop/report?since=24h&format=html');
    assert.equal(byPath.get('/slack')?.text, `[OPENED] shop: ${LB_SUMMARY}. <http://collector:8080/api/v1/targets/shop/report?since=24h&amp;format=html|report>`);
  });

  it('alerts config - bad webhooks and limits are refused at start-up with the field named', () => {
    const logger = memoryLogger().logger;
    const cases: [Partial<AlertsOptions>, string][] = [
      [{ webhooks: [{ url: 'ftp://x/hook', format: 'json' }] }, 'webhooks[0].url: must be an http(s) URL (got "ftp://x/hook")'],
      [{ webhooks: [{ url: 'http://x/hook', format: 'teams' as 'json' }] }, 'webhooks[0].format: must be one of json, slack (got "teams")'],
      [{ webhooks: [{ url: 'http://x/hook', format: 'json' }], publicUrl: 'collector:8080' }, 'publicUrl: must be an http(s) URL (got "collector:8080")'],
      [{ maxAttempts: 0 }, 'maxAttempts: must be an integer of at least 1 (got 0)'],
    ];
    for (const [o, message] of cases) {
      assert.throws(() => createAlerts({ webhooks: [], publicUrl: 'http://c', logger, ...o }), (err: unknown) => err instanceof AlertsConfigError && err.message === message, message);
    }
  });

  it('alerts backoff - doubles from the base delay, capped', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((a) => backoffMs(a, 1_000, 30_000)), [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });
});
