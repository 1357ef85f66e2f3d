import { html, joinHtml, type Html } from './escape.js';
import { confidence, count, counted, duration, instant, minute, rateShort, rateText } from './value-text.js';
import { levelCss, page, verdictTone, type PageOptions } from './page.js';
import { heatmapSvg, legendSvg, minuteOfHourSvg } from './svg.js';
import type { ReportCell, ReportData, ReportGrid } from './types.js';

/** Options of the HTML report. */
export interface ReportHtmlOptions extends PageOptions {
  /** Where the dashboard is (a link back to it); omitted in a file meant to travel. */
  readonly dashboardHref?: string | undefined;
}

const REPORT_CSS = `
.lead{font-size:16px;margin:8px 0}
.lead .sentence{font-weight:600}
section{margin-bottom:8px}
`;

function gridCell(c: ReportCell, row: string, column: string, dimension: string): Html {
  const title = `${row} → ${column}: ${c.probes === 0 ? 'no probes' : `${rateText(c)} failed`}${c.suspect ? ' — suspect' : ''}`;
  const attrs = html`class="cell ${levelCss(c.level)}${c.suspect ? ' suspect' : ''}" data-dim="${dimension}" data-row="${row}" data-col="${column}" data-level="${c.level}" title="${title}"`;
  if (c.probes === 0) return html`<td ${attrs}>–</td>`;
  return html`<td ${attrs}>${c.suspect && html`<span class="mark">◆ suspect</span>`}<span class="rate">${rateShort(c)}</span><span class="counts">${c.failures}/${c.probes}</span></td>`;
}

function gridTable(g: ReportGrid): Html {
  const head = [
    html`<th>${g.dimension === 'ip' ? 'region ↓ IP →' : `region ↓ ${g.dimension} →`}</th>`,
    ...g.columns.map((c, j) => html`<th class="num${g.columnTotals[j]?.suspect ? ' suspect' : ''}">${g.columnTotals[j]?.suspect ? '◆ ' : ''}${c}</th>`),
    g.dns && html`<th class="num">DNS failed</th>`,
    html`<th class="num">all</th>`,
  ];
  const rows = g.rows.map((r, i) => {
    const total = g.rowTotals[i]!;
    const cells = g.cells[i]!.map((c, j) => gridCell(c, r, g.columns[j]!, g.dimension));
    const dns = g.dns && gridCell(g.dns[i]!, r, 'DNS', g.dimension);
    return html`<tr><th class="${total.suspect ? 'suspect' : ''}">${total.suspect ? '◆ ' : ''}${r}</th>${cells}${dns}<td class="num">${rateText(total)}</td></tr>`;
  });
  const multiAgent = new Set(g.agents.map((a) => a.region)).size < g.agents.length;
  if (multiAgent) {
    for (const a of g.agents) {
      rows.push(
        html`<tr class="agent-row"><th class="${a.suspect ? 'suspect' : ''}">↳ ${a.suspect ? '◆ ' : ''}${a.region}/${a.agent}</th>${a.cells.map((c, j) =>
          gridCell({ ...c, suspect: false }, `${a.region}/${a.agent}`, g.columns[j]!, g.dimension),
        )}${g.dns && html`<td></td>`}<td class="num">${rateText(a.total)}</td></tr>`,
      );
    }
  }
  const dnsTotal = g.dns ? g.dns.reduce((a, c) => ({ f: a.f + c.failures, p: a.p + c.probes }), { f: 0, p: 0 }) : null;
  rows.push(
    html`<tr><th>all</th>${g.columnTotals.map((c) => html`<td class="num">${rateText(c)}</td>`)}${
      dnsTotal && html`<td class="num">${dnsTotal.p === 0 ? '–' : `${dnsTotal.f}/${dnsTotal.p}`}</td>`
    }<td class="num"><strong>${rateText(g.total)}</strong></td></tr>`,
  );
  return html`<div class="scroll"><table class="grid" data-dim="${g.dimension}"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

const nodeLabel = (kind: 'region' | 'node', key: string): string => (kind === 'region' ? `region ${key}` : key === '' ? 'DNS failed (no IP)' : `node ${key}`);

/** The report as one self-contained, printable HTML file (inline CSS and SVG, no script, no external request). Pure. */
export function renderHtml(r: ReportData, o: ReportHtmlOptions = {}): string {
  const v = r.verdict;
  const s: Html[] = [];
  s.push(html`<header>
${o.dashboardHref !== undefined && html`<p class="noprint"><a href="${o.dashboardHref}">← dashboard</a></p>`}
<h1>crossprobe report: <code>${r.target.id}</code></h1>
<p class="meta">${minute(r.range.from)} → ${minute(r.range.to)} (${r.range.length}) · ${counted(r.totals.probes, 'probe')}, ${count(r.totals.failures)} failed (${rateShort(r.totals)})${
    r.target.url && html` · <span class="mono">${r.target.url}</span>`
  }</p>
<nav class="toc noprint"><a href="#verdict">verdict</a><a href="#grid">grid</a><a href="#heatmap">heatmap</a><a href="#codes">codes</a><a href="#provenance">provenance</a><a href="#phases">timings</a><a href="#incidents">incidents</a><a href="#samples">samples</a><a href="#sources">sources</a></nav>
</header>
<main>`);

  s.push(html`<section id="verdict"><h2>Verdict</h2>
<p class="lead"><span class="badge ${verdictTone(v.verdict)}" data-verdict="${v.verdict}">${v.verdict}</span> <span class="sentence">${v.sentence}</span></p>`);
  for (const line of v.lines) {
    s.push(html`<div class="finding${line.verdict === 'agent' ? ' agent' : ''}" data-verdict="${line.verdict}">
<p><strong>${line.verdict}</strong> · confidence ${confidence(line.confidence)}</p>
<p class="sentence">${line.sentence}</p>
${line.suspects.length > 0 && html`<p>Suspects: ${joinHtml(line.suspects.map((x) => html`${x.dimension} <code>${x.value}</code>`), ', ')}</p>`}
${line.hints.length > 0 && html`<p>What to check next:</p><ol class="hints">${line.hints.map((h) => html`<li>${h}</li>`)}</ol>`}
</div>`);
  }
  s.push(html`<p class="meta">Diagnosis at ${minute(v.window.to)} over ${minute(v.window.from)} → ${minute(v.window.to)}.</p></section>`);

  s.push(html`<section id="grid"><h2>Grid: failed share by region × serving node (IP)</h2>`);
  s.push(r.grid.rows.length === 0 ? html`<p>No probe results in the range.</p>` : gridTable(r.grid));
  s.push(html`<p class="meta">Whole range, from rollups. ◆ and a frame mark what the diagnosis or an incident of the range blamed.</p>`);
  for (const g of r.identityGrids) {
    s.push(html`<h3>By <code>${g.dimension}</code> <span class="meta">(raw results${r.sources.detail && `, ${minute(r.sources.detail.from)} → ${minute(r.sources.detail.to)}`})</span></h3>${gridTable(g)}`);
  }
  s.push(html`</section>`);

  s.push(html`<section id="heatmap"><h2>Heatmap: failed share per ${r.heatmap.bucket} (UTC)</h2>`);
  s.push(r.heatmap.rows.length === 0 ? html`<p>No probe results in the range.</p>` : html`<div class="scroll">${heatmapSvg(r.heatmap, 'hm')}</div>`);
  s.push(html`<div class="scroll">${legendSvg('lg')}</div>`);
  const moh = r.minuteOfHour;
  if (moh.minutes.some((c) => c.probes > 0)) {
    s.push(html`<h3>By minute of the hour <span class="meta">(${minute(moh.from)} → ${minute(moh.to)})</span></h3><div class="scroll">${minuteOfHourSvg(moh, 'moh')}</div>`);
    if (moh.peak) s.push(html`<p class="meta">Failures cluster at :${String(moh.peak.minute).padStart(2, '0')}: ${rateText(moh.minutes[moh.peak.minute]!)} failed.</p>`);
  }
  s.push(html`</section>`);

  s.push(html`<section id="codes"><h2>Failure codes <span class="meta">(whole range)</span></h2>`);
  s.push(
    r.codes.length === 0
      ? html`<p>No failures in the range.</p>`
      : html`<table><thead><tr><th>region / node</th><th class="num">failed</th><th>codes</th></tr></thead><tbody>${r.codes.map(
          (c) =>
            html`<tr data-key="${`${c.kind}:${c.key}`}"><th>${nodeLabel(c.kind, c.key)}</th><td class="num">${count(c.failures)}/${count(c.probes)}</td><td>${joinHtml(
              c.codes.map((x) => html`<code>${x.code}</code> ×${count(x.count)}`),
              ', ',
            )}</td></tr>`,
        )}</tbody></table>`,
  );
  s.push(html`</section>`);

  s.push(html`<section id="provenance"><h2>What answered the failed probes <span class="meta">(status, code, 502 provenance)</span></h2>`);
  if (r.sources.raw === null) s.push(html`<p>No raw results are kept for this range.</p>`);
  else if (r.provenance.length === 0) s.push(html`<p>No failed raw results in the range.</p>`);
  else {
    s.push(
      html`<table><thead><tr><th>region / node</th><th class="num">failed</th><th>answers (mean first byte)</th></tr></thead><tbody>${r.provenance.map(
        (p) =>
          html`<tr data-key="${`${p.kind}:${p.key}`}"><th>${nodeLabel(p.kind, p.key)}</th><td class="num">${count(p.failures)}</td><td>${joinHtml(
            p.answers.map((a) => html`${a.label} ×${count(a.count)}${a.firstByteMeanMs !== null && html` <span class="meta">(${duration(a.firstByteMeanMs)})</span>`}`),
            '<br>',
          )}</td></tr>`,
      )}</tbody></table>`,
    );
  }
  s.push(html`</section>`);

  s.push(html`<section id="phases"><h2>Where the time went <span class="meta">(p50 / p90 / p99 per region)</span></h2>`);
  if (r.phases.length === 0) s.push(html`<p>No probe results in the range.</p>`);
  else {
    const trio = (p: { p50: number | null; p90: number | null; p99: number | null } | undefined) =>
      p ? `${duration(p.p50)} / ${duration(p.p90)} / ${duration(p.p99)}` : '–';
    s.push(
      html`<div class="scroll"><table><thead><tr><th>region</th><th class="num">raw results</th><th class="num">DNS</th><th class="num">connect</th><th class="num">TLS</th><th class="num">first byte</th><th class="num">total</th><th class="num">mean first byte (range)</th><th class="num">mean / max total (range)</th></tr></thead><tbody>${r.phases.map(
        (p) =>
          html`<tr><th>${p.region}</th><td class="num">${count(p.n)}</td><td class="num">${trio(p.phases?.dns)}</td><td class="num">${trio(p.phases?.connect)}</td><td class="num">${trio(p.phases?.tls)}</td><td class="num">${trio(p.phases?.firstByte)}</td><td class="num">${trio(p.phases?.total)}</td><td class="num">${duration(p.meanFirstByteMs)}</td><td class="num">${duration(p.meanTotalMs)} / ${duration(p.maxTotalMs)}</td></tr>`,
      )}</tbody></table></div>`,
    );
  }
  s.push(html`</section>`);

  s.push(html`<section id="incidents"><h2>Incidents in the range</h2>`);
  if (r.incidents.length === 0) s.push(html`<p>None.</p>`);
  for (const i of r.incidents) {
    s.push(html`<article class="incident" data-id="${i.id}"><h3><code>${i.id}</code> <span class="badge ${verdictTone(i.verdict)}">${i.verdict}</span> ${i.state}${i.reopens > 0 && `, reopened ${i.reopens}×`}</h3>
<p class="sentence">${i.summary}</p>
<p class="meta">Opened ${minute(i.openedAt)}${i.resolvedAt ? `, resolved ${minute(i.resolvedAt)}` : ', still open'}.</p>
<ol class="timeline">${i.history.map((e) => html`<li><time datetime="${e.at}">${minute(e.at)}</time> <strong>${e.type}</strong> ${e.verdict}: ${e.summary}</li>`)}</ol></article>`);
  }
  s.push(html`</section>`);

  s.push(html`<section id="samples"><h2>Sample failed results <span class="meta">(for the logs: the <code>crossprobe-probe-id</code> request header is the probe id)</span></h2>`);
  if (r.samples.length === 0) s.push(html`<p>${r.sources.raw === null ? 'No raw results are kept for this range.' : 'No failed raw results in the range.'}</p>`);
  else {
    s.push(
      html`<div class="scroll"><table class="samples"><thead><tr><th>time (UTC)</th><th>region</th><th>agent</th><th>IP</th><th>node</th><th class="num">status</th><th>code</th><th>provenance</th><th class="num">first byte</th><th>probe id</th><th>server</th><th>detail</th></tr></thead><tbody>${r.samples.map(
        (x) =>
          html`<tr data-result="${x.resultId}"><td class="mono">${instant(x.at)}</td><td>${x.region}</td><td>${x.agent}</td><td class="mono">${x.ip || '–'}</td><td>${x.node || '–'}</td><td class="num">${x.status ?? '–'}</td><td><code>${x.code ?? '–'}</code></td><td>${x.provenance ?? '–'}</td><td class="num">${duration(x.firstByteMs)}</td><td class="mono">${x.resultId}</td><td>${x.server ?? '–'}</td><td class="detail">${x.detail ?? ''}</td></tr>`,
      )}</tbody></table></div>`,
    );
  }
  s.push(html`</section>`);

  s.push(html`<section id="sources"><h2>Data sources</h2><ul class="notes">${r.sources.notes.map((n) => html`<li>${n}</li>`)}</ul></section>`);
  s.push(html`</main><footer>Generated ${minute(r.generatedAt)} by crossprobe.</footer>`);
  return page({ title: `crossprobe report: ${r.target.id} — ${v.verdict}`, css: REPORT_CSS, body: joinHtml(s, '\n'), bodyClass: 'report', nonce: o.nonce });
}
