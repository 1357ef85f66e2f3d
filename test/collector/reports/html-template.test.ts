import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assembleDashboard, buildReport, renderDashboardHtml, renderHtml, renderMarkdown, renderMessagePage, reportRange, type DashboardData, type ReportData } from '../../../collector/reports/index.js';
import { escapeHtml, html, joinHtml, raw } from '../../../collector/reports/escape.js';
import { heatmapSvg, legendSvg, stripSvg } from '../../../collector/reports/svg.js';
import { reportHref } from '../../../collector/api/dashboard.js';
import type { Store } from '../../../collector/store/index.js';
import { TempDir, tempStore } from '../../helpers/collector-store.js';
import { craftResults, heartbeat, HOUR_MS, recordIncident } from '../../helpers/report-fixtures.js';

// Pages are written with one auto-escaping tag: these tests pin what it does, then feed every page
// values that try each way out of text (a tag, an attribute break-out, an entity, quotes, the end of
// the SVG) and check that the page's markup is exactly ours and the values read back as text.

describe('html template', () => {
  it('html - escapes & < > " \' in every value, in text and in quoted attributes', () => {
    const v = `a&b<c>d"e'f`;
    assert.equal(String(html`<p title="${v}">${v}</p>`), '<p title="a&amp;b&lt;c&gt;d&quot;e&#39;f">a&amp;b&lt;c&gt;d&quot;e&#39;f</p>');
    assert.equal(String(html`<p title='${v}'>x</p>`), `<p title='a&amp;b&lt;c&gt;d&quot;e&#39;f'>x</p>`);
    assert.equal(escapeHtml(v), 'a&amp;b&lt;c&gt;d&quot;e&#39;f');
  });

  it('html - an entity in data stays text: & is escaped even before a valid entity name', () => {
    assert.equal(String(html`${'&amp; &lt;'}`), '&amp;amp; &amp;lt;');
  });

  it('html - nested html and raw() go in as markup, plain strings never do', () => {
    const inner = html`<b>${'<i>'}</b>`;
    assert.equal(String(html`<p>${inner}</p>`), '<p><b>&lt;i&gt;</b></p>');
    assert.equal(String(html`<style>${raw('a>b{color:red}')}</style>`), '<style>a>b{color:red}</style>');
    // a string that looks like markup is still text, wherever it comes from
    assert.equal(String(html`<p>${String(inner)}</p>`), '<p>&lt;b&gt;&amp;lt;i&amp;gt;&lt;/b&gt;</p>');
  });

  it('html - lists are joined (each item escaped or kept as markup), null, undefined and false are nothing, numbers are text', () => {
    assert.equal(String(html`<ul>${['<a>', html`<li>${'&'}</li>`, ['x', ['y']]]}</ul>`), '<ul>&lt;a&gt;<li>&amp;</li>xy</ul>');
    assert.equal(String(html`[${null}|${undefined}|${false}|${0}|${1.5}|${''}]`), '[|||0|1.5|]');
    assert.equal(String(joinHtml([html`<i>1</i>`, '<2>'], '<br>')), '<i>1</i><br>&lt;2&gt;');
  });

  it('html - an unquoted attribute value is a programming error, reported at once', () => {
    assert.throws(() => html`<td class=${'a onclick=alert(1)'}>`, { message: 'html template: unquoted attribute value after "<td class="' });
    assert.throws(() => html`<rect x="1"\n  y= ${2}/>`, /unquoted attribute value/);
    // in text, "=" is just a character; after a complete tag too
    assert.equal(String(html`<p>a=${'<b>'}</p>`), '<p>a=&lt;b&gt;</p>');
    assert.equal(String(html`<p>${1}</p>x=${2}`), '<p>1</p>x=2');
  });

  it('html - SVG: text and attributes of a heatmap, a strip and a legend are escaped; the SVG is closed once', () => {
    const label = 'r</svg><script>alert(1)</script>"\'&';
    const cell = { failures: 1, probes: 2, rate: 0.5, level: 4 as const, suspect: false };
    const strip = String(stripSvg([{ label, cells: [cell], titles: [label] }], 's0'));
    assert.ok(strip.includes(`data-region="${escapeHtml(label)}"><text x="0" y="10">${escapeHtml(label)}</text>`), strip);
    assert.ok(strip.includes(`<title>${escapeHtml(label)}</title>`));
    const heat = String(heatmapSvg({ bucket: '1m', bucketMs: 60_000, buckets: [0], rows: [{ key: label, label, kind: 'region', suspect: true, cells: [cell], total: cell }] }, 'hm'));
    assert.ok(heat.includes(`data-row="${escapeHtml(label)}"`));
    assert.ok(heat.includes(`>◆ ${escapeHtml(label)}</text>`));
    for (const svg of [strip, heat, String(legendSvg('lg'))]) {
      assert.equal(svg.match(/<\/svg>/g)?.length, 1, svg);
      assert.doesNotMatch(svg, /<script/);
    }
  });
});

// What each hostile value is made of: a script, an attribute break-out into an event handler, an
// entity, both quotes, and the end of an SVG. The handlers set window.__pwned where a browser runs them.
const H = `<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">&amp; 'single' "double" </svg>`;
const TARGET = `t-${H}`;
const REGION = `r-${H}`;
const NODE = `n-${H}`;
const SERVER = `server-${H}`;
const DETAIL = `body does not contain ${JSON.stringify(H)}`;
const URL = `https://shop.example/?q=${H}`;
const SUMMARY = `summary-${H}`;
const CONTROL = `https://control.example/${H}`;
const END = Date.UTC(2025, 10, 22, 12, 0, 0);

/**
 * Checks that `page`'s markup is only ours: no script but `scripts` of ours, no image, every SVG
 * closed once, every attribute value double-quoted and none an event handler. Data can add none of
 * these without an unescaped `<` or `"`.
 */
function assertOnlyOurMarkup(page: string, scripts: number): void {
  assert.equal(page.match(/<script\b/gi)?.length ?? 0, scripts, 'scripts');
  assert.doesNotMatch(page, /<img\b/i);
  assert.equal(page.match(/<svg\b/g)?.length ?? 0, page.match(/<\/svg>/g)?.length ?? 0, 'every SVG closed once');
  const markup = page.replace(/<style\b[^>]*>[\s\S]*?<\/style>/g, '<style>').replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '<script>');
  for (const [tag] of markup.matchAll(/<[a-zA-Z][^>]*>/g)) {
    const names = tag
      .replace(/^<[a-zA-Z][\w-]*/, '')
      .replace(/="[^"]*"/g, '')
      .replace(/\/?>$/, '')
      .trim()
      .split(/\s+/)
      .filter((x) => x !== '');
    for (const name of names) {
      assert.match(name, /^[a-zA-Z][a-zA-Z0-9:-]*$/, `attribute in ${tag}`);
      assert.doesNotMatch(name, /^on/, `event handler in ${tag}`);
    }
  }
}

describe('every page with hostile values', () => {
  const dir = new TempDir();
  let store: Store;
  let report: ReportData;
  let dashboard: DashboardData;
  before(() => {
    store = tempStore(dir);
    const rows = craftResults({
      target: TARGET,
      endMs: END,
      minutes: 60,
      regions: [REGION, 'us-east'],
      fault: (p) => (p.node === 'lb-2' ? { failure: 'BODY_MISMATCH', status: 200, provenance: 'nginx', firstByteMs: 3, detail: DETAIL, headers: { server: SERVER } } : null),
    }).map((r) => (r.ip === '127.0.0.12' ? { ...r, identity: { 'x-served-by': NODE } } : r));
    store.insertResults(rows);
    recordIncident(store, { target: TARGET, openedAtMs: END - 30 * 60_000, verdict: 'lb-node', suspects: [{ dimension: 'x-served-by', value: NODE }], summary: SUMMARY });
    const { fromMs, toMs } = reportRange(HOUR_MS, END, END);
    const built = buildReport(store, { target: TARGET, fromMs, toMs, nowMs: END, diagnosis: { longWindowMs: HOUR_MS, shortWindowMs: 5 * 60_000 } });
    // the URL as a target could hold it before any normalisation
    report = { ...built, target: { ...built.target, url: URL } };
    dashboard = assembleDashboard({
      nowMs: END,
      firstMinute: END - 59 * 60_000,
      status: store.statusMinutes(END - 59 * 60_000, END + 1),
      targets: [{ id: TARGET, url: URL }],
      incidents: store.listIncidents({ state: 'open', limit: 10 }),
      agents: [
        {
          ...heartbeat({ region: REGION, agent: `${REGION}-1`, version: `v-${H}`, receivedAtMs: END, controls: [{ url: CONTROL, ok: false, failure: 'CONNECT_REFUSED', checkedAtMs: END, consecutiveFailures: 3, totalMs: null }] }),
          lastSeenMs: END,
          controlsFailing: true,
        },
      ],
      staleAfterMs: 15_000,
      heartbeatIntervalMs: 5_000,
    });
  });
  after(() => {
    store.close();
    dir.dispose();
  });

  it('report html - target, URL, region, agent, node, header, body snippet and incident summary show as text, never markup', () => {
    const page = renderHtml(report, { dashboardHref: `/?x=${H}` });
    assertOnlyOurMarkup(page, 0);
    const e = escapeHtml;
    assert.ok(page.includes(`<title>crossprobe report: ${e(TARGET)} — `), 'title');
    assert.ok(page.includes(`<h1>crossprobe report: <code>${e(TARGET)}</code></h1>`), 'heading');
    assert.ok(page.includes(`<a href="${e(`/?x=${H}`)}">← dashboard</a>`), 'dashboard link');
    assert.ok(page.includes(`<span class="mono">${e(URL)}</span>`), 'URL');
    assert.ok(page.includes(`data-row="${e(REGION)}"`), 'region in a grid attribute');
    assert.ok(page.includes(`<g class="heat-row" data-row="region:${e(REGION)}"><text x="0" y="`), 'region in the heatmap');
    assert.ok(page.includes(`<th class="num suspect">◆ ${e(NODE)}</th>`), 'node as a grid column');
    assert.ok(page.includes(`data-col="${e(NODE)}"`), 'node in an attribute');
    assert.ok(page.includes(`<td>${e(REGION)}</td><td>${e(`${REGION}-1`)}</td>`), 'region and agent of a sample');
    assert.ok(page.includes(`<td>${e(SERVER)}</td><td class="detail">${e(DETAIL)}</td>`), 'header and body snippet of a sample');
    assert.ok(page.includes(`<p class="sentence">${e(SUMMARY)}</p>`), 'incident summary');
    assert.ok(page.includes(`x-served-by <code>${e(NODE)}</code>`), 'suspect in a finding');
  });

  it('dashboard html - target, URL, region, agent, version, control URL and incident summary show as text, never markup', () => {
    const page = renderDashboardHtml(dashboard, { nonce: 'n0nce', refreshSeconds: 15, reportHref });
    assertOnlyOurMarkup(page, 1);
    assert.match(page, /<script nonce="n0nce">\(function\(\)\{/);
    const e = escapeHtml;
    assert.ok(page.includes(`<div class="target" data-target="${e(TARGET)}" data-state="incident">`), 'target attribute');
    assert.ok(page.includes(`<h3><a href="${e(reportHref(TARGET, '24h'))}">${e(TARGET)}</a>`), 'target heading and link');
    assert.ok(page.includes(`<div class="url mono">${e(URL)}</div>`), 'URL');
    assert.ok(page.includes(`<g class="strip-row" data-region="${e(REGION)}"><text x="0" y="10">${e(REGION)}</text>`), 'region in the strip');
    assert.ok(page.includes(`<td class="sentence">${e(SUMMARY)}</td>`), 'incident summary');
    assert.ok(page.includes(`data-agent="${e(`${REGION}/${REGION}-1`)}"><th>${e(REGION)}</th><td>${e(`${REGION}-1`)}</td><td>${e(`v-${H}`)}</td>`), 'agent row');
    assert.ok(page.includes(`✖ ${e(CONTROL)} CONNECT_REFUSED (3×)`), 'control URL');
  });

  it('message page - title, paragraphs and link show as text, never markup', () => {
    const page = renderMessagePage({ title: `title-${H}`, paragraphs: [`para-${H}`], link: { href: `/?r=${H}`, text: `link-${H}` }, nonce: `"n` });
    assertOnlyOurMarkup(page, 0);
    const e = escapeHtml;
    assert.ok(page.includes(`<title>${e(`title-${H}`)}</title>`));
    assert.ok(page.includes(`<main><h1>${e(`title-${H}`)}</h1><p>${e(`para-${H}`)}</p><p><a href="${e(`/?r=${H}`)}">${e(`link-${H}`)}</a></p></main>`));
    assert.match(page, /<style nonce="&quot;n">/);
  });
});

describe('dashboard wording', () => {
  const NOW = Date.UTC(2025, 10, 22, 12, 0, 17, 250);
  const agent = (region: string, lastSeenMs: number) => ({ ...heartbeat({ region, agent: `${region}-1`, receivedAtMs: lastSeenMs }), lastSeenMs, controlsFailing: false });
  const dashboard = (targets: number, incidents: number, agents: readonly number[]) =>
    renderDashboardHtml(
      assembleDashboard({
        nowMs: NOW,
        firstMinute: Math.floor(NOW / 60_000) * 60_000 - 59 * 60_000,
        status: [{ target: 't0', region: 'eu-west', minuteMs: Math.floor(NOW / 60_000) * 60_000, n: 3, failures: 1 }],
        targets: Array.from({ length: targets }, (_, i) => ({ id: `t${i}`, url: `https://t${i}.example/` })),
        incidents: Array.from({ length: incidents }, (_, i) => ({ ...recordIncidentLike(`t${i}`, NOW - HOUR_MS) })),
        agents: agents.map((ageMs, i) => agent(`r${i}`, NOW - ageMs)),
        staleAfterMs: 15_000,
        heartbeatIntervalMs: 5_000,
      }),
      { refreshSeconds: 15, reportHref },
    );
  const summary = (page: string) => /<p class="summary">(.*?)<\/p>/.exec(page)?.[1];

  it('dashboard - every count agrees with its noun: 1 target, 2 targets, 0 open incidents, 1 agent', () => {
    assert.equal(summary(dashboard(1, 1, [0])), '1 target · 1 open incident · 1 agent');
    assert.equal(summary(dashboard(2, 0, [0, 60_000])), '2 targets · 0 open incidents · 2 agents (1 stale)');
    assert.equal(summary(dashboard(3, 2, [0, 0, 0])), '3 targets · 2 open incidents · 3 agents');
  });

  it('dashboard - the time of the page shows once, to the second, inside the part a refresh replaces', () => {
    const page = dashboard(1, 0, [0]);
    const main = page.slice(page.indexOf('<main>'), page.indexOf('</main>'));
    const text = page.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, '');
    assert.ok(main.includes('<p class="meta">As of <time datetime="2025-11-22T12:00:17.250Z">2025-11-22 12:00:17Z</time>.</p>'), main.slice(0, 400));
    assert.equal(text.match(/12:00:17/g)?.length, 1, 'the instant, once');
    assert.ok(main.includes('<p class="summary">'), 'the counts refresh with the rest');
    assert.equal(/<span id="refresh-state">(.*?)<\/span>/.exec(page)?.[1], 'refreshes every 15 s');
  });

  it('report - a count of one reads in the singular', () => {
    const { fromMs, toMs } = reportRange(HOUR_MS, END, END);
    const dir = new TempDir();
    const store = tempStore(dir);
    try {
      store.insertResults(craftResults({ target: 'one', endMs: END, minutes: 1, regions: ['eu-west'], fault: () => null }).slice(0, 1));
      const r = buildReport(store, { target: 'one', fromMs, toMs, nowMs: END, diagnosis: { longWindowMs: HOUR_MS, shortWindowMs: 5 * 60_000 } });
      assert.match(renderHtml(r), /<p class="meta">[^<]* · 1 probe, 0 failed \(0%\)<\/p>/);
      assert.match(renderMarkdown(r), /^\*\*healthy\*\* · .* · 1 probe, 0 failed \(0%\)$/m);
    } finally {
      store.close();
      dir.dispose();
    }
  });
});

/** An open incident record as the store lists it. */
function recordIncidentLike(target: string, openedAtMs: number): Parameters<typeof assembleDashboard>[0]['incidents'][number] {
  return {
    id: `${target}-${openedAtMs}`,
    target,
    state: 'open',
    verdict: 'origin',
    suspects: [],
    summary: `502s from every node of ${target}`,
    summaryRate: null,
    openedAtMs,
    updatedAtMs: openedAtMs,
    resolvedAtMs: null,
    healthySinceMs: null,
    reopens: 0,
    lastDiagnosis: { target, window: { from: new Date(openedAtMs - HOUR_MS).toISOString(), to: new Date(openedAtMs).toISOString() }, verdict: 'healthy', findings: [] },
    named: [{ verdict: 'origin', suspects: [] }],
  };
}
