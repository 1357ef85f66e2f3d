import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createAlerts } from '../../../collector/alerts/index.js';
import { evaluateTarget } from '../../../collector/evaluate.js';
import { startIncidentLoop } from '../../../collector/incidents/index.js';
import { openStore } from '../../../collector/store/index.js';
import { parseTarget } from '../../../proto/index.js';
import { ApiHarness, errorOf } from '../../helpers/collector-api-harness.js';
import { CollectorProcess } from '../../helpers/collector-api-process.js';
import { memoryLogger } from '../../helpers/logger.js';
import { NatsServer } from '../../helpers/nats-server.js';
import { freePort } from '../../helpers/net.js';
import { waitFor } from '../../helpers/stream.js';

const HUGE = `${'9'.repeat(309)}d`;

/** Writes target rows straight into the SQLite file, past every check (as an older version could have). */
function writeRawTargets(path: string, rows: readonly { id: string; spec: unknown }[]): void {
  const db = new Database(path);
  try {
    const put = db.prepare('INSERT OR REPLACE INTO targets (id, spec, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?)');
    // a string is written as it is: a row that is not JSON at all
    for (const r of rows) put.run(r.id, typeof r.spec === 'string' ? r.spec : JSON.stringify(r.spec), Date.now(), Date.now());
  } finally {
    db.close();
  }
}

const BAD_ROWS = [
  { id: 'forever', spec: { id: 'forever', url: 'https://forever.example.com/', interval: HUGE, timeout: '10s' } },
  { id: 'month', spec: { id: 'month', url: 'https://month.example.com/', interval: '30d' } },
  { id: 'garbled', spec: '{ not json' },
];

describe('target limits - API', () => {
  let h: ApiHarness;
  before(async () => {
    h = await ApiHarness.start({ allowPrivateTargets: false });
  });
  after(async () => {
    await h?.dispose();
  });

  const post = (payload: unknown) => h.app.inject({ method: 'POST', url: '/api/v1/targets', payload: payload as object });

  it('targets - a URL naming a private, loopback or metadata address is 400 naming url and the flag', async () => {
    const cases: [string, string][] = [
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local (cloud metadata lives here) address'],
      ['http://127.0.0.1:8080/', '127.0.0.1 is a loopback address'],
      ['http://localhost/', 'localhost is a loopback address'],
      ['https://10.1.2.3/', '10.1.2.3 is a private address'],
      ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe is a IPv4-mapped link-local (cloud metadata lives here) address'],
    ];
    for (const [url, what] of cases) {
      const res = await post({ id: 'ssrf', url });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.deepEqual(errorOf(res.body), {
        code: 'CP_BAD_REQUEST',
        message: `body.url: ${what}; probing loopback, link-local (cloud metadata) and private addresses is refused unless the collector runs with --allow-private-targets (and the agents too)`,
      });
    }
    const put = await h.app.inject({ method: 'PUT', url: '/api/v1/targets/ssrf', payload: { id: 'ssrf', url: 'http://169.254.169.254/' } });
    assert.equal(put.statusCode, 400);
    assert.equal(await h.kv.get('ssrf'), null, 'nothing reached the bucket');
    const pub = await post({ id: 'public', url: 'https://93.184.215.14/' });
    assert.equal(pub.statusCode, 201, pub.body);
  });

  it('targets - interval, timeout, pattern and header limits are 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ interval: HUGE }, `body.interval: must be at most 24h (got "${HUGE}")`],
      [{ interval: '30d' }, 'body.interval: must be at most 24h (got "30d")'],
      [{ interval: '1h', timeout: '10m' }, 'body.timeout: must be at most 5m (got "10m")'],
      [{ headers: { 'Transfer-Encoding': 'chunked' } }, 'body.headers.Transfer-Encoding: the HTTP client frames the request itself (undici refuses this header); remove it'],
      [
        { identity: [{ header: 'x-a', pattern: '(a)\\1' }] },
        'body.identity[0].pattern: not a regular expression RE2 accepts (no backreferences or lookaround: patterns must run in linear time): error parsing regexp: invalid escape sequence: `\\1`',
      ],
    ];
    for (const [spec, message] of cases) {
      const res = await post({ id: 'limits', url: 'https://shop.example.com/', ...spec });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(errorOf(res.body).message, message);
    }
  });
});

describe('target limits - a bad stored target', () => {
  it('targets - a stored target that no longer validates is skipped and logged once: listing, /metrics, dashboard, incidents, delete', async () => {
    const h = await ApiHarness.start({ allowPrivateTargets: false });
    try {
      h.store.putTarget(parseTarget({ id: 'shop', url: 'https://shop.example.com/' }));
      writeRawTargets(h.store.path, BAD_ROWS);

      for (let i = 0; i < 3; i++) {
        const list = await h.app.inject({ method: 'GET', url: '/api/v1/targets' });
        assert.equal(list.statusCode, 200, list.body);
        assert.deepEqual(list.json<{ targets: { target: { id: string } }[] }>().targets.map((t) => t.target.id), ['shop']);
      }
      const one = await h.app.inject({ method: 'GET', url: '/api/v1/targets/forever' });
      assert.equal(one.statusCode, 404);
      assert.equal(errorOf(one.body).message, 'target "forever" is stored but no longer validates (the collector log says why); replace it with PUT or delete it');
      const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(metrics.statusCode, 200, metrics.body);
      assert.match(metrics.body, /^crossprobe_targets 1$/m);
      const dashboard = await h.app.inject({ method: 'GET', url: '/' });
      assert.equal(dashboard.statusCode, 200, dashboard.body.slice(0, 500));
      const health = await h.app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(health.statusCode, 200, health.body);

      const log = memoryLogger();
      const alerts = createAlerts({ webhooks: [], publicUrl: 'http://collector.test:8080', logger: log.logger });
      const loop = startIncidentLoop({ store: h.store, logger: log.logger, evaluate: (t, now) => evaluateTarget(h.store, t, now), alerts, autoStart: false });
      try {
        const tick = await loop.tick();
        assert.equal(tick.failed, 0);
        assert.equal(tick.evaluated, 1, 'the good target is still judged');
        assert.ok(!log.lines.some((l) => l.event === 'incident-targets-unlisted'));
      } finally {
        await loop.stop();
        await alerts.close();
      }

      // once per bad row, naming the target and the field, however often targets are read
      const told = h.logs.filter((l) => l.event === 'stored-target-invalid');
      assert.deepEqual(told.map((l) => l.target).sort(), ['forever', 'garbled', 'month']);
      const forever = told.find((l) => l.target === 'forever')!;
      assert.equal((forever.err as { message: string }).message, `stored target "forever".interval: must be at most 24h (got "${HUGE}")`);
      const month = told.find((l) => l.target === 'month')!;
      assert.equal((month.err as { message: string }).message, 'stored target "month".interval: must be at most 24h (got "30d")');

      // a bad row can be replaced (200: it existed) or deleted, and then it is gone
      const replaced = await h.app.inject({ method: 'PUT', url: '/api/v1/targets/month', payload: { id: 'month', url: 'https://month.example.com/', interval: '1h' } });
      assert.equal(replaced.statusCode, 200, replaced.body);
      assert.equal(h.store.getTarget('month')?.target.intervalMs, 3_600_000);
      const del = await h.app.inject({ method: 'DELETE', url: '/api/v1/targets/forever' });
      assert.equal(del.statusCode, 200, del.body);
      assert.equal(h.store.hasTarget('forever'), false);
      const missing = await h.app.inject({ method: 'DELETE', url: '/api/v1/targets/never-was' });
      assert.equal(missing.statusCode, 404);
    } finally {
      await h.dispose();
    }
  });

  it('collector - starts on a database holding bad targets, serves the good ones and republishes only them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossprobe-bad-targets-'));
    const nats = await NatsServer.start();
    let collector: CollectorProcess | null = null;
    try {
      const db = join(dir, 'collector.db');
      const seed = openStore(db);
      seed.putTarget(parseTarget({ id: 'shop', url: 'https://shop.example.com/' }));
      seed.close();
      writeRawTargets(db, BAD_ROWS);
      const port = await freePort();
      collector = CollectorProcess.start(['--nats', nats.url, '--db', db, '--listen', `127.0.0.1:${port}`, '--incident-interval', '200ms']);
      const c = collector;
      await waitFor('the collector API', async () => {
        if (!c.running) throw new Error(`the collector exited: ${c.stderr}`);
        return fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      }, 30_000);
      const list = (await (await fetch(`http://127.0.0.1:${port}/api/v1/targets`)).json()) as { targets: { target: { id: string } }[] };
      assert.deepEqual(list.targets.map((t) => t.target.id), ['shop']);
      // the republish at start wrote the good target back to the fresh bucket, and skipped the bad ones
      await waitFor('the republished target', () => c.logs.find((l) => l.event === 'target-republished'));
      assert.deepEqual(c.logs.filter((l) => l.event === 'target-republished').map((l) => l.target), ['shop']);
      // several incident ticks later, each bad row was logged once
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.ok(c.running, c.stderr);
      const told = c.logs.filter((l) => l.event === 'stored-target-invalid');
      assert.deepEqual(told.map((l) => l.target).sort(), ['forever', 'garbled', 'month']);
    } finally {
      await collector?.kill();
      await nats.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
