import { html, raw, type Html } from './escape.js';
import { LEVEL_FILL, LEVEL_INK, LEVELS } from './svg.js';

/** What the report and the dashboard share: one page shell, one stylesheet, the level colours as classes. */

const levelClass = (l: number) => `l${l < 0 ? 'n' : l}`;

/** The CSS class of a level: `ln` (no probes), `l0` … `l5`. */
export function levelCss(level: number): string {
  return levelClass(level);
}

const LEVEL_CSS = LEVELS.map((l) => `.${levelClass(l)}{background-color:${LEVEL_FILL[l]};color:${LEVEL_INK[l]}}`).join('\n');

export const BASE_CSS = `
:root{color-scheme:light;--ink:#1f2933;--muted:#52606d;--line:#cbd2d9;--accent:#8c2d04}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);margin:0;background:#fff}
header,main,footer{max-width:1240px;margin:0 auto;padding:0 20px}
header{padding-top:14px}
h1{font-size:22px;margin:6px 0 4px}
h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
a{color:#1c4f82}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:0.95em}
.meta{color:var(--muted)}
nav.toc{font-size:13px;margin:6px 0}
nav.toc a{margin-right:10px}
.badge{display:inline-block;padding:1px 8px;border-radius:3px;font-weight:700;border:2px solid var(--ink);letter-spacing:.02em}
.badge.bad{background:#8c2d04;border-color:#8c2d04;color:#fff}
.badge.warn{background:#fee391;border-color:#ec7014;color:#222}
.badge.ok{background:#e3ebf3;border-color:#52606d;color:#1f2d3a}
.badge.bad::before{content:"✖ "}
.badge.warn::before{content:"▲ "}
.badge.ok::before{content:"✔ "}
table{border-collapse:collapse;margin:6px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f7fa;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.cell{text-align:right;min-width:92px;font-variant-numeric:tabular-nums}
td.cell .rate{display:block;font-weight:700}
td.cell .counts{display:block;font-size:12px}
td.cell .mark{display:block;font-size:11px;font-weight:700}
td.l4,td.l5{background-image:repeating-linear-gradient(45deg,rgba(255,255,255,.3) 0 2px,transparent 2px 7px)}
td.suspect,th.suspect{outline:3px solid var(--ink);outline-offset:-3px}
tr.agent-row th{font-weight:400;padding-left:22px}
.scroll{overflow-x:auto}
svg{max-width:100%;height:auto}
.finding{border-left:4px solid var(--accent);padding:4px 12px;margin:10px 0;background:#fafbfc}
.finding p{margin:4px 0}
.finding.agent{border-left-color:#ec7014}
ol.hints{margin:4px 0 4px 20px;padding:0}
ol.timeline{margin:4px 0 4px 20px;padding:0}
.samples td{font-size:12px}
.samples td.detail{max-width:360px;word-break:break-word}
ul.notes{color:var(--muted)}
footer{color:var(--muted);font-size:12px;margin:30px auto 20px}
${LEVEL_CSS}
@media print{
  @page{size:A4 landscape;margin:12mm}
  body{font-size:11px}
  .noprint{display:none}
  .scroll{overflow:visible}
  h2,h3{break-after:avoid}
  table,svg,.finding{break-inside:avoid}
  a{color:inherit;text-decoration:none}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`;

/** Options of a rendered page. */
export interface PageOptions {
  /** Nonce of the Content-Security-Policy the page is served with (its <style> and <script> carry it). */
  readonly nonce?: string | undefined;
}

/** A complete, self-contained HTML document: no external request of any kind (the icon is a data: URL). */
export function page(
  o: { title: string; css: string; body: Html; script?: string; bodyClass: string; bodyData?: Readonly<Record<string, string>> } & PageOptions,
): string {
  const data = Object.entries(o.bodyData ?? {}).map(([k, v]) => html` data-${k}="${v}"`);
  const nonce = o.nonce === undefined ? '' : html` nonce="${o.nonce}"`;
  // the stylesheet and the script are ours, constants of this module and its callers
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${o.title}</title>
<link rel="icon" href="data:,">
<style${nonce}>${raw(BASE_CSS)}${raw(o.css)}</style>
</head>
<body class="${o.bodyClass}"${data}>
${o.body}
${o.script === undefined ? '' : html`<script${nonce}>${raw(o.script)}</script>`}
</body>
</html>
`.toString();
}

/** The badge class of a verdict: the target is failing (bad), unsure or our own agent (warn), or healthy (ok). */
export function verdictTone(verdict: string): 'bad' | 'warn' | 'ok' {
  if (verdict === 'healthy') return 'ok';
  if (verdict === 'inconclusive' || verdict === 'agent') return 'warn';
  return 'bad';
}

/** Content-Security-Policy of a page rendered with `nonce`: nothing but its own inline style (and script), and fetches to its origin. */
export function contentSecurityPolicy(nonce: string, withScript: boolean): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    withScript ? `script-src 'nonce-${nonce}'` : "script-src 'none'",
    withScript ? "connect-src 'self'" : null,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ]
    .filter((x) => x !== null)
    .join('; ');
}

/** A short page with a message (e.g. a browser asked for the dashboard without the read token). Pure. */
export function renderMessagePage(o: { title: string; paragraphs: readonly string[]; link?: { href: string; text: string } } & PageOptions): string {
  const body = html`<main><h1>${o.title}</h1>${o.paragraphs.map((p) => html`<p>${p}</p>`)}${o.link && html`<p><a href="${o.link.href}">${o.link.text}</a></p>`}</main>`;
  return page({ title: o.title, css: '', body, bodyClass: 'message', nonce: o.nonce });
}
