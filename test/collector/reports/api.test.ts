import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTarget } from '../../../proto/index.js';
import { redactUrl, sessionValue } from '../../../collector/api/auth.js';
import { API_TOKEN, ApiHarness, READ_TOKEN, bearer, errorOf } from '../../helpers/collector-api-harness.js';
import { craftResults, heartbeat, HOUR_MS, NGINX_502, recordIncident, seedScenarios } from '../../helpers/report-fixtures.js';

// GET /api/v1/targets/:id/report and GET / (the dashboard) through the API server (fastify.inject,
// a real SQLite file, a real nats-server), with and without tokens.

const MINUTE = 60_000;

interface ReportJson {
  kind: string;
  target: { id: string; url: string | null; managed: boolean };
  range: { from: string; to: string; length: string };
  verdict: { verdict: string; sentence: string };
  totals: { failures: number; probes: number };
  sources: { raw: unknown };
}

function seed(h: ApiHarness, end: number): void {
  h.store.putTarget(parseTarget({ id: 'shop', url: 'https://shop.example/health' }));
  seedScenarios(h.store, end, ['shop', 'calm']);
  recordIncident(h.store, { target: 'shop', openedAtMs: end - 4 * HOUR_MS, verdict: 'lb-node', suspects: [{ dimension: 'ip', value: '127.0.0.12' }], summary: '502s from lb-node 127.0.0.12 seen from 3/3 regions' });
  h.store.upsertHeartbeat(heartbeat({ region: 'eu-west', agent: 'eu-west-1', receivedAtMs: Date.now(), spoolDepth: 42 }));
  h.store.upsertHeartbeat(heartbeat({ region: 'us-east', agent: 'us-east-1', receivedAtMs: Date.now() - HOUR_MS }));
}

describe('report API (reads open)', () => {
  let h: ApiHarness;
  before(async () => {
    h = await ApiHarness.start();
    seed(h, Math.floor(Date.now() / MINUTE) * MINUTE);
  });
  after(async () => {
    await h?.dispose();
  });

  it('report API - json: the report data, its verdict sentence the diagnosis\' own', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/targets/shop/report?since=24h' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const r = res.json<ReportJson>();
    assert.equal(r.kind, 'crossprobe-report');
    assert.deepEqual(r.target, { id: 'shop', url: 'https://shop.example/health', managed: true });
    assert.equal(r.range.length, '1d');
    assert.equal(r.verdict.verdict, 'lb-node');
    const d = (await h.app.inject({ method: 'GET', url: '/api/v1/targets/shop/diagnosis' })).json<{ findings: { summary: string }[] }>();
    assert.equal(r.verdict.sentence, d.findings[0]?.summary);
    assert.equal(r.totals.failures, 900);
    // without ?since= it is 24h; ?until= (here a duration ago) ends it earlier
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/targets/shop/report' })).json<ReportJson>().range.length, '1d');
    const earlier = (await h.app.inject({ method: 'GET', url: '/api/v1/targets/shop/report?since=1h&until=6h' })).json<ReportJson>();
    assert.equal(earlier.range.length, '1h');
    assert.equal(earlier.totals.failures, 0, 'the fault started 5 h ago');
    assert.ok(Math.abs(Date.parse(earlier.range.to) - (Date.now() - 6 * HOUR_MS)) < 2 * MINUTE, earlier.range.to);
  });

  it('report API - md and html: their content types, the HTML with its own CSP nonce and no script', async () => {
    const md = await h.app.inject({ method: 'GET', url: '/api/v1/targets/shop/report?since=24h&format=md' });
    assert.equal(md.statusCode, 200);
    assert.equal(md.headers['content-type'], 'text/markdown; charset=utf-8');
    assert.match(String(md.headers['content-disposition']), /^inline; filename="crossprobe-report-shop-\d{8}T\d{4}Z\.md"$/);
    assert.ok(md.body.startsWith('# crossprobe report: `shop`\n'));
    assert.match(md.body, /^> \*\*lb-node\*\* \(confidence \d\.\d\d\): 502s from lb-node 127\.0\.0\.12/m);

    const page = await h.app.inject({ method: 'GET', url: '/api/v1/targets/shop/report?since=24h&format=html' });
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    const nonce = /style-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'none'/);
    assert.ok(page.body.includes(`<style nonce="${nonce}">`));
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.doesNotMatch(page.body, /<script/);
    assert.ok(page.body.includes('<a href="/">← dashboard</a>'));
    const again = await h.app.inject({ method: 'GET', url: '/api/v1/targets/shop/report?format=html' });
    assert.notEqual(/nonce-([^']+)'/.exec(String(again.headers['content-security-policy']))?.[1], nonce, 'a fresh nonce per response');
  });

  it('report API - a bad query is 400 naming the field; an unknown target 404', async () => {
    const cases: [string, string][] = [
      ['since=5x', 'querystring.since: must be a duration such as 30s, 15m or 24h (got "5x")'],
      ['since=30s', 'querystring.since: must be at least 1m (got "30s")'],
      ['since=401d', 'querystring.since: must be at most 400d (got "401d")'],
      ['format=pdf', 'querystring.format: must be one of json, md, html (got "pdf")'],
      ['until=yesterday', 'querystring.until: must be an ISO 8601 time, milliseconds since the epoch, or a duration ago such as 1h (got "yesterday")'],
      ['window=0s', 'querystring.window: must be a duration above 0 such as 30s, 15m or 24h (got "0s")'],
      ['sinse=1h', 'querystring.sinse: unknown key (known keys: since, until, format, window, token)'],
    ];
    for (const [query, message] of cases) {
      const res = await h.app.inject({ method: 'GET', url: `/api/v1/targets/shop/report?${query}` });
      assert.equal(res.statusCode, 400, query);
      assert.deepEqual(errorOf(res.body), { code: 'CP_BAD_REQUEST', message }, query);
    }
    const missing = await h.app.inject({ method: 'GET', url: '/api/v1/targets/nowhere/report?format=html' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(errorOf(missing.body), { code: 'CP_NOT_FOUND', message: 'target "nowhere" does not exist and has no results' });
    const badId = await h.app.inject({ method: 'GET', url: '/api/v1/targets/Bad_Id/report' });
    assert.equal(badId.statusCode, 400);
  });

  it('report API - a target whose raw results expired is still reported from its rollups', async () => {
    const now = Date.now();
    h.store.insertResults(craftResults({ target: 'ghost', endMs: now - 20 * 24 * HOUR_MS, minutes: 60, fault: (p) => (p.node === 'lb-1' ? NGINX_502 : null) }));
    await h.store.applyRetention(now, { rawMs: 14 * 24 * HOUR_MS });
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/targets/ghost/report?since=30d' });
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json<ReportJson & { samples: unknown[]; heatmap: { bucket: string } }>();
    assert.deepEqual([r.totals.failures, r.totals.probes, r.samples.length, r.heatmap.bucket], [180, 540, 0, '6h']);
  });

  it('dashboard - every target with its strips, the open incident\'s sentence, agents with heartbeat and spool; refreshing itself under a strict CSP', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    const csp = String(res.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /connect-src 'self'/);
    assert.ok(res.body.includes(`<script nonce="${nonce}">`));
    assert.match(res.body, /<body class="dashboard" data-refresh="15" data-refreshes="0">/);
    assert.match(res.body, /<div class="target" data-target="shop" data-state="incident">/);
    assert.match(res.body, /<div class="target" data-target="calm" data-state="ok">/);
    assert.ok(res.body.indexOf('data-target="shop"') < res.body.indexOf('data-target="calm"'), 'the incident first');
    assert.ok(res.body.includes('<td class="sentence">502s from lb-node 127.0.0.12 seen from 3/3 regions</td>'));
    assert.ok(res.body.includes('href="/api/v1/targets/shop/report?since=24h&amp;format=html"'));
    assert.match(res.body, /<tr class="" data-agent="eu-west\/eu-west-1">.*?<td class="num">42<\/td>/);
    assert.match(res.body, /<tr class="stale" data-agent="us-east\/us-east-1">.*?✖ stale, 1\.0 h ago/);
    // shop's strips: each region's last 60 minutes, lb-2 failing throughout: a third of each minute
    const strip = /data-target="shop"[\s\S]*?<svg[^>]*class="strip"[\s\S]*?<\/svg>/.exec(res.body)?.[0] ?? '';
    assert.equal(strip.match(/<g class="strip-row"/g)?.length, 3);
    assert.ok((strip.match(/data-level="4"/g)?.length ?? 0) >= 3 * 55, 'a failing rect per minute and region');
    assert.match((await h.app.inject({ method: 'GET', url: '/?refresh=2' })).body, /data-refresh="2"/);
    const bad = await h.app.inject({ method: 'GET', url: '/?refresh=0' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(errorOf(bad.body), { code: 'CP_BAD_REQUEST', message: 'querystring.refresh: must be a whole number of seconds from 1 to 3600 (got 0)' });
  });

  it('auth - with reads open, ?token= is dropped from the URL and no cookie is set', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/?token=whatever&refresh=5' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/?refresh=5');
    assert.equal(res.headers['set-cookie'], undefined);
  });

  it('openapi - the report and the dashboard are documented, with their formats', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{
      paths: Record<string, { get: { tags: string[]; parameters: { name: string; in: string }[]; responses: Record<string, { content: Record<string, { schema: { type?: string } }> }> } }>;
    }>();
    const report = doc.paths['/api/v1/targets/{id}/report']!.get;
    assert.deepEqual(report.parameters.map((p) => `${p.in}:${p.name}`), ['path:id', 'query:since', 'query:until', 'query:format', 'query:window', 'query:token']);
    assert.deepEqual(Object.keys(report.responses['200']!.content), ['application/json', 'text/markdown', 'text/html']);
    assert.equal(report.responses['200']!.content['text/html']!.schema.type, 'string');
    assert.ok(report.responses['404'] && report.responses['401']);
    const dashboard = doc.paths['/']!.get;
    assert.deepEqual(dashboard.tags, ['dashboard']);
    assert.deepEqual(Object.keys(dashboard.responses['200']!.content), ['text/html']);
  });
});

describe('report API with a read token', () => {
  let h: ApiHarness;
  before(async () => {
    h = await ApiHarness.start({ tokens: { api: API_TOKEN, read: READ_TOKEN } });
    seed(h, Math.floor(Date.now() / MINUTE) * MINUTE);
  });
  after(async () => {
    await h?.dispose();
  });

  const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers });

  it('auth - without credentials: JSON 401 for the API, a page saying how to get in for the dashboard and HTML reports', async () => {
    const json = await get('/api/v1/targets/shop/report');
    assert.equal(json.statusCode, 401);
    assert.deepEqual(errorOf(json.body), { code: 'CP_UNAUTHORIZED', message: 'reads need an "Authorization: Bearer <token>" header' });
    assert.equal(json.headers['www-authenticate'], 'Bearer realm="crossprobe"');
    for (const url of ['/', '/api/v1/targets/shop/report?since=24h&format=html']) {
      const page = await get(url);
      assert.equal(page.statusCode, 401, url);
      assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(String(page.headers['content-security-policy']), /^default-src 'none'/);
      assert.ok(page.body.includes('open this address once with ?token=&lt;read token&gt; added'), page.body);
      assert.ok(page.body.includes(`<a href="${url.replace(/&/g, '&amp;')}">Reload this page</a>`));
      assert.doesNotMatch(page.body, /<script/);
    }
    const wrong = await get('/?token=not-the-token&refresh=3');
    assert.equal(wrong.statusCode, 401);
    assert.ok(wrong.body.includes('the token is not valid.'));
    assert.ok(wrong.body.includes('<a href="/?refresh=3">'), 'the wrong token is not echoed back');
    assert.equal(wrong.headers['set-cookie'], undefined);
  });

  it('auth - ?token= sets an HttpOnly SameSite=Strict session cookie (not the token) and redirects to the URL without it', async () => {
    const login = await get('/?token=' + READ_TOKEN + '&refresh=5');
    assert.equal(login.statusCode, 303);
    assert.equal(login.headers.location, '/?refresh=5');
    const cookie = String(login.headers['set-cookie']);
    assert.equal(cookie, `crossprobe_session=${sessionValue(READ_TOKEN)}; Path=/; HttpOnly; SameSite=Strict`);
    assert.ok(!cookie.includes(READ_TOKEN));
    const session = { cookie: cookie.split(';')[0]! };
    assert.equal((await get('/?refresh=5', session)).statusCode, 200);
    assert.equal((await get('/api/v1/targets/shop/report?format=html', session)).statusCode, 200);
    assert.equal((await get('/api/v1/targets', session)).statusCode, 200, 'every read');
    // the API token logs a browser in too; the query it came with is kept
    const api = await get(`/api/v1/targets/shop/report?since=1h&token=${API_TOKEN}&format=md`);
    assert.equal(api.statusCode, 303);
    assert.equal(api.headers.location, '/api/v1/targets/shop/report?since=1h&format=md');
    assert.equal(String(api.headers['set-cookie']).split(';')[0], `crossprobe_session=${sessionValue(API_TOKEN)}`);
  });

  it('auth - behind a TLS proxy (an https --public-url) the session cookie is Secure', async () => {
    const behindTls = await ApiHarness.start({ tokens: { api: API_TOKEN, read: READ_TOKEN }, secureCookies: true });
    try {
      const login = await behindTls.app.inject({ method: 'GET', url: `/?token=${READ_TOKEN}` });
      assert.equal(login.statusCode, 303);
      assert.equal(String(login.headers['set-cookie']), `crossprobe_session=${sessionValue(READ_TOKEN)}; Path=/; HttpOnly; SameSite=Strict; Secure`);
    } finally {
      await behindTls.dispose();
    }
  });

  it('auth - the session cookie never writes, and a forged one reads nothing', async () => {
    const session = { cookie: `crossprobe_session=${sessionValue(API_TOKEN)}` };
    const write = await h.app.inject({ method: 'POST', url: '/api/v1/targets', headers: { ...session, 'content-type': 'application/json' }, payload: { id: 'x', url: 'http://x.example/' } });
    assert.equal(write.statusCode, 401);
    assert.deepEqual(errorOf(write.body), { code: 'CP_UNAUTHORIZED', message: 'writes need an "Authorization: Bearer <token>" header' });
    assert.equal((await h.app.inject({ method: 'DELETE', url: '/api/v1/targets/shop', headers: session })).statusCode, 401);
    assert.equal((await h.app.inject({ method: 'POST', url: '/api/v1/targets?token=' + API_TOKEN, headers: { 'content-type': 'application/json' }, payload: { id: 'x', url: 'http://x.example/' } })).statusCode, 401, '?token= is no way to write');
    for (const forged of [`crossprobe_session=${READ_TOKEN}`, 'crossprobe_session=', `other=${sessionValue(READ_TOKEN)}`]) {
      assert.equal((await get('/api/v1/targets', { cookie: forged })).statusCode, 401, forged);
    }
    assert.equal((await get('/api/v1/targets/shop/report', bearer(READ_TOKEN))).statusCode, 200, 'the bearer header as before');
  });

  it('auth - a token in a URL never reaches the log', () => {
    assert.equal(redactUrl(`/?token=${READ_TOKEN}&refresh=5`), '/?token=REDACTED&refresh=5');
    assert.equal(redactUrl(`/api/v1/targets/shop/report?since=1h&token=${READ_TOKEN}`), '/api/v1/targets/shop/report?since=1h&token=REDACTED');
    assert.ok(!JSON.stringify(h.logs).includes(READ_TOKEN));
  });
});
