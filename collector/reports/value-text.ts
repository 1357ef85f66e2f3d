import { pct } from '../diagnosis/index.js';
import type { ReportCell } from './types.js';

/** How report values read, in every format. */

/** "9.5% (19/200)", "no probes". */
export function rateText(c: ReportCell): string {
  return c.probes === 0 ? 'no probes' : `${pct(c.rate ?? 0)} (${c.failures}/${c.probes})`;
}

/** "9.5%", "–" without probes. */
export function rateShort(c: ReportCell): string {
  return c.probes === 0 ? '–' : pct(c.rate ?? 0);
}

/** 12.3 → "12 ms", 2.25 → "2.3 ms", 2540 → "2.54 s", 30001 → "30 s"; null → "–". */
export function duration(msValue: number | null): string {
  if (msValue === null) return '–';
  if (msValue >= 1000) return `${(msValue / 1000).toFixed(msValue >= 10_000 ? 0 : 2)} s`;
  return `${msValue >= 10 ? Math.round(msValue) : msValue.toFixed(1)} ms`;
}

/** An instant to the minute, UTC: "2025-11-22 05:00Z". */
export function minute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

/** An instant to the millisecond, UTC, as logs print it: "2025-11-22 05:00:12.345Z". */
export function instant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}Z`;
}

/** 0.987 → "0.99". */
export function confidence(x: number): string {
  return x.toFixed(2);
}

/** "1,234". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** A count and its noun, in the number the count needs: "1 target", "0 targets", "1,234 probes". */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${count(n)} ${n === 1 ? noun : plural}`;
}
