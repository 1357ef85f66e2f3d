import { md, mdCode, mdInlineCode, mdLine } from './escape.js';
import { confidence, count, counted, duration, instant, minute, rateShort, rateText } from './value-text.js';
import { timeLabel } from './svg.js';
import type { Heatmap, Level, ReportCell, ReportData, ReportGrid } from './types.js';

/** The heatmap's characters per level: bar heights read in any monospace font, without colour. */
export const LEVEL_CHAR: Readonly<Record<Level, string>> = { [-1]: ' ', 0: '·', 1: '▁', 2: '▂', 3: '▄', 4: '▆', 5: '█' };
const SUSPECT = '◆';

const table = (header: readonly string[], align: readonly ('l' | 'r')[], rows: readonly (readonly string[])[]): string =>
  [`| ${header.join(' | ')} |`, `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

function gridCell(c: ReportCell): string {
  if (c.probes === 0) return '–';
  const text = rateText(c);
  return c.suspect ? `**${SUSPECT} ${text}**` : text;
}

function gridTable(g: ReportGrid): string {
  const header = [g.dimension === 'ip' ? 'region ↓ IP →' : `region ↓ ${md(g.dimension)} →`, ...g.columns.map((c, j) => `${g.columnTotals[j]?.suspect ? `${SUSPECT} ` : ''}${md(c)}`)];
  if (g.dns) header.push('DNS failed');
  header.push('all');
  const rows = g.rows.map((r, i) => [
    `${g.rowTotals[i]?.suspect ? `${SUSPECT} ` : ''}**${md(r)}**`,
    ...g.cells[i]!.map(gridCell),
    ...(g.dns ? [g.dns[i]!.probes === 0 ? '–' : gridCell(g.dns[i]!)] : []),
    rateText(g.rowTotals[i]!),
  ]);
  const multiAgent = new Set(g.agents.map((a) => a.region)).size < g.agents.length;
  if (multiAgent) {
    for (const a of g.agents) {
      rows.push([`↳ ${a.suspect ? `${SUSPECT} ` : ''}${md(a.region)}/${md(a.agent)}`, ...a.cells.map(gridCell), ...(g.dns ? [''] : []), rateText(a.total)]);
    }
  }
  rows.push(['**all**', ...g.columnTotals.map((c) => rateText(c)), ...(g.dns ? [rateText(sumCells(g.dns))] : []), `**${rateText(g.total)}**`]);
  return table(header, header.map((_, i) => (i === 0 ? 'l' : 'r')), rows);
}

function sumCells(cells: readonly ReportCell[]): ReportCell {
  const failures = cells.reduce((a, c) => a + c.failures, 0);
  const probes = cells.reduce((a, c) => a + c.probes, 0);
  return { failures, probes, rate: probes > 0 ? failures / probes : null, level: 0, suspect: false };
}

/** The heatmap as text: one line per row, one character per bucket, an axis of bucket start times above. */
export function heatmapText(map: Heatmap): string {
  const labels = map.rows.map((r) => `${r.suspect ? `${SUSPECT} ` : ''}${r.kind === 'region' ? r.label : `node ${r.label}`}`);
  const width = Math.max(12, ...labels.map((l) => [...l].length)) + 2;
  const n = map.buckets.length;
  // an axis label every `every` buckets, far enough apart not to overlap
  const sample = timeLabel(map.buckets[0] ?? 0, map.bucketMs, true);
  const every = Math.max(sample.length + 2, Math.ceil(n / 6));
  let axis = ''.padEnd(width);
  let lastDay = '';
  for (let i = 0; i < n; i += every) {
    const ms = map.buckets[i]!;
    const day = new Date(ms).toISOString().slice(0, 10);
    const label = timeLabel(ms, map.bucketMs, day !== lastDay);
    lastDay = day;
    axis = axis.padEnd(width + i) + label;
  }
  const lines = [axis.trimEnd()];
  map.rows.forEach((r, i) => {
    lines.push(`${mdCode(labels[i]!).padEnd(width)}${r.cells.map((c) => LEVEL_CHAR[c.level]).join('')}  ${rateText(r.total)}`);
  });
  return lines.join('\n');
}

function legend(): string {
  return `Each character is one ${'bucket'}: ${([0, 1, 2, 3, 4, 5] as Level[]).map((l) => `\`${LEVEL_CHAR[l]}\` ${['0%', '≤ 1%', '≤ 5%', '≤ 20%', '≤ 50%', '> 50%'][l]}`).join(' · ')} · blank: no probes · ${SUSPECT} suspect.`;
}

/** The report as Markdown for GitHub and chat tools. Pure. */
export function renderMarkdown(r: ReportData): string {
  const out: string[] = [];
  const v = r.verdict;
  out.push(`# crossprobe report: ${mdInlineCode(r.target.id)}`);
  out.push('');
  out.push(
    `**${md(v.verdict)}** · ${minute(r.range.from)} → ${minute(r.range.to)} (${md(r.range.length)}) · ${counted(r.totals.probes, 'probe')}, ${count(r.totals.failures)} failed (${rateShort(r.totals)})${r.target.url ? ` · ${md(r.target.url)}` : ''}`,
  );

  out.push('', '## Verdict', '');
  if (v.lines.length === 0) out.push(`**healthy**: ${md(v.sentence)}`);
  for (const line of v.lines) {
    out.push(`> **${md(line.verdict)}** (confidence ${confidence(line.confidence)}): ${md(line.sentence)}`);
    if (line.suspects.length > 0) out.push('>', `> Suspects: ${line.suspects.map((s) => `${md(s.dimension)} ${mdInlineCode(s.value)}`).join(', ')}`);
    if (line.hints.length > 0) out.push('>', '> What to check next:', ...line.hints.map((h) => `> - ${md(h)}`));
    out.push('');
  }
  out.push(`_Diagnosis at ${minute(v.window.to)} over ${minute(v.window.from)} → ${minute(v.window.to)}._`);

  out.push('', '## Grid: failed share by region × serving node (IP)', '');
  if (r.grid.rows.length === 0) out.push('No probe results in the range.');
  else out.push(gridTable(r.grid), '', `${SUSPECT} marks what the diagnosis or an incident of the range blamed. Whole range, from rollups.`);
  for (const g of r.identityGrids) {
    out.push('', `### By ${mdInlineCode(g.dimension)} (raw results, ${r.sources.detail ? `${minute(r.sources.detail.from)} → ${minute(r.sources.detail.to)}` : 'detail window'})`, '', gridTable(g));
  }

  out.push('', `## Heatmap: failed share per ${md(r.heatmap.bucket)} (UTC)`, '');
  if (r.heatmap.rows.length === 0) out.push('No probe results in the range.');
  else out.push('```text', heatmapText(r.heatmap), '```', '', legend());

  const moh = r.minuteOfHour;
  if (moh.minutes.some((c) => c.probes > 0)) {
    out.push('', `## Failures by minute of the hour (${minute(moh.from)} → ${minute(moh.to)})`, '');
    out.push('```text', ':00       :10       :20       :30       :40       :50', moh.minutes.map((c) => LEVEL_CHAR[c.level]).join(''), '```');
    if (moh.peak) out.push('', `Failures cluster at :${String(moh.peak.minute).padStart(2, '0')}: ${rateText(moh.minutes[moh.peak.minute]!)} failed.`);
  }

  out.push('', '## Failure codes (whole range)', '');
  if (r.codes.length === 0) out.push('No failures in the range.');
  else {
    out.push(
      table(['region / node', 'failed', 'codes'], ['l', 'r', 'l'], r.codes.map((c) => [
        c.kind === 'region' ? `region ${md(c.key)}` : c.key === '' ? 'DNS failed (no IP)' : `node ${md(c.key)}`,
        `${count(c.failures)}/${count(c.probes)}`,
        c.codes.map((x) => `${md(x.code)} ×${count(x.count)}`).join(', '),
      ])),
    );
  }

  out.push('', '## What answered the failed probes (status, code, 502 provenance)', '');
  if (r.sources.raw === null) out.push('No raw results are kept for this range.');
  else if (r.provenance.length === 0) out.push('No failed raw results in the range.');
  else {
    out.push(
      table(['region / node', 'failed', 'answers (mean first byte)'], ['l', 'r', 'l'], r.provenance.map((p) => [
        p.kind === 'region' ? `region ${md(p.key)}` : p.key === '' ? 'DNS failed (no IP)' : `node ${md(p.key)}`,
        count(p.failures),
        p.answers.map((a) => `${md(a.label)} ×${count(a.count)}${a.firstByteMeanMs !== null ? ` (${duration(a.firstByteMeanMs)})` : ''}`).join('; '),
      ])),
    );
  }

  out.push('', '## Where the time went: phase p50 / p90 / p99 per region', '');
  if (r.phases.length === 0) out.push('No probe results in the range.');
  else {
    const trio = (p: { p50: number | null; p90: number | null; p99: number | null } | undefined) => (p ? `${duration(p.p50)} / ${duration(p.p90)} / ${duration(p.p99)}` : '–');
    out.push(
      table(
        ['region', 'raw results', 'DNS', 'connect', 'TLS', 'first byte', 'total', 'mean first byte (range)', 'mean / max total (range)'],
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
        r.phases.map((p) => [
          md(p.region),
          count(p.n),
          trio(p.phases?.dns),
          trio(p.phases?.connect),
          trio(p.phases?.tls),
          trio(p.phases?.firstByte),
          trio(p.phases?.total),
          duration(p.meanFirstByteMs),
          `${duration(p.meanTotalMs)} / ${duration(p.maxTotalMs)}`,
        ]),
      ),
    );
  }

  out.push('', '## Incidents in the range', '');
  if (r.incidents.length === 0) out.push('None.');
  for (const i of r.incidents) {
    out.push(`### ${mdInlineCode(i.id)}: ${md(i.verdict)} (${i.state}${i.reopens > 0 ? `, reopened ${i.reopens}×` : ''})`, '');
    out.push(mdLine(i.summary), '');
    out.push(`Opened ${minute(i.openedAt)}${i.resolvedAt ? `, resolved ${minute(i.resolvedAt)}` : ', still open'}.`, '');
    for (const e of i.history) out.push(`- ${minute(e.at)} **${e.type}** ${md(e.verdict)}: ${md(e.summary)}`);
    out.push('');
  }

  out.push('', '## Sample failed results (for the logs: `crossprobe-probe-id` header = probe id)', '');
  if (r.samples.length === 0) out.push(r.sources.raw === null ? 'No raw results are kept for this range.' : 'No failed raw results in the range.');
  else {
    out.push(
      table(
        ['time (UTC)', 'region', 'agent', 'IP', 'node', 'status', 'code', 'provenance', 'first byte', 'probe id', 'detail'],
        ['l', 'l', 'l', 'l', 'l', 'r', 'l', 'l', 'r', 'l', 'l'],
        r.samples.map((s) => [
          instant(s.at),
          md(s.region),
          md(s.agent),
          md(s.ip || '–'),
          md(s.node || '–'),
          s.status === null ? '–' : String(s.status),
          md(s.code ?? '–'),
          md(s.provenance ?? '–'),
          duration(s.firstByteMs),
          mdInlineCode(s.resultId),
          md(s.detail ?? ''),
        ]),
      ),
    );
  }

  out.push('', '## Data sources', '', ...r.sources.notes.map((n) => `- ${md(n)}`));
  out.push('', `_Generated ${minute(r.generatedAt)} by crossprobe._`, '');
  return out.join('\n');
}
