import { html, joinHtml, raw, type Html } from './escape.js';
import { rateText } from './value-text.js';
import type { Heatmap, HeatRow, Level, MinuteOfHour, ReportCell } from './types.js';

/**
 * The colour of each level: ColorBrewer's YlOrBr, a sequential scale whose lightness falls with the
 * failure rate, so it reads the same for red/green colour-blind eyes and in greyscale print; "no
 * failures" is a pale blue-grey, not green. Levels 4 and 5 also get a hatch, and every cell carries its
 * number (in the cell, or in its tooltip and row total).
 */
export const LEVEL_FILL: Readonly<Record<Level, string>> = {
  [-1]: '#ffffff',
  0: '#e3ebf3',
  1: '#fff7bc',
  2: '#fee391',
  3: '#fec44f',
  4: '#ec7014',
  5: '#8c2d04',
};
/** Text on a level's fill. */
export const LEVEL_INK: Readonly<Record<Level, string>> = { [-1]: '#555555', 0: '#1f2d3a', 1: '#222222', 2: '#222222', 3: '#222222', 4: '#111111', 5: '#ffffff' };
/** What each level means, for legends. */
export const LEVEL_LABEL: Readonly<Record<Level, string>> = { [-1]: 'no probes', 0: '0%', 1: '≤ 1%', 2: '≤ 5%', 3: '≤ 20%', 4: '≤ 50%', 5: '> 50%' };
export const LEVELS: readonly Level[] = [-1, 0, 1, 2, 3, 4, 5];

const FONT = raw('font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="11"');

/** Pattern definitions an SVG refers to as `url(#<prefix>-hatch)` and `url(#<prefix>-none)`. */
function defs(prefix: string): Html {
  return html`<defs>
<pattern id="${prefix}-hatch" patternUnits="userSpaceOnUse" width="5" height="5" patternTransform="rotate(45)"><rect width="2" height="5" fill="#ffffff" fill-opacity="0.55"/></pattern>
<pattern id="${prefix}-none" patternUnits="userSpaceOnUse" width="6" height="6"><rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="0.8" fill="#9aa5b1"/></pattern>
</defs>`;
}

/** A level's fill, the "no probes" dots pattern for -1. */
function fill(prefix: string, level: Level): string {
  return level === -1 ? `url(#${prefix}-none)` : LEVEL_FILL[level];
}

/** "05:00", "11-22 05:00" at day starts, "11-22" for buckets of a day or more (UTC). */
export function timeLabel(ms: number, bucketMs: number, withDate: boolean): string {
  const iso = new Date(ms).toISOString();
  const day = iso.slice(5, 10);
  const time = iso.slice(11, 16);
  if (bucketMs >= 86_400_000) return day;
  return withDate ? `${day} ${time}` : time;
}

function cellTitle(label: string, from: number, to: number, c: ReportCell): string {
  const t = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  return `${label} · ${t(from)}–${t(to).slice(11)}Z · ${c.probes === 0 ? 'no probes' : `${rateText(c)} failed`}`;
}

/**
 * The heatmap as one SVG: a row per region, then per node, a column per time bucket. Every rect
 * carries `data-row` (the row key), `data-bucket` (its start, ms) and `data-level`; suspect rows are
 * marked with a ◆ and bold label. `prefix` keeps pattern ids unique within a page.
 */
export function heatmapSvg(map: Heatmap, prefix = 'hm'): Html {
  const n = map.buckets.length;
  const cellW = Math.max(4, Math.min(24, Math.floor(720 / Math.max(1, n))));
  const cellH = 16;
  const gap = 1;
  const longest = Math.max(8, ...map.rows.map((r) => r.label.length + 2));
  const labelW = Math.min(230, 12 + longest * 7);
  const totalW = 130;
  const headerH = 18;
  const sectionH = 16;
  const width = labelW + n * cellW + 10 + totalW;
  const parts: Html[] = [];
  let y = headerH;
  const regions = map.rows.filter((r) => r.kind === 'region');
  const nodes = map.rows.filter((r) => r.kind === 'node');
  const section = (title: string, rows: readonly HeatRow[]) => {
    if (rows.length === 0) return;
    parts.push(html`<text x="0" y="${y + 11}" font-weight="bold">${title}</text>`);
    y += sectionH;
    for (const row of rows) parts.push(heatRow(row, map, prefix, y, { labelW, cellW, cellH, gap })), (y += cellH + gap);
    y += 6;
  };
  section('by region', regions);
  section('by serving node (IP)', nodes);
  // time axis: about eight labels, the date shown when it changes
  const every = Math.max(1, Math.ceil(n / 8));
  let lastDay = '';
  const ticks: Html[] = [];
  for (let i = 0; i < n; i += every) {
    const ms = map.buckets[i]!;
    const day = new Date(ms).toISOString().slice(0, 10);
    const x = labelW + i * cellW;
    ticks.push(html`<line x1="${x}" y1="${headerH - 4}" x2="${x}" y2="${y - 6}" stroke="#b8c2cc" stroke-width="0.5"/>`);
    ticks.push(html`<text x="${x + 2}" y="${headerH - 6}">${timeLabel(ms, map.bucketMs, day !== lastDay)}</text>`);
    lastDay = day;
  }
  parts.push(html`<text x="${labelW + n * cellW + 10}" y="${headerH - 6}">failed (all probes)</text>`);
  const height = y;
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="failure rate per ${map.bucket} bucket, by region and by serving node" ${FONT}>
${defs(prefix)}
${joinHtml(ticks, '\n')}
${joinHtml(parts, '\n')}
</svg>`;
}

function heatRow(row: HeatRow, map: Heatmap, prefix: string, y: number, g: { labelW: number; cellW: number; cellH: number; gap: number }): Html {
  const out: Html[] = [];
  const label = `${row.suspect ? '◆ ' : ''}${row.label}`;
  out.push(html`<g class="heat-row${row.suspect ? ' suspect' : ''}" data-row="${row.key}">`);
  out.push(html`<text x="0" y="${y + 12}"${row.suspect ? raw(' font-weight="bold"') : ''}>${label}</text>`);
  row.cells.forEach((c, i) => {
    const from = map.buckets[i]!;
    const x = g.labelW + i * g.cellW;
    const title = cellTitle(row.label, from, from + map.bucketMs, c);
    out.push(
      html`<rect x="${x}" y="${y}" width="${g.cellW - g.gap}" height="${g.cellH}" fill="${fill(prefix, c.level)}" data-bucket="${from}" data-level="${c.level}" data-failures="${c.failures}" data-probes="${c.probes}"><title>${title}</title></rect>`,
    );
    if (c.level >= 4) out.push(html`<rect x="${x}" y="${y}" width="${g.cellW - g.gap}" height="${g.cellH}" fill="url(#${prefix}-hatch)" pointer-events="none"/>`);
  });
  out.push(html`<text x="${g.labelW + row.cells.length * g.cellW + 10}" y="${y + 12}">${rateText(row.total)}</text>`);
  out.push(raw('</g>'));
  return html`${out}`;
}

/** Failures per minute of the hour: 60 cells, ":00" to ":59". */
export function minuteOfHourSvg(m: MinuteOfHour, prefix = 'moh'): Html {
  const cellW = 11;
  const cellH = 18;
  const labelW = 0;
  const width = labelW + 60 * cellW + 4;
  const rects = m.minutes.map((c, minute) => {
    const x = labelW + minute * cellW;
    const title = `:${String(minute).padStart(2, '0')} · ${c.probes === 0 ? 'no probes' : `${rateText(c)} failed`}`;
    return html`<rect x="${x}" y="14" width="${cellW - 1}" height="${cellH}" fill="${fill(prefix, c.level)}" data-minute="${minute}" data-level="${c.level}"><title>${title}</title></rect>${
      c.level >= 4 && html`<rect x="${x}" y="14" width="${cellW - 1}" height="${cellH}" fill="url(#${prefix}-hatch)" pointer-events="none"/>`
    }`;
  });
  const ticks = [0, 10, 20, 30, 40, 50].map((minute) => html`<text x="${labelW + minute * cellW}" y="11">:${String(minute).padStart(2, '0')}</text>`);
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="minute-of-hour" width="${width}" height="${14 + cellH + 2}" viewBox="0 0 ${width} ${14 + cellH + 2}" role="img" aria-label="failure rate by minute of the hour" ${FONT}>
${defs(prefix)}
${ticks}
${rects}
</svg>`;
}

/** The legend of the levels, as an SVG swatch row. */
export function legendSvg(prefix = 'lg'): Html {
  const items = LEVELS.map((level, i) => {
    const x = i * 86;
    return html`<rect x="${x}" y="2" width="14" height="14" fill="${fill(prefix, level)}" stroke="#8795a1" stroke-width="0.5"/>${
      level >= 4 && html`<rect x="${x}" y="2" width="14" height="14" fill="url(#${prefix}-hatch)"/>`
    }<text x="${x + 18}" y="13">${LEVEL_LABEL[level]}</text>`;
  });
  const width = LEVELS.length * 86;
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="legend" width="${width}" height="18" viewBox="0 0 ${width} 18" role="img" aria-label="legend: failure rate levels" ${FONT}>${defs(prefix)}${items}</svg>`;
}

/** One run of equal minutes in a status strip. */
export interface StripRun {
  readonly from: number;
  /** Exclusive, in cells. */
  readonly to: number;
  readonly level: Level;
  readonly title: string;
}

/**
 * A dashboard status strip: a row per region, `cells` columns (one per minute); consecutive cells of
 * the same level are one rect, so a healthy strip costs one rect per region.
 */
export function stripSvg(
  rows: readonly { readonly label: string; readonly cells: readonly ReportCell[]; readonly titles: readonly string[] }[],
  prefix: string,
): Html {
  const cellW = 8;
  const cellH = 12;
  const longest = Math.max(6, ...rows.map((r) => r.label.length));
  const labelW = Math.min(160, 10 + longest * 7);
  const cols = Math.max(0, ...rows.map((r) => r.cells.length));
  const width = labelW + cols * cellW + 2;
  const height = rows.length * (cellH + 2);
  const out: Html[] = [];
  rows.forEach((row, r) => {
    const y = r * (cellH + 2);
    out.push(html`<g class="strip-row" data-region="${row.label}"><text x="0" y="${y + 10}">${row.label}</text>`);
    let start = 0;
    for (let i = 1; i <= row.cells.length; i++) {
      const level = row.cells[start]!.level;
      if (i < row.cells.length && row.cells[i]!.level === level && level <= 0) continue;
      const x = labelW + start * cellW;
      const w = (i - start) * cellW - 1;
      const title = i - start === 1 ? row.titles[start] ?? '' : `${row.titles[start] ?? ''} … ${row.titles[i - 1] ?? ''}`;
      out.push(html`<rect x="${x}" y="${y}" width="${w}" height="${cellH}" fill="${fill(prefix, level)}" data-level="${level}" data-from="${start}" data-to="${i}"><title>${title}</title></rect>`);
      if (level >= 4) out.push(html`<rect x="${x}" y="${y}" width="${w}" height="${cellH}" fill="url(#${prefix}-hatch)" pointer-events="none"/>`);
      start = i;
    }
    out.push(raw('</g>'));
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="strip" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="failure rate per minute and region, last hour" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="10">${defs(prefix)}${out}</svg>`;
}
