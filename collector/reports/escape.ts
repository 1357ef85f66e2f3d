/**
 * Escaping for every value that comes from data (target ids, regions, header values, error strings):
 * agents and targets are ours, but a header or an error detail is whatever a server sent.
 */

const HTML: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content and quoted attribute values (also inside SVG). */
export function html(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => HTML[c]!);
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
