import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultRecord } from '../../../collector/store/index.js';
import { fakeRecord, rng } from '../../helpers/collector-fixtures.js';
import { ApiHarness, errorOf } from '../../helpers/collector-api-harness.js';

interface Page {
  results: ResultRecord[];
  nextCursor: string | null;
}

const END = Date.now();
const N = 1_037;

/** N results over the last hour, some sharing a start millisecond (ties the cursor must break by id). */
function dataset(): ResultRecord[] {
  const rand = rng(7);
  const out: ResultRecord[] = [];
  for (let i = 0; i < N; i++) {
    const region = rand() < 0.5 ? 'eu-west' : 'us-east';
    const failed = rand() < 0.2;
    out.push(
      fakeRecord({
        target: rand() < 0.7 ? 'shop' : 'api',
        region,
        agent: `${region}-a`,
        ip: ['127.0.0.31', '127.0.0.32', '127.0.0.33'][i % 3]!,
        startedAtMs: END - 3_600_000 + Math.floor(i / 3) * 10_000,
        failure: failed ? 'HTTP_STATUS' : null,
      }),
    );
  }
  return out;
}

describe('results API', () => {
  let h: ApiHarness;
  let all: ResultRecord[];
  before(async () => {
    h = await ApiHarness.start();
    all = dataset();
    assert.equal(h.store.insertResults(all), N);
  });
  after(async () => {
    await h?.dispose();
  });

  async function get(query: string): Promise<Page> {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/results${query}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<Page>();
  }

  async function walk(query: string): Promise<{ ids: string[]; pages: number; rows: ResultRecord[] }> {
    const rows: ResultRecord[] = [];
    let pages = 0;
    let cursor: string | null = null;
    do {
      const sep = query ? '&' : '?';
      const page: Page = await get(`${query}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
      rows.push(...page.results);
      cursor = page.nextCursor;
      pages++;
      assert.ok(pages <= N, 'the walk ends');
    } while (cursor !== null);
    return { ids: rows.map((r) => r.resultId), pages, rows };
  }

  it('results - cursor pagination walks every row exactly once, newest first and oldest first', async () => {
    for (const order of ['desc', 'asc'] as const) {
      const { ids, pages, rows } = await walk(`?limit=100&order=${order}`);
      assert.equal(pages, Math.ceil(N / 100), order);
      assert.equal(ids.length, N, order);
      assert.equal(new Set(ids).size, N, `${order}: no row twice`);
      assert.deepEqual([...ids].sort(), all.map((r) => r.resultId).sort(), `${order}: every row`);
      for (let i = 1; i < rows.length; i++) {
        const [a, b] = [rows[i - 1]!, rows[i]!];
        const inOrder = a.startedAtMs < b.startedAtMs || (a.startedAtMs === b.startedAtMs && a.resultId < b.resultId);
        assert.equal(inOrder, order === 'asc', `${order}: row ${i} in order`);
      }
    }
  });

  it('results - filters narrow the walk to the matching rows', async () => {
    const shopFails = all.filter((r) => r.target === 'shop' && !r.ok && r.region === 'eu-west');
    const { ids } = await walk('?target=shop&ok=false&region=eu-west&limit=50');
    assert.deepEqual(ids.sort(), shopFails.map((r) => r.resultId).sort());

    const byIp = await walk('?ip=127.0.0.32&failure=HTTP_STATUS&agent=us-east-a&limit=1000');
    assert.deepEqual(byIp.ids.sort(), all.filter((r) => r.ip === '127.0.0.32' && r.failure === 'HTTP_STATUS' && r.agent === 'us-east-a').map((r) => r.resultId).sort());

    const from = END - 1_800_000;
    const to = END - 600_000;
    const want = all.filter((r) => r.startedAtMs >= from && r.startedAtMs < to).map((r) => r.resultId).sort();
    assert.deepEqual((await walk(`?from=${from}&to=${to}&limit=1000`)).ids.sort(), want, 'ms since the epoch');
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    assert.deepEqual((await walk(`?from=${iso(from)}&to=${iso(to)}&limit=1000`)).ids.sort(), want, 'ISO 8601');
    const recent = (await walk('?from=10m&limit=1000')).rows;
    assert.ok(recent.length > 0 && recent.every((r) => r.startedAtMs >= END - 600_000 - 60_000), 'a duration means that long ago');
  });

  it('results - bad parameters are 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['?limit=20000', 'querystring.limit: must be a whole number from 1 to 10000 (got 20000)'],
      ['?limit=0', 'querystring.limit: must be a whole number from 1 to 10000 (got 0)'],
      ['?limit=ten', 'querystring.limit: must be a whole number from 1 to 10000 (got "ten")'],
      ['?cursor=bm90LWEtY3Vyc29y', 'querystring.cursor: cursor "bm90LWEtY3Vyc29y" is not one this server issued'],
      ['?ok=maybe', 'querystring.ok: must be true or false (got "maybe")'],
      ['?from=yesterday', 'querystring.from: must be an ISO 8601 time, milliseconds since the epoch, or a duration ago such as 1h (got "yesterday")'],
      // 400 digits are Infinity as a number: no time, not the far future
      [`?to=${'9'.repeat(400)}`, `querystring.to: must be an ISO 8601 time, milliseconds since the epoch, or a duration ago such as 1h (got "${'9'.repeat(400)}")`],
      ['?region=EU', 'querystring.region: must be 1–63 characters of a–z, 0–9 and "-" (got "EU")'],
      ['?order=random', 'querystring.order: must be asc or desc (got "random")'],
      ['?targte=shop', 'querystring.targte: unknown key (known keys: target, region, agent, ip, ok, failure, from, to, limit, order, cursor)'],
    ];
    for (const [query, message] of cases) {
      const res = await h.app.inject({ method: 'GET', url: `/api/v1/results${query}` });
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
      assert.deepEqual(errorOf(res.body), { code: 'CP_BAD_REQUEST', message }, query);
    }
    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/results?failure=HTTP_500' });
    assert.equal(bad.statusCode, 400);
    assert.match(errorOf(bad.body).message, /^querystring\.failure: must be one of DNS_NXDOMAIN, .*BODY_MISMATCH, ADDRESS_BLOCKED \(got "HTTP_500"\)$/);
  });

  it('results - a cursor issued for one order is refused for the other', async () => {
    const first = await get('?limit=10&order=asc');
    assert.ok(first.nextCursor);
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/results?limit=10&order=desc&cursor=${first.nextCursor}` });
    assert.equal(res.statusCode, 400);
    assert.equal(errorOf(res.body).message, 'querystring.cursor: cursor was issued for order "asc", not "desc"');
  });

  it('results - the default page is the 100 newest', async () => {
    const page = await get('');
    assert.equal(page.results.length, 100);
    const newest = [...all].sort((a, b) => b.startedAtMs - a.startedAtMs || (a.resultId < b.resultId ? 1 : -1))[0]!;
    assert.equal(page.results[0]?.resultId, newest.resultId);
    assert.equal(typeof page.nextCursor, 'string');
  });
});
