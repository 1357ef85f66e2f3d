import { binomialUpper, rate } from './stats.js';
import type { DiagnosisOptions, Observation } from './types.js';

/**
 * The cron/minute-of-hour detector: do failures come back at the same minutes of the hour, hour
 * after hour, more often than at the other minutes? One rule for the diagnosis' hint and the
 * report's minute-of-hour profile, so that the two never disagree on the same data.
 *
 * The rule, on the hour folded onto its 60 minutes:
 * 1. the cluster is the densest stretch of CLUSTER_MINUTES minutes by failures (wrapping: a job at
 *    :59 spills into :00), trimmed to its first and last failing minute;
 * 2. it holds at least `minFailures` failures — the least evidence any diagnosis pattern needs;
 * 3. one of its minutes failed in at least MIN_HOURS different hours: a schedule comes back, one
 *    burst (even one across the top of the hour) is an incident, not a job;
 * 4. it stands out from the rest of the hour: a failure rate at least STANDOUT_RATIO times the other
 *    minutes' rate, and more failures than that rate explains (binomial upper tail, Bonferroni-
 *    corrected for the 60 stretches tried, at `alpha`) — noise spread over the hour has a densest
 *    stretch too, and a job failing at :00 still shows above a noisy background.
 */
export const CLUSTER_MINUTES = 5;
export const MIN_HOURS = 2;
export const STANDOUT_RATIO = 3;

/** One minute of the hour, summed over a range. */
export interface MinuteTally {
  readonly failures: number;
  readonly probes: number;
  /** In how many different hours this minute had a failure. */
  readonly hours: number;
}

/** A cluster of failures at the same minutes of the hour. */
export interface MinuteCluster {
  /** First and last failing minute of the cluster (0–59); `last` < `first` when it wraps past :59. */
  readonly first: number;
  readonly last: number;
  /** The minute of the cluster failing at the highest rate (the earliest on ties). */
  readonly peak: number;
  readonly failures: number;
  readonly probes: number;
  /** Failures in the whole hour profile. */
  readonly totalFailures: number;
  /** The most different hours any of its minutes failed in. */
  readonly hours: number;
}

/** The minute of the hour (0–59) of a UTC time. */
export function minuteOfHour(atMs: number): number {
  return Math.floor((((atMs % 3_600_000) + 3_600_000) % 3_600_000) / 60_000);
}

/** The 60 minute tallies of some probes and their failures. */
export function tallyMinutes(observations: readonly Observation[], failures: readonly Observation[]): MinuteTally[] {
  const probes = new Array<number>(60).fill(0);
  const failed = new Array<number>(60).fill(0);
  const hours = Array.from({ length: 60 }, () => new Set<number>());
  for (const o of observations) probes[minuteOfHour(o.atMs)]! += 1;
  for (const o of failures) {
    const m = minuteOfHour(o.atMs);
    failed[m]! += 1;
    hours[m]!.add(Math.floor(o.atMs / 3_600_000));
  }
  return probes.map((n, m) => ({ failures: failed[m]!, probes: n, hours: hours[m]!.size }));
}

/** The cluster the rule accepts, or null. `minutes`: 60 tallies, index = minute of the hour. */
export function detectMinuteCluster(minutes: readonly MinuteTally[], options: Pick<DiagnosisOptions, 'minFailures' | 'alpha'>): MinuteCluster | null {
  if (minutes.length !== 60) throw new RangeError(`detectMinuteCluster needs 60 minutes, got ${minutes.length}`);
  const at = (m: number): MinuteTally => minutes[m % 60]!;
  let totalFailures = 0;
  let totalProbes = 0;
  for (const t of minutes) {
    totalFailures += t.failures;
    totalProbes += t.probes;
  }
  if (totalFailures < options.minFailures) return null;
  // 1. the densest stretch (the earliest start on ties), trimmed to its failing minutes
  let start = 0;
  let most = -1;
  for (let s = 0; s < 60; s++) {
    let n = 0;
    for (let k = 0; k < CLUSTER_MINUTES; k++) n += at(s + k).failures;
    if (n > most) {
      start = s;
      most = n;
    }
  }
  let lo = 0;
  while (lo < CLUSTER_MINUTES - 1 && at(start + lo).failures === 0) lo++;
  let hi = CLUSTER_MINUTES - 1;
  while (hi > lo && at(start + hi).failures === 0) hi--;
  let failures = 0;
  let probes = 0;
  let hours = 0;
  let peak = start + lo;
  for (let k = lo; k <= hi; k++) {
    const t = at(start + k);
    failures += t.failures;
    probes += t.probes;
    hours = Math.max(hours, t.hours);
    if (rate(t) > rate(at(peak))) peak = start + k;
  }
  // 2. enough evidence; 3. a schedule, not a burst
  if (failures < options.minFailures || hours < MIN_HOURS) return null;
  // 4. above the rest of the hour
  const rest = { failures: totalFailures - failures, probes: totalProbes - probes };
  if (rest.probes === 0 || probes === 0) return null;
  if (rate({ failures, probes }) < STANDOUT_RATIO * rate(rest)) return null;
  if (binomialUpper(failures, probes, rate(rest)) > options.alpha / 60) return null;
  return { first: (start + lo) % 60, last: (start + hi) % 60, peak: peak % 60, failures, probes, totalFailures, hours };
}
