import { DEFAULT_DIAGNOSIS_OPTIONS, type DiagnosisOptions } from './types.js';

/** Bad diagnosis options: a configuration error, thrown at once. */
export class DiagnosisOptionsError extends Error {
  override readonly name = 'DiagnosisOptionsError';
  readonly code = 'CP_DIAGNOSIS_BAD_OPTION';
}

type Check = (value: number) => boolean;

const CHECKS: Record<keyof DiagnosisOptions, [Check, string]> = {
  shortWindowMs: [(v) => v > 0, 'must be > 0'],
  longWindowMs: [(v) => v > 0, 'must be > 0'],
  alpha: [(v) => v > 0 && v < 1, 'must be in (0, 1)'],
  minFailures: [(v) => Number.isInteger(v) && v >= 1, 'must be an integer >= 1'],
  minRateRatio: [(v) => v >= 1, 'must be >= 1'],
  backgroundRate: [(v) => v > 0 && v < 1, 'must be in (0, 1)'],
  nearlyEveryFraction: [(v) => v > 0 && v <= 1, 'must be in (0, 1]'],
  dominantFraction: [(v) => v > 0 && v <= 1, 'must be in (0, 1]'],
  fastFirstByteMs: [(v) => v > 0, 'must be > 0'],
  timeoutTolerance: [(v) => v > 0 && v < 1, 'must be in (0, 1)'],
  minTimeoutMs: [(v) => v >= 0, 'must be >= 0'],
  latencyLookbackMs: [(v) => v > 0, 'must be > 0'],
  latencyRiseRatio: [(v) => v > 1, 'must be > 1'],
  maxSamples: [(v) => Number.isInteger(v) && v >= 0, 'must be an integer >= 0'],
};

function isOptionName(name: string): name is keyof DiagnosisOptions {
  return Object.hasOwn(CHECKS, name);
}

/** Defaults overlaid with `partial`, checked (unknown names and bad values throw) and frozen. */
export function resolveOptions(partial: Partial<DiagnosisOptions> = {}): DiagnosisOptions {
  const merged: Record<keyof DiagnosisOptions, number> = { ...DEFAULT_DIAGNOSIS_OPTIONS };
  for (const [name, value] of Object.entries(partial)) {
    if (!isOptionName(name)) throw new DiagnosisOptionsError(`unknown diagnosis option "${name}"`);
    if (value === undefined) continue;
    const [check, rule] = CHECKS[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
      throw new DiagnosisOptionsError(`diagnosis option ${name} ${rule}, got ${String(value)}`);
    }
    merged[name] = value;
  }
  const options: DiagnosisOptions = merged;
  if (options.shortWindowMs > options.longWindowMs) {
    throw new DiagnosisOptionsError(
      `diagnosis option shortWindowMs (${options.shortWindowMs}) must not exceed longWindowMs (${options.longWindowMs})`,
    );
  }
  return Object.freeze(options);
}
