const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/**
 * A duration as config files, flags, targets and the API write it ("500ms", "30s", "1h30m"): the
 * JSON Schema pattern of the texts parseDuration reads (it also bounds them: see durationProblem).
 */
export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$';
const DURATION = new RegExp(DURATION_PATTERN);
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * The longest duration parseDuration returns: 3650 days. Nothing crossprobe times (retention being the
 * longest) is meant to reach this far; a longer text is a typo or an attack (a 309-digit "…d" is
 * Infinity), and no caller should have to check for non-finite numbers.
 */
export const MAX_DURATION_MS = 3650 * UNIT_MS.d;

/**
 * The longest duration a process runs a timer on (intervals, timeouts): 24 h, far below setTimeout's
 * 24.8-day limit, past which Node fires after 1 ms instead (a "30d" interval would run every millisecond).
 */
export const MAX_TIMER_MS = UNIT_MS.d;

/**
 * Parses "500ms", "30s", "15m", "24h", "7d", or combinations such as "1h30m": whole milliseconds,
 * finite, from 0 to MAX_DURATION_MS. null when malformed or longer than MAX_DURATION_MS (see
 * durationProblem for a message telling which).
 */
export function parseDuration(text: string): number | null {
  if (!DURATION.test(text)) return null;
  let ms = 0;
  for (const [, value, unit] of text.matchAll(PART)) ms += Number(value) * UNIT_MS[unit as keyof typeof UNIT_MS];
  ms = Math.round(ms);
  return Number.isFinite(ms) && ms <= MAX_DURATION_MS ? ms : null;
}

/** Why parseDuration refuses `text`, as the end of a sentence ("must be ..."); null when it accepts it. */
export function durationProblem(text: string): string | null {
  if (!DURATION.test(text)) return 'must be a duration such as 500ms, 30s, 15m or 1h';
  return parseDuration(text) === null ? `must be at most ${formatDuration(MAX_DURATION_MS)}` : null;
}

/** Formats milliseconds the way they are written in config: the largest exact unit. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
