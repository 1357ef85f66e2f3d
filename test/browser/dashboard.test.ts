import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parseTarget } from '../../proto/index.js';
import { API_TOKEN, ApiHarness, READ_TOKEN } from '../helpers/collector-api-harness.js';
import { browserSkip, launchChromium, screenshotPath, watchPage, type PageWatch } from '../helpers/browser.js';
import { craftResults, heartbeat, HOUR_MS, recordIncident, seedScenarios } from '../helpers/report-fixtures.js';

// A real headless Chromium against the collector's API server on a real loopback port, with a read
// token configured: the dashboard and a report open, refresh and print without console errors and
// without a single request leaving for another origin. Screenshots go to artifacts/screenshots/.

// What the functions passed to page.evaluate use in the browser (this project compiles without the DOM lib).
declare const window: { scrollTo(x: number, y: number): void; readonly scrollY: number; readonly __pwned?: number };
declare const document: { readonly body: { getAttribute(name: string): string | null } };
declare function getComputedStyle(el: unknown): { readonly outlineStyle: string };

const SCRIPTED = '<script>window.__pwned = 1; alert("detail")</script>';
// Each way out of text at once: a script, an attribute break-out into a handler, an entity, quotes, the end of an SVG.
const HOSTILE = `<script>window.__pwned=3</script>"><img src=x onerror="window.__pwned=4">&amp; 'single' "double" </svg>`;
const HOSTILE_TARGET = `t-${HOSTILE}`;
const HOSTILE_REGION = `r-${HOSTILE}`;
const HOSTILE_NODE = `n-${HOSTILE}`;
const HOSTILE_SERVER = `s-${HOSTILE}`;
const HOSTILE_DETAIL = `body does not contain ${JSON.stringify(HOSTILE)}`;
/** A CSS attribute selector's value: a JSON string is a valid CSS string for these characters. */
const cssValue = (s: string): string => JSON.stringify(s);

describe('browser: dashboard and report in Chromium', { skip: browserSkip }, () => {
  let h: ApiHarness | null = null;
  let browser: Browser | null = null;
  let context: BrowserContext | null = null;
  let page: Page;
  let watch: PageWatch;
  let origin = '';

  before(async () => {
    h = await ApiHarness.start({ tokens: { api: API_TOKEN, read: READ_TOKEN }, heartbeatIntervalMs: 5_000 });
    const now = Date.now();
    const end = Math.floor(now / 60_000) * 60_000;
    h.store.putTarget(parseTarget({ id: 'shop', url: 'https://shop.example/health', identity: [{ header: 'x-served-by' }] }));
    seedScenarios(h.store, end, ['shop', 'api', 'batch', 'calm']);
    h.store.insertResults(
      craftResults({
        target: 'evil',
        endMs: end,
        minutes: 30,
        fault: (p) => (p.node === 'lb-3' ? { failure: 'HTTP_STATUS', status: 502, provenance: 'nginx', firstByteMs: 4, detail: SCRIPTED, headers: { server: '<img src=x onerror="window.__pwned=2">' } } : null),
      }),
    );
    // a target id no config could hold (the dashboard lists what the store has), and a reportable one
    // whose region, node, headers and body snippet are hostile
    for (const target of [HOSTILE_TARGET, 'hostile']) {
      h.store.insertResults(
        craftResults({
          target,
          endMs: end,
          minutes: 30,
          regions: ['us-east', HOSTILE_REGION],
          fault: (p) => (p.node === 'lb-2' ? { failure: 'BODY_MISMATCH', status: 200, provenance: 'nginx', firstByteMs: 4, detail: HOSTILE_DETAIL, headers: { server: HOSTILE_SERVER } } : null),
        }).map((r) => (r.ip === '127.0.0.12' ? { ...r, identity: { 'x-served-by': HOSTILE_NODE } } : r)),
      );
    }
    h.store.putTarget(parseTarget({ id: 'hostile', url: `https://shop.example/?q=${HOSTILE}` }));
    recordIncident(h.store, { target: 'shop', openedAtMs: end - 4 * HOUR_MS, verdict: 'lb-node', suspects: [{ dimension: 'ip', value: '127.0.0.12' }], summary: '502s from lb-node 127.0.0.12 (x-served-by=lb-2) seen from 3/3 regions; other nodes healthy — origin fine' });
    recordIncident(h.store, { target: 'api', openedAtMs: end - 2 * HOUR_MS, verdict: 'routing', suspects: [{ dimension: 'region', value: 'ap-south' }], summary: 'CONNECT_RESET failures from region ap-south on 3/3 nodes — the network path from ap-south' });
    h.store.upsertHeartbeat(heartbeat({ region: 'ap-south', agent: 'ap-south-1', receivedAtMs: now, controls: [{ url: 'https://www.example.org/', ok: true, failure: null, checkedAtMs: now, consecutiveFailures: 0, totalMs: 80 }] }));
    h.store.upsertHeartbeat(heartbeat({ region: 'eu-west', agent: 'eu-west-1', receivedAtMs: now, spoolDepth: 1_234, spoolDropped: 5, controls: [{ url: 'https://www.example.org/', ok: false, failure: 'CONNECT_TIMEOUT', checkedAtMs: now, consecutiveFailures: 7, totalMs: null }] }));
    h.store.upsertHeartbeat(heartbeat({ region: 'us-east', agent: 'us-east-1', receivedAtMs: now - 10 * 60_000 }));
    origin = (await h.app.listen({ host: '127.0.0.1', port: 0 })).replace(/\/$/, '');
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    watch = watchPage(page);
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await h?.dispose();
  });

  /** Nothing left for another origin, nothing went wrong in the page, no injected script ran. */
  async function clean(): Promise<void> {
    const foreign = watch.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'));
    assert.deepEqual(foreign, [], 'requests to anything but the collector');
    assert.deepEqual(watch.errors, [], 'console and page errors');
    assert.deepEqual(watch.dialogs, [], 'dialogs opened by injected script');
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
  }

  it('browser - without the token the dashboard says how to get in; ?token= logs in once and leaves the address', async () => {
    const other = await browser!.newContext();
    try {
      const p = await other.newPage();
      const res = await p.goto(`${origin}/`);
      assert.equal(res?.status(), 401);
      assert.equal(await p.locator('h1').textContent(), 'crossprobe: read token needed');
    } finally {
      await other.close();
    }
    const res = await page.goto(`${origin}/?token=${READ_TOKEN}&refresh=1`);
    assert.equal(res?.status(), 200);
    assert.equal(page.url(), `${origin}/?refresh=1`, 'the token is gone from the address bar');
    const cookies = await context!.cookies();
    assert.deepEqual(cookies.map((c) => [c.name, c.httpOnly, c.sameSite, c.path, c.value.includes(READ_TOKEN)]), [['crossprobe_session', true, 'Strict', '/', false]]);
    await clean();
  });

  it('browser - the dashboard: targets with their strips, open incidents with their sentence, agents with their health; it refreshes in place', async () => {
    await page.goto(`${origin}/?refresh=1`);
    const shop = page.locator('[data-target="shop"]');
    assert.ok(await shop.isVisible());
    assert.equal(await shop.getAttribute('data-state'), 'incident');
    assert.equal((await shop.locator('.badge').first().textContent())?.trim(), 'incident');
    assert.equal(await shop.locator('svg.strip g.strip-row').count(), 3, 'one strip per region');
    assert.ok(await page.locator('[data-target="calm"][data-state="ok"]').isVisible());
    assert.ok(await page.locator('#incidents tr[data-incident] td.sentence', { hasText: '502s from lb-node 127.0.0.12 (x-served-by=lb-2) seen from 3/3 regions' }).isVisible());
    assert.equal(await page.locator('#incidents tr[data-incident]').count(), 2);
    const stale = page.locator('tr[data-agent="us-east/us-east-1"]');
    assert.match((await stale.getAttribute('class')) ?? '', /stale/);
    assert.match((await stale.textContent()) ?? '', /✖ stale, 10 min ago/);
    const failing = page.locator('tr[data-agent="eu-west/eu-west-1"]');
    assert.match((await failing.textContent()) ?? '', /1,234 \(5 dropped\).*✖ https:\/\/www\.example\.org\/ CONNECT_TIMEOUT \(7×\)/s);
    await page.screenshot({ caret: 'initial', path: screenshotPath('dashboard.png'), fullPage: true });

    // refresh: the page refetches itself and swaps its content; where the reader scrolled stays
    const asOf = page.locator('main > p.meta time');
    const firstAsOf = await asOf.textContent();
    assert.match(firstAsOf ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    await page.evaluate(() => window.scrollTo(0, 500));
    // polled with evaluate: waitForFunction compiles its predicate with eval, which the page's CSP forbids
    for (let i = 0; Number(await page.evaluate(() => document.body.getAttribute('data-refreshes'))) < 2; i++) {
      assert.ok(i < 100, 'the dashboard refreshed twice within 20 s');
      await page.waitForTimeout(200);
    }
    assert.equal(await page.evaluate(() => Math.round(window.scrollY)), 500);
    assert.equal(await page.locator('#refresh-state').textContent(), 'refreshes every 1 s');
    // the one timestamp is the collector's, swapped in with the rest (two refreshes: at least 2 s later)
    assert.match((await asOf.textContent()) ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    assert.notEqual(await asOf.textContent(), firstAsOf);
    assert.ok(await page.locator('[data-target="shop"] svg.strip').isVisible(), 'the content is back after the swap');
    await page.screenshot({ caret: 'initial', path: screenshotPath('dashboard-scrolled.png') });
    await clean();
  });

  it('browser - a report from the dashboard\'s link: the verdict, the framed suspect cells, the heatmap band; printable', async () => {
    await page.goto(`${origin}/?refresh=60`);
    await Promise.all([page.waitForURL(/\/api\/v1\/targets\/shop\/report\?since=24h&format=html$/), page.locator('[data-target="shop"] h3 a').click()]);
    const badge = page.locator('.lead .badge');
    assert.equal(await badge.getAttribute('data-verdict'), 'lb-node');
    // eu-west-1's controls fail (its heartbeat says so): its results are set aside, the others still see lb-2
    assert.match((await page.locator('.lead .sentence').textContent()) ?? '', /^502s from lb-node 127\.0\.0\.12 \(x-served-by=lb-2\) seen from 2\/2 regions/);
    assert.ok(await page.locator('.finding[data-verdict="agent"]').isVisible(), 'the agent finding');
    const suspects = page.locator('table.grid[data-dim="ip"] td.cell.suspect');
    assert.equal(await suspects.count(), 3);
    for (let i = 0; i < 3; i++) {
      assert.ok(await suspects.nth(i).isVisible());
      assert.equal(await suspects.nth(i).getAttribute('data-col'), '127.0.0.12');
      assert.match((await suspects.nth(i).textContent()) ?? '', /◆ suspect2\d%\d+\/14\d\d/);
    }
    // the framed cell is drawn with an outline: visible in the computed style, not just a class
    assert.equal(await suspects.first().evaluate((el) => getComputedStyle(el).outlineStyle), 'solid');
    const band = page.locator('svg.heatmap g.heat-row.suspect[data-row="ip:127.0.0.12"] rect[data-level="5"]');
    assert.ok((await band.count()) >= 19, `failing buckets ${await band.count()}`);
    assert.ok(await page.locator('svg.heatmap').isVisible());
    await page.screenshot({ caret: 'initial', path: screenshotPath('report-lb-node.png'), fullPage: true });
    await page.locator('#heatmap').screenshot({ caret: 'initial', path: screenshotPath('report-lb-node-heatmap.png') });
    await page.emulateMedia({ media: 'print' });
    assert.ok(await page.locator('nav.toc').isHidden(), 'navigation is not printed');
    await page.screenshot({ caret: 'initial', path: screenshotPath('report-lb-node-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await clean();
  });

  it('browser - a cron job\'s report shows the :00 stripes; hostile values stay text', async () => {
    await page.goto(`${origin}/api/v1/targets/batch/report?since=24h&format=html`);
    assert.ok(await page.locator('svg.minute-of-hour').isVisible());
    assert.equal(await page.locator('svg.minute-of-hour rect[data-level="5"]').count(), 2);
    await page.locator('#heatmap').screenshot({ caret: 'initial', path: screenshotPath('report-cron-heatmap.png') });

    await page.goto(`${origin}/api/v1/targets/evil/report?since=1h&format=html`);
    const detail = page.locator('table.samples td.detail').first();
    assert.equal(await detail.textContent(), SCRIPTED, 'the error detail shows as text');
    assert.match((await page.locator('table.samples tr').nth(1).textContent()) ?? '', /<img src=x onerror="window\.__pwned=2">/);
    await page.screenshot({ caret: 'initial', path: screenshotPath('report-hostile.png'), fullPage: true });
    await clean();
  });

  it('browser - hostile target name, URL, region, node, header and body snippet show as text on the dashboard and in a report', async () => {
    await page.goto(`${origin}/?refresh=60`);
    const card = page.locator(`div.target[data-target=${cssValue(HOSTILE_TARGET)}]`);
    assert.equal(await card.count(), 1);
    assert.equal(await card.locator('h3 a').textContent(), HOSTILE_TARGET);
    const strip = card.locator(`svg.strip g.strip-row[data-region=${cssValue(HOSTILE_REGION)}]`);
    assert.equal(await strip.count(), 1);
    assert.equal(await strip.locator('text').textContent(), HOSTILE_REGION);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('script').count(), 1, 'only the refresh script');
    await clean();

    await page.goto(`${origin}/api/v1/targets/hostile/report?since=1h&format=html`);
    const url = parseTarget({ id: 'hostile', url: `https://shop.example/?q=${HOSTILE}` }).url;
    assert.equal(await page.locator('header p.meta span.mono').textContent(), url);
    assert.ok((await page.locator(`table.grid td.cell[data-col=${cssValue(HOSTILE_NODE)}]`).count()) >= 2, 'the node, back from its attribute');
    assert.equal(await page.locator(`table.grid[data-dim="ip"] td.cell[data-row=${cssValue(HOSTILE_REGION)}]`).count(), 3, 'the region, back from its attribute');
    const heatRow = page.locator(`svg.heatmap g.heat-row[data-row=${cssValue(`region:${HOSTILE_REGION}`)}] > text`).first();
    assert.ok((await heatRow.textContent())?.endsWith(HOSTILE_REGION), 'the region in the heatmap');
    const sample = page.locator('table.samples tbody tr').first();
    assert.equal(await sample.locator('td.detail').textContent(), HOSTILE_DETAIL);
    assert.equal(await sample.locator('td').nth(1).textContent(), HOSTILE_REGION);
    assert.equal(await sample.locator('td').nth(10).textContent(), HOSTILE_SERVER);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('script').count(), 0);
    await clean();
  });
});
