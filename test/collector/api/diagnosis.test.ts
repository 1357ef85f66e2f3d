import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTarget } from '../../../proto/index.js';
import type { ResultRecord } from '../../../collector/store/index.js';
import { fakeRecord } from '../../helpers/collector-fixtures.js';
import { ApiHarness, errorOf } from '../../helpers/collector-api-harness.js';

const REGIONS = ['eu-west', 'us-east', 'ap-south'];
const IPS = ['127.0.0.31', '127.0.0.32', '127.0.0.33'];

/** Every region probes every IP every 10 s for the last `minutes`; IP `bad` answers 502, the rest 200. */
function lbNodeFault(target: string, bad: string, minutes: number, endMs: number): ResultRecord[] {
  const out: ResultRecord[] = [];
  for (let t = endMs - minutes * 60_000 + 5_000; t < endMs; t += 10_000) {
    for (const region of REGIONS) {
      for (const ip of IPS) {
        out.push(fakeRecord({ target, region, agent: `${region}-1`, ip, startedAtMs: t, failure: ip === bad ? 'HTTP_STATUS' : null, identity: {} }));
      }
    }
  }
  return out;
}

describe('diagnosis API', () => {
  let h: ApiHarness;
  const now = Date.now();
  before(async () => {
    h = await ApiHarness.start({ windows: { shortMs: 5 * 60_000, longMs: 60 * 60_000, maxMs: 24 * 3_600_000 } });
    // "shop" is a target the API manages; "edge" is only known from results (an agent's targets file)
    h.store.putTarget(parseTarget({ id: 'shop', url: 'http://shop.test/' }));
    h.store.insertResults(lbNodeFault('shop', '127.0.0.32', 10, now));
    h.store.insertResults(lbNodeFault('edge', '127.0.0.33', 3, now));
  });
  after(async () => {
    await h?.dispose();
  });

  it('diagnosis - one node failing for every region is lb-node, in the exact shape of DESIGN §5', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/targets/shop/diagnosis?window=15m' });
    assert.equal(res.statusCode, 200, res.body);
    const d = res.json<Record<string, unknown> & { window: { from: string; to: string }; findings: Record<string, unknown>[] }>();
    assert.deepEqual(Object.keys(d).sort(), ['findings', 'target', 'verdict', 'window']);
    assert.equal(d.target, 'shop');
    assert.equal(d.verdict, 'lb-node');
    assert.deepEqual(Object.keys(d.window).sort(), ['from', 'to']);
    const span = Date.parse(d.window.to) - Date.parse(d.window.from);
    assert.equal(span, 15 * 60_000, 'the window is ?window=');
    const f = d.findings[0]!;
    assert.deepEqual(Object.keys(f).sort(), ['confidence', 'evidence', 'hints', 'summary', 'suspects', 'verdict']);
    assert.equal(f.verdict, 'lb-node');
    assert.deepEqual(f.suspects, [{ dimension: 'ip', value: '127.0.0.32' }]);
    assert.ok(typeof f.confidence === 'number' && f.confidence > 0.9 && f.confidence <= 1, `confidence ${String(f.confidence)}`);
    assert.match(String(f.summary), /127\.0\.0\.32/);
    assert.ok(Array.isArray(f.hints) && f.hints.every((x) => typeof x === 'string'));
    const evidence = f.evidence as { grid: { dimension: string; rows: string[]; columns: string[] }; codes: Record<string, number>; samples: unknown[] };
    assert.equal(evidence.grid.dimension, 'ip');
    assert.deepEqual(evidence.grid.rows, REGIONS.slice().sort());
    assert.deepEqual(evidence.grid.columns, IPS);
    assert.ok(Object.keys(evidence.codes).some((c) => c.startsWith('HTTP_STATUS')));
    assert.ok(evidence.samples.length > 0);
  });

  it('diagnosis - without ?window= the collector\'s long window applies; a target known only from results is diagnosed', async () => {
    const d = (await h.app.inject({ method: 'GET', url: '/api/v1/targets/edge/diagnosis' })).json<{ verdict: string; window: { from: string; to: string }; findings: { suspects: unknown[] }[] }>();
    assert.equal(Date.parse(d.window.to) - Date.parse(d.window.from), 60 * 60_000);
    assert.equal(d.verdict, 'lb-node');
    assert.deepEqual(d.findings[0]?.suspects, [{ dimension: 'ip', value: '127.0.0.33' }]);
  });

  it('diagnosis - a window shorter than the short window shortens both; old failures fall out of it', async () => {
    // shop's failures span the last 10 minutes: a 1 m window still holds 6 rounds of them
    const recent = (await h.app.inject({ method: 'GET', url: '/api/v1/targets/shop/diagnosis?window=1m' })).json<{ verdict: string; window: { from: string; to: string }; findings: { evidence: { from: string; to: string } }[] }>();
    assert.equal(Date.parse(recent.window.to) - Date.parse(recent.window.from), 60_000);
    assert.equal(recent.verdict, 'lb-node');
    const evidence = recent.findings[0]!.evidence;
    assert.ok(Date.parse(evidence.to) - Date.parse(evidence.from) <= 60_000, 'the short window is cut to the window');
    // edge's failures are 3 minutes old at most: a 1 s window holds none of them
    const none = (await h.app.inject({ method: 'GET', url: '/api/v1/targets/edge/diagnosis?window=1s' })).json<{ verdict: string }>();
    assert.equal(none.verdict, 'healthy');
  });

  it('diagnosis - a bad window is 400 naming querystring.window; an unknown target 404', async () => {
    const cases: [string, string][] = [
      ['5x', 'querystring.window: must be a duration such as 30s, 15m or 24h (got "5x")'],
      ['0s', 'querystring.window: must be a duration above 0 such as 30s, 15m or 24h (got "0s")'],
      ['2d', 'querystring.window: must be at most 1d (got "2d")'],
    ];
    for (const [window, message] of cases) {
      for (const what of ['diagnosis', 'grid']) {
        const res = await h.app.inject({ method: 'GET', url: `/api/v1/targets/shop/${what}?window=${window}` });
        assert.equal(res.statusCode, 400, `${what} ${window}`);
        assert.deepEqual(errorOf(res.body), { code: 'CP_BAD_REQUEST', message });
      }
    }
    for (const what of ['diagnosis', 'grid']) {
      const res = await h.app.inject({ method: 'GET', url: `/api/v1/targets/nowhere/${what}` });
      assert.equal(res.statusCode, 404, what);
      assert.deepEqual(errorOf(res.body), { code: 'CP_NOT_FOUND', message: 'target "nowhere" does not exist and has no results' });
    }
  });

  it('grid - region × IP failures/probes over the window', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/targets/shop/grid?window=5m' });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json<{ target: string; grids: { dimension: string; rows: string[]; columns: string[]; cells: { failures: number; probes: number }[][] }[] }>();
    assert.equal(body.target, 'shop');
    const grid = body.grids[0]!;
    assert.equal(grid.dimension, 'ip');
    assert.deepEqual(grid.columns, IPS);
    assert.deepEqual(grid.rows, REGIONS.slice().sort());
    for (const row of grid.cells) {
      const [a, b, c] = row;
      assert.ok(a && b && c);
      assert.equal(a.failures, 0);
      assert.equal(c.failures, 0);
      assert.equal(b.failures, b.probes);
      // 5 minutes at one probe per 10 s per cell: 30, give or take the edge of the window
      assert.ok(b.probes >= 29 && b.probes <= 31, `probes ${b.probes}`);
    }
  });
});
