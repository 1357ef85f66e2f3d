/** How numbers read in summaries and hints. */

/** 0.095 → "9.5%", 0.3 → "30%", 0.0025 → "0.25%". */
export function pct(x: number): string {
  const v = x * 100;
  if (v === 0 || v >= 10) return `${Math.round(v)}%`;
  return `${v >= 1 ? v.toFixed(1) : v.toFixed(2)}%`;
}

/** 12.4 → "12 ms". */
export function ms(x: number): string {
  return `${Math.round(x)} ms`;
}

/** 30_012 → "30 s", 2_540 → "2.5 s". */
export function seconds(xMs: number): string {
  const s = xMs / 1000;
  return `${s >= 10 ? Math.round(s) : Number(s.toFixed(1))} s`;
}

/** A span as a person says it: 45_000 → "45 s", 720_000 → "12 min", 7_500_000 → "2 h 5 min". */
export function span(spanMs: number): string {
  const s = Math.max(0, Math.round(spanMs / 1_000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h${min % 60 === 0 ? '' : ` ${min % 60} min`}`;
}

/** An instant to the minute, UTC: "2025-11-22T01:15Z". */
export function isoMinute(atMs: number): string {
  return `${new Date(atMs).toISOString().slice(0, 16)}Z`;
}

/** "a", "a and b", "a, b and c". */
export function list(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}
