import { html, joinHtml, type Html } from './escape.js';
import { count, counted, duration, minute, rateShort, rateText } from './value-text.js';
import { page, verdictTone, type PageOptions } from './page.js';
import { legendSvg, stripSvg } from './svg.js';
import type { DashboardAgent, DashboardData, DashboardTarget, TargetState } from './dashboard.js';

/** Options of the dashboard page. */
export interface DashboardHtmlOptions extends PageOptions {
  /** Seconds between refreshes. */
  readonly refreshSeconds: number;
  /** Link to a target's report over `since` (e.g. "24h"). */
  readonly reportHref: (target: string, since: string) => string;
}

const DASHBOARD_CSS = `
.summary{font-size:15px;margin:4px 0}
#refresh-state{font-size:12px;color:var(--muted)}
#refresh-state.stale{color:#8c2d04;font-weight:700}
.targets{display:grid;grid-template-columns:1fr;gap:8px}
.target{display:grid;grid-template-columns:minmax(220px,300px) 1fr;gap:12px;border:1px solid var(--line);border-left-width:6px;padding:8px 10px;border-radius:3px}
.target[data-state="incident"]{border-left-color:#8c2d04}
.target[data-state="failing"]{border-left-color:#ec7014}
.target[data-state="ok"]{border-left-color:#8fa8c2}
.target[data-state="no-data"]{border-left-color:#cbd2d9;border-left-style:dashed}
.target h3{margin:0 0 2px;font-size:15px}
.target .url{font-size:12px;color:var(--muted);word-break:break-all}
.target .incident-line{font-size:13px;margin-top:4px}
.target .links{font-size:12px;margin-top:4px}
.strip-axis{font-size:11px;color:var(--muted);display:flex;justify-content:space-between;max-width:640px}
.controls{font-size:12px}
.controls .fail{color:#8c2d04;font-weight:700}
tr.stale td,tr.stale th{color:#8c2d04}
@media (max-width:760px){.target{grid-template-columns:1fr}}
`;

// Refetches the page and swaps its <main> in place: the scroll position, the header and this script
// stay. The page's one timestamp is the collector's "As of" in <main>, so the state line says no time.
// Only the <main> part is parsed: a parsed <head> would bring a <style> whose nonce (new with each
// response) the page's CSP refuses, and Chrome reports that. Data never contains "</main>": it is escaped.
const REFRESH_SCRIPT = `(function(){
var every=Number(document.body.getAttribute('data-refresh'))*1000;
var state=document.getElementById('refresh-state');
var n=0;
function tick(){
fetch(location.href,{headers:{accept:'text/html'},credentials:'same-origin',cache:'no-store'})
.then(function(r){if(!r.ok)throw new Error('HTTP '+r.status);return r.text();})
.then(function(text){
var i=text.indexOf('<main>'),j=text.lastIndexOf('</main>');
if(i<0||j<i)throw new Error('unexpected page');
var next=new DOMParser().parseFromString(text.slice(i,j+7),'text/html').querySelector('main');
var cur=document.querySelector('main');
if(!next||!cur)throw new Error('unexpected page');
var x=window.scrollX,y=window.scrollY;
cur.replaceWith(document.adoptNode(next));
window.scrollTo(x,y);
n++;document.body.setAttribute('data-refreshes',String(n));
state.textContent='refreshes every '+every/1000+' s';
state.className='';
})
.catch(function(e){state.textContent='refresh failed ('+e.message+'), retrying in '+every/1000+' s';state.className='stale';})
.finally(function(){setTimeout(tick,every);});
}
setTimeout(tick,every);
})();`;

const STATE_TEXT: Readonly<Record<TargetState, string>> = { incident: 'incident', failing: 'failing now', ok: 'ok', 'no-data': 'no data' };
const STATE_TONE: Readonly<Record<TargetState, 'bad' | 'warn' | 'ok'>> = { incident: 'bad', failing: 'warn', ok: 'ok', 'no-data': 'warn' };

function age(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  return `${(ms / 3_600_000).toFixed(1)} h ago`;
}

function targetCard(t: DashboardTarget, d: DashboardData, o: DashboardHtmlOptions, index: number): Html {
  const minuteLabel = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  const rows = t.regions.map((r) => ({
    label: r.region,
    cells: r.cells,
    titles: r.cells.map((c, k) => `${r.region} ${minuteLabel(d.minutes[k]!)}Z: ${c.probes === 0 ? 'no probes' : `${rateText(c)} failed`}`),
  }));
  const strip =
    rows.length === 0
      ? html`<p class="meta">No probes in the last hour.</p>`
      : html`<div class="scroll">${stripSvg(rows, `s${index}`)}</div><div class="strip-axis"><span>${minuteLabel(d.minutes[0]!)}Z</span><span>last hour, a cell per minute</span><span>${minuteLabel(d.minutes.at(-1)!)}Z</span></div>`;
  const links = joinHtml(
    ['1h', '24h', '7d'].map((since) => html`<a href="${o.reportHref(t.id, since)}">${since}</a>`),
    ' · ',
  );
  return html`<div class="target" data-target="${t.id}" data-state="${t.state}">
<div>
<h3><a href="${o.reportHref(t.id, '24h')}">${t.id}</a> <span class="badge ${STATE_TONE[t.state]}">${STATE_TEXT[t.state]}</span></h3>
${t.url && html`<div class="url mono">${t.url}</div>`}
<div>last 5 min: <strong>${rateShort(t.recent)}</strong> failed · hour: ${rateText(t.hour)}</div>
${t.incident && html`<div class="incident-line"><span class="badge ${verdictTone(t.incident.verdict)}">${t.incident.verdict}</span> ${t.incident.summary}</div>`}
<div class="links">report: ${links}</div>
</div>
<div>${strip}</div>
</div>`;
}

function agentRow(a: DashboardAgent): Html {
  const controls =
    a.controls.length === 0
      ? html`<span class="meta">none</span>`
      : joinHtml(
          a.controls.map((c) => (c.ok ? html`<span>✔ ${c.url}</span>` : html`<span class="fail">✖ ${c.url} ${c.failure ?? 'failing'} (${c.consecutiveFailures}×)</span>`)),
          '<br>',
        );
  return html`<tr class="${a.stale ? 'stale' : ''}" data-agent="${`${a.region}/${a.agent}`}"><th>${a.region}</th><td>${a.agent}</td><td>${a.version}</td><td>${a.stale && '✖ stale, '}${age(a.ageMs)} <span class="meta">(${minute(a.lastSeen)})</span></td><td class="num">${count(a.spoolDepth)}${a.spoolDropped > 0 && html` <span class="meta">(${count(a.spoolDropped)} dropped)</span>`}</td><td class="num">${duration(a.schedLagMs)}</td><td class="num">${a.targets}</td><td class="controls">${controls}</td></tr>`;
}

/** The dashboard page: server-rendered, refreshing itself with a little inline script. Pure. */
export function renderDashboardHtml(d: DashboardData, o: DashboardHtmlOptions): string {
  const stale = d.agents.filter((a) => a.stale).length;
  // The counts and the time are inside <main>, which every refresh replaces: the header stays as it is.
  const body = html`<header>
<h1>crossprobe</h1>
<p><span id="refresh-state">refreshes every ${o.refreshSeconds} s</span></p>
</header>
<main>
<p class="summary">${counted(d.targets.length, 'target')} · ${counted(d.incidents.length, 'open incident')} · ${counted(d.agents.length, 'agent')}${stale > 0 && ` (${stale} stale)`}</p>
<p class="meta">As of <time datetime="${d.generatedAt}">${d.generatedAt.slice(0, 10)} ${d.generatedAt.slice(11, 19)}Z</time>.</p>
<section id="incidents"><h2>Open incidents</h2>
${
  d.incidents.length === 0
    ? html`<p>None.</p>`
    : html`<table><thead><tr><th>target</th><th>verdict</th><th>what</th><th>opened</th></tr></thead><tbody>${d.incidents.map(
        (i) =>
          html`<tr data-incident="${i.id}"><th><a href="${o.reportHref(i.target, '24h')}">${i.target}</a></th><td><span class="badge ${verdictTone(i.verdict)}">${i.verdict}</span></td><td class="sentence">${i.summary}</td><td>${minute(i.openedAt)}</td></tr>`,
      )}</tbody></table>`
}
</section>
<section id="targets"><h2>Targets <span class="meta">(failed share per minute and region, last hour)</span></h2>
<div class="scroll">${legendSvg('dl')}</div>
${d.targets.length === 0 ? html`<p>No targets yet.</p>` : html`<div class="targets">${joinHtml(d.targets.map((t, k) => targetCard(t, d, o, k)), '\n')}</div>`}
</section>
<section id="agents"><h2>Agents <span class="meta">(stale after ${duration(3 * d.heartbeatIntervalMs)} without a heartbeat)</span></h2>
${
  d.agents.length === 0
    ? html`<p>No agent has sent a heartbeat yet.</p>`
    : html`<div class="scroll"><table><thead><tr><th>region</th><th>agent</th><th>version</th><th>last heartbeat</th><th class="num">spool</th><th class="num">sched lag</th><th class="num">targets</th><th>control targets</th></tr></thead><tbody>${d.agents.map(agentRow)}</tbody></table></div>`
}
</section>
</main>
<footer>crossprobe dashboard · reports: <code>/api/v1/targets/&lt;id&gt;/report?since=24h&amp;format=html</code></footer>`;
  return page({
    title: `crossprobe${d.incidents.length > 0 ? ` (${d.incidents.length} open)` : ''}`,
    css: DASHBOARD_CSS,
    body,
    script: REFRESH_SCRIPT,
    bodyClass: 'dashboard',
    nonce: o.nonce,
    bodyData: { refresh: String(o.refreshSeconds), refreshes: '0' },
  });
}
