/**
 * Escaping for every value that comes from data (target ids, regions, header values, error strings):
 * agents and targets are ours, but a header or an error detail is whatever a server sent.
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content and quoted attribute values (also inside SVG). Templates use `html`, which calls it. */
export function escapeHtml(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Markup that goes into an `html` template as it is: what `html` and `raw` return (the class itself is not exported). */
class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}
export type { Html };

/** What an `html` template takes: text (escaped), markup, a list of either (joined), or nothing. */
export type HtmlValue = string | number | false | null | undefined | Html | readonly HtmlValue[];

/** Markup written by us (a stylesheet, a script, a constant fragment): inserted without escaping. Never for data. */
export function raw(markup: string): Html {
  return new Html(markup);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.markup;
  if (typeof value === 'object') return value.map(render).join('');
  return escapeHtml(value);
}

/** `values` as in a template, with `separator` (markup of ours, e.g. "\n" or "<br>") between them. */
export function joinHtml(values: readonly HtmlValue[], separator: string): Html {
  return new Html(values.map(render).join(separator));
}

// An unquoted attribute value would let an escaped space or `>`-free value add attributes: templates
// must quote. Checked once per template (its strings array is the same object at every call).
const checked = new WeakSet<TemplateStringsArray>();
function checkQuoted(strings: TemplateStringsArray): void {
  let inTag = false;
  strings.forEach((s, i) => {
    const open = s.lastIndexOf('<');
    const close = s.lastIndexOf('>');
    inTag = open > close || (open === close && inTag);
    if (i < strings.length - 1 && inTag && /=\s*$/.test(s)) throw new Error(`html template: unquoted attribute value after ${JSON.stringify(s.slice(-40))}`);
  });
  checked.add(strings);
}

/**
 * The tag every page is written with: each `${value}` is escaped unless it is markup (`html` or `raw`
 * result); lists are joined, `null`, `undefined` and `false` are nothing. Works the same for HTML and
 * SVG, in element text and in quoted attribute values.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  if (!checked.has(strings)) checkQuoted(strings);
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/**
 * Text for Markdown table cells and paragraphs (GitHub and chat tools): emphasis, code, link and table
 * characters backslash-escaped (an underscore only at a word's edge, so HTTP_STATUS stays readable in
 * tools that show escapes verbatim), HTML made inert (GitHub renders tags such as <img>), line breaks
 * joined. Not for the start of a line: see mdLine.
 */
export function md(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value)
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*[\]|~]/g, (c) => `\\${c}`)
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** `md`, for text that starts a line: a leading character that would make a heading, list or quote is escaped. */
export function mdLine(value: string | number | null | undefined): string {
  return md(value).replace(/^[#+=-]/, '\\$&').replace(/^(\d+)\./, '$1\\.');
}

/** Text inside a Markdown code block: nothing renders there, but a run of backticks would end the block. */
export function mdCode(value: string): string {
  return value.replace(/`/g, "'").replace(/[\r\n]+/g, ' ');
}

/** Text for an inline Markdown code span. */
export function mdInlineCode(value: string): string {
  return `\`${mdCode(value)}\``;
}
